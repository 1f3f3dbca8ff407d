"""The personal link of an invitation: ``/enquetes/repondre/<invitation>/<token>/``.

The token is signed (``django.core.signing``, as the booklet's action links of ``core.workflow.links``)
and carries the invitation's id and nonce. It logs no one in and grants one thing: answering this
campaign once. The same link is mailed in the invitation and in every reminder. It says why it cannot
be used, with the booklet's words: altered (400), already used or past the campaign's close (410).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from core.workflow.links import LinkError
from surveys.models import Campaign, Invitation

SALT = "surveys.invitation"


def new_nonce() -> str:
    return secrets.token_hex(16)


def token_for(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=SALT, compress=True)


def url_for(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("surveys:answer", args=[invitation.pk, token_for(invitation)])


def is_closed(campaign: Campaign, today=None) -> bool:
    today = today or timezone.localdate()
    return campaign.status != Campaign.Status.OPEN or campaign.closes_on < today


def resolve(pk: int, token: str, *, for_update: bool = False) -> Invitation:
    """The invitation behind ``token`` if it may still answer, else :class:`LinkError`."""
    try:
        payload = signing.loads(token, salt=SALT)
        invitation_id, nonce = int(payload["i"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkError("tampered") from None
    if invitation_id != pk:
        raise LinkError("tampered")
    queryset = Invitation.objects.select_related("campaign__questionnaire", "campaign__organisation")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(pk=pk).first()
    if invitation is None or not secrets.compare_digest(invitation.nonce, nonce):
        raise LinkError("tampered")
    if invitation.answered_at is not None:
        raise LinkError("used")
    if is_closed(invitation.campaign):
        raise LinkError("expired")
    return invitation
