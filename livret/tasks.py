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


@shared_task(acks_late=True, retry_backoff=True, max_retries=3, autoretry_for=(OSError,))
def send_daily_digests(today_iso: str | None = None) -> dict:
    """Record the reminders due today, then mail each person one digest. Idempotent."""
    from livret import reminders

    today = datetime.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    recorded = reminders.record_reminders(today=today)
    return {"reminders": recorded, "mails": reminders.send_digests(today=today)}


@shared_task(acks_late=True, retry_backoff=True, max_retries=5, autoretry_for=(OSError,))
def send_evaluation_request(evaluation_id: int) -> bool:
    """Mail the company tutor a link to fill the evaluation grid of a period (grille d'évaluation).

    Sending twice only mails a second valid link for the same single action: harmless.
    """
    from livret.models import Evaluation

    evaluation = (
        Evaluation.objects.filter(pk=evaluation_id, tutor_submitted_at__isnull=True)
        .select_related("contract__apprentice", "contract__company_tutor", "period")
        .first()
    )
    if evaluation is None or evaluation.contract.company_tutor is None:
        return False
    tutor = evaluation.contract.company_tutor
    _link, token = links.issue(
        document=evaluation, action=ActionLink.Action.EVALUATE, email=tutor.email, name=str(tutor)
    )
    send_templated(
        subject=f"{settings.PLATFORM_NAME} : évaluer les compétences de {evaluation.contract.apprentice}",
        template="livret/email/evaluation_request",
        context={
            "evaluation": evaluation,
            "tutor": tutor,
            "apprentice": evaluation.contract.apprentice,
            "url": settings.SITE_URL + reverse("livret:evaluation_link", args=[evaluation.pk, token]),
            "days": settings.LIVRET_LINK_VALID_DAYS,
            "platform_name": settings.PLATFORM_NAME,
        },
        to=[tutor.email],
    )
    return True


@shared_task(acks_late=True, retry_backoff=True, max_retries=5, autoretry_for=(OSError,))
def send_visit_acknowledge_requests(visit_id: int, email: str | None = None) -> int:
    """Mail the company tutor (and each legal representative of a minor) a link to acknowledge the
    visit report, skipping who already did; only ``email`` when given. Sending twice only mails a
    second valid link for the same single action: harmless."""
    from livret.services.visits import mail_acknowledge_requests

    return mail_acknowledge_requests(visit_id, email=email)
