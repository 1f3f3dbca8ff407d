"""The personal link of a former apprentice's digest: ``/emplois/anciens/<apprentice>/<token>/``.

The token is signed (``django.core.signing``, as the surveys' links) and carries the apprentice's id and
the nonce of their :class:`~jobs.models.AlumniLink`. It logs no one in and grants one thing: reading the
offers of the apprentice's diplomas, and opting out of (or back into) the weekly digest. It lasts
``LINK_MAX_AGE_DAYS``: every digest brings a fresh one. It says why it cannot be used, with the booklet's
words: altered (400) or expired (410).
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core import signing
from django.urls import reverse

from core.workflow.links import LinkError
from jobs.models import AlumniLink

SALT = "jobs.alumni"
LINK_MAX_AGE_DAYS = 120


def new_nonce() -> str:
    return secrets.token_hex(16)


def alumni_link(apprentice_id: int) -> AlumniLink:
    """The former apprentice's link row, created on first need."""
    link, _created = AlumniLink.objects.get_or_create(
        apprentice_id=apprentice_id, defaults={"nonce": new_nonce()}
    )
    return link


def token_for(link: AlumniLink) -> str:
    return signing.dumps({"a": link.apprentice_id, "n": link.nonce}, salt=SALT, compress=True)


def url_for(link: AlumniLink) -> str:
    return settings.SITE_URL + reverse("jobs:alumni_offers", args=[link.apprentice_id, token_for(link)])


def resolve(pk: int, token: str) -> AlumniLink:
    """The alumni link behind ``token``, else :class:`LinkError`."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=datetime.timedelta(days=LINK_MAX_AGE_DAYS))
        apprentice_id, nonce = int(payload["a"]), str(payload["n"])
    except signing.SignatureExpired:
        raise LinkError("expired") from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkError("tampered") from None
    if apprentice_id != pk:
        raise LinkError("tampered")
    link = AlumniLink.objects.select_related("apprentice__organisation").filter(apprentice_id=pk).first()
    if link is None or not secrets.compare_digest(link.nonce, nonce):
        raise LinkError("tampered")
    if not deliverable(link.apprentice.email):
        # An apprentice anonymised since (their address cannot receive mail): the link names no one now.
        raise LinkError("tampered")
    return link


def deliverable(email: str) -> bool:
    """An address a digest may be sent to: not empty, and not in a reserved domain (``.invalid``, the
    pseudonyms of anonymised people)."""
    email = (email or "").strip().lower()
    return bool(email) and "@" in email and not email.endswith(".invalid")
