"""The legal delays on the dashboard (Code du travail, L6222-12-1): an alert from 30 days before a
delay ends, and once passed during the year, with the days left; the figures of the home and of the
dashboard are the same functions, so the same numbers."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apprentices.models import Contract
from apprentices.status import LegalDelay
from reports import dashboard as board
from reports.dashboard.alerts import KINDS
from tests.apprentices.factories import ApprenticeFactory, ContractFactory, cohort_started
from tests.helpers import text_of

DAY = datetime.timedelta(days=1)
TODAY = timezone.localdate


def scope(world, role="staff", **filters):
    return board.Scope(user=world.users[role], year=world.academic_year, today=TODAY(), **filters)


def delays(scope_):
    return {kind.key: kind for kind in board.alerts(scope_, stop=100)}["delais"]


def without_contract_since(world, days: int):
    return ApprenticeFactory(
        organisation=world.organisation,
        cohort=cohort_started(world.mine.diploma, days),
        last_name=f"Sans{days}",
    )


def ruptured_since(world, days: int):
    person = ApprenticeFactory(organisation=world.organisation, cohort=world.mine.apprentice.cohort)
    ContractFactory(
        apprentice=person,
        start_date=TODAY() - (days + 100) * DAY,
        status=Contract.Status.RUPTURED,
        rupture_date=TODAY() - days * DAY,
        rupture_cause=Contract.RuptureCause.EMPLOYER,
    )
    return person


def test_three_months_without_a_contract_are_an_alert_from_30_days_before_their_end(world):
    far = without_contract_since(world, 20)
    near = without_contract_since(world, 70)
    passed = without_contract_since(world, 95)

    kind = delays(scope(world))

    by_apprentice = {alert.apprentice.pk: alert for alert in kind.alerts}
    assert set(by_apprentice) == {near.pk, passed.pk}
    assert far.pk not in by_apprentice
    expected = LegalDelay(TODAY() - 70 * DAY, 3).days_left(TODAY())
    assert 0 <= expected <= 30
    assert by_apprentice[near.pk].days_left == expected
    assert f"({expected} jours restants)" in by_apprentice[near.pk].reason
    assert by_apprentice[passed.pk].days_left < 0
    assert "trois mois dépassés depuis le" in by_apprentice[passed.pk].reason
    # The most overdue first, then the nearest end.
    assert [alert.apprentice.pk for alert in kind.alerts] == [passed.pk, near.pk]


def test_six_months_after_a_rupture_are_an_alert_from_30_days_before_their_end(world):
    ruptured_since(world, 100)
    near = ruptured_since(world, 170)

    kind = delays(scope(world))

    assert [alert.apprentice.pk for alert in kind.alerts] == [near.pk]
    left = LegalDelay(TODAY() - 170 * DAY, 6).days_left(TODAY())
    assert kind.alerts[0].days_left == left
    assert "six mois pour un nouvel employeur" in kind.alerts[0].reason


def test_a_new_contract_signed_ends_the_alert(world):
    near = ruptured_since(world, 170)
    assert delays(scope(world)).count == 1

    ContractFactory(apprentice=near, start_date=TODAY() + 10 * DAY)

    assert delays(scope(world)).count == 0


def test_a_delay_passed_before_the_year_shown_is_not_an_alert_any_more(world):
    year_start = world.academic_year.start_date
    long_ago = (TODAY() - year_start).days + 200  # six months ended before the year began
    ruptured_since(world, long_ago)

    assert delays(scope(world)).count == 0


def test_the_alert_leads_to_recording_a_contract_and_names_the_apprentice(world, client_for):
    near = without_contract_since(world, 70)

    html = client_for(world.users["staff"]).get(reverse("reports:dashboard")).content.decode()

    assert "Délais légaux" in html
    assert f"?apprentice={near.pk}" in html
    assert near.get_absolute_url() in html


def test_a_school_tutor_sees_the_delays_of_the_apprentices_they_follow_only(world):
    ruptured = ruptured_since(world, 170)
    Contract.objects.filter(apprentice=ruptured).update(school_tutor=world.mine.school_tutor)
    without_contract_since(world, 70)

    kind = delays(scope(world, "school_tutor"))

    assert [alert.apprentice.pk for alert in kind.alerts] == [ruptured.pk]


# One definition, one number ------------------------------------------------------------------------


@pytest.fixture
def busy(world):
    """Some of each: ruptures this year and long ago, apprentices without a contract within and past
    their three months, a rupturant, a finished contract."""
    without_contract_since(world, 20)
    without_contract_since(world, 95)
    ruptured_since(world, 30)
    ruptured_since(world, 400)
    ContractFactory(
        apprentice=ApprenticeFactory(organisation=world.organisation, cohort=world.mine.apprentice.cohort),
        completed=True,
    )


def test_the_home_and_the_dashboard_show_the_same_figures_on_the_same_data(world, client_for, busy):
    client = client_for(world.users["staff"])

    home = {figure.key: figure for figure in client.get(reverse("home")).context["staff_home"]["figures"]}
    dashboard = {figure.key: figure for figure in client.get(reverse("reports:dashboard")).context["figures"]}

    assert set(home) <= set(dashboard)
    for key, figure in home.items():
        assert (figure.value, figure.period, figure.definition) == (
            dashboard[key].value,
            dashboard[key].period,
            dashboard[key].definition,
        ), key
    assert home["enrolled"].value == "1"  # within the three months; the other one is past them
    assert home["rupturants"].value == "1"
    assert home["ruptures"].value == "1"  # of the year; the one 400 days ago is not


def test_the_count_of_apprentices_without_a_contract_is_the_length_of_its_alert_and_of_its_list(
    world, client_for, busy
):
    client = client_for(world.users["staff"])
    figures = {figure.key: figure for figure in board.key_figures(scope(world))}
    alerts = {kind.key: kind for kind in board.alerts(scope(world), stop=100)}

    listed = client.get(figures["enrolled"].url).context["page"].paginator.count
    rupturants = client.get(figures["rupturants"].url).context["page"].paginator.count

    assert int(figures["enrolled"].value) == alerts["sans-contrat"].count == listed
    assert int(figures["rupturants"].value) == rupturants


def test_each_figure_names_its_period_and_its_definition_on_both_pages(world, client_for, busy):
    client = client_for(world.users["staff"])

    for url in (reverse("home"), reverse("reports:dashboard")):
        text = text_of(client.get(url))
        assert f"Au {TODAY().strftime('%d/%m/%Y')}" in text
        assert f"Année {world.academic_year.label}, du" in text
        assert "une rupture après l'obtention du diplôme n'est pas comptée" in text
        assert "dans les 3 mois que permet le Code du travail" in text


@pytest.mark.parametrize("kind", ["delais", "sans-contrat"])
def test_the_pages_of_the_delays_and_of_the_apprentices_without_a_contract_do_not_grow_with_the_rows(
    world, client_for, django_assert_num_queries, kind
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.users["staff"])
    url = reverse("reports:alert_list", args=[kind])

    def grow(n):
        for _ in range(n):
            without_contract_since(world, 75)
            ruptured_since(world, 170)

    grow(2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).context["kind"].count == (4 if kind == "delais" else 2)
    grow(6)

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)

    assert response.context["kind"].count == (16 if kind == "delais" else 8)


@pytest.mark.parametrize("role", ["staff", "school_tutor", "head_of_diploma"])
def test_the_statuses_read_once_give_the_figures_and_alerts_of_the_sql_computed_each_time(world, busy, role):
    """The dashboard reads each apprentice's status once (``Scope.statuses``) for the status counts and
    the two alerts built on them; each used to evaluate the statuses in SQL on its own. Same numbers,
    same apprentices, same delays, on data with each status and delay."""
    from django.db.models import Count

    from apprentices import status

    for days in (5, 60, 85, 89, 91, 120, 300):
        without_contract_since(world, days)
    for days in (10, 150, 175, 183, 200, 500):
        ruptured_since(world, days)
    found = ruptured_since(world, 40)
    ContractFactory(apprentice=found, start_date=TODAY() + 10 * DAY)  # a new employer, starting soon
    left = without_contract_since(world, 100)
    left.training_exit_date = TODAY() - 3 * DAY
    left.save()
    current = scope(world, role)

    grouped = (
        current.apprentices_with_status(current.as_of)
        .order_by()
        .values("training_status")
        .annotate(n=Count("pk"))
    )
    expected_counts = {row["training_status"]: row["n"] for row in grouped}
    figures = {figure.key: figure.value for figure in board.key_figures(current)}
    assert figures["enrolled"] == str(expected_counts.get(status.TrainingStatus.ENROLLED, 0))
    assert figures["rupturants"] == str(expected_counts.get(status.TrainingStatus.RUPTURED, 0))

    alerts = {kind.key: kind for kind in board.alerts(current, stop=1000)}
    enrolled = current.apprentices_with_status().filter(training_status=status.TrainingStatus.ENROLLED)
    assert [a.apprentice.pk for a in alerts["sans-contrat"].alerts] == list(
        enrolled.order_by("last_name", "first_name", "pk").values_list("pk", flat=True)
    )
    old_delays = status.delays_ending(
        current.apprentices_with_status(), current.today, passed_since=current.year.start_date
    ).values_list("pk", "training_delay_start", "training_delay_months")
    expected_delays = sorted(
        ((pk, LegalDelay(start, months)) for pk, start, months in old_delays),
        key=lambda row: (row[1].last_day, row[0]),
    )
    assert KINDS["delais"].rows(current) == expected_delays
    if role == "staff":
        assert len(expected_delays) >= 6 and found.pk not in dict(expected_delays)
