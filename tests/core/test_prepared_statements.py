"""Prepared statements on PostgreSQL: a person's repeated queries are planned once per connection
(``config/settings.py``); the organisation-wide figures are planned for their dates (``core.db``)."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from core.db import planned_for_their_values
from reports.dashboard import kept

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="les requêtes préparées sont celles de PostgreSQL"
    ),
]


def prepared(*fragments: str) -> list[str]:
    """The statements this connection has prepared that hold every one of ``fragments``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall() if all(fragment in row[0] for fragment in fragments)]


def probe(label: str, times: int) -> None:
    """One query text, run ``times`` times with a different value bound each time."""
    with connection.cursor() as cursor:
        for value in range(times):
            cursor.execute(f"SELECT %s::integer AS {label}", [value])
            assert cursor.fetchone() == (value,)


def test_a_query_the_connection_repeats_is_prepared_with_its_values_bound_apart():
    probe("premiere_sonde", 4)
    assert prepared("premiere_sonde") == []

    probe("premiere_sonde", 2)

    # Prepared once, whatever the value: the text holds a placeholder, not the value.
    assert len(statements := prepared("premiere_sonde")) == 1
    assert "$1" in statements[0]


def test_queries_planned_for_their_values_are_not_prepared_and_the_connection_is_given_back():
    with planned_for_their_values():
        probe("sonde_planifiee", 8)
    assert prepared("sonde_planifiee") == []

    # The threshold is given back, even when the block fails.
    with pytest.raises(RuntimeError), planned_for_their_values():
        raise RuntimeError("la page a échoué")
    probe("sonde_apres", 6)
    assert len(prepared("sonde_apres")) == 1


def test_the_dashboards_figures_are_planned_for_their_dates_and_a_persons_inbox_is_prepared(world, settings):
    """The year's sheets counted by the dashboard: a generic plan guessed a few hundred rows for a year's
    tens of thousands and joined them one by one. The apprentice's "À faire" inbox is read by key."""
    settings.DASHBOARD_CACHE_SECONDS = 0
    staff, apprentice = Client(), Client()
    staff.force_login(world.users["staff"])
    apprentice.force_login(world.users["apprentice"])
    for _ in range(7):
        kept.forget()
        assert staff.get(reverse("reports:dashboard")).status_code == 200
        assert staff.get(reverse("reports:alert_list", args=["fiches"])).status_code == 200
        assert staff.get(reverse("home")).status_code == 200  # the home's figures are the dashboard's
        assert apprentice.get(reverse("home")).status_code == 200

    assert prepared('"livret_liaisonsheet"', '"due_date"') != []  # the apprentice's sheets to fill
    assert prepared('AS "due"') == []  # the dashboard's count of the sheets due
    assert prepared('AS "apprentices"') == []  # the contracts counted, on the dashboard and the home
    assert prepared('"livret_liaisonsheet"."id" AS "pk"') == []  # the overdue sheets, dashboard and page
