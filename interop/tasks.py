from celery import shared_task
from django.db import OperationalError


@shared_task(acks_late=True, retry_backoff=True, max_retries=3, autoretry_for=(OperationalError,))
def apply_import(report_id: int) -> str:
    """Apply a confirmed import report (idempotent: a report is applied once, then left alone)."""
    from interop import services

    return services.apply_import(report_id).status
