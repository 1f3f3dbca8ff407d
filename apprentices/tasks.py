import datetime

from celery import shared_task
from django.utils import timezone

from apprentices import services


@shared_task(acks_late=True, retry_backoff=True, max_retries=3, autoretry_for=(OSError,))
def close_finished_contracts(today_iso: str | None = None) -> int:
    """Mark as completed the active contracts whose planned end has passed. Idempotent."""
    today = datetime.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    return services.close_finished_contracts(today=today)


@shared_task(acks_late=True, retry_backoff=True, max_retries=3, autoretry_for=(OSError,))
def snapshot_statuses(today_iso: str | None = None) -> int:
    """Store today's status of every apprentice without one (the dashboards read them)."""
    today = datetime.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    return services.snapshot_statuses(today=today)
