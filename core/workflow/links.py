"""Emailed action links: signed, expiring, bound to one person and one document, good for one action.

A company tutor or a legal representative often never logs in: they act on one document from a link
mailed to them. The token in the URL is signed (``django.core.signing``) and carries the id and nonce of
an :class:`~core.models.ActionLink` row, which says for whom, on what, until when, and whether it was
used. A link never logs anyone in and grants nothing but its one action.

Each kind of document that people act on by link is a :class:`LinkKind`, registered under its name; one
view serves them all (``core.workflow.views``), with one set of pages (``templates/links/``).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import ActionLink

SALT = "livret.action-link"
RESEND_INTERVAL = timedelta(minutes=10)


class LinkError(Exception):
    """Why a link cannot be used; ``message`` is for the person who clicked it."""

    MESSAGES = {
        "tampered": _("Ce lien est incomplet ou a été modifié : il ne peut pas être utilisé."),
        "expired": _("Ce lien a expiré."),
        "used": _("Ce lien a déjà servi : l'action a été faite."),
        "foreign": _("Ce lien ne correspond pas à ce document ou à son destinataire actuel."),
    }
    # The HTTP status of the page that says so: gone for good, or never valid.
    STATUS = {"tampered": 400, "foreign": 400, "expired": 410, "used": 410}

    def __init__(self, kind: str, link: ActionLink | None = None):
        super().__init__(kind)
        self.kind = kind
        self.link = link
        self.message = self.MESSAGES[kind]

    @property
    def status(self) -> int:
        return self.STATUS[self.kind]


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


def resolve(
    token: str,
    *,
    document,
    expected_email: str | None,
    action: str | None = None,
    for_update: bool = False,
) -> ActionLink:
    """The link behind ``token`` if it may do ``action`` on ``document`` now, else :class:`LinkError`."""
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
    if action is not None and link.action != action:
        raise LinkError("foreign", link)
    return link


def use(link: ActionLink) -> None:
    """Spend the link: called in the transaction of the action it allowed (the row is locked)."""
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])


def still_readable(link: ActionLink | None) -> bool:
    """Whether a link its holder used still opens the document read-only (and its receipt): for
    ``LIVRET_LINK_VALID_DAYS`` days after the use, so that they can re-read what they signed."""
    return (
        link is not None
        and link.used_at is not None
        and link.used_at + timedelta(days=settings.LIVRET_LINK_VALID_DAYS) > timezone.now()
    )


def genuine_link(document, token: str) -> ActionLink | None:
    """The link behind ``token`` if it was issued for ``document``, whatever its state (expired, used,
    meant for a previous holder); None for a forged or foreign token."""
    try:
        return resolve(token, document=document, expected_email=None)
    except LinkError as error:
        link = error.link
        if error.kind == "tampered" or link is None or not link.is_for(document):
            return None
        return link


def may_resend(document, token: str, *, email: str | None = None) -> bool:
    """Whether a fresh link may be mailed for the holder of ``token`` (to ``email`` when given).

    Only a genuine link to this document qualifies, and not twice within ten minutes (to the same
    address, when given): the resend endpoint can neither be probed nor flood anyone's mailbox.
    """
    link = genuine_link(document, token)
    if link is None:
        return False
    recent = ActionLink.objects.for_document(document).filter(created_at__gt=timezone.now() - RESEND_INTERVAL)
    if email:
        recent = recent.filter(recipient_email=email.lower())
    return not recent.exclude(pk=link.pk).exists()


# Kinds of documents acted on by link --------------------------------------------------------------


class LinkKind:
    """One kind of document people act on from an emailed link, and what its pages say.

    Subclasses name the action, the URLs and the texts, and say how to find the document, who holds a
    link to it, whether it still waits for them, what the page shows and does, and how to send a new
    link. The view (``core.workflow.views``) does the rest, the same for every kind.
    """

    name: str  # the registry key: "sheet"
    action: str  # ActionLink.Action
    url_name: str  # the page of the link: reversed with (document pk, token)
    resend_url_name: str
    template: str  # the document and the form, inside ``links/action.html``
    title: str  # of the action page
    resend_offer: str  # on the page of an unusable link, when a new one may be sent
    resent: str  # after a new link was asked for
    done_title: str
    done_heading: str
    # Once used, the link shows the document read-only and a receipt of what its holder signed.
    signature_act: str  # core.models.Signature.Act of the holder's signature
    read_template: str  # the document, read-only, inside ``links/used.html``
    receipt_url_name: str  # reversed with (document pk, token)
    used_title: str

    def queryset(self):
        """The documents, with what the pages and the rules read."""
        raise NotImplementedError

    def resolve(self, document, token: str, *, for_update: bool = False):
        """``(link, person)`` for a token that may act on ``document`` now, else :class:`LinkError`."""
        raise NotImplementedError

    def is_waiting(self, document, person) -> bool:
        """Whether the document still waits for this person's action (else the link is "used")."""
        raise NotImplementedError

    def can_resend(self, document, error: LinkError) -> bool:
        """Whether the page of an unusable link offers to send a new one."""
        raise NotImplementedError

    def context(self, document, person) -> dict:
        """What ``template`` reads, besides the document and the person."""
        return {}

    def act(self, request, document, token: str, person):
        """Handle the page (GET: show it; POST: do the action). Returns a response: the action page
        again, ``views.done(...)`` or ``views.invalid(...)``."""
        raise NotImplementedError

    def done_text(self, document) -> str:
        raise NotImplementedError

    def read_context(self, document, link: ActionLink) -> dict:
        """What ``read_template`` reads, for the holder of ``link`` (already used)."""
        return {}

    def contact(self, document):
        """Who to contact about the document: the apprentice's school tutor (``name``, ``email``), or
        None when the contract has none."""
        tutor = document.contract.school_tutor
        return tutor.user if tutor is not None else None

    def receipt_pdf(self, document, signature) -> bytes:
        """The PDF receipt of ``signature`` on ``document``."""
        raise NotImplementedError

    def resend(self, document, token: str) -> None:
        """Mail a fresh link to the person on file, if the holder of ``token`` may have one."""
        raise NotImplementedError

    def url(self, document, token: str) -> str:
        """The absolute address mailed to the person."""
        return settings.SITE_URL + reverse(self.url_name, args=[document.pk, token])

    def resend_url(self, document, token: str) -> str:
        return reverse(self.resend_url_name, args=[document.pk, token])

    def receipt_url(self, document, token: str) -> str:
        return reverse(self.receipt_url_name, args=[document.pk, token])


KINDS: dict[str, LinkKind] = {}


def register(kind: LinkKind) -> LinkKind:
    if kind.name in KINDS:
        raise ValueError(f"A link kind named {kind.name!r} is already registered.")
    KINDS[kind.name] = kind
    return kind
