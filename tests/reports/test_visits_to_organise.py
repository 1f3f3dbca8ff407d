"""« Visites à organiser »: the candidates left out in SQL (a visit planned, or the one window that can
be open today met already) change no alert. On any contracts and visits, the alert's rows are those of
the charter's windows judged contract by contract (``livret.windows.summarize``), as before the SQL
left any out."""

import datetime
import importlib

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apprentices.models import Contract
from core.dates import add_months
from livret.windows import Window, WindowState, dates_of, summarize, visits_of
from reports import dashboard as board
from reports.dashboard.alerts import END_WINDOW_HOLDS, WINDOW_REACH
from tests.apprentices.factories import ContractFactory
from tests.livret.factories import VisitReportFactory

TODAY = timezone.localdate
ONE_DAY = datetime.timedelta(days=1)
VISIT_KINDS = ["planned", "reported", "acknowledged", "cancelled"]


def judged_one_by_one(scope):
    """Every running contract of the scope judged in Python: the definition."""
    contracts = dates_of(scope.running_contracts().order_by("pk"))
    visits = visits_of([contract.pk for contract in contracts])
    due = []
    for contract in contracts:
        summary = summarize(contract, visits[contract.pk], scope.today)
        window = summary.next
        if (
            not summary.planned
            and window is not None
            and window.kind in (Window.START, Window.END)
            and window.state == WindowState.OPEN
        ):
            due.append((contract.pk, window.kind, window.end))
    return sorted(due, key=lambda row: (row[2], row[0]))


def alert_rows(scope):
    return [(contract.pk, window.kind, window.end) for contract, window in board.KINDS["visites"].rows(scope)]


@st.composite
def contracts_with_visits(draw):
    contracts = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        # Around the windows' edges mostly: starts and ends within a few months of today.
        start = draw(st.integers(min_value=-130, max_value=10) | st.integers(min_value=-800, max_value=20))
        length = draw(st.integers(min_value=15, max_value=200) | st.integers(min_value=15, max_value=1100))
        ruptured = draw(st.booleans())
        visits = draw(
            st.lists(
                st.tuples(st.integers(min_value=-130, max_value=70), st.sampled_from(VISIT_KINDS)), max_size=3
            )
        )
        contracts.append((start, length, ruptured, visits))
    return contracts


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=contracts_with_visits())
def test_the_visits_to_organise_are_the_windows_judged_one_by_one(world, drawn):
    today = TODAY()
    chain = world.mine
    with transaction.atomic():
        for start, length, ruptured, visits in drawn:
            start_date = today + datetime.timedelta(days=start)
            contract = ContractFactory(
                apprentice=chain.apprentice,
                diploma=chain.diploma,
                school_tutor=chain.school_tutor,
                start_date=start_date,
                planned_end_date=start_date + datetime.timedelta(days=length),
                rupture_date=start_date + datetime.timedelta(days=10) if ruptured else None,
                rupture_cause=Contract.RuptureCause.MUTUAL if ruptured else "",
                status=Contract.Status.RUPTURED if ruptured else Contract.Status.ACTIVE,
            )
            for offset, kind in visits:
                day = today + datetime.timedelta(days=offset)
                traits = {} if kind == "planned" else {kind: True}
                VisitReportFactory(contract=contract, planned_date=day, **traits)
        scope = board.Scope(user=world.users["staff"], year=world.academic_year, today=today)

        assert alert_rows(scope) == judged_one_by_one(scope)
        transaction.set_rollback(True)


def test_the_windows_bounds_the_sql_reads_hold_on_every_day_of_the_calendar():
    # The end window opens the day after two months before the planned end: END_WINDOW_HOLDS before
    # it at the latest, WINDOW_REACH at the earliest; the start window closes within WINDOW_REACH.
    for n in range(366 * 4):
        day = datetime.date(2024, 1, 1) + n * ONE_DAY
        assert add_months(day, -2) + ONE_DAY <= day - END_WINDOW_HOLDS
        assert day - add_months(day, -2) <= WINDOW_REACH
        assert add_months(day, 2) - ONE_DAY < day + WINDOW_REACH


@pytest.mark.parametrize("window", ["start", "end"])
def test_a_contract_whose_open_window_had_its_meeting_is_not_judged_in_python(world, monkeypatch, window):
    alerts = importlib.import_module("reports.dashboard.alerts")  # the package names a function so
    today = TODAY()
    chain = world.mine
    if window == "start":
        dates = {"start_date": today - datetime.timedelta(days=20)}
    else:
        dates = {
            "start_date": today - datetime.timedelta(days=400),
            "planned_end_date": today + datetime.timedelta(days=20),
        }
    contract = ContractFactory(apprentice=chain.apprentice, diploma=chain.diploma, **dates)
    judged = []
    monkeypatch.setattr(alerts, "visits_of", lambda keys: judged.extend(keys) or visits_of(keys))
    scope = board.Scope(user=world.users["staff"], year=world.academic_year, today=today)
    assert (contract.pk, window) in {row[:2] for row in alert_rows(scope)}
    assert contract.pk in judged

    VisitReportFactory(contract=contract, planned_date=today - datetime.timedelta(days=3), reported=True)
    judged.clear()

    assert contract.pk not in {row[0] for row in alert_rows(scope)}
    assert contract.pk not in judged  # left out in SQL


# (start, planned end, the day of the meeting held), in days from today: each contract is due, its
# meeting being outside the window open today, though the SQL could have taken it for one in it.
EDGES = {
    "a short contract: its start window met, its end window open": (-50, 40, -45),
    "a meeting dated after its start window": (-10, 400, 70),
    "a meeting before its end window": (-400, 20, -42),
}


@pytest.mark.parametrize("edge", EDGES, ids=list(EDGES))
def test_a_meeting_outside_the_window_open_today_leaves_the_contract_due(world, edge):
    start, end, held = (TODAY() + datetime.timedelta(days=days) for days in EDGES[edge])
    chain = world.mine
    contract = ContractFactory(
        apprentice=chain.apprentice, diploma=chain.diploma, start_date=start, planned_end_date=end
    )
    VisitReportFactory(contract=contract, planned_date=held, reported=True)
    scope = board.Scope(user=world.users["staff"], year=world.academic_year, today=TODAY())

    rows = alert_rows(scope)

    assert contract.pk in {row[0] for row in rows}
    assert rows == judged_one_by_one(scope)
