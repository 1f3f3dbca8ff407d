"""Two countersignatures of the same sheet at the same moment: exactly one wins (PostgreSQL only).

SQLite has no row locks (``select_for_update`` is a no-op there) and serialises writers anyway.
"""

import threading

import pytest
from django.db import connection

from core.models import ActionLink, AuditEvent, Signature
from core.workflow import Refusal, links
from livret.models import LiaisonSheet
from livret.services import sheets as services
from tests.conftest import build_chain
from tests.core.factories import AcademicYearFactory, OrganisationFactory
from tests.livret.factories import LiaisonSheetFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="les verrous de ligne demandent PostgreSQL"),
]


def race(*calls):
    """Run the calls at the same moment, each in its own thread and database connection; return
    what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 (the outcome is what the test looks at)
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@pytest.fixture
def submitted():
    organisation = OrganisationFactory(name="CFA des Tests")
    chain = build_chain(organisation, AcademicYearFactory(), with_accounts=True)
    return LiaisonSheetFactory(contract=chain.contract, submitted=True)


def countersignatures_of(sheet):
    signatures = Signature.objects.filter(document_id=sheet.pk, act=Signature.Act.COUNTERSIGN)
    events = AuditEvent.objects.filter(target_id=sheet.pk, action="livret.liaisonsheet.countersigned")
    return signatures.count(), events.count()


def test_two_countersignatures_from_the_session_at_once_exactly_one_wins(submitted):
    tutor_user = submitted.contract.company_tutor.user

    def countersign(text):
        # Each thread loads its own copy, as two requests would.
        sheet = LiaisonSheet.objects.get(pk=submitted.pk)
        return lambda: services.countersign(sheet=sheet, by=tutor_user, tutor_assessment=text)

    outcomes = race(countersign("Premier avis."), countersign("Second avis."))

    winners = [o for o in outcomes if isinstance(o, LiaisonSheet)]
    losers = [o for o in outcomes if isinstance(o, Refusal)]
    assert (len(winners), len(losers)) == (1, 1), outcomes
    assert countersignatures_of(submitted) == (1, 1)
    submitted.refresh_from_db()
    assert submitted.tutor_assessment == winners[0].tutor_assessment


def test_the_same_link_used_twice_at_once_exactly_one_wins(submitted):
    tutor = submitted.contract.company_tutor
    _link, token = links.issue(
        document=submitted, action=ActionLink.Action.COUNTERSIGN, email=tutor.email, name=str(tutor)
    )

    def countersign(text):
        sheet = LiaisonSheet.objects.get(pk=submitted.pk)
        return lambda: services.countersign(sheet=sheet, token=token, tutor_assessment=text)

    outcomes = race(countersign("Premier avis."), countersign("Second avis."))

    winners = [o for o in outcomes if isinstance(o, LiaisonSheet)]
    losers = [o for o in outcomes if isinstance(o, links.LinkError)]
    assert (len(winners), len(losers)) == (1, 1), outcomes
    assert losers[0].kind == "used"
    assert countersignatures_of(submitted) == (1, 1)


def test_a_link_and_a_session_at_once_exactly_one_wins(submitted):
    tutor = submitted.contract.company_tutor
    _link, token = links.issue(
        document=submitted, action=ActionLink.Action.COUNTERSIGN, email=tutor.email, name=str(tutor)
    )
    by_link = LiaisonSheet.objects.get(pk=submitted.pk)
    by_session = LiaisonSheet.objects.get(pk=submitted.pk)

    outcomes = race(
        lambda: services.countersign(sheet=by_link, token=token, tutor_assessment="Par le lien."),
        lambda: services.countersign(sheet=by_session, by=tutor.user, tutor_assessment="Connecté."),
    )

    winners = [o for o in outcomes if isinstance(o, LiaisonSheet)]
    losers = [o for o in outcomes if isinstance(o, Refusal | links.LinkError)]
    assert (len(winners), len(losers)) == (1, 1), outcomes
    assert countersignatures_of(submitted) == (1, 1)


# Visit reports -------------------------------------------------------------------------------------


def test_two_acknowledgements_of_a_report_by_the_same_tutor_at_once_give_one_signature():
    from livret.models import VisitReport
    from livret.services import visits
    from tests.livret.factories import VisitReportFactory

    organisation = OrganisationFactory(name="CFA des Tests")
    chain = build_chain(organisation, AcademicYearFactory(), with_accounts=True)
    report = VisitReportFactory(contract=chain.contract, reported=True)
    tutor_user = chain.company_tutor.user

    def acknowledge():
        visit = VisitReport.objects.get(pk=report.pk)
        return lambda: visits.acknowledge(visit=visit, by=tutor_user)

    outcomes = race(acknowledge(), acknowledge())

    winners = [o for o in outcomes if isinstance(o, VisitReport)]
    assert len(winners) == 1, outcomes
    assert isinstance(next(o for o in outcomes if o not in winners), Exception)
    acknowledgements = Signature.objects.filter(
        document_id=report.pk, act=Signature.Act.ACKNOWLEDGE, signer_email__iexact=chain.company_tutor.email
    )
    events = AuditEvent.objects.filter(target_id=report.pk, action="livret.visitreport.acknowledged")
    assert (acknowledgements.count(), events.count()) == (1, 1)
