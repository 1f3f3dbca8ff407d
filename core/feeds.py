"""Private calendar addresses (« Mon agenda »): a random token in the URL is the only key, and the
database keeps its SHA-256 alone, so a leaked database row opens no one's calendar. One address per
person: a new one replaces the old, revoking deletes it, and the feed then answers a 404."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from core import audit
from core.models import CalendarFeed, User


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(user) -> str:
    """A new private address for ``user`` (the old one stops working); returns its token, shown once."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user).delete()
        feed = CalendarFeed.objects.create(user=user, token_sha256=_digest(token))
        audit.record("core.calendarfeed.created", feed, actor=user)
    return token


def revoke(user) -> bool:
    """Delete ``user``'s address; False when they had none."""
    with transaction.atomic():
        feed = CalendarFeed.objects.filter(user=user).first()
        if feed is None:
            return False
        audit.record("core.calendarfeed.revoked", feed, actor=user)
        feed.delete()
    return True


def user_for(token: str) -> User | None:
    """The active person whose address carries ``token``, else None."""
    if not token or len(token) > 100:
        return None
    feed = (
        CalendarFeed.objects.filter(token_sha256=_digest(token), user__is_active=True)
        .select_related("user")
        .first()
    )
    return feed.user if feed is not None else None
