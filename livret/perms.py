"""Who may do what on the booklet's documents: predicates on a user and a document (or contract).

They read only the document's contract and its people, which every page fetches with the document
(``select_related``), so a predicate costs no query but the user's roles (cached on the user).
"""

from core.models import Role
from core.perms import FOLLOW_UP_ROLES, is_organisation_staff
from livret.models import LiaisonSheet, MissionDescription, VisitReport
from livret.readers import Reader, has_acknowledged, readers

SheetStatus = LiaisonSheet.Status
VisitStatus = VisitReport.Status
MissionStatus = MissionDescription.Status


# The people of a contract ---------------------------------------------------------------------------


def is_apprentice_of(user, contract) -> bool:
    return Role.APPRENTICE in user.roles and contract.apprentice.user_id == user.pk


def is_company_tutor_of(user, contract) -> bool:
    tutor = contract.company_tutor
    return Role.COMPANY_TUTOR in user.roles and tutor is not None and tutor.user_id == user.pk


def is_school_tutor_of(user, contract) -> bool:
    tutor = contract.school_tutor
    return Role.SCHOOL_TUTOR in user.roles and tutor is not None and tutor.user_id == user.pk


def is_head_of(user, contract) -> bool:
    """Head of the contract's diploma. Reads ``diploma.heads``: prefetch it where it runs per row."""
    return Role.HEAD_OF_DIPLOMA in user.roles and any(
        head.pk == user.pk for head in contract.diploma.heads.all()
    )


def is_staff_of(user, contract) -> bool:
    return is_organisation_staff(user, contract.diploma.organisation_id)


def can_see_audit(user, document) -> bool:
    return is_staff_of(user, document.contract)


def can_follow_visits(user) -> bool:
    """School tutors, heads of diploma and staff follow company visits across their contracts."""
    return bool(user.is_authenticated and (user.roles & FOLLOW_UP_ROLES or user.is_superuser))


# Liaison sheets -------------------------------------------------------------------------------------


def can_fill(user, sheet) -> bool:
    return (
        sheet.is_current
        and sheet.status in {SheetStatus.DRAFT, SheetStatus.RETURNED}
        and is_apprentice_of(user, sheet.contract)
    )


def can_countersign(user, sheet) -> bool:
    return (
        sheet.is_current
        and sheet.status == SheetStatus.SUBMITTED
        and is_company_tutor_of(user, sheet.contract)
    )


def can_return(user, sheet) -> bool:
    return (
        sheet.is_current
        and sheet.status == SheetStatus.SUBMITTED
        and (is_company_tutor_of(user, sheet.contract) or is_school_tutor_of(user, sheet.contract))
    )


def can_review(user, sheet) -> bool:
    return (
        sheet.is_current
        and sheet.status == SheetStatus.COUNTERSIGNED
        and is_school_tutor_of(user, sheet.contract)
    )


def can_correct(user, sheet) -> bool:
    """A signed sheet is never edited: a correction opens a new version, by the apprentice or staff."""
    return (
        sheet.is_current
        and sheet.status in {SheetStatus.COUNTERSIGNED, SheetStatus.REVIEWED}
        and (is_apprentice_of(user, sheet.contract) or is_staff_of(user, sheet.contract))
    )


# Visits ---------------------------------------------------------------------------------------------


def can_plan_visit(user, contract) -> bool:
    return is_school_tutor_of(user, contract) or is_staff_of(user, contract)


def can_log_visit(user, visit) -> bool:
    return visit.status == VisitStatus.PLANNED and can_plan_visit(user, visit.contract)


def can_correct_visit(user, visit) -> bool:
    """A shared report is never edited: a correction, by whoever may log it, becomes its new version."""
    return visit.status in {VisitStatus.REPORTED, VisitStatus.ACKNOWLEDGED} and can_plan_visit(
        user, visit.contract
    )


def can_cancel_visit(user, visit) -> bool:
    return visit.status == VisitStatus.PLANNED and can_plan_visit(user, visit.contract)


def can_acknowledge_visit(user, visit) -> bool:
    """The apprentice and the company tutor acknowledge a shared report (each once: see
    :func:`may_acknowledge`)."""
    return visit.status == VisitStatus.REPORTED and (
        is_apprentice_of(user, visit.contract) or is_company_tutor_of(user, visit.contract)
    )


