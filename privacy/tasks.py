from celery import shared_task
from django.utils import timezone

from privacy import services


@shared_task(acks_late=True, retry_backoff=True, max_retries=3, autoretry_for=(OSError,))
def erase_expired_personal_data() -> int:
    """Nightly: anonymise the apprentices whose contracts all ended more than RETENTION_YEARS ago
    (idempotent: each one is erased once)."""
    return services.erase_expired(timezone.localdate()).apprentices
