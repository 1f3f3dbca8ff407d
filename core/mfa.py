"""The second factor of staff and admins: who needs one, and whether this session has passed it.

allauth records in the session every authentication step of the person logged in (password, code,
``mfa``...). A staff or admin session counts as complete only when one of those steps is ``mfa``.
"""

from __future__ import annotations

import time

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY, get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings

from core.perms import is_staff_or_admin

SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def needs_second_factor(user) -> bool:
    """Staff, admins and whoever reaches the Django admin, when ``MFA_REQUIRED_FOR_STAFF`` is on."""
    return bool(
        settings.MFA_REQUIRED_FOR_STAFF
        and user.is_authenticated
        and (user.is_staff or is_staff_or_admin(user))
    )


def passed_second_factor(request) -> bool:
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


def record_enrolment(sender, request, user, authenticator, **kwargs) -> None:
    """Activating a TOTP takes a valid code from it: the session that did so has shown the factor
    (receiver of allauth's ``authenticator_added``)."""
    if request is None or authenticator.type not in SECOND_FACTORS:
        return
    records = get_authentication_records(request, user)
    if not records:
        return
    enrolment = {"method": "mfa", "at": time.time(), "id": authenticator.pk, "type": authenticator.type}
    request.session[AUTHENTICATION_METHODS_SESSION_KEY] = [*records, {**enrolment, "enrolled": True}]
