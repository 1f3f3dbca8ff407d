"""The booklet's Celery tasks: the nightly jobs, and the mails that services queue on commit
(``core.queue.enqueue("livret.tasks.…", id)``). Each takes ids, calls one service or one notification,
and may run twice without harm."""

import datetime

from celery import shared_task
from django.utils import timezone

from livret import notifications, reminders
from livret.services import activity, sheets


def _day(today_iso: str | None) -> datetime.date:
    return datetime.date.fromisoformat(today_iso) if today_iso else timezone.localdate()


@shared_task(acks_late=True, retry_backoff=True, max_retries=3, autoretry_for=(OSError,))
def open_due_sheets(today_iso: str | None = None) -> int:
    """Open the liaison sheets of the company periods about to end. Idempotent."""
    return sheets.open_due_sheets(today=_day(today_iso))


@shared_task(acks_late=True, retry_backoff=True, max_retries=3, autoretry_for=(OSError,))
def send_daily_digests(today_iso: str | None = None) -> dict:
    """Record the reminders due today, then mail each person one digest. Idempotent."""
    today = _day(today_iso)
    recorded = reminders.record_reminders(today=today)
    return {"reminders": recorded, "mails": reminders.send_digests(today=today)}


@shared_task(acks_late=True, retry_backoff=True, max_retries=3, autoretry_for=(OSError,))
def store_booklet_activity() -> int:
    """Store the latest activity of the booklets that have none stored (the dashboards' « Livret sans
    activité »). Idempotent."""
    return activity.store_booklet_activity()


# Sending twice only mails a second valid link for the same single action: harmless.


@shared_task(acks_late=True, retry_backoff=True, max_retries=5, autoretry_for=(OSError,))
def send_countersign_request(sheet_id: int) -> bool:
    """Mail the company tutor a link to countersign the submitted sheet."""
    return notifications.countersign_request(sheet_id)


@shared_task(acks_late=True, retry_backoff=True, max_retries=5, autoretry_for=(OSError,))
def send_evaluation_request(evaluation_id: int) -> bool:
    """Mail the company tutor a link to fill the evaluation grid of a period."""
    return notifications.evaluation_request(evaluation_id)


@shared_task(acks_late=True, retry_backoff=True, max_retries=5, autoretry_for=(OSError,))
def send_visit_acknowledge_requests(visit_id: int, email: str | None = None) -> int:
    """Mail the company tutor (and each legal representative of a minor) a link to acknowledge the
    visit report, skipping who already did; only ``email`` when given."""
    return notifications.acknowledge_requests(visit_id, email=email)


@shared_task(acks_late=True, retry_backoff=True, max_retries=5, autoretry_for=(OSError,))
def send_return_notice(sheet_id: int) -> bool:
    """Mail the apprentice that their sheet came back, with the reason."""
    return notifications.sheet_returned(sheet_id)


@shared_task(acks_late=True, retry_backoff=True, max_retries=5, autoretry_for=(OSError,))
def send_visit_invitations(visit_id: int, method: str) -> int:
    """Mail the apprentice and the company tutor the visit's calendar invitation (``REQUEST``) or its
    cancellation (``CANCEL``), as the visit stands now."""
    return notifications.visit_invitations(visit_id, method)


@shared_task(acks_late=True, retry_backoff=True, max_retries=5, autoretry_for=(OSError,))
def send_mission_decision(decision_id: int) -> int:
    """Mail the apprentice and the company tutor a head's decision on their mission description."""
    return notifications.mission_decided(decision_id)


@shared_task(acks_late=True, retry_backoff=True, max_retries=5, autoretry_for=(OSError,))
def send_mission_reminder(mission_id: int, by_id: int | None = None) -> int:
    """Mail the heads of the diploma that a mission description waits for their decision."""
    return notifications.mission_reminder(mission_id, by_id)
