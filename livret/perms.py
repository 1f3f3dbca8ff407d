"""Who may do what on a liaison sheet: predicates on a user and a sheet."""

from core.models import Role
from core.perms import is_organisation_staff
from livret.models import LiaisonSheet

S = LiaisonSheet.Status


def _is_apprentice(user, sheet) -> bool:
    return Role.APPRENTICE in user.roles and sheet.contract.apprentice.user_id == user.pk


def _is_company_tutor(user, sheet) -> bool:
    tutor = sheet.contract.company_tutor
    return Role.COMPANY_TUTOR in user.roles and tutor is not None and tutor.user_id == user.pk


def _is_school_tutor(user, sheet) -> bool:
    tutor = sheet.contract.school_tutor
    return Role.SCHOOL_TUTOR in user.roles and tutor is not None and tutor.user_id == user.pk


def can_fill(user, sheet) -> bool:
    return sheet.is_current and sheet.status in {S.DRAFT, S.RETURNED} and _is_apprentice(user, sheet)


def can_countersign(user, sheet) -> bool:
    return sheet.is_current and sheet.status == S.SUBMITTED and _is_company_tutor(user, sheet)


def can_return(user, sheet) -> bool:
    return (
        sheet.is_current
        and sheet.status == S.SUBMITTED
        and (_is_company_tutor(user, sheet) or _is_school_tutor(user, sheet))
    )


def can_review(user, sheet) -> bool:
    return sheet.is_current and sheet.status == S.COUNTERSIGNED and _is_school_tutor(user, sheet)


def can_correct(user, sheet) -> bool:
    """A signed sheet is never edited: a correction opens a new version, by the apprentice or staff."""
    return (
        sheet.is_current
        and sheet.status in {S.COUNTERSIGNED, S.REVIEWED}
        and (
            _is_apprentice(user, sheet) or is_organisation_staff(user, sheet.contract.diploma.organisation_id)
        )
    )


def can_see_audit(user, sheet) -> bool:
    return is_organisation_staff(user, sheet.contract.diploma.organisation_id)
