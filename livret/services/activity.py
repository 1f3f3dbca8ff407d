"""The latest activity of each contract's booklet, stored for the dashboards (``BookletActivity``)."""

from django.db import connection, transaction

from apprentices.models import Contract
from core.db import lock_rows
from livret import activity
from livret.models import BookletActivity

# Contracts whose activity is read and stored in one transaction.
ACTIVITY_BATCH = 2000


def store_booklet_activity(*, batch: int = ACTIVITY_BATCH) -> int:
    """Store the latest activity of every contract that has none stored (never read, or a trigger
    deleted it when one of its documents was written); returns how many were stored. Celery runs it
    every few minutes: the first time it stores every contract's, then the few written since.
    Idempotent."""
    missing = list(
        Contract.objects.filter(booklet_activity__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    return sum(_store(missing[start : start + batch]) for start in range(0, len(missing), batch))


def _store(ids: list[int]) -> int:
    """One batch, in one transaction that no write on these contracts' documents can cross: a document
    written while their activity is read would delete (by its trigger) a row not yet stored, and the
    one stored after it would be stale."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A new document waits for the commit (its foreign key locks its contract's row), and so
            # does an update or a deletion of one; then its trigger deletes what was stored.
            lock_rows(Contract.objects.filter(pk__in=ids))
            for model in activity.DOCUMENTS:
                lock_rows(model.objects.filter(contract_id__in=ids))
        # On SQLite, a write first makes this transaction the database's only writer until it commits.
        BookletActivity.objects.filter(contract_id__in=ids).delete()
        rows = [
            BookletActivity(contract_id=pk, last_at=last_at, last_held_on=last_held_on)
            for pk, (last_at, last_held_on) in activity.latest(ids).items()
        ]
        BookletActivity.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
