"""Who imports and exports the fichier d'effectifs: the CFA staff and admins of the organisation."""

from core.perms import is_organisation_staff, is_staff_or_admin


def can_import(user) -> bool:
    return bool(is_staff_or_admin(user) and user.organisation_id)


def can_import_for(user, organisation_id) -> bool:
    return is_organisation_staff(user, organisation_id)


def can_see_report(user, report) -> bool:
    return is_organisation_staff(user, report.organisation_id)
