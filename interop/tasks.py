"""The import's Celery tasks: reading a stored upload, applying a confirmed report, purging the uploads
never read (the services do the work)."""

from celery import shared_task
from django.db import OperationalError

from interop.services import reading, writing


@shared_task(acks_late=True, retry_backoff=True, max_retries=3, autoretry_for=(OperationalError,))
def read_import(report_id: int) -> str:
    """Read a stored upload into its preview (idempotent: a report is read once)."""
    return reading.read_import(report_id).status


@shared_task(acks_late=True, retry_backoff=True, max_retries=3, autoretry_for=(OperationalError,))
def apply_import(report_id: int) -> str:
    """Apply a confirmed import report (idempotent: a report is applied once, then left alone)."""
    return writing.apply_import(report_id).status


@shared_task(acks_late=True, retry_backoff=True, max_retries=3, autoretry_for=(OperationalError,))
def purge_imports() -> int:
    """Hourly: the uploads that no worker read in time are failed and their files deleted."""
    return reading.purge_stale_reads()
