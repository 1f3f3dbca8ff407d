"""What the company visit tests share: their world (one contract and its people), a visit in a given
state, a report logged through the service, a minor apprentice with legal representatives, and the
snapshot a refused action must leave as it was."""

import pytest
from django.utils import timezone

from core.models import ActionLink, AuditEvent, Signature
from livret.models import ActionItem, VisitReport
from livret.services import visits as services
from tests.apprentices.factories import LegalRepresentativeFactory
from tests.livret.factories import VisitReportFactory, small_world

VisitStatus = VisitReport.Status

TODAY = timezone.localdate


@pytest.fixture
def world(db):
    """Only one contract and its people: these tests never look at other contracts."""
    return small_world()


def snapshot(*visits) -> dict:
    """Everything a refused action must leave as it was."""
    return {
        "visits": [VisitReport.objects.filter(pk=v.pk).values().get() for v in visits],
        "visit_count": VisitReport.objects.count(),
        "actions": list(ActionItem.objects.order_by("pk").values()),
        "signatures": list(
            Signature.objects.order_by("pk").values_list("pk", "act", "signer_email", "content_sha256")
        ),
        "events": AuditEvent.objects.count(),
        "links": list(ActionLink.objects.order_by("pk").values_list("pk", "expires_at", "used_at")),
    }


REPORT = {
    "integration": "Bien intégrée à l'équipe méthodes.",
    "missions_adequacy": "Missions conformes au bloc 2.",
    "progress": "Autonome sur l'analyse des temps.",
    "difficulties": "",
}


def log(visit, user, **overrides):
    values = {
        "visit": visit,
        "by": user,
        "held_on": TODAY(),
        "mode": VisitReport.Mode.ON_SITE,
        "apprentice_present": True,
        "company_tutor_present": True,
        **REPORT,
    }
    values.update(overrides)
    visit, by = values.pop("visit"), values.pop("by")
    return services.log_visit(visit=visit, by=by, report=services.Report.clean(**values))


TRAITS = {
    VisitStatus.PLANNED: {},
    VisitStatus.REPORTED: {"reported": True},
    VisitStatus.ACKNOWLEDGED: {"acknowledged": True},
}
TRAITS[VisitStatus.CANCELLED] = {"cancelled": True}
PLANNERS = {"school_tutor", "staff", "admin"}

EVENT = {
    "plan": "livret.visitreport.planned",
    "log": "livret.visitreport.reported",
    "cancel": "livret.visitreport.cancelled",
    "acknowledge": "livret.visitreport.acknowledged",
    "close": "livret.visitreport.action_closed",
}


def visit_in(world, status, **kwargs):
    return VisitReportFactory(
        contract=world.mine.contract, **{"planned_date": TODAY(), **TRAITS[status], **kwargs}
    )


def minor_chain(world, n_representatives=2):
    """``world.mine`` with a minor apprentice and their legal representatives."""
    apprentice = world.mine.apprentice
    apprentice.birth_date = TODAY().replace(year=TODAY().year - 16)
    apprentice.save()
    return [LegalRepresentativeFactory(apprentice=apprentice) for _ in range(n_representatives)]
