"""The statuses of the day stored for the dashboards (StatusSnapshot): a snapshot holds what the live
rules give, is read only for its day, and goes as soon as anything it was computed from changes,
whichever way the change is written (the database's triggers, on the database the tests run on)."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings

from apprentices import services, status, tasks
from apprentices.models import Apprentice, Cohort, Contract, StatusSnapshot
from core.models import AcademicYear
from tests.apprentices.factories import ApprenticeFactory, CohortFactory, ContractFactory
from tests.apprentices.test_status import ENTRY, apprentice, contract, histories, living
from tests.apprentices.test_status import cohort as cohort  # noqa: F401 (the fixture)

D = datetime.date
S = status.TrainingStatus
FIELDS = ("training_status", "_coming", "training_delay_start", "training_delay_months")


def live(day, **filters):
    rows = status.annotate_live(Apprentice.objects.filter(**filters), day).order_by("pk")
    return list(rows.values_list("pk", *FIELDS))


def read(day, **filters):
    rows = status.annotate(Apprentice.objects.filter(**filters), day).order_by("pk")
    return list(rows.values_list("pk", *FIELDS))


def snapshotted(person) -> bool:
    return StatusSnapshot.objects.filter(apprentice=person).exists()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories())
def test_a_snapshot_holds_the_live_status_on_any_history(cohort, history):  # noqa: F811
    person, days = living(cohort, history)
    for day in days:
        expected = live(day, pk=person.pk)
        services.snapshot_statuses(today=day)  # 0 stored when the day repeats: it is there
        snapshot = StatusSnapshot.objects.get(apprentice=person)
        assert (snapshot.day, snapshot.status, snapshot.coming) == (day, expected[0][1], expected[0][2])
        assert (snapshot.delay_start, snapshot.delay_months) == expected[0][3:]
        assert read(day, pk=person.pk) == expected


def test_a_snapshot_of_the_day_is_read_and_one_of_another_day_is_not(cohort):  # noqa: F811
    day = ENTRY + datetime.timedelta(days=10)
    person = apprentice(cohort)  # enrolled, no contract: three months from the entry
    assert read(day, pk=person.pk) == [(person.pk, S.ENROLLED, False, ENTRY, 3)]
    # A snapshot that says something else: the query reads it on its day only, the proof that the
    # stored row is what the dashboards count.
    StatusSnapshot.objects.create(
        apprentice=person, day=day, status=S.FINISHED, coming=True, delay_start=None, delay_months=None
    )
    assert read(day, pk=person.pk) == [(person.pk, S.FINISHED, True, None, None)]
    assert read(day + datetime.timedelta(days=1), pk=person.pk) == [(person.pk, S.ENROLLED, False, ENTRY, 3)]
    assert live(day, pk=person.pk) == [(person.pk, S.ENROLLED, False, ENTRY, 3)]


def test_the_statuses_are_stored_once_a_day_and_again_for_whom_changed(cohort):  # noqa: F811
    day = ENTRY + datetime.timedelta(days=10)
    people = [apprentice(cohort) for _ in range(3)]
    assert services.snapshot_statuses(today=day, batch=2) == 3  # two batches
    assert services.snapshot_statuses(today=day) == 0
    ContractFactory(apprentice=people[1], start_date=day - datetime.timedelta(days=1))
    assert services.snapshot_statuses(today=day) == 1
    assert StatusSnapshot.objects.get(apprentice=people[1]).status == S.APPRENTICE
    # The next day everyone's is taken again.
    assert services.snapshot_statuses(today=day + datetime.timedelta(days=1)) == 3
    assert set(StatusSnapshot.objects.values_list("day", flat=True)) == {day + datetime.timedelta(days=1)}


@pytest.mark.django_db
def test_the_task_stores_today_and_runs_every_few_minutes():
    ApprenticeFactory.create_batch(2)
    assert tasks.snapshot_statuses.delay().get() == 2
    assert set(StatusSnapshot.objects.values_list("day", flat=True)) == {timezone.localdate()}
    entry = django_settings.CELERY_BEAT_SCHEDULE["snapshot-statuses"]
    assert entry["task"] == "apprentices.tasks.snapshot_statuses"
    assert entry["schedule"] <= 600


# The rows of a few statuses, stored or judged ------------------------------------------------------

WATCHED = (S.ENROLLED, S.RUPTURED, S.DROPPED_OUT)


def expected_rows(day, values, **filters):
    """What the dashboards read before ``rows_among``: the SQL rules, filtered on ``values``."""
    rows = status.annotate_live(Apprentice.objects.filter(**filters), day).filter(training_status__in=values)
    return status.rows_of(rows)


def _among(day, values, **filters):
    return status.rows_among(Apprentice.objects.filter(**filters), day, values)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories())
def test_the_rows_of_some_statuses_are_the_sql_rules_whichever_way_they_are_read(cohort, history):  # noqa: F811
    """``rows_among`` reads the snapshots of the day, judges in Python who has none (a few), or in SQL
    (many): on any history, each way gives the rows the SQL rules give."""
    person, days = living(cohort, history)
    undated = apprentice(CohortFactory(entry_year=cohort.entry_year, start_date=None))
    without_cohort = ApprenticeFactory(organisation=person.organisation, cohort=None)
    people = {"pk__in": [person.pk, undated.pk, without_cohort.pk]}
    for day in days:
        for values in (WATCHED, S.values):
            expected = expected_rows(day, values, **people)
            StatusSnapshot.objects.all().delete()
            assert _among(day, values, **people) == expected  # none stored: judged in Python
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(status, "LIVE_IN_PYTHON", 1)
                assert _among(day, values, **people) == expected  # too many: the SQL rules
            services.snapshot_statuses(today=day)
            assert _among(day, values, **people) == expected  # stored
            StatusSnapshot.objects.filter(apprentice=person).delete()
            assert _among(day, values, **people) == expected  # one stored, one judged


def test_a_rupture_after_the_diploma_is_judged_in_python_as_in_sql(cohort):  # noqa: F811
    day = D(2026, 3, 2)
    person = apprentice(
        cohort,
        {
            **contract(ENTRY, D(2026, 8, 31), rupture=D(2026, 2, 1)),
            "diploma_outcome": Contract.Outcome.OBTAINED,
            "diploma_outcome_date": D(2026, 1, 15),
        },
    )
    rupturant = apprentice(cohort, contract(ENTRY, D(2026, 8, 31), rupture=D(2026, 2, 1)))
    coming = apprentice(cohort, contract(ENTRY, D(2026, 1, 31)), contract(D(2026, 4, 1), D(2027, 3, 31)))
    people = {"pk__in": [person.pk, rupturant.pk, coming.pk]}
    judged = _among(day, S.values, **people)
    assert judged == expected_rows(day, S.values, **people)
    assert (judged[person.pk].value, judged[rupturant.pk].value) == (S.FINISHED, S.RUPTURED)
    assert judged[coming.pk] == status.StatusRow(S.ENROLLED, True, None)
    assert set(_among(day, WATCHED, **people)) == {rupturant.pk, coming.pk}


@pytest.mark.parametrize("live_in_python", [200, 0])
def test_the_snapshot_of_the_day_is_what_is_read_whichever_way_the_others_are(
    cohort,
    monkeypatch,
    live_in_python,  # noqa: F811
):
    day = ENTRY + datetime.timedelta(days=10)
    stored, other = apprentice(cohort), apprentice(cohort)  # both enrolled without a contract
    # A snapshot that says something else: read for its apprentice, whichever way the other is judged.
    StatusSnapshot.objects.create(
        apprentice=stored, day=day, status=S.RUPTURED, coming=False, delay_start=ENTRY, delay_months=6
    )
    monkeypatch.setattr(status, "LIVE_IN_PYTHON", live_in_python)

    rows = _among(day, WATCHED)

    assert rows[stored.pk] == status.StatusRow(S.RUPTURED, False, status.LegalDelay(ENTRY, 6))
    assert rows[other.pk] == status.StatusRow(S.ENROLLED, False, status.LegalDelay(ENTRY, 3))


def test_the_rows_of_some_statuses_read_the_snapshots_and_judge_the_rest_in_two_queries(
    cohort,
    django_assert_num_queries,  # noqa: F811
):
    day = ENTRY + datetime.timedelta(days=10)
    people = [apprentice(cohort) for _ in range(3)]
    with django_assert_num_queries(3):  # the snapshots (none), the contracts, the apprentices
        assert len(_among(day, WATCHED)) == 3
    services.snapshot_statuses(today=day)
    with django_assert_num_queries(1):
        assert len(_among(day, WATCHED)) == 3
    ContractFactory(apprentice=people[0], start_date=day - datetime.timedelta(days=1))
    with django_assert_num_queries(3):
        assert set(_among(day, WATCHED)) == {people[1].pk, people[2].pk}


# The triggers -------------------------------------------------------------------------------------


@pytest.fixture
def two(db):
    """Two apprentices with a contract each, their statuses stored."""
    first, second = ContractFactory(), ContractFactory()
    services.snapshot_statuses(today=D(2026, 1, 5))
    assert StatusSnapshot.objects.count() == Apprentice.objects.count()
    return first, second


def _new_contract(first):
    Contract.objects.bulk_create(
        [
            Contract(
                apprentice=first.apprentice,
                employer=first.employer,
                diploma=first.diploma,
                start_date=first.planned_end_date + datetime.timedelta(days=1),
                planned_end_date=first.planned_end_date + datetime.timedelta(days=400),
            )
        ]
    )


CHANGES = {
    "a contract saved": lambda first: ContractFactory(apprentice=first.apprentice),
    "contracts created in bulk (an import)": _new_contract,
    "a contract updated by QuerySet.update": lambda first: Contract.objects.filter(pk=first.pk).update(
        status=Contract.Status.RUPTURED,
        rupture_date=first.start_date,
        rupture_cause=Contract.RuptureCause.MUTUAL,
    ),
    "a contract deleted": lambda first: Contract.objects.filter(pk=first.pk).delete(),
    "the exit date updated": lambda first: Apprentice.objects.filter(pk=first.apprentice_id).update(
        training_exit_date=D(2026, 1, 1)
    ),
    "the promotion changed": lambda first: Apprentice.objects.filter(pk=first.apprentice_id).update(
        cohort=CohortFactory()
    ),
    "the promotion's start changed": lambda first: Cohort.objects.filter(
        pk=first.apprentice.cohort_id
    ).update(start_date=D(2025, 10, 1)),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_a_change_deletes_that_apprentices_snapshot_only(two, change):
    first, second = two
    assert first.apprentice.cohort_id != second.apprentice.cohort_id
    CHANGES[change](first)
    assert not snapshotted(first.apprentice)
    assert snapshotted(second.apprentice)


def test_a_contract_moved_to_another_apprentice_deletes_both_snapshots(two):
    first, second = two
    Contract.objects.filter(pk=first.pk).update(apprentice=second.apprentice)
    assert not snapshotted(first.apprentice)
    assert not snapshotted(second.apprentice)


def test_an_academic_years_start_changed_deletes_every_snapshot(two):
    year = two[0].apprentice.cohort.entry_year
    AcademicYear.objects.filter(pk=year.pk).update(start_date=year.start_date - datetime.timedelta(days=1))
    assert not StatusSnapshot.objects.exists()


def test_what_the_status_is_not_computed_from_keeps_the_snapshot(two):
    first, _second = two
    Apprentice.objects.filter(pk=first.apprentice_id).update(first_name="Zoé", phone="0601020304")
    Cohort.objects.filter(pk=first.apprentice.cohort_id).update(label="Promotion renommée")
    AcademicYear.objects.update(end_date=D(2099, 8, 31))
    assert StatusSnapshot.objects.count() == Apprentice.objects.count()


def test_a_save_that_changes_nothing_the_status_reads_keeps_the_snapshot(two):
    """``save()`` rewrites every column: the triggers compare the old and new values of the columns the
    status is computed from, not the columns written."""
    first, _second = two
    first.hours_done = 120
    first.save()
    apprentice = Apprentice.objects.get(pk=first.apprentice_id)
    apprentice.phone = "0601020304"
    apprentice.save()
    cohort = apprentice.cohort
    cohort.label = "Promotion renommée"
    cohort.save()
    year = cohort.entry_year
    year.end_date = D(2099, 8, 31)
    year.save()
    assert StatusSnapshot.objects.count() == Apprentice.objects.count()
    first.planned_end_date += datetime.timedelta(days=1)
    first.save()
    assert not snapshotted(first.apprentice)


def test_deleting_an_apprentice_deletes_their_snapshot(two):
    first, _second = two
    first.delete()
    Apprentice.objects.filter(pk=first.apprentice_id).delete()
    assert StatusSnapshot.objects.count() == 1
