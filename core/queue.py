"""Hand work to Celery once the change that calls for it is committed, through a transactional outbox.

Services name the task they queue (``"livret.tasks.send_countersign_request"``) rather than import it:
the tasks module imports the services it runs, so the arrow between them points one way only, and
every piece of queued work goes through this one place.

With a broker, :func:`enqueue` writes an :class:`~core.models.OutboxMessage` in the caller's
transaction; once it commits the message is handed to the broker (within about a second, or left for
later). A message is deleted only when the broker has accepted it; what a broker that does not answer
left waiting is handed over by the beat task ``core.tasks.hand_over_outbox`` and when a worker starts.
The work is therefore done at least once: every task is idempotent.
"""

from __future__ import annotations

import datetime
import functools
import logging

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from core.models import OutboxMessage

logger = logging.getLogger(__name__)


@functools.cache
def _discover_tasks() -> None:
    """Import every app's ``tasks`` module once, as the worker does at start (and as the admin finds
    its ``admin`` modules): a web process then knows every task by name."""
    autodiscover_modules("tasks")


def inline() -> bool:
    """Whether queued work runs inline, in the caller's process (no broker: no ``REDIS_URL``), rather
    than in a worker."""
    return bool(current_app.conf.task_always_eager)


def enqueue(task_name: str, *args) -> None:
    """Queue the task registered under ``task_name`` with ``args`` (JSON values) when the current
    transaction commits (at once outside a transaction). Without a broker (no ``REDIS_URL``) it runs
    inline. A broker that does not answer never fails the caller: the work waits in the outbox.

    An unknown name raises ``celery.exceptions.NotRegistered`` at once, in the caller's transaction:
    nothing is half-done.
    """
    _discover_tasks()
    task = current_app.tasks[task_name]
    if inline():
        task.delay_on_commit(*args)
        return
    message = OutboxMessage.objects.create(task=task_name, args=list(args))
    transaction.on_commit(functools.partial(hand_over, [message.pk]), robust=True)


def _backoff(attempts: int) -> datetime.timedelta:
    """5, 10, 20 s, then every OUTBOX_RETRY_MAX_SECONDS at most (the beat passes every 30 s)."""
    return datetime.timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_MAX_SECONDS))


def _connection():
    """A connection of its own to the broker, that gives up after OUTBOX_BROKER_TIMEOUT seconds rather
    than retrying: a request never waits on a broker that does not answer."""
    timeout = settings.OUTBOX_BROKER_TIMEOUT
    return current_app.connection_for_write(
        connect_timeout=timeout,
        transport_options={"max_retries": 0, "socket_connect_timeout": timeout, "socket_timeout": timeout},
    )


def hand_over(ids=None, *, limit: int = 500) -> int:
    """Hand the waiting messages that are due (those of ``ids`` only, when given) to the broker; each
    one is deleted once the broker has accepted it, the others are tried again later. Two callers at
    once never take the same message (``skip_locked``). Returns how many were handed over."""
    _discover_tasks()
    now = timezone.now()
    with transaction.atomic():
        waiting = OutboxMessage.objects.select_for_update(skip_locked=True).filter(available_at__lte=now)
        if ids is not None:
            waiting = waiting.filter(pk__in=ids)
        messages = list(waiting.order_by("pk")[:limit])
        if not messages:
            return 0
        sent = []
        try:
            with _connection() as connection:
                connection.ensure_connection(max_retries=0)
                for message in messages:
                    current_app.tasks[message.task].apply_async(
                        message.args, connection=connection, retry=False, ignore_result=True
                    )
                    sent.append(message.pk)
        except Exception as error:  # noqa: BLE001 (whatever the broker's failure, the work waits)
            left = messages[len(sent) :]
            logger.warning(
                "Service de traitement injoignable (%s) ; tâches en attente : %s", error, len(left)
            )
            for message in left:
                message.attempts += 1
                message.available_at = now + _backoff(message.attempts)
                message.last_error = f"{type(error).__name__}: {error}"[:2000]
            OutboxMessage.objects.bulk_update(left, ["attempts", "available_at", "last_error"])
        OutboxMessage.objects.filter(pk__in=sent).delete()
    return len(sent)


def waiting_first_args(task_name: str) -> set:
    """The first argument (a job's id) of every message of ``task_name`` not yet handed to the broker:
    work that is late because the broker is, not because a worker lost it."""
    return {
        args[0]
        for args in OutboxMessage.objects.filter(task=task_name).values_list("args", flat=True)
        if args
    }


def waiting_for_broker(task_name: str, *args) -> bool:
    """Whether this work waits for a broker that did not answer (the page then says it will follow)."""
    return OutboxMessage.objects.filter(task=task_name, args=list(args), attempts__gt=0).exists()
