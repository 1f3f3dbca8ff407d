"""The status of the Tableau de bord on the apprentice pages: a badge in the list and on the page, a
filter of the list (and of its export), in a number of queries that does not grow with the rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from apprentices.models import Contract
from apprentices.status import LegalDelay
from tests.apprentices.factories import ApprenticeFactory, ContractFactory, cohort_started
from tests.conftest import grow
from tests.helpers import csv_of, listed, text_of

APPRENTICES = reverse("apprentices:apprentice_list")
APPRENTICES_CSV = reverse("apprentices:apprentice_export")
DAY = datetime.timedelta(days=1)


@pytest.fixture
def statuses(world):
    """One apprentice of each status today, besides the world's two apprentices under contract."""
    today = timezone.localdate()
    organisation = world.organisation
    recent = cohort_started(world.mine.diploma, 10)
    enrolled = ApprenticeFactory(organisation=organisation, cohort=recent, last_name="Inscrite")
    ruptured = ApprenticeFactory(organisation=organisation, cohort=recent, last_name="Rompue")
    ContractFactory(
        apprentice=ruptured,
        start_date=today - 100 * DAY,
        status=Contract.Status.RUPTURED,
        rupture_date=today - 20 * DAY,
        rupture_cause=Contract.RuptureCause.EMPLOYER,
    )
    finished = ApprenticeFactory(organisation=organisation, cohort=recent, last_name="Diplomee")
    ContractFactory(apprentice=finished, completed=True)
    left = ApprenticeFactory(
        organisation=organisation, cohort=recent, last_name="Sortie", training_exit_date=today - 5 * DAY
    )
    return {"inscrit": enrolled, "rupturant": ruptured, "fin": finished, "abandon": left}


@pytest.mark.parametrize("value", ["inscrit", "apprenti", "rupturant", "abandon", "fin"])
def test_the_status_filter_keeps_the_apprentices_of_that_status_in_the_list_and_its_export(
    client, world, statuses, value
):
    expected = {world.mine.apprentice, world.other.apprentice} if value == "apprenti" else {statuses[value]}
    client.force_login(world.users["staff"])

    page = client.get(APPRENTICES, {"status": value})
    rows = csv_of(client.get(APPRENTICES_CSV, {"status": value}))

    assert set(listed(page)) == expected
    assert sorted(row[0] for row in rows[1:]) == sorted(a.last_name for a in expected)


def test_an_unknown_status_is_a_filter_in_error(client, world, statuses):
    client.force_login(world.users["staff"])

    page = client.get(APPRENTICES, {"status": "diplome"})

    assert listed(page) == []
    assert "Un filtre n'est pas valide" in text_of(page)


def test_each_row_of_the_list_has_its_status_badge_with_the_days_left(client, world, statuses):
    client.force_login(world.users["staff"])

    html = client.get(APPRENTICES).content.decode()

    assert html.count('class="badge badge--training-apprenti"') == 2
    for value in ("inscrit", "rupturant", "abandon", "fin"):
        assert html.count(f'class="badge badge--training-{value}"') == 1
    # Three months from ten days ago, six months from twenty days ago: days left after today.
    today = timezone.localdate()
    for start, months in ((today - 10 * DAY, 3), (today - 20 * DAY, 6)):
        assert f"{LegalDelay(start, months).days_left(today)} jours restants" in html


def test_the_export_has_the_status_and_the_end_of_the_legal_delay(client, world, statuses):
    client.force_login(world.users["staff"])

    rows = csv_of(client.get(APPRENTICES_CSV, {"status": "rupturant"}))

    assert rows[0][-2:] == ["Statut", "Fin du délai légal"]
    last_day = LegalDelay(timezone.localdate() - 20 * DAY, 6).last_day
    assert rows[1][-2:] == ["Rupturant", last_day.strftime("%d/%m/%Y")]


@pytest.mark.parametrize("params", [{}, {"status": "apprenti"}])
def test_the_list_with_its_badges_runs_the_same_queries_for_few_and_many_rows(
    client, world, django_assert_num_queries, params
):
    client.force_login(world.users["staff"])
    grow(world, "staff", 2)
    client.get(APPRENTICES, params)
    with CaptureQueriesContext(connection) as few:
        rows_before = len(listed(client.get(APPRENTICES, params)))
    grow(world, "staff", 8)

    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(APPRENTICES, params)

    assert len(listed(page)) > rows_before
    # session, user, roles, count, keys and rows of the page, the choices of its filters: as before the
    # badge (the keys: core.viewutils.NarrowPaginator)
    assert len(few.captured_queries) == 10


def test_the_apprentice_page_shows_the_status_and_the_legal_delay_in_words(client, world, statuses):
    client.force_login(world.users["staff"])
    ruptured = statuses["rupturant"]

    text = text_of(client.get(ruptured.get_absolute_url()))

    rupture = timezone.localdate() - 20 * DAY
    assert "Rupturant" in text
    assert "Six mois pour trouver un nouvel employeur après la rupture du" in text
    assert date_format(rupture, "j F Y") in text
