"""The charter's windows of company visits (livret.windows): one meeting in the two months after the
start, one in the two months before the end, two a year; computed without a query."""

import datetime

import pytest
from django.utils import timezone

from apprentices.models import Contract
from livret.models import VisitReport
from livret.windows import (
    Window,
    WindowState,
    add_months,
    contract_years,
    summarize,
    visit_windows,
    visits_due,
)
from tests.apprentices.factories import ApprenticeFactory, ContractFactory
from tests.livret.factories import VisitReportFactory, small_world

VisitStatus = VisitReport.Status
D = datetime.date
TODAY = timezone.localdate


@pytest.fixture
def world(db):
    return small_world()


# The charter's windows ------------------------------------------------------------------------------


def contract(start, end, rupture=None):
    return Contract(pk=1, start_date=start, planned_end_date=end, rupture_date=rupture)


def held(day, status=VisitStatus.REPORTED, pk=None):
    return VisitReport(pk=pk or day.toordinal(), contract_id=1, status=status, planned_date=day, held_on=day)


def windows(c, visits, today):
    return {(y.year.number, w.kind): w for y in visit_windows(c, visits, today) for w in y.windows}


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2025, 8, 31), 2, D(2025, 10, 31)),
        (D(2026, 12, 31), 2, D(2027, 2, 28)),
        (D(2027, 12, 31), 2, D(2028, 2, 29)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2027, 4, 30), -2, D(2027, 2, 28)),
        (D(2026, 1, 15), -2, D(2025, 11, 15)),
    ],
)
def test_months_are_added_on_the_calendar_clipped_to_the_months_end(day, months, expected):
    assert add_months(day, months) == expected


def test_a_contract_starting_on_29_february_has_its_anniversaries_on_28_february():
    c = contract(D(2024, 2, 29), D(2026, 2, 27))

    assert [(y.start, y.end) for y in contract_years(c)] == [
        (D(2024, 2, 29), D(2025, 2, 27)),
        (D(2025, 2, 28), D(2026, 2, 27)),
    ]


def test_a_two_year_contract_has_two_years_a_start_and_an_end_window():
    c = contract(D(2025, 9, 1), D(2027, 8, 31))

    years = contract_years(c)
    found = windows(c, [], D(2025, 8, 1))

    assert [(y.start, y.end) for y in years] == [
        (D(2025, 9, 1), D(2026, 8, 31)),
        (D(2026, 9, 1), D(2027, 8, 31)),
    ]
    assert (found[1, "start"].start, found[1, "start"].end) == (D(2025, 9, 1), D(2025, 10, 31))
    assert (found[2, "end"].start, found[2, "end"].end) == (D(2027, 7, 1), D(2027, 8, 31))
    assert sorted(found) == [(1, "start"), (1, "year"), (2, "end"), (2, "year")]
    assert {w.state for w in found.values()} == {WindowState.UPCOMING}
    assert [found[n, "year"].required for n in (1, 2)] == [2, 2]


@pytest.mark.parametrize(
    ("day", "meets"),
    [(D(2025, 9, 1), True), (D(2025, 10, 31), True), (D(2025, 11, 1), False)],
)
def test_the_start_window_covers_exactly_the_two_months_after_the_start(day, meets):
    c = contract(D(2025, 9, 1), D(2027, 8, 31))
    visit = held(day)

    start = windows(c, [visit], D(2025, 12, 1))[1, "start"]

    assert (start.state, start.visit) == ((WindowState.MET, visit) if meets else (WindowState.MISSED, None))


