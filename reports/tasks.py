from celery import shared_task

from reports import services


@shared_task(acks_late=True, retry_backoff=True, max_retries=3, autoretry_for=(OSError,))
def run_export(export_id: int) -> str:
    """Carry out one queued export (idempotent: an export is claimed once)."""
    return services.run_export(export_id).status


@shared_task(acks_late=True, retry_backoff=True, max_retries=3, autoretry_for=(OSError,))
def purge_exports() -> int:
    """Hourly: expired exports are deleted, stuck ones marked as failed."""
    return services.purge_exports()


@shared_task(acks_late=True, retry_backoff=True, max_retries=3, autoretry_for=(OSError,))
def refresh_dashboard(user_id: int, query: str, day: str, language: str) -> bool:
    """A stale kept dashboard computed again (``reports.dashboard.kept``; idempotent)."""
    return services.refresh_dashboard(user_id, query, day, language)
