"""The quality app's Celery tasks: each takes ids, calls one service and is idempotent."""

import datetime

from celery import shared_task
from django.utils import timezone

from apprentices.models import Diploma
from core.models import AcademicYear
from quality.models import Campaign
from quality.services import computation


@shared_task(acks_late=True, retry_backoff=True, max_retries=3, autoretry_for=(OSError,))
def run_computation(run_id: int) -> dict:
    """Carry out one queued recomputation of the indicators (idempotent: a run is claimed once)."""
    run = computation.run_computation(run_id)
    return {"status": run.status, "rows": run.rows}


@shared_task(acks_late=True, retry_backoff=True, max_retries=3, autoretry_for=(OSError,))
def compute_all_indicators(today_iso: str | None = None) -> int:
    """Nightly: recompute the indicators of the running academic year, and of the previous one until its
    campaign is closed, for every organisation. Idempotent (upsert)."""
    today = datetime.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    years = [
        year
        for year in (
            AcademicYear.objects.current(today),
            AcademicYear.objects.filter(end_date__lt=today).order_by("-end_date").first(),
        )
        if year is not None
    ]
    rows = 0
    for year in dict.fromkeys(years):
        closed = Campaign.objects.filter(academic_year=year).values("organisation")
        diplomas = Diploma.objects.exclude(organisation__in=closed)
        rows += computation.compute_indicators(year=year, diplomas=diplomas, today=today)
    return rows
