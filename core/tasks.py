from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.urls import reverse
from django.utils.http import int_to_base36

from core import jobs, queue, submissions
from core.mail import send_templated
from core.models import User
from core.tokens import invitation_token


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation(user_id: int) -> bool:
    """Mail the invitation link. Sending twice only sends a second valid link: harmless."""
    user = User.objects.filter(pk=user_id, is_active=True).select_related("organisation").first()
    if user is None or user.has_usable_password():
        return False
    path = reverse("accept_invitation", args=[int_to_base36(user.pk), invitation_token.make_token(user)])
    context = {
        "user": user,
        "url": f"{settings.SITE_URL}{path}",
        "days": settings.INVITATION_VALID_DAYS,
        "platform_name": settings.PLATFORM_NAME,
    }
    send_templated(
        subject=f"{settings.PLATFORM_NAME} : votre invitation",
        template="core/email/invitation",
        context=context,
        to=[user.email],
    )
    return True


@shared_task(acks_late=True)
def hand_over_outbox() -> int:
    """Every 30 s: hand to the broker the work that waits in the outbox (a broker was unreachable)."""
    return queue.hand_over()


@worker_ready.connect
def hand_over_at_start(**kwargs) -> None:
    """A worker that starts hands over what waits: the broker answers, since it is connected."""
    queue.hand_over()


@shared_task(acks_late=True)
def resume_jobs() -> dict:
    """Every minute: requeue the jobs whose worker died (lease expired) or whose message was lost."""
    return jobs.resume()


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def purge_form_submissions() -> int:
    """Hourly: the one-time tokens of create forms past their retention are deleted."""
    return submissions.purge()
