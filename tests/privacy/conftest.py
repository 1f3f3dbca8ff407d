"""An apprentice with a full booklet (every kind of document, signed by them, their tutors and their
legal representative), and the helpers that age a contract past the retention period."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from apprentices.models import Competence, Contract
from core.models import ActionLink, Signature
from core.workflow.signatures import sign_document
from livret.models import MissionDecision, Rating, Reminder
from privacy.services import cutoff
from tests.apprentices.factories import LegalRepresentativeFactory
from tests.conftest import REQUIRE_SERVICES
from tests.livret.factories import (
    ActionItemFactory,
    CompetenceBlockFactory,
    EvaluationFactory,
    GridSharingFactory,
    LiaisonSheetFactory,
    MissionDescriptionFactory,
    VisitReportFactory,
)

APPRENTICE_PHONE = "06 12 34 56 78"
APPRENTICE_ADDRESS = "12 rue des Lilas"
REPRESENTATIVE_EMAIL = "maman.durand@exemple.test"


@pytest.fixture
def pdf_ready():
    """WeasyPrint and its system libraries load; otherwise the PDF tests skip, saying why (and fail
    when REQUIRE_SERVICES=1)."""
    try:
        import weasyprint  # noqa: F401 (only whether it loads)
    except (ImportError, OSError, Warning) as error:
        reason = f"WeasyPrint ne se charge pas (Pango, HarfBuzz ?) : {error}"
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 : {reason}")
        pytest.skip(reason)


@pytest.fixture
def booklet(world):
    """On ``world.mine``: a minor's identity and legal representative, a countersigned sheet and a
    returned one, an acknowledged visit (also by the representative) with an action, a validated mission
    with its decision, a rated evaluation, the grid's sharing, emailed links and reminders."""
    apprentice = world.mine.apprentice
    apprentice.first_name, apprentice.last_name = "Léonie", "Durandal"
    apprentice.phone, apprentice.address, apprentice.ine = APPRENTICE_PHONE, APPRENTICE_ADDRESS, "1234567890A"
    apprentice.birth_date = datetime.date(2009, 5, 17)
    apprentice.save()
    representative = LegalRepresentativeFactory(
        apprentice=apprentice,
        first_name="Martine",
        last_name="Durandal",
        email=REPRESENTATIVE_EMAIL,
        phone="01 23 45 67 89",
    )
    contract = world.mine.contract
    sheet = LiaisonSheetFactory(contract=contract, countersigned=True)
    returned = LiaisonSheetFactory(contract=contract, returned=True)
    visit = VisitReportFactory(
        contract=contract,
        planned_date=timezone.localdate() - datetime.timedelta(days=3),
        acknowledged=True,
        legal_representative_present=True,
    )
    sign_document(
        visit,
        visit.report_content(),
        act=Signature.Act.ACKNOWLEDGE,
        signer=None,
        name=str(representative),
        email=representative.email,
        via=Signature.Via.LINK,
    )
    action = ActionItemFactory(opened_in=visit, contract=contract, description="Planifier un point sur l'ERP")
    mission = MissionDescriptionFactory(contract=contract, validated=True)
    sign_document(
        mission,
        mission.signable_content(),
        act=Signature.Act.VALIDATE,
        signer=world.users["head_of_diploma"],
        name=str(world.users["head_of_diploma"]),
        email=world.users["head_of_diploma"].email,
        via=Signature.Via.SESSION,
    )
    MissionDecision.objects.create(
        mission=mission,
        outcome=MissionDecision.Outcome.VALIDATED,
        submitted_at=mission.submitted_at,
        decided_at=mission.decided_at,
        delay=mission.decided_at - mission.submitted_at,
        decided_by=world.users["head_of_diploma"],
        comment="Bravo Léonie, missions conformes.",
    )
    block = CompetenceBlockFactory(diploma=contract.diploma, code="B1", title="Organiser la production")
    competence = Competence.objects.create(block=block, code="C1.1", title="Analyser un besoin industriel")
    evaluation = EvaluationFactory(contract=contract, tutor_submitted_at=timezone.now())
    Rating.objects.create(
        evaluation=evaluation, competence=competence, rater=Rating.Rater.TUTOR, level=Rating.Level.ACQUIRED
    )
    sharing = GridSharingFactory(contract=contract)
    now = timezone.now()
    ActionLink.objects.create(
        document_type=Signature.objects.for_document(visit).first().document_type,
        document_id=visit.pk,
        action=ActionLink.Action.ACKNOWLEDGE,
        recipient_email=representative.email,
        recipient_name=str(representative),
        nonce="n" * 32,
        expires_at=now + datetime.timedelta(days=14),
    )
    Reminder.objects.create(
        document_type=Signature.objects.for_document(sheet).first().document_type,
        document_id=returned.pk,
        rule="sheet_to_fill",
        waiting_since=now,
        level=1,
        recipient_email=apprentice.user.email,
        recipient_name=str(apprentice),
    )
    return {
        "apprentice": apprentice,
        "representative": representative,
        "sheet": sheet,
        "returned": returned,
        "visit": visit,
        "action": action,
        "mission": mission,
        "evaluation": evaluation,
        "sharing": sharing,
    }


def end_contract(contract, ended_on: datetime.date, *, ruptured: bool = False) -> None:
    """The contract ended on ``ended_on`` (completed then, or ruptured then)."""
    start = ended_on - datetime.timedelta(days=700)
    if ruptured:
        Contract.objects.filter(pk=contract.pk).update(
            start_date=start,
            planned_end_date=ended_on + datetime.timedelta(days=300),
            status=Contract.Status.RUPTURED,
            rupture_date=ended_on,
            rupture_cause=Contract.RuptureCause.MUTUAL,
        )
    else:
        Contract.objects.filter(pk=contract.pk).update(
            start_date=start, planned_end_date=ended_on, status=Contract.Status.COMPLETED
        )


def outside_window(today=None) -> datetime.date:
    """A day more than RETENTION_YEARS ago: a contract that ended then is erased."""
    return cutoff(today or timezone.localdate()) - datetime.timedelta(days=1)


def inside_window(today=None) -> datetime.date:
    """Exactly RETENTION_YEARS ago: a contract that ended then is kept one more day."""
    return cutoff(today or timezone.localdate())
