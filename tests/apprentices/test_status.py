"""The statuses of the Tableau de bord and the legal delays: each rule and its edges, in Python and in
SQL, and the two always agree."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apprentices import status as st_
from apprentices.models import Apprentice, Contract
from apprentices.status import LegalDelay, TrainingStatus
from tests.apprentices.factories import ApprenticeFactory, CohortFactory, ContractFactory
from tests.core.factories import AcademicYearFactory
from tests.employers.factories import EmployerFactory

D = datetime.date
S = TrainingStatus
# The training starts on 1 September 2025 (the cohort's entry year).
ENTRY = D(2025, 9, 1)


@pytest.fixture
def cohort(db):
    year = AcademicYearFactory(label="2025-2026", start_date=ENTRY, end_date=D(2026, 8, 31))
    return CohortFactory(entry_year=year)


def apprentice(cohort, *contracts, exit_on=None):
    person = ApprenticeFactory(
        cohort=cohort, organisation=cohort.diploma.organisation, training_exit_date=exit_on
    )
    for fields in contracts:
        ContractFactory(apprentice=person, **fields)
    return person


def contract(start, end, *, rupture=None, status=None, **fields):
    if rupture is not None:
        status = status or Contract.Status.RUPTURED
        fields.setdefault("rupture_cause", Contract.RuptureCause.MUTUAL)
    return {
        "start_date": start,
        "planned_end_date": end,
        "rupture_date": rupture,
        "status": status or Contract.Status.ACTIVE,
        **fields,
    }


def both(person, day):
    """The situation on ``day`` read in SQL and computed in Python: they must be the same."""
    row = st_.annotate(Apprentice.objects.filter(pk=person.pk), day).get()
    in_sql = st_.situation_of(row)
    in_python = st_.situation_on(
        day,
        contracts=Contract.objects.filter(apprentice=person),
        enrolled_on=person.cohort.entry_date if person.cohort else None,
        exit_on=person.training_exit_date,
    )
    assert in_sql == in_python
    return in_sql


# Enrolled without a contract: three months -----------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected", "days_left"),
    [
        (D(2025, 9, 1), S.ENROLLED, 90),
        (D(2025, 11, 1), S.ENROLLED, 29),
        (D(2025, 11, 30), S.ENROLLED, 0),  # three months exactly: its last day
        (D(2025, 12, 1), S.DROPPED_OUT, -1),
    ],
)
def test_an_enrolled_apprentice_without_a_contract_has_three_months(cohort, day, expected, days_left):
    situation = both(apprentice(cohort), day)

    assert situation.status == expected
    assert situation.delay.last_day == D(2025, 11, 30)
    assert situation.delay.days_left(day) == days_left


def test_three_months_from_the_end_of_november_end_on_the_last_day_of_february(db):
    year = AcademicYearFactory(label="2027-2028", start_date=D(2027, 11, 30), end_date=D(2028, 8, 31))
    person = apprentice(CohortFactory(entry_year=year))

    assert both(person, D(2028, 2, 28)).status == S.ENROLLED
    assert both(person, D(2028, 2, 28)).delay.last_day == D(2028, 2, 28)  # 29 February 2028, less a day
    assert both(person, D(2028, 2, 29)).status == S.DROPPED_OUT


def test_the_three_months_start_on_the_cohorts_own_entry_date_when_it_has_one(cohort):
    cohort.start_date = D(2025, 10, 6)
    cohort.save()
    person = apprentice(cohort)

    assert both(person, D(2025, 12, 1)).status == S.ENROLLED
    assert both(person, D(2026, 1, 5)).delay.last_day == D(2026, 1, 5)
    assert both(person, D(2026, 1, 6)).status == S.DROPPED_OUT


def test_an_apprentice_without_a_cohort_is_enrolled_with_no_delay_counted(cohort):
    person = apprentice(cohort)
    Apprentice.objects.filter(pk=person.pk).update(cohort=None)
    person.refresh_from_db()

    assert both(person, D(2030, 1, 1)) == st_.Situation(S.ENROLLED)


# Under contract ----------------------------------------------------------------------------------


def test_a_running_contract_makes_an_apprentice(cohort):
    person = apprentice(cohort, contract(D(2025, 10, 15), D(2027, 8, 31)))

    assert both(person, D(2025, 10, 15)) == st_.Situation(S.APPRENTICE)
    assert both(person, D(2027, 8, 31)) == st_.Situation(S.APPRENTICE)
    assert both(person, D(2025, 10, 14)).status == S.ENROLLED


def test_a_contract_to_come_does_not_stop_the_three_months(cohort):
    person = apprentice(cohort, contract(D(2025, 12, 15), D(2027, 8, 31)))

    assert both(person, D(2025, 11, 30)).status == S.ENROLLED
    assert both(person, D(2025, 12, 1)).status == S.DROPPED_OUT
    assert both(person, D(2025, 12, 15)).status == S.APPRENTICE


# Rupture: six months ----------------------------------------------------------------------------


def test_a_rupture_gives_six_months_to_find_a_new_employer(cohort):
    person = apprentice(cohort, contract(D(2025, 9, 1), D(2027, 8, 31), rupture=D(2026, 1, 10)))

    assert both(person, D(2026, 1, 9)).status == S.APPRENTICE
    on_rupture = both(person, D(2026, 1, 10))
    assert on_rupture.status == S.RUPTURED
    assert on_rupture.delay == LegalDelay(D(2026, 1, 10), 6)
    assert on_rupture.delay.last_day == D(2026, 7, 9)
    assert both(person, D(2026, 7, 9)).status == S.RUPTURED
    assert both(person, D(2026, 7, 10)).status == S.DROPPED_OUT


def test_six_months_from_the_end_of_august_end_on_the_day_before_the_end_of_february(cohort):
    person = apprentice(cohort, contract(D(2025, 6, 1), D(2027, 8, 31), rupture=D(2025, 8, 31)))

    assert both(person, D(2026, 2, 27)).status == S.RUPTURED
    assert both(person, D(2026, 2, 27)).delay.days_left(D(2026, 2, 27)) == 0
    assert both(person, D(2026, 2, 28)).status == S.DROPPED_OUT


def test_a_rupture_then_a_new_contract_makes_an_apprentice_again(cohort):
    person = apprentice(
        cohort,
        contract(D(2025, 9, 1), D(2027, 8, 31), rupture=D(2026, 1, 10)),
        contract(D(2026, 3, 1), D(2027, 8, 31)),
    )

    assert both(person, D(2026, 2, 1)).status == S.RUPTURED
    assert both(person, D(2026, 3, 1)) == st_.Situation(S.APPRENTICE)
    assert both(person, D(2027, 9, 1)) == st_.Situation(S.FINISHED)


def test_a_second_rupture_restarts_the_six_months(cohort):
    person = apprentice(
        cohort,
        contract(D(2025, 9, 1), D(2027, 8, 31), rupture=D(2025, 11, 1)),
        contract(D(2026, 1, 1), D(2027, 8, 31), rupture=D(2026, 6, 1)),
    )

    assert both(person, D(2026, 8, 1)).delay == LegalDelay(D(2026, 6, 1), 6)
    assert both(person, D(2026, 11, 30)).status == S.RUPTURED


def test_a_rupture_after_the_diploma_was_obtained_is_the_end_of_the_training(cohort):
    person = apprentice(
        cohort,
        contract(
            D(2025, 9, 1),
            D(2027, 8, 31),
            rupture=D(2027, 7, 15),
            diploma_outcome=Contract.Outcome.OBTAINED,
            diploma_outcome_date=D(2027, 7, 1),
        ),
    )

    assert both(person, D(2027, 7, 20)) == st_.Situation(S.FINISHED)


# End of training, exit ---------------------------------------------------------------------------


def test_a_contract_that_reached_its_planned_end_is_the_end_of_the_training(cohort):
    person = apprentice(cohort, contract(D(2025, 9, 1), D(2027, 8, 31), status=Contract.Status.COMPLETED))

    assert both(person, D(2027, 9, 1)) == st_.Situation(S.FINISHED)


def test_between_a_contract_that_ended_and_the_next_one_signed_the_apprentice_is_enrolled(cohort):
    person = apprentice(
        cohort, contract(D(2025, 9, 1), D(2026, 8, 31)), contract(D(2026, 9, 15), D(2027, 8, 31))
    )

    assert both(person, D(2026, 9, 5)) == st_.Situation(S.ENROLLED)


def test_an_exit_from_the_training_is_an_abandon_from_its_day(cohort):
    person = apprentice(cohort, contract(D(2025, 9, 1), D(2027, 8, 31)), exit_on=D(2026, 3, 15))

    assert both(person, D(2026, 3, 14)).status == S.APPRENTICE
    assert both(person, D(2026, 3, 15)) == st_.Situation(S.DROPPED_OUT)


def test_an_exit_stops_the_delay_of_a_rupture(cohort):
    person = apprentice(
        cohort, contract(D(2025, 9, 1), D(2027, 8, 31), rupture=D(2026, 1, 10)), exit_on=D(2026, 2, 1)
    )

    assert both(person, D(2026, 2, 1)) == st_.Situation(S.DROPPED_OUT)


def test_a_last_contract_recorded_as_abandoned_is_an_exit(cohort):
    person = apprentice(
        cohort,
        contract(D(2025, 9, 1), D(2027, 8, 31), status=Contract.Status.ABANDONED, rupture=D(2026, 2, 1)),
    )

    assert both(person, D(2026, 1, 31)) == st_.Situation(S.APPRENTICE)
    assert both(person, D(2026, 2, 1)) == st_.Situation(S.DROPPED_OUT)


# SQL and Python agree on any history --------------------------------------------------------------

DAYS = st.integers(min_value=0, max_value=1100).map(
    lambda n: ENTRY - datetime.timedelta(days=60) + datetime.timedelta(days=n)
)


@st.composite
def histories(draw):
    contracts = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        start = draw(DAYS)
        end = start + datetime.timedelta(days=draw(st.integers(min_value=1, max_value=800)))
        kind = draw(st.sampled_from(["active", "completed", "ruptured", "abandoned"]))
        rupture = (
            start + datetime.timedelta(days=draw(st.integers(min_value=0, max_value=(end - start).days)))
            if kind in ("ruptured", "abandoned")
            else None
        )
        contracts.append(contract(start, end, rupture=rupture, status=kind))
    exit_on = draw(st.none() | DAYS)
    return contracts, exit_on, draw(st.lists(DAYS, min_size=1, max_size=4))


def living(cohort, history):
    """The apprentice of a drawn history, and the days to judge it on."""
    contracts, exit_on, days = history
    person = apprentice(cohort, exit_on=exit_on)
    for fields in contracts:
        Contract.objects.create(
            apprentice=person,
            diploma=cohort.diploma,
            employer=EmployerFactory(organisation=person.organisation),
            **fields,
        )
    return person, days


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories())
def test_the_sql_and_the_python_rules_agree_on_any_history(cohort, history):
    person, days = living(cohort, history)
    for day in days:
        both(person, day)


TODAY_ = D(2026, 3, 10)
YEAR_START = D(2025, 9, 1)


@pytest.mark.parametrize(
    ("delay", "coming", "expected"),
    [
        (LegalDelay(D(2025, 12, 10), 3), False, True),  # last day 9 March: passed yesterday
        (LegalDelay(D(2026, 1, 10), 3), False, True),  # last day 9 April: today + 30 days
        (LegalDelay(D(2026, 1, 11), 3), False, False),  # last day 10 April: today + 31 days
        (LegalDelay(D(2025, 3, 1), 6), False, False),  # last day 31 August 2025: before the year
        (LegalDelay(D(2025, 3, 2), 6), False, True),  # last day 1 September 2025: the year's first day
        (LegalDelay(D(2026, 1, 10), 3), True, False),  # a contract signed to start later
        (None, False, False),
    ],
)
def test_a_delay_read_with_the_status_ends_as_the_sql_says(delay, coming, expected):
    """``delay_ending`` judges in Python what ``delays_ending`` filters in SQL (the dashboard compares
    both on data in tests/reports/test_legal_delays.py): its last day within 30 days, or passed during
    the year."""
    row = st_.StatusRow(S.ENROLLED, coming, delay)
    assert st_.delay_ending(row, TODAY_, passed_since=YEAR_START) is expected
