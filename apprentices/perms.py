"""Rules on apprentices, contracts and diplomas: predicates on a user and an object."""

from core.perms import is_organisation_staff, is_staff_or_admin


def can_manage_apprentices(user) -> bool:
    return is_staff_or_admin(user) and user.organisation_id is not None


def can_edit_apprentice(user, apprentice) -> bool:
    return is_organisation_staff(user, apprentice.organisation_id)


def can_edit_contract(user, contract) -> bool:
    return is_organisation_staff(user, contract.diploma.organisation_id)
