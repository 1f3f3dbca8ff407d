"""Writes on people: invitations, roles and their own contact details."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.db import transaction

from core import audit
from core.models import Role, User, UserRole
from core.perms import is_admin, is_staff_or_admin
from core.queue import enqueue
from core.signals import contact_details_changed


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


CONTACT_FIELDS = ("first_name", "last_name", "phone")


def update_contact_details(*, user: User, by: User, **values: str) -> dict:
    """The person corrects their own name and phone (« Mon compte »): the account is saved, audited, and
    the records that keep a copy (``core.signals.contact_details_changed``) follow in the same
    transaction; all or nothing. Returns the changes ({field: (old, new)}), empty when nothing changed."""
    if by.pk != user.pk:
        raise PermissionDenied("Chacun corrige ses propres coordonnées.")
    unknown = set(values) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"champs inconnus : {sorted(unknown)}")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        changes = {
            name: (getattr(user, name), value)
            for name, value in values.items()
            if getattr(user, name) != value
        }
        if not changes:
            return {}
        for name, (_old, new) in changes.items():
            setattr(user, name, new)
        user.save(update_fields=list(changes))
        audit.record(
            "core.user.contact_details_changed",
            user,
            {"changes": {name: list(pair) for name, pair in changes.items()}},
            actor=by,
        )
        contact_details_changed.send(sender=User, user=user, changes=changes)
    return changes