def reader_of(user, contract) -> Reader | None:
    """The reader that ``user`` is by session: the apprentice or the company tutor of ``contract``."""
    people = readers(contract, legal_representatives=[])
    if is_apprentice_of(user, contract):
        return people[0]
    if is_company_tutor_of(user, contract):
        return next((r for r in people if r.role == "company_tutor"), None)
    return None


def may_acknowledge(user, visit, signatures) -> bool:
    """The apprentice or company tutor who has not yet acknowledged the shared report."""
    if not can_acknowledge_visit(user, visit):
        return False
    reader = reader_of(user, visit.contract)
    return reader is not None and not has_acknowledged(reader, signatures)


def can_close_action(user, action) -> bool:
    return action.done_on is None and can_plan_visit(user, action.contract)


# Mission descriptions -------------------------------------------------------------------------------


def can_write_mission(user, contract) -> bool:
    return is_apprentice_of(user, contract) or is_company_tutor_of(user, contract)


def can_open_mission(user, contract) -> bool:
    """The description of a year is opened by its writers or by the organisation's staff."""
    return can_write_mission(user, contract) or is_staff_of(user, contract)


def can_edit_mission(user, mission) -> bool:
    return (
        mission.is_current
        and mission.status in {MissionStatus.DRAFT, MissionStatus.RETURNED}
        and can_write_mission(user, mission.contract)
    )


def can_decide_mission(user, mission) -> bool:
    return (
        mission.is_current
        and mission.status == MissionStatus.SUBMITTED
        and is_head_of(user, mission.contract)
    )


def can_remind_heads(user, mission) -> bool:
    """The organisation's staff remind the heads of the diploma of a description that waits for them;
    not offered when the diploma has no head. Reads ``diploma.heads`` (prefetched with the mission)."""
    return (
        mission.is_current
        and mission.status == MissionStatus.SUBMITTED
        and is_staff_of(user, mission.contract)
        and bool(mission.contract.diploma.heads.all())
    )


def can_correct_mission(user, mission) -> bool:
    return (
        mission.is_current
        and mission.status == MissionStatus.VALIDATED
        and (is_head_of(user, mission.contract) or is_staff_of(user, mission.contract))
    )


# Evaluation grids -----------------------------------------------------------------------------------


def can_open_evaluation(user, contract) -> bool:
    return (
        is_company_tutor_of(user, contract)
        or is_school_tutor_of(user, contract)
        or is_staff_of(user, contract)
    )


def can_rate_as_tutor(user, evaluation) -> bool:
    return evaluation.tutor_submitted_at is None and is_company_tutor_of(user, evaluation.contract)


def can_self_assess(user, evaluation) -> bool:
    return evaluation.apprentice_submitted_at is None and is_apprentice_of(user, evaluation.contract)


def can_record_grid_sharing(user, contract) -> bool:
    return is_school_tutor_of(user, contract) or is_staff_of(user, contract)


def can_correct_grid_sharing(user, contract) -> bool:
    """Once noted, the sharing of the grid is corrected by the CFA's staff only (and audited)."""
    return is_staff_of(user, contract)


def may_note_grid_sharing(user, contract, sharing) -> bool:
    """Whether the page offers the form: to note the sharing, or to correct the one noted."""
    return can_record_grid_sharing(user, contract) and (
        sharing is None or can_correct_grid_sharing(user, contract)
    )


# PDF exports ----------------------------------------------------------------------------------------


def can_export_booklet(user, apprentice) -> bool:
    """The booklet PDF: the apprentice themself, the staff and admins of their organisation, and the
    heads of a diploma of one of their contracts (one query, for a head of diploma only). Tutors read
    the booklet on the platform but do not export it."""
    if not user.is_authenticated:
        return False
    if Role.APPRENTICE in user.roles and apprentice.user_id == user.pk:
        return True
    if is_organisation_staff(user, apprentice.organisation_id):
        return True
    return Role.HEAD_OF_DIPLOMA in user.roles and apprentice.contracts.filter(diploma__heads=user).exists()


def can_export_visit(user, visit) -> bool:
    """The report PDF of a visit, for whoever sees the visit, once it is held and its report shared."""
    return user.is_authenticated and visit.status in {VisitStatus.REPORTED, VisitStatus.ACKNOWLEDGED}
