"""Writes on contracts (each change goes through ``save`` so that it is audited), and the statuses
of the day stored for the dashboards."""

import datetime

from django.db import connection, transaction

from apprentices import status
from apprentices.models import Apprentice, Cohort, Contract, StatusSnapshot
from core.audit import acting_as
from core.db import lock_rows
from core.models import AcademicYear

# Apprentices whose statuses are computed and stored in one transaction.
SNAPSHOT_BATCH = 2000


def close_finished_contracts(*, today: datetime.date, actor=None) -> int:
    """Active contracts past their planned end become completed; returns how many changed."""
    closed = 0
    with acting_as(actor, via="task"):
        ids = list(
            Contract.objects.filter(status=Contract.Status.ACTIVE, planned_end_date__lt=today).values_list(
                "pk", flat=True
            )
        )
        for pk in ids:
            with transaction.atomic():
                contract = Contract.objects.select_for_update().get(pk=pk)
                if contract.status != Contract.Status.ACTIVE or contract.planned_end_date >= today:
                    continue
                contract.status = Contract.Status.COMPLETED
                contract.save(update_fields=["status", "updated_at"])
                closed += 1
    return closed


def snapshot_statuses(*, today: datetime.date, batch: int = SNAPSHOT_BATCH) -> int:
    """Store the status of ``today`` of every apprentice who has none (a :class:`StatusSnapshot`
    of an earlier day, or none: a trigger deleted it when a contract changed); returns how many were
    stored. Celery runs it every few minutes: after midnight it stores everyone's, during the day
    the few deleted since. Idempotent."""
    missing = list(
        Apprentice.objects.exclude(status_snapshot__day=today).order_by("pk").values_list("pk", flat=True)
    )
    return sum(_snapshot(missing[start : start + batch], today) for start in range(0, len(missing), batch))


def _snapshot(ids: list[int], today: datetime.date) -> int:
    """One batch, in one transaction that no write on what the statuses are read from can cross:
    a contract written while the statuses are computed would delete (by its trigger) a snapshot not
    yet stored, and the one stored after it would be stale."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A write on these rows waits for the commit; then its trigger deletes what was stored.
            # A new contract waits too: its foreign key locks its apprentice's row.
            lock_rows(Apprentice.objects.filter(pk__in=ids))
            lock_rows(Contract.objects.filter(apprentice_id__in=ids))
            lock_rows(Cohort.objects.filter(pk__in=Apprentice.objects.filter(pk__in=ids).values("cohort_id")))
            lock_rows(AcademicYear.objects.all())
        # On SQLite, a write first makes this transaction the database's only writer until it commits.
        StatusSnapshot.objects.filter(apprentice_id__in=ids).delete()
        rows = status.rows_of(status.annotate_live(Apprentice.objects.filter(pk__in=ids), today))
        snapshots = [
            StatusSnapshot(
                apprentice_id=pk,
                day=today,
                status=row.value,
                coming=row.coming,
                delay_start=row.delay.start if row.delay else None,
                delay_months=row.delay.months if row.delay else None,
            )
            for pk, row in rows.items()
        ]
        StatusSnapshot.objects.bulk_create(snapshots, batch_size=1000)
    return len(snapshots)
