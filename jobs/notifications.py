"""The weekly digest mail: the new offers for the former apprentice's diplomas, with their personal link
to the offers page and the way to opt out. ``jobs.tasks.send_digest`` calls it."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.mail import send_templated
from jobs import links
from jobs.models import Digest


def send_digest(digest_id: int) -> bool:
    """Mail one digest, once: a digest already mailed, or whose person opted out or lost their address
    since it was written, is not mailed (the latter marked as such, with no date)."""
    with transaction.atomic():
        digest = (
            Digest.objects.select_for_update(of=("self",))
            .select_related("apprentice__organisation")
            .filter(pk=digest_id, sent_at__isnull=True)
            .first()
        )
        if digest is None:
            return False
        apprentice = digest.apprentice
        link = links.alumni_link(apprentice.pk)
        if link.unsubscribed_at is not None or not links.deliverable(apprentice.email):
            digest.delete()
            return False
        offers = list(digest.offers.select_related("employer").order_by("closes_on", "pk"))
        count = len(offers)
        send_templated(
            subject=_("%(platform)s : %(text)s")
            % {
                "platform": settings.PLATFORM_NAME,
                "text": ngettext(
                    "%(n)s nouvelle offre d'emploi pour les anciens apprentis",
                    "%(n)s nouvelles offres d'emploi pour les anciens apprentis",
                    count,
                )
                % {"n": count},
            },
            template="jobs/email/digest",
            context={
                "platform_name": settings.PLATFORM_NAME,
                "apprentice": apprentice,
                "organisation": apprentice.organisation,
                "offers": offers,
                "url": links.url_for(link),
            },
            to=[apprentice.email],
        )
        digest.sent_at = timezone.now()
        digest.save(update_fields=["sent_at"])
    return True
