"""Emailed action links: signed, expiring, bound to one person and one document, good for one action."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from livret.models import ActionLink

SALT = "livret.action-link"


class LinkError(Exception):
    """Why a link cannot be used; ``message`` is for the person who clicked it."""

    MESSAGES = {
        "tampered": _("Ce lien est incomplet ou a été modifié : il ne peut pas être utilisé."),
        "expired": _("Ce lien a expiré."),
        "used": _("Ce lien a déjà servi : l'action a été faite."),
        "foreign": _("Ce lien ne correspond pas à ce document ou à son destinataire actuel."),
    }

    def __init__(self, kind: str, link: ActionLink | None = None):
        super().__init__(kind)
        self.kind = kind
        self.link = link
        self.message = self.MESSAGES[kind]


def issue(*, document, action: str, email: str, name: str, days: int | None = None) -> tuple[ActionLink, str]:
    days = days if days is not None else settings.LIVRET_LINK_VALID_DAYS
    link = ActionLink.objects.create(
        document_type=ContentType.objects.get_for_model(type(document)),
        document_id=document.pk,
        action=action,
        recipient_email=email.lower(),
        recipient_name=name,
        nonce=secrets.token_hex(16),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return link, signing.dumps({"l": link.pk, "n": link.nonce}, salt=SALT, compress=True)


def resolve(token: str, *, document, expected_email: str | None, for_update: bool = False) -> ActionLink:
    """The link behind ``token`` if it may act on ``document`` now, else :class:`LinkError`."""
    try:
        payload = signing.loads(token, salt=SALT)
        link_id, nonce = int(payload["l"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkError("tampered") from None
    queryset = ActionLink.objects.select_for_update() if for_update else ActionLink.objects
    link = queryset.filter(pk=link_id).first()
    if link is None or not secrets.compare_digest(link.nonce, nonce):
        raise LinkError("tampered")
    if not link.is_for(document) or not expected_email or link.recipient_email != expected_email.lower():
        raise LinkError("foreign", link)
    if link.used_at is not None:
        raise LinkError("used", link)
    if link.expires_at <= timezone.now():
        raise LinkError("expired", link)
    return link


RESEND_INTERVAL = timedelta(minutes=10)


def may_resend(document, token: str, *, expected_email: str | None) -> bool:
    """Whether a fresh link may be mailed (to the person now on file) for the holder of ``token``.

    Only a genuine link to this document qualifies, even expired, used or meant for a previous
    holder, and not twice within ten minutes: the resend endpoint can neither be probed nor flood
    anyone's mailbox.
    """
    try:
        link = resolve(token, document=document, expected_email=expected_email)
    except LinkError as error:
        link = error.link
        if error.kind == "tampered" or link is None or not link.is_for(document):
            return False
    recent = (
        ActionLink.objects.for_document(document)
        .filter(created_at__gt=timezone.now() - RESEND_INTERVAL)
        .exclude(pk=link.pk)
    )
    return not recent.exists()
