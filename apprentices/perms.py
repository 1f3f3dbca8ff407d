"""Rules on apprentices, contracts and diplomas: predicates on a user and an object."""

from core.models import Role
from core.perms import FOLLOW_UP_ROLES, is_organisation_staff, is_staff_or_admin


def can_manage_apprentices(user) -> bool:
    return is_staff_or_admin(user) and user.organisation_id is not None


def can_edit_apprentice(user, apprentice) -> bool:
    return is_organisation_staff(user, apprentice.organisation_id)


def can_edit_contract(user, contract) -> bool:
    return is_organisation_staff(user, contract.diploma.organisation_id)


# Those who browse lists of apprentices, contracts, employers and tutors: everyone but a person who is
# only an apprentice.
LIST_ROLES = frozenset({Role.COMPANY_TUTOR, *FOLLOW_UP_ROLES})


def can_list_people(user) -> bool:
    return bool(user.is_authenticated and (user.roles & LIST_ROLES or user.is_superuser))
