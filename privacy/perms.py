"""Who may download an apprentice's personal data, and who may erase expired data."""

from core.models import Role
from core.perms import is_organisation_staff, is_staff_or_admin


def is_the_apprentice(user, apprentice) -> bool:
    return bool(
        user.is_authenticated
        and Role.APPRENTICE in user.roles
        and apprentice.user_id is not None
        and apprentice.user_id == user.pk
    )


def can_export_personal_data(user, apprentice) -> bool:
    """The apprentice themself, and the CFA's team of their organisation: nobody else (their tutors
    and heads of diploma see the booklet, not the whole personal record)."""
    return is_the_apprentice(user, apprentice) or is_organisation_staff(user, apprentice.organisation_id)


def has_personal_data(user) -> bool:
    """An apprentice with a record on the platform: their account pages offer their data."""
    return bool(user.is_authenticated and Role.APPRENTICE in user.roles)


def can_erase_expired(user) -> bool:
    """The CFA's team: erases the expired data of its own organisation."""
    return is_staff_or_admin(user)
