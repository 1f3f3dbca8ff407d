import datetime

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.mail import send_templated
from livret import links, services
from livret.models import ActionLink, LiaisonSheet


@shared_task(acks_late=True, retry_backoff=True, max_retries=3, autoretry_for=(OSError,))
def open_due_sheets(today_iso: str | None = None) -> int:
    """Open the liaison sheets of the company periods about to end. Idempotent."""
    today = datetime.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    return services.open_due_sheets(today=today)


@shared_task(acks_late=True, retry_backoff=True, max_retries=5, autoretry_for=(OSError,))
def send_countersign_request(sheet_id: int) -> bool:
    """Mail the company tutor a link to countersign the submitted sheet.

    Sending twice only mails a second valid link for the same single action: harmless.
    """
    sheet = (
        LiaisonSheet.objects.filter(pk=sheet_id, status=LiaisonSheet.Status.SUBMITTED, is_current=True)
        .select_related("contract__apprentice", "contract__company_tutor", "period")
        .first()
    )
    if sheet is None or sheet.contract.company_tutor is None:
        return False
    tutor = sheet.contract.company_tutor
    _link, token = links.issue(
        document=sheet, action=ActionLink.Action.COUNTERSIGN, email=tutor.email, name=str(tutor)
    )
    context = {
        "sheet": sheet,
        "tutor": tutor,
        "apprentice": sheet.contract.apprentice,
        "url": settings.SITE_URL + reverse("livret:sheet_link", args=[sheet.pk, token]),
        "days": settings.LIVRET_LINK_VALID_DAYS,
        "platform_name": settings.PLATFORM_NAME,
    }
    send_templated(
        subject=f"{settings.PLATFORM_NAME} : fiche de liaison de {sheet.contract.apprentice} à contresigner",
        template="livret/email/countersign_request",
        context=context,
        to=[tutor.email],
    )
    return True