@pytest.mark.parametrize(
    ("day", "meets"),
    [(D(2027, 6, 30), False), (D(2027, 7, 1), True), (D(2027, 8, 31), True)],
)
def test_the_end_window_covers_exactly_the_two_months_before_the_end(day, meets):
    c = contract(D(2025, 9, 1), D(2027, 8, 31))

    end = windows(c, [held(day)], D(2027, 9, 1))[2, "end"]

    assert end.state == (WindowState.MET if meets else WindowState.MISSED)


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (D(2025, 8, 31), WindowState.UPCOMING),
        (D(2025, 9, 1), WindowState.OPEN),
        (D(2025, 10, 31), WindowState.OPEN),
        (D(2025, 11, 1), WindowState.MISSED),
    ],
)
def test_a_window_is_upcoming_then_open_to_its_last_day_then_missed(today, state):
    c = contract(D(2025, 9, 1), D(2027, 8, 31))

    assert windows(c, [], today)[1, "start"].state == state


def test_only_held_visits_count_on_the_day_they_were_held():
    c = contract(D(2025, 9, 1), D(2027, 8, 31))
    planned = VisitReport(pk=1, contract_id=1, status=VisitStatus.PLANNED, planned_date=D(2025, 9, 10))
    cancelled = VisitReport(pk=2, contract_id=1, status=VisitStatus.CANCELLED, planned_date=D(2025, 9, 12))
    other_contract = VisitReport(
        pk=3, contract_id=2, status=VisitStatus.REPORTED, planned_date=D(2025, 9, 1), held_on=D(2025, 9, 15)
    )
    # Planned in the window, held after it: it is the day it was held that counts.
    late = VisitReport(
        pk=4,
        contract_id=1,
        status=VisitStatus.ACKNOWLEDGED,
        planned_date=D(2025, 10, 20),
        held_on=D(2025, 11, 3),
    )

    found = windows(c, [planned, cancelled, other_contract, late], D(2025, 11, 10))

    assert found[1, "start"].state == WindowState.MISSED
    assert found[1, "year"].held == 1


def test_the_yearly_count_is_met_by_the_second_held_visit_and_missed_when_the_year_ends_short():
    c = contract(D(2025, 9, 1), D(2027, 8, 31))
    first, second = held(D(2025, 9, 20)), held(D(2026, 3, 2), status=VisitStatus.ACKNOWLEDGED)

    one = windows(c, [first], D(2026, 2, 1))[1, "year"]
    two = windows(c, [first, second], D(2026, 3, 3))[1, "year"]
    short = windows(c, [first], D(2026, 9, 1))[1, "year"]

    assert (one.state, one.held, one.visit) == (WindowState.OPEN, 1, None)
    assert (two.state, two.held, two.visit) == (WindowState.MET, 2, second)
    assert (short.state, short.held) == (WindowState.MISSED, 1)


def test_a_three_year_contract_ending_a_few_weeks_after_an_anniversary_has_three_years():
    c = contract(D(2024, 9, 16), D(2027, 9, 30))

    years = contract_years(c)
    found = windows(c, [], D(2026, 11, 22))

    assert [(y.number, y.start, y.end) for y in years] == [
        (1, D(2024, 9, 16), D(2025, 9, 15)),
        (2, D(2025, 9, 16), D(2026, 9, 15)),
        (3, D(2026, 9, 16), D(2027, 9, 30)),
    ]
    assert (found[3, "end"].start, found[3, "end"].end) == (D(2027, 7, 31), D(2027, 9, 30))
    assert [found[n, "year"].state for n in (1, 2, 3)] == [
        WindowState.MISSED,
        WindowState.MISSED,
        WindowState.OPEN,
    ]
    assert sorted(found) == [(1, "start"), (1, "year"), (2, "year"), (3, "end"), (3, "year")]


def test_a_remainder_of_three_months_or_more_is_a_short_year_asking_for_one_meeting():
    c = contract(D(2025, 6, 1), D(2026, 8, 31))

    years = contract_years(c)

    assert [(y.start, y.end, y.required) for y in years] == [
        (D(2025, 6, 1), D(2026, 5, 31), 2),
        (D(2026, 6, 1), D(2026, 8, 31), 1),
    ]


