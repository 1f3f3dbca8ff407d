"""The latest activity of each booklet, stored for the dashboards (BookletActivity): the contracts
« Livret sans activité » finds from the stored rows, from the documents (no row), or from both, are the
ones the definition gives; a row goes as soon as a document of its contract is written in a column
activity is read from, however it is written (the database's triggers, on the database the tests run
on); Celery stores the missing ones."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apprentices.models import Contract
from livret import activity, tasks
from livret.models import BookletActivity, Evaluation, LiaisonSheet, MissionDescription, VisitReport
from livret.services.activity import store_booklet_activity
from reports import dashboard as board
from tests.apprentices.factories import ContractFactory
from tests.livret.factories import (
    EvaluationFactory,
    LiaisonSheetFactory,
    MissionDescriptionFactory,
    VisitReportFactory,
)

NOW = timezone.now
DAYS = 45


def stored(contract) -> bool:
    return BookletActivity.objects.filter(contract=contract).exists()


# The definition, read three ways ------------------------------------------------------------------

AGO = st.none() | st.integers(min_value=0, max_value=120)  # days before now, or never


@st.composite
def booklets(draw):
    """Contracts, each with at most one document of each kind, their moments drawn."""
    drawn = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        drawn.append(
            {
                "sheet": draw(st.none() | st.tuples(AGO, AGO, AGO, AGO, st.integers(0, 1))),
                "visit": draw(st.none() | st.tuples(st.integers(0, 120), AGO)),
                "mission": draw(st.none() | st.tuples(AGO, AGO, AGO, st.integers(0, 1))),
                "evaluation": draw(st.none() | st.integers(0, 120)),
                "stored": draw(st.booleans()),
            }
        )
    return drawn


def _at(days):
    return None if days is None else NOW() - datetime.timedelta(days=days, hours=1)


def _write(contract, booklet) -> list:
    """The booklet's documents, their moments written as drawn; returns them (moments, held days)."""
    moments, held = [], []
    if booklet["sheet"]:
        submitted, countersigned, reviewed, updated, revision = booklet["sheet"]
        sheet = LiaisonSheetFactory(contract=contract)
        values = [_at(submitted), _at(countersigned), _at(reviewed), _at(updated or 0)]
        LiaisonSheet.objects.filter(pk=sheet.pk).update(
            submitted_at=values[0],
            countersigned_at=values[1],
            reviewed_at=values[2],
            updated_at=values[3],
            revision=revision,
        )
        moments += values[:3] + ([values[3]] if revision else [])
    if booklet["visit"]:
        created, held_ago = booklet["visit"]
        visit = VisitReportFactory(contract=contract)
        day = None if held_ago is None else timezone.localdate() - datetime.timedelta(days=held_ago)
        VisitReport.objects.filter(pk=visit.pk).update(created_at=_at(created), held_on=day)
        moments.append(_at(created))
        held.append(day)
    if booklet["mission"]:
        submitted, decided, updated, revision = booklet["mission"]
        mission = MissionDescriptionFactory(contract=contract)
        values = [_at(submitted), _at(decided), _at(updated or 0)]
        MissionDescription.objects.filter(pk=mission.pk).update(
            submitted_at=values[0], decided_at=values[1], updated_at=values[2], revision=revision
        )
        moments += values[:2] + ([values[2]] if revision else [])
    if booklet["evaluation"] is not None:
        evaluation = EvaluationFactory(contract=contract)
        Evaluation.objects.filter(pk=evaluation.pk).update(updated_at=_at(booklet["evaluation"]))
        moments.append(_at(booklet["evaluation"]))
    return [m for m in moments if m is not None], [d for d in held if d is not None]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=booklets(), days=st.sampled_from([10, 30, 45, 90]))
def test_the_inactive_booklets_are_the_definitions_whichever_way_they_are_read(world, drawn, days):
    chain = world.mine
    with transaction.atomic():
        inactive = []
        since = NOW() - datetime.timedelta(days=days)
        since_day = timezone.localdate() - datetime.timedelta(days=days)
        contracts = []
        for booklet in drawn:
            contract = ContractFactory(
                apprentice=chain.apprentice,
                diploma=chain.diploma,
                start_date=timezone.localdate() - datetime.timedelta(days=200),
            )
            moments, held = _write(contract, booklet)
            if not any(m >= since for m in moments) and not any(d >= since_day for d in held):
                inactive.append(contract.pk)
            contracts.append((contract, booklet["stored"]))
        ours = Contract.objects.filter(pk__in=[contract.pk for contract, _stored in contracts])
        expected = sorted(inactive)

        def found():  # each once
            stored, live = activity.inactive(ours, since, since_day)
            return sorted(contract.pk for judged in (stored, live) for contract in judged)

        assert found() == expected  # nothing stored: the documents
        store_booklet_activity()
        assert found() == expected  # everything stored
        BookletActivity.objects.filter(contract__in=[c for c, keep in contracts if not keep]).delete()
        assert found() == expected  # some stored, some not
        transaction.set_rollback(True)


