"""Writes on people: invitations and roles."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.db import transaction

from core import audit
from core.models import Role, User, UserRole
from core.perms import is_admin, is_staff_or_admin
from core.queue import enqueue


def invite_user(*, email: str, first_name: str, last_name: str, roles: list[str], by: User) -> User:
    """Create an account without a usable password and mail an invitation that sets one."""
    if not is_staff_or_admin(by):
        raise PermissionDenied("Seule l'équipe du CFA peut inviter des personnes.")
    if Role.ADMIN in roles and not is_admin(by):
        raise PermissionDenied("Seul un administrateur peut nommer un administrateur.")
    with transaction.atomic():
        user = User.objects.create_user(
            email=email,
            password=None,
            first_name=first_name,
            last_name=last_name,
            organisation=by.organisation,
            is_staff=bool({Role.STAFF, Role.ADMIN} & set(roles)),
        )
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
        for role in roles:
            UserRole.objects.create(user=user, role=role)
        audit.record("core.user.invited", user, {"roles": sorted(roles)}, actor=by)
        enqueue("core.tasks.send_invitation", user.pk)
    return user


def accept_invitation(*, user: User, password: str) -> None:
    """Setting the password from the mailed link proves the address: it is verified at once."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True, primary=True)
        audit.record("core.user.invitation_accepted", user, actor=user)
