from core.perms import is_organisation_staff, is_staff_or_admin


def can_create_employer(user) -> bool:
    return is_staff_or_admin(user) and user.organisation_id is not None


def can_edit_employer(user, employer) -> bool:
    return is_organisation_staff(user, employer.organisation_id)