def test_the_latest_moment_and_day_are_stored(world):
    contract = world.mine.contract
    sheet = LiaisonSheetFactory(contract=contract, submitted=True)
    visit = VisitReportFactory(contract=contract, reported=True)
    other = ContractFactory(apprentice=world.other.apprentice, diploma=world.other.diploma)
    LiaisonSheetFactory(contract=other)  # opened by the platform: no activity

    assert store_booklet_activity() == Contract.objects.count()

    row = BookletActivity.objects.get(contract=contract)
    sheet.refresh_from_db()
    visit.refresh_from_db()
    assert row.last_at == max(sheet.submitted_at, visit.created_at)
    assert row.last_held_on == visit.held_on
    assert BookletActivity.objects.filter(contract=other, last_at=None, last_held_on=None).exists()


# The triggers -------------------------------------------------------------------------------------


@pytest.fixture
def two(world):
    """Two contracts with a document of each kind, their activity stored."""
    first, second = world.mine.contract, world.other.contract
    for contract in (first, second):
        LiaisonSheetFactory(contract=contract)
        VisitReportFactory(contract=contract)
        MissionDescriptionFactory(contract=contract)
        EvaluationFactory(contract=contract)
    store_booklet_activity()
    assert BookletActivity.objects.count() == Contract.objects.count()
    return first, second


CHANGES = {
    "a sheet saved": lambda first: LiaisonSheet.objects.get(contract=first).save(),
    "a sheet created": lambda first: LiaisonSheetFactory(contract=first),
    "sheets created in bulk": lambda first: LiaisonSheet.objects.bulk_create(
        [LiaisonSheetFactory.build(contract=first)]
    ),
    "a sheet submitted by QuerySet.update": lambda first: LiaisonSheet.objects.filter(contract=first).update(
        submitted_at=NOW()
    ),
    "a sheet deleted": lambda first: LiaisonSheet.objects.filter(contract=first).delete(),
    "a visit held": lambda first: VisitReport.objects.filter(contract=first).update(
        held_on=timezone.localdate()
    ),
    "a visit created": lambda first: VisitReportFactory(contract=first),
    "a visit deleted": lambda first: VisitReport.objects.filter(contract=first).delete(),
    "a mission decided": lambda first: MissionDescription.objects.filter(contract=first).update(
        decided_at=NOW()
    ),
    "a mission written": lambda first: MissionDescription.objects.filter(contract=first).update(revision=3),
    "a mission deleted": lambda first: MissionDescription.objects.filter(contract=first).delete(),
    "an evaluation filled in": lambda first: Evaluation.objects.get(contract=first).save(),
    "an evaluation deleted": lambda first: Evaluation.objects.filter(contract=first).delete(),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_a_document_written_deletes_its_contracts_activity_only(two, change):
    first, second = two
    CHANGES[change](first)
    assert not stored(first)
    assert stored(second)


def test_a_document_moved_to_another_contract_deletes_both_rows(two):
    first, second = two
    VisitReport.objects.filter(contract=first).update(contract=second)
    assert not stored(first)
    assert not stored(second)


def test_what_activity_is_not_read_from_keeps_the_row(two):
    first, _second = two
    VisitReport.objects.filter(contract=first).update(planned_date=timezone.localdate())
    LiaisonSheet.objects.filter(contract=first).update(sort_last_name="Zoé")
    Evaluation.objects.filter(contract=first).update(tutor_comment="Très bien.")
    assert BookletActivity.objects.count() == Contract.objects.count()


# The Celery job -----------------------------------------------------------------------------------


def test_the_job_stores_the_missing_rows_only_and_runs_every_few_minutes(two):
    first, _second = two
    assert store_booklet_activity() == 0
    LiaisonSheet.objects.filter(contract=first).update(submitted_at=NOW())
    assert tasks.store_booklet_activity.delay().get() == 1
    assert BookletActivity.objects.get(contract=first).last_at is not None
    assert store_booklet_activity(batch=1) == 0
    entry = django_settings.CELERY_BEAT_SCHEDULE["store-booklet-activity"]
    assert entry["task"] == "livret.tasks.store_booklet_activity"
    assert entry["schedule"] <= 600


def test_the_dashboard_reads_two_queries_for_its_inactive_booklets_stored_or_not(
    world, django_assert_num_queries
):
    ContractFactory(
        apprentice=world.other.apprentice,
        diploma=world.other.diploma,
        start_date=timezone.localdate() - datetime.timedelta(days=200),
    )
    scope = board.Scope(user=world.users["staff"], year=world.academic_year, today=timezone.localdate())
    kind = board.KINDS["inactivite"]
    before = kind.rows(scope)  # the person's roles, read once
    with django_assert_num_queries(2):
        assert kind.rows(scope) == before
    store_booklet_activity()
    BookletActivity.objects.filter(contract=world.mine.contract).delete()
    with django_assert_num_queries(2):
        assert kind.rows(scope) == before
    assert before == [contract.pk for contract in kind.queryset(scope)]
    assert len(before) >= 2
