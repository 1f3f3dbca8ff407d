"""The demo data set: every state of every booklet document, what each demo account finds waiting,
and a second run that changes nothing. The demo is seeded once here (it is the costliest fixture of
the suite) and each document's checks read it."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from apprentices.models import Contract, Diploma
from core.models import AcademicYear, AuditEvent, Signature, User
from core.workflow.signatures import content_digest
from demo.visits import READY_FOR
from livret import selectors
from livret.models import (
    ActionItem,
    Evaluation,
    GridSharing,
    LiaisonSheet,
    MissionDecision,
    MissionDescription,
    Rating,
    VisitReport,
)
from livret.windows import HELD, WindowState, visit_windows
from quality.levels import evaluate
from quality.models import Campaign, Evidence, IndicatorValue, Meeting, Milestone

pytestmark = pytest.mark.django_db

MissionStatus = MissionDescription.Status
VisitStatus = VisitReport.Status


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_demo_covers_every_state_of_every_document_and_a_second_run_changes_nothing():
    call_command("seed_demo", quiet=True)
    first = row_counts()
    today = timezone.localdate()

    for model in (LiaisonSheet, VisitReport, MissionDescription, Evaluation):
        states = set(model.objects.values_list("status", flat=True))
        assert states == set(model.Status.values), model.__name__
    assert LiaisonSheet.objects.filter(version=2, previous__isnull=False).exists()
    check_visits(today)
    check_missions(today)
    check_evaluations(today)
    check_quality()

    call_command("seed_demo", quiet=True)

    assert row_counts() == first


def check_visits(today):
    assert VisitReport.objects.filter(is_start_meeting=True, status=VisitStatus.ACKNOWLEDGED).exists()
    assert VisitReport.objects.filter(is_start_meeting=True, legal_representative_present=True).exists()
    assert ActionItem.objects.filter(done_on__isnull=False).exists()
    assert ActionItem.objects.filter(done_on__isnull=True, due_date__gte=today).exists()
    assert ActionItem.objects.filter(done_on__isnull=True, due_date__lt=today).exists()
    assert (
        AuditEvent.objects.filter(action="livret.visitreport.reported").count()
        == VisitReport.objects.filter(status__in=HELD).count()
    )
    contracts = Contract.objects.filter(visits__isnull=False).distinct().prefetch_related("visits")
    states = {
        window.state
        for contract in contracts
        for year in visit_windows(contract, contract.visits.all(), today)
        for window in year.windows
    }
    assert {WindowState.MET, WindowState.OPEN, WindowState.MISSED} <= states
    # enseignant@ has a visit to report now, and a contract whose window is open.
    assert VisitReport.objects.filter(
        status=VisitStatus.PLANNED, planned_date__lte=today, contract__school_tutor__user__email=READY_FOR
    ).exists()
    theirs = Contract.objects.filter(school_tutor__user__email=READY_FOR, status="active").prefetch_related(
        "visits"
    )
    assert any(
        window.state == WindowState.OPEN
        for contract in theirs
        for year in visit_windows(contract, contract.visits.all(), today)
        for window in year.windows
    )


def check_missions(today):
    year = AcademicYear.objects.current(today)
    missions = MissionDescription.objects.filter(academic_year=year)
    assert {m.status for m in missions.current()} == set(MissionStatus.values)
    assert missions.filter(version=2, previous__status=MissionStatus.VALIDATED).exists()
    responsable = User.objects.get(email="responsable@demo.test")
    waiting = selectors.waiting_missions_for_head(responsable, today)
    assert {m.days_waiting for m in waiting} >= {0, 1, 4, 9}
    assert any(m.overdue for m in waiting) and not all(m.overdue for m in waiting)
    decisions = list(MissionDecision.objects.all())
    assert {d.within_deadline for d in decisions} == {True, False}
    assert len({d.delay for d in decisions}) >= 5
    for decision in decisions:
        assert (
            decision.delay
            == decision.decided_at - decision.submitted_at
            <= timezone.now() - decision.submitted_at
        )
    for mission in missions.filter(status=MissionStatus.SUBMITTED):
        signed = Signature.objects.for_document(mission).filter(act=Signature.Act.SUBMIT).latest("pk")
        assert signed.signed_at == mission.submitted_at
        assert signed.content_sha256 == content_digest(mission.signable_content())[1]
    assert missions.filter(status=MissionStatus.RETURNED).exclude(return_comment="").exists()
    assert not MissionDescription.objects.filter(
        contract__apprentice__user__email="apprenti2@demo.test"
    ).exists()
    draft = MissionDescription.objects.get(contract__apprentice__user__email="apprenti@demo.test")
    assert (draft.status, draft.last_edited_by.email) == (MissionStatus.DRAFT, "tuteur@demo.test")


def check_evaluations(today):
    contract = Contract.objects.get(
        apprentice__user__email="apprenti@demo.test", status=Contract.Status.ACTIVE
    )
    progression = selectors.progression(contract)
    assert len(progression.periods) >= 3
    first_block = progression.blocks[0]
    tutor = [v for v in progression.series(first_block.pk, Rating.Rater.TUTOR) if v is not None]
    assert tutor[-1] > tutor[0]
    assert Evaluation.objects.filter(contract=contract, apprentice_submitted_at=None).exists()
    assert Evaluation.objects.filter(contract=contract, tutor_submitted_at=None).exists()
    active = Contract.objects.filter(status=Contract.Status.ACTIVE).active_on(today)
    shared = GridSharing.objects.filter(contract__in=active)
    assert shared.count() > active.count() // 2
    within_a_month = [
        s for s in shared.select_related("contract") if (s.shared_on - s.contract.start_date).days <= 30
    ]
    assert len(within_a_month) > shared.count() // 2
    assert len(within_a_month) < shared.count()


def check_quality():
    """The trajectoire qualité of the demo: a register, evidence, a closed year, and every kind of level
    on the dashboard of the running year or the one before."""
    assert set(Meeting.objects.values_list("kind", flat=True)) == set(Meeting.Kind.values)
    assert (
        Evidence.objects.filter(diploma__isnull=True).exists()
        and Evidence.objects.filter(diploma__isnull=False).exists()
    )
    closed = Campaign.objects.get()
    assert closed.academic_year.label == "2024-2025"
    assert {d["diploma"]["code"] for d in closed.snapshot["diplomas"]} == {"ING-ALB", "BTS-CPRP"}
    assert Milestone.objects.exists()
    stages = set()
    for label in ("2025-2026", "2026-2027"):
        year = AcademicYear.objects.get(label=label)
        assert IndicatorValue.objects.filter(academic_year=year).exists()
        for trajectory in evaluate(Diploma.objects.all(), year).values():
            stages |= {p.stage for p in trajectory.perimeters}
    assert stages == {"below", "socle", "jalon", "cible"}
