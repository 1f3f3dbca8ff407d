"""Rows written with ``COPY``: the same rows as ``bulk_create`` writes, with their keys."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apprentices.models import AlternancePeriod, Cohort, Diploma
from benchmark.copy import copy_rows
from core.models import OutboxMessage
from livret.models import LiaisonSheet

pytestmark = pytest.mark.django_db
IGNORED = {"id", "code", "created_at", "updated_at", "available_at"}


def _stored(model, row) -> dict:
    return {k: v for k, v in model.objects.filter(pk=row.pk).values().get().items() if k not in IGNORED}


def _diploma(world, code):
    # The organisation given as an object: its key is read from it, as bulk_create reads it.
    return Diploma(
        organisation=world.organisation, code=code, title="Formation copiée", level=Diploma.Level.values[0]
    )


def test_copied_rows_are_stored_as_bulk_create_stores_them_with_their_keys(world):
    copied = copy_rows(Diploma, [_diploma(world, "COPY-1"), _diploma(world, "COPY-2")])
    (created,) = Diploma.objects.bulk_create([_diploma(world, "BULK-1")])

    assert all(row.pk is not None and not row._state.adding for row in copied)
    assert [Diploma.objects.get(pk=row.pk).code for row in copied] == ["COPY-1", "COPY-2"]
    assert _stored(Diploma, copied[0]) == _stored(Diploma, created)
    assert _stored(Diploma, copied[0])["organisation_id"] == world.organisation.pk
    # The table's sequence went past the keys given: the next row saved gets a key of its own.
    later = Diploma.objects.create(
        organisation=world.organisation, code="LATER", title="Après", level=Diploma.Level.values[0]
    )
    assert later.pk not in {row.pk for row in copied}


def test_json_defaults_and_automatic_dates_are_written(world):
    (message,) = copy_rows(OutboxMessage, [OutboxMessage(task="livret.tasks.x", args=[1, {"a": "é"}])])
    stored = OutboxMessage.objects.get(pk=message.pk)
    assert stored.args == [1, {"a": "é"}]
    assert stored.attempts == 0 and stored.last_error == ""
    assert stored.created_at == message.created_at


def test_the_database_triggers_run_for_copied_rows(world):
    """The sort copies of the liaison sheets are written by triggers on insert: a copied sheet has them."""
    contract = world.mine.contract
    period = AlternancePeriod.objects.filter(
        calendar__diploma=contract.diploma, kind=AlternancePeriod.Kind.COMPANY
    ).first()
    (sheet,) = copy_rows(
        LiaisonSheet, [LiaisonSheet(contract=contract, period=period, due_date=period.end_date)]
    )
    stored = LiaisonSheet.objects.get(pk=sheet.pk)
    assert stored.sort_last_name == contract.apprentice.last_name
    assert stored.sort_period_start == period.start_date
    assert stored.updated_at is not None


def test_a_row_keeps_the_time_of_its_last_change_and_one_without_gets_the_time_of_the_save(world):
    """``updated_at`` (``auto_now``) is what the generated booklet says of each document: a save would
    set it to the generation's time. The same on both paths: COPY, and bulk_create with the stamps
    written back."""
    contract = world.mine.contract
    periods = AlternancePeriod.objects.filter(calendar__diploma=contract.diploma).order_by("start_date")[:3]
    changed = timezone.now() - datetime.timedelta(days=200)
    sheets = [LiaisonSheet(contract=contract, period=period, due_date=period.end_date) for period in periods]
    sheets[0].updated_at = changed
    sheets[2].updated_at = changed - datetime.timedelta(days=1)
    before = timezone.now()

    copy_rows(LiaisonSheet, sheets)

    stored = dict(LiaisonSheet.objects.filter(pk__in=[s.pk for s in sheets]).values_list("pk", "updated_at"))
    assert stored[sheets[0].pk] == changed == sheets[0].updated_at
    assert stored[sheets[2].pk] == changed - datetime.timedelta(days=1)
    assert stored[sheets[1].pk] >= before  # nothing carried: the time of the save, as bulk_create writes


def test_nothing_to_write_sends_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert copy_rows(Diploma, []) == []


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the fallback of the other databases")
def test_elsewhere_rows_are_written_by_bulk_create(world):
    copied = copy_rows(Diploma, [_diploma(world, "SQLITE-1")])
    assert Diploma.objects.get(pk=copied[0].pk).code == "SQLITE-1"


def test_a_row_built_before_its_parent_was_written_gets_the_parents_key(world):
    diploma = _diploma(world, "PARENT")
    cohort = Cohort(diploma=diploma, entry_year=world.academic_year, label="Promotion copiée")
    copy_rows(Diploma, [diploma])
    (copied,) = copy_rows(Cohort, [cohort])
    assert Cohort.objects.get(pk=copied.pk).diploma_id == diploma.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY: PostgreSQL only")
def test_on_postgresql_the_rows_are_streamed_not_inserted(world):
    with CaptureQueriesContext(connection) as queries:
        copy_rows(Diploma, [_diploma(world, "STREAM-1"), _diploma(world, "STREAM-2")])
    # The keys are read from the sequence in one query; the rows go through COPY, which no INSERT shows.
    assert [query["sql"].split()[0] for query in queries.captured_queries] == ["SELECT"]
    assert "nextval" in queries.captured_queries[0]["sql"]
    assert Diploma.objects.filter(code__startswith="STREAM-").count() == 2
