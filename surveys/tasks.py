"""The surveys' Celery tasks. Each takes ids, calls one service or notification, and may run twice
without harm."""

import datetime

from celery import shared_task
from django.utils import timezone

from surveys import notifications, services


def _day(today_iso: str | None) -> datetime.date:
    return datetime.date.fromisoformat(today_iso) if today_iso else timezone.localdate()


@shared_task(acks_late=True, retry_backoff=True, max_retries=5, autoretry_for=(OSError,))
def send_invitations(campaign_id: int) -> int:
    """Mail their personal link to the people of the campaign not mailed yet."""
    return notifications.send_invitations(campaign_id)


@shared_task(acks_late=True, retry_backoff=True, max_retries=3, autoretry_for=(OSError,))
def daily_surveys(today_iso: str | None = None) -> dict:
    """Close the campaigns past their date, invite the leavers due for their insertion survey (opening
    its campaign if need be), then remind whoever has not answered. Idempotent."""
    today = _day(today_iso)
    return {
        "closed": services.close_due_campaigns(today=today),
        "invited": services.open_insertion_invitations(today=today),
        "reminded": notifications.send_reminders(today=today),
    }