def test_a_ruptured_contract_ends_at_its_rupture_without_an_end_window():
    c = contract(D(2025, 9, 1), D(2027, 8, 31), rupture=D(2025, 12, 10))

    found = windows(c, [held(D(2025, 9, 20))], D(2026, 1, 5))

    assert [(y.start, y.end) for y in contract_years(c)] == [(D(2025, 9, 1), D(2025, 12, 10))]
    assert sorted(found) == [(1, "start"), (1, "year")]
    assert found[1, "start"].state == WindowState.MET
    # Three months of contract ask for one meeting, not two: it is met.
    assert (found[1, "year"].required, found[1, "year"].state) == (1, WindowState.MET)


def test_a_rupture_inside_the_end_window_clips_it():
    c = contract(D(2025, 9, 1), D(2027, 8, 31), rupture=D(2027, 8, 10))

    end = windows(c, [], D(2027, 8, 20))[2, "end"]

    assert (end.start, end.end, end.state) == (D(2027, 7, 1), D(2027, 8, 10), WindowState.MISSED)


def test_a_rupture_a_few_weeks_after_an_anniversary_lengthens_the_last_year():
    c = contract(D(2025, 9, 1), D(2027, 8, 31), rupture=D(2026, 10, 1))

    assert [(y.start, y.end) for y in contract_years(c)] == [(D(2025, 9, 1), D(2026, 10, 1))]


def test_start_window_of_a_contract_shorter_than_two_months_stops_at_its_end():
    c = contract(D(2025, 9, 1), D(2027, 8, 31), rupture=D(2025, 9, 20))

    start = windows(c, [], D(2025, 9, 5))[1, "start"]

    assert (start.end, start.state) == (D(2025, 9, 20), WindowState.OPEN)


def test_visit_windows_runs_no_query(db, django_assert_num_queries):
    c = contract(D(2025, 9, 1), D(2028, 9, 30))
    visits = [held(D(2025, 9, 1) + datetime.timedelta(days=30 * n)) for n in range(30)]

    with django_assert_num_queries(0):
        visit_windows(c, visits, D(2026, 11, 22))


def test_summary_points_at_the_open_window_closing_first_and_lists_the_missed_ones():
    c = contract(D(2025, 9, 1), D(2027, 8, 31))
    planned = VisitReport(pk=9, contract_id=1, status=VisitStatus.PLANNED, planned_date=D(2027, 7, 10))

    summary = summarize(c, [held(D(2025, 9, 20)), planned], D(2027, 7, 5))

    assert (summary.next.kind, summary.next.year.number) == (Window.END, 2)
    assert [(w.kind, w.year.number) for w in summary.missed] == [(Window.YEAR, 1)]
    assert (summary.held, summary.planned) == (1, [planned])


# Reads -----------------------------------------------------------------------------------------------------


def test_visits_due_lists_open_windows_without_a_planned_visit(world, django_assert_num_queries):
    today = TODAY()
    open_one = ContractFactory(
        apprentice=ApprenticeFactory(organisation=world.organisation),
        start_date=today - datetime.timedelta(days=10),
    )
    planned = ContractFactory(
        apprentice=ApprenticeFactory(organisation=world.organisation),
        start_date=today - datetime.timedelta(days=10),
    )
    VisitReportFactory(contract=planned, planned_date=today + datetime.timedelta(days=3))
    met = ContractFactory(
        apprentice=ApprenticeFactory(organisation=world.organisation),
        start_date=today - datetime.timedelta(days=10),
    )
    VisitReportFactory(contract=met, planned_date=today - datetime.timedelta(days=2), reported=True)

    with django_assert_num_queries(2):
        due = visits_due(Contract.objects.filter(pk__in=[open_one.pk, planned.pk, met.pk]), today)

    # The start window is met, but one meeting of the year's two is still to plan.
    assert [(item["contract"], item["window"].kind) for item in due] == [
        (open_one, Window.START),
        (met, Window.YEAR),
    ]
