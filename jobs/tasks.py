"""The job offers' Celery tasks. Each calls one service or notification and may run twice without harm."""

import datetime

from celery import shared_task
from django.utils import timezone

from jobs import notifications, services


@shared_task(acks_late=True, retry_backoff=True, max_retries=5, autoretry_for=(OSError,))
def send_digest(digest_id: int) -> bool:
    """Mail one weekly digest (once)."""
    return notifications.send_digest(digest_id)


@shared_task(acks_late=True, retry_backoff=True, max_retries=3, autoretry_for=(OSError,))
def weekly_job_digests(today_iso: str | None = None) -> dict:
    """Write this week's digest of each former apprentice with new offers, and mail them. Idempotent."""
    today = datetime.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    return services.send_weekly_digests(today=today)
