"""The mails of the surveys: the invitation with its personal link, and the reminders. The tasks in
``surveys.tasks`` call these; services only queue the tasks on commit."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.mail import send_templated
from surveys import links
from surveys.models import Campaign, Invitation


def _send(invitation: Invitation, *, reminder: bool) -> None:
    campaign = invitation.campaign
    text = _("rappel : %(title)s") if reminder else _("%(title)s, votre avis compte")
    send_templated(
        subject=_("%(platform)s : %(text)s")
        % {"platform": settings.PLATFORM_NAME, "text": text % {"title": campaign.questionnaire.title}},
        template="surveys/email/invitation",
        context={
            "platform_name": settings.PLATFORM_NAME,
            "invitation": invitation,
            "campaign": campaign,
            "url": links.url_for(invitation),
            "reminder": reminder,
        },
        to=[invitation.email],
    )


def _open(campaign_ids=None):
    today = timezone.localdate()
    campaigns = Campaign.objects.filter(status=Campaign.Status.OPEN, closes_on__gte=today)
    if campaign_ids is not None:
        campaigns = campaigns.filter(pk__in=campaign_ids)
    return campaigns


def send_invitations(campaign_id: int) -> int:
    """Mail their link to the people of the campaign not mailed yet. Each is marked once mailed."""
    sent = 0
    waiting = Invitation.objects.filter(
        campaign__in=_open([campaign_id]), sent_at__isnull=True, answered_at__isnull=True
    ).select_related("campaign__questionnaire")
    for invitation in waiting.iterator():
        _send(invitation, reminder=False)
        Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
        sent += 1
    return sent


def send_reminders(*, today: datetime.date) -> int:
    """Remind, on each day of ``SURVEY_REMINDER_DAYS`` after the invitation, whoever has not answered
    an open campaign. A reminder is counted before the next: running twice a day mails once."""
    days = sorted(settings.SURVEY_REMINDER_DAYS)
    sent = 0
    waiting = Invitation.objects.filter(
        campaign__in=_open(), sent_at__isnull=False, answered_at__isnull=True, reminders_sent__lt=len(days)
    ).select_related("campaign__questionnaire")
    for invitation in waiting.iterator():
        due = timezone.localdate(invitation.sent_at) + datetime.timedelta(
            days=days[invitation.reminders_sent]
        )
        if due > today:
            continue
        with transaction.atomic():
            locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if locked.answered_at is not None or locked.reminders_sent != invitation.reminders_sent:
                continue
            locked.reminders_sent += 1
            locked.last_reminded_at = timezone.now()
            locked.save(update_fields=["reminders_sent", "last_reminded_at"])
        _send(invitation, reminder=True)
        sent += 1
    return sent
