"""Hand work to Celery once the change that calls for it is committed.

Services name the task they queue (``"livret.tasks.send_countersign_request"``) rather than import it:
the tasks module imports the services it runs, so the arrow between them points one way only, and
every piece of queued work goes through this one place (where an outbox can make it durable).
"""

from __future__ import annotations

import functools

from celery import current_app
from django.utils.module_loading import autodiscover_modules


@functools.cache
def _discover_tasks() -> None:
    """Import every app's ``tasks`` module once, as the worker does at start (and as the admin finds
    its ``admin`` modules): a web process then knows every task by name."""
    autodiscover_modules("tasks")


def enqueue(task_name: str, *args) -> None:
    """Queue the task registered under ``task_name`` with ``args`` when the current transaction
    commits (at once outside a transaction). Without a broker (no ``REDIS_URL``) it runs inline.

    An unknown name raises ``celery.exceptions.NotRegistered`` at once, in the caller's transaction:
    nothing is half-done.
    """
    _discover_tasks()
    current_app.tasks[task_name].delay_on_commit(*args)
