"""Every trigger the migrations created is still there after the last one.

The status snapshots are forgotten (``apprentices`` 0006), the lists' sort copies kept (``core.copies``,
``livret`` 0008 and 0010) and the booklets' activity forgotten (``livret`` 0012) by triggers. On SQLite,
a later migration that rebuilds one of their tables (an ``AlterField`` copies the table into a new one)
drops them without a word, and the dashboard's statuses, inactive booklets or the lists' order would
then go stale on the default database: this test, run on SQLite by ``make test`` without
``DATABASE_URL``, fails first. A trigger added by a migration is added here.
"""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

# (trigger, table): PostgreSQL has one trigger per rule and event list; SQLite one per event.
STATUS_SNAPSHOTS = {
    "postgresql": {
        ("apprentices_contract_forget_status", "apprentices_contract"),
        ("apprentices_contract_forget_status_update", "apprentices_contract"),
    },
    "sqlite": {
        ("apprentices_contract_forget_status_insert", "apprentices_contract"),
        ("apprentices_contract_forget_status_update", "apprentices_contract"),
        ("apprentices_contract_forget_status_delete", "apprentices_contract"),
    },
}
FORGET_STATUS = {
    ("apprentices_apprentice_forget_status", "apprentices_apprentice"),
    ("apprentices_cohort_forget_status", "apprentices_cohort"),
    ("core_academicyear_forget_status", "core_academicyear"),
}
SORT_SOURCES = {
    ("livret_sheet_sort_of_apprentice", "apprentices_apprentice"),
    ("livret_sheet_sort_of_contract", "apprentices_contract"),
    ("livret_sheet_sort_of_period", "apprentices_alternanceperiod"),
    ("livret_mission_sort_of_apprentice", "apprentices_apprentice"),
    ("livret_mission_sort_of_contract", "apprentices_contract"),
    ("livret_mission_sort_of_year", "core_academicyear"),
}
SORT_ROWS = {
    "postgresql": {
        ("livret_sheet_sort_copies", "livret_liaisonsheet"),
        ("livret_mission_sort_copies", "livret_missiondescription"),
    },
    "sqlite": {
        ("livret_sheet_sort_copies_insert", "livret_liaisonsheet"),
        ("livret_sheet_sort_copies_update", "livret_liaisonsheet"),
        ("livret_mission_sort_copies_insert", "livret_missiondescription"),
        ("livret_mission_sort_copies_update", "livret_missiondescription"),
    },
}
ACTIVITY_TABLES = (
    "livret_liaisonsheet",
    "livret_visitreport",
    "livret_missiondescription",
    "livret_evaluation",
)
FORGET_ACTIVITY = {
    "postgresql": {
        (f"{table}_forget_activity{suffix}", table) for table in ACTIVITY_TABLES for suffix in ("", "_update")
    },
    "sqlite": {
        (f"{table}_forget_activity_{event}", table)
        for table in ACTIVITY_TABLES
        for event in ("insert", "update", "delete")
    },
}
QUERIES = {
    "postgresql": "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal",
    "sqlite": "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'",
}


def test_every_trigger_the_migrations_created_is_there_at_the_last_migration():
    vendor = connection.vendor
    if vendor not in QUERIES:
        pytest.skip(f"triggers written for PostgreSQL and SQLite, not {vendor}")
    with connection.cursor() as cursor:
        cursor.execute(QUERIES[vendor])
        found = {(name, table) for name, table in cursor.fetchall()}

    assert found == (
        STATUS_SNAPSHOTS[vendor] | FORGET_STATUS | SORT_SOURCES | SORT_ROWS[vendor] | FORGET_ACTIVITY[vendor]
    )
