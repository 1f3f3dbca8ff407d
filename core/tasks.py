from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils.http import int_to_base36

from core import submissions
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


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def purge_form_submissions() -> int:
    """Hourly: the one-time tokens of create forms past their retention are deleted."""
    return submissions.purge()
