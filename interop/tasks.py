"""The import's Celery task: it applies one confirmed report (the service does the work)."""

from celery import shared_task
from django.db import OperationalError

from interop.services import writing


@shared_task(acks_late=True, retry_backoff=True, max_retries=3, autoretry_for=(OperationalError,))
def apply_import(report_id: int) -> str:
    """Apply a confirmed import report (idempotent: a report is applied once, then left alone)."""
    return writing.apply_import(report_id).status
