"""Background jobs that survive their worker: a claim carries a lease.

A job (an export, a computation of the indicators, an import) is claimed by one task at a time with a
token and a lease that a heartbeat renews while the task runs. A worker killed in the middle stops
renewing it: once the lease has expired, the redelivered message (or ``core.tasks.resume_jobs``, every
minute) takes the job over and runs it again from the start, and only the holder of the current token
may write the result. A job interrupted ``JOB_MAX_ATTEMPTS`` times is failed with a message.

A model is a job by inheriting :class:`LeasedJob` and naming its task and statuses.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import threading
import uuid

from django.apps import apps
from django.conf import settings
from django.db import connections, models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import queue

logger = logging.getLogger(__name__)


class LeasedJob(models.Model):
    """What a job needs to be claimed with a lease. Subclasses set:

    - ``JOB_TASK``: the task's name, called with the job's pk;
    - ``JOB_WAITING``: the status of a job to run (not claimed yet);
    - ``JOB_RUNNING``: the status of a claimed job (the same as ``JOB_WAITING`` when the model has one
      status for both, as an import being applied);
    - ``JOB_FAILED`` and ``JOB_ERROR_FIELD``: where a job given up says why;
    - ``JOB_QUEUED_FIELD``: the date the job was asked for.
    """

    lease_token = models.CharField(max_length=32, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(
        gettext_lazy("bail jusqu'au"), null=True, blank=True, editable=False
    )
    attempts = models.PositiveSmallIntegerField(gettext_lazy("tentatives"), default=0, editable=False)

    JOB_ERROR_FIELD = "error"

    class Meta:
        abstract = True

    @property
    def waiting_for_broker(self) -> bool:
        """The job waits in the outbox for a broker that did not answer (its page says so)."""
        return self.status == self.JOB_WAITING and queue.waiting_for_broker(self.JOB_TASK, self.pk)

    @property
    def lease_expired(self) -> bool:
        """Claimed by a worker that no longer renews its lease (killed, or its machine lost)."""
        return (
            bool(self.lease_token)
            and self.lease_expires_at is not None
            and self.lease_expires_at <= timezone.now()
        )


# A job not claimed this many leases after it was requeued is requeued again.
REQUEUE_EVERY = 5


def lease_duration() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS)


def _claimable(model, now):
    unclaimed = Q(status=model.JOB_WAITING, lease_token="")
    # Running without a lease: claimed by a worker from before leases, as good as expired.
    expired = Q(status=model.JOB_RUNNING) & (Q(lease_expires_at__lte=now) | Q(lease_expires_at__isnull=True))
    return model.objects.filter(unclaimed | expired, attempts__lt=settings.JOB_MAX_ATTEMPTS)


def claim(model, pk, **changes) -> str | None:
    """Claim the job ``pk`` for this task: a job not claimed yet, or whose lease has expired. Returns the
    token, or None when the job is finished or held by a live lease (the message is then a duplicate).
    ``changes`` are written with the claim (``started_at``...)."""
    now = timezone.now()
    token = uuid.uuid4().hex
    claimed = (
        _claimable(model, now)
        .filter(pk=pk)
        .update(
            status=model.JOB_RUNNING,
            lease_token=token,
            lease_expires_at=now + lease_duration(),
            attempts=F("attempts") + 1,
            **changes,
        )
    )
    return token if claimed else None


def holds(model, pk, token: str) -> models.QuerySet:
    """The job, if ``token`` still holds it: every write of the task goes through this."""
    return model.objects.filter(pk=pk, lease_token=token, status=model.JOB_RUNNING)


def renew(model, pk, token: str) -> bool:
    return bool(holds(model, pk, token).update(lease_expires_at=timezone.now() + lease_duration()))


def finish(model, pk, token: str, **fields) -> bool:
    """Write the job's result if ``token`` still holds it (False: another worker took it over, and this
    result is dropped). The lease is released."""
    return bool(holds(model, pk, token).update(lease_token="", lease_expires_at=None, **fields))


def fail(model, pk, token: str, error: str, **fields) -> bool:
    """``finish`` a job as failed now, saying why (in its ``JOB_ERROR_FIELD``)."""
    return finish(
        model,
        pk,
        token,
        status=model.JOB_FAILED,
        finished_at=timezone.now(),
        **{model.JOB_ERROR_FIELD: error},
        **fields,
    )


@contextlib.contextmanager
def heartbeat(model, pk, token: str):
    """Renew the lease every third of its duration while the block runs, from a thread of its own (so
    that a long step without progress keeps its lease; a killed process renews nothing)."""
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(settings.JOB_LEASE_SECONDS / 3):
                renew(model, pk, token)
        except Exception:  # noqa: BLE001 (a missed renewal only shortens the lease)
            logger.exception("Bail du travail %s %s non renouvelé", model.__name__, pk)
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=beat, name=f"lease-{model.__name__}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def job_models() -> list[type[LeasedJob]]:
    return [model for model in apps.get_models() if issubclass(model, LeasedJob)]


def resume(now=None) -> dict[str, int]:
    """Requeue, through the outbox, the jobs whose lease has expired and those not claimed
    JOB_LEASE_SECONDS after they were asked for (their message was lost) unless they wait in the outbox;
    fail the jobs interrupted JOB_MAX_ATTEMPTS times. Idempotent: a duplicate message finds the job
    claimed and returns."""
    now = now or timezone.now()
    counts = {}
    for model in job_models():
        given_up = model.objects.filter(
            status=model.JOB_RUNNING, lease_expires_at__lte=now, attempts__gte=settings.JOB_MAX_ATTEMPTS
        ).exclude(lease_token="")
        failed = given_up.update(
            status=model.JOB_FAILED,
            lease_token="",
            lease_expires_at=None,
            **{
                model.JOB_ERROR_FIELD: _(
                    "Interrompu %(attempts)s fois (le service de traitement s'est arrêté) : abandonné. "
                    "Vous pouvez le relancer."
                )
                % {"attempts": settings.JOB_MAX_ATTEMPTS}
            },
        )
        if failed:
            logger.warning(
                "Travaux %s abandonnés après %s tentatives : %s",
                model.__name__,
                settings.JOB_MAX_ATTEMPTS,
                failed,
            )
        # A job not claimed yet keeps in lease_expires_at the time it may be requeued again, so that
        # a job waiting behind others in the broker's queue is not sent once a minute.
        lost = now - lease_duration()
        due = _claimable(model, now).filter(
            Q(lease_expires_at__lte=now)
            | Q(lease_expires_at__isnull=True, **{f"{model.JOB_QUEUED_FIELD}__lte": lost})
        )
        requeued = [pk for pk in due.values_list("pk", flat=True) if not _in_outbox(model.JOB_TASK, pk)]
        model.objects.filter(pk__in=requeued, lease_token="").update(
            lease_expires_at=now + REQUEUE_EVERY * lease_duration()
        )
        for pk in requeued:
            queue.enqueue(model.JOB_TASK, pk)
        counts[model._meta.label] = len(requeued)
    return counts


def _in_outbox(task_name: str, pk) -> bool:
    """Already waiting to be handed over: queuing it again would only send it twice."""
    return queue.OutboxMessage.objects.filter(task=task_name, args=[pk]).exists()
