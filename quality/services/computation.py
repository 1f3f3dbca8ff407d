"""Computing the indicators: in memory, stored by upsert, and the runs that staff ask for (queued,
claimed once by a worker, with their progress)."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apprentices.models import Diploma
from core import jobs
from core.models import AcademicYear
from core.queue import enqueue
from core.workflow import Refusal
from quality import perms
from quality.indicators import INDICATORS
from quality.models import ComputationRun, IndicatorValue, year_as_of
from quality.services.checks import ensure_open

logger = logging.getLogger(__name__)


def compute_figures(
    diploma_ids, year: AcademicYear, as_of: datetime.date, progress=None
) -> list[IndicatorValue]:
    """Every indicator of ``diploma_ids`` for ``year``, in memory: nothing is written here."""
    now = timezone.now()
    rows = []
    for index, (code, indicator) in enumerate(INDICATORS.items(), start=1):
        for diploma_id, figure in indicator.compute(diploma_ids, year, as_of).items():
            rows.append(
                IndicatorValue(
                    diploma_id=diploma_id,
                    academic_year=year,
                    indicator=code,
                    numerator=figure.numerator,
                    denominator=figure.denominator,
                    value=figure.value,
                    computed_at=now,
                    as_of=as_of,
                )
            )
        if progress:
            progress(index, len(INDICATORS))
    return rows


def store_figures(rows: list[IndicatorValue]) -> int:
    """Upsert keyed by (diploma, year, indicator), in one transaction: a second run rewrites the same
    rows, and a failure leaves every previous value in place."""
    with transaction.atomic():
        IndicatorValue.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["diploma", "academic_year", "indicator"],
            update_fields=["numerator", "denominator", "value", "computed_at", "as_of"],
            batch_size=1000,
        )
    return len(rows)


def compute_indicators(*, year: AcademicYear, diplomas=None, today=None, progress=None) -> int:
    """Compute and store the indicators of ``diplomas`` (default: every diploma) for ``year``."""
    diplomas = Diploma.objects.all() if diplomas is None else diplomas
    ids = (
        list(diplomas.values_list("pk", flat=True))
        if hasattr(diplomas, "values_list")
        else [d.pk for d in diplomas]
    )
    if not ids:
        return 0
    return store_figures(compute_figures(ids, year, year_as_of(year, today), progress=progress))


def stale_after() -> datetime.timedelta:
    """A run still marked active this long after it was asked for died with its worker."""
    return datetime.timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)


def request_computation(*, organisation_id: int, year: AcademicYear, by=None, diploma=None) -> ComputationRun:
    """Queue a recomputation of the organisation's indicators for ``year``. Refused while another one
    is queued or running (a database constraint holds it, whatever the number of clicks). ``by`` None
    is the platform itself (a command, a task)."""
    if by is not None and not perms.can_recompute(by, organisation_id):
        raise PermissionDenied(_("Vous ne pouvez pas recalculer les indicateurs de cet établissement."))
    ensure_open(organisation_id, year)
    now = timezone.now()
    # A run whose worker died (its lease expired) or that never started is not running any more.
    dead = Q(status=ComputationRun.Status.RUNNING) & (
        Q(lease_expires_at__lte=now) | Q(lease_expires_at__isnull=True)
    )
    ComputationRun.objects.filter(
        organisation_id=organisation_id, academic_year=year, status__in=ComputationRun.ACTIVE
    ).filter(dead | Q(requested_at__lt=now - stale_after())).update(
        status=ComputationRun.Status.FAILED,
        lease_token="",
        lease_expires_at=None,
        error=_("Interrompu (le calcul ne répondait plus)."),
    )
    try:
        with transaction.atomic():
            run = ComputationRun.objects.create(
                organisation_id=organisation_id,
                academic_year=year,
                diploma=diploma,
                requested_by=by,
                total=len(INDICATORS),
            )
    except IntegrityError:
        active = ComputationRun.objects.filter(
            organisation_id=organisation_id, academic_year=year, status__in=ComputationRun.ACTIVE
        ).first()
        raise Refusal(
            _(
                "Un calcul des indicateurs %(year)s est déjà en cours (%(done)s/%(total)s) : "
                "attendez qu'il se termine."
            )
            % {"year": year, "done": active.done if active else 0, "total": len(INDICATORS)}
        ) from None
    enqueue("quality.tasks.run_computation", run.pk)
    return run


def run_computation(run_id: int) -> ComputationRun:
    """Carry out a queued run, reporting its progress. Idempotent: the run is claimed with a lease
    (core.jobs); a message for a run held by a live lease, or finished, does nothing, and one whose
    lease expired takes it over (the values are upserted: the same rows again). On failure the previous
    values stay and the run says what went wrong."""
    token = jobs.claim(ComputationRun, run_id, started_at=timezone.now(), done=0)
    run = ComputationRun.objects.select_related("academic_year").get(pk=run_id)
    if token is None:
        return run

    def progress(done, total):
        jobs.holds(ComputationRun, run_id, token).update(done=done, total=total)

    diplomas = Diploma.objects.filter(organisation_id=run.organisation_id)
    if run.diploma_id:
        diplomas = diplomas.filter(pk=run.diploma_id)
    with jobs.heartbeat(ComputationRun, run_id, token):
        try:
            rows = compute_indicators(year=run.academic_year, diplomas=diplomas, progress=progress)
        except Exception as error:
            logger.exception("Calcul des indicateurs %s en échec", run_id)
            jobs.fail(
                ComputationRun,
                run_id,
                token,
                _("Le calcul a échoué (%(error)s) : les valeurs précédentes sont conservées.")
                % {"error": type(error).__name__},
            )
        else:
            jobs.finish(
                ComputationRun,
                run_id,
                token,
                status=ComputationRun.Status.DONE,
                finished_at=timezone.now(),
                rows=rows,
                done=len(INDICATORS),
            )
    run.refresh_from_db()
    return run
