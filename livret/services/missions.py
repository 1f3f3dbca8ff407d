"""Workflow of the mission description ("fiche de description des missions et du projet entreprise").

One description per contract and academic year. The apprentice and the company tutor write it
(``draft``), one of them submits it, a head of the diploma validates it or returns it with a comment
within a week (the charter's "sous une semaine"): each decision is kept with its delay. A validated
description never changes; a correction opens a new version and the validated one stays readable.

Each transition runs in one transaction, locks the description row, checks the source state
(``InvalidTransition``) then the person's right (``PermissionDenied``), saves with ``update_fields``
and writes an audit event. No mail is sent per transition: what waits for whom reaches people in the
daily digest (``livret.waiting``).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apprentices.models import Contract
from core import audit
from core.models import AcademicYear, Role
from livret import perms
from livret.models import MissionDecision, MissionDescription, Signature
from livret.services.common import InvalidTransition, sign_document
from livret.services.sheets import StaleDraft

M = MissionDescription.Status
SUBJECT_MAX = MissionDescription._meta.get_field("project_subject").max_length
# Several saves in a row by the same person (autosave) make one "changed" event, not one per keystroke.
EDIT_SESSION = datetime.timedelta(minutes=30)

__all__ = [
    "MissionExists",
    "StaleDraft",
    "contract_missions",
    "contracts_to_describe",
    "correct",
    "create_mission",
    "days_waiting",
    "is_overdue",
    "missions_to_write_for",
    "missions_with_context",
    "return_mission",
    "save_draft",
    "submit",
    "validate",
    "waiting_missions_for_head",
]


class MissionExists(InvalidTransition):
    """The contract already has its description for that year: ``mission`` is the current one."""

    def __init__(self, message, mission):
        super().__init__(message)
        self.mission = mission


# Reads ---------------------------------------------------------------------------------------------


def missions_with_context(queryset):
    """Descriptions with what pages and rules read: the year, the contract's people, the diploma's heads."""
    return queryset.select_related(
        "academic_year",
        "contract__apprentice__user",
        "contract__employer",
        "contract__company_tutor__user",
        "contract__school_tutor__user",
        "contract__diploma",
        "submitted_by",
        "decided_by",
        "last_edited_by",
    ).prefetch_related("contract__diploma__heads")


def days_waiting(mission, today: datetime.date | None = None) -> int | None:
    """Calendar days (Europe/Paris) since a submitted description was submitted; None otherwise."""
    if mission.status != M.SUBMITTED or mission.submitted_at is None:
        return None
    paris = timezone.get_default_timezone()  # settings.TIME_ZONE, whatever the request activated
    today = today or timezone.localdate(timezone=paris)
    return (today - timezone.localdate(mission.submitted_at, timezone=paris)).days


def is_overdue(mission, today: datetime.date | None = None) -> bool:
    """Waiting for a decision for more than the charter's week."""
    days = days_waiting(mission, today)
    return days is not None and days > MissionDescription.DECISION_DAYS


def waiting_missions_for_head(user, today: datetime.date | None = None) -> list[MissionDescription]:
    """The submitted descriptions of ``user``'s diplomas, oldest first, each with ``days_waiting`` and
    ``overdue`` set. One query (the heads are not prefetched: the list does not check rights per row)."""
    if Role.HEAD_OF_DIPLOMA not in user.roles:
        return []
    today = today or timezone.localdate()
    missions = list(
        MissionDescription.objects.waiting_decision()
        .filter(contract__diploma__heads=user)
        .select_related("academic_year", "contract__apprentice", "contract__employer", "contract__diploma")
        .order_by("submitted_at", "pk")
        .distinct()
    )
    for mission in missions:
        mission.days_waiting = days_waiting(mission, today)
        mission.overdue = is_overdue(mission, today)
    return missions


def missions_to_write_for(user):
    """Current descriptions in draft or returned on the contracts where ``user`` is the apprentice or
    the company tutor: what they have to write and submit."""
    mine = Q(pk__in=[])
    if Role.APPRENTICE in user.roles:
        mine |= Q(contract__apprentice__user=user)
    if Role.COMPANY_TUTOR in user.roles:
        mine |= Q(contract__company_tutor__user=user)
    return MissionDescription.objects.current().filter(mine, status__in=[M.DRAFT, M.RETURNED])


def contracts_to_describe(user, academic_year):
    """Active contracts where ``user`` writes the description (apprentice, company tutor) and that have
    none yet for ``academic_year``."""
    mine = Q(pk__in=[])
    if Role.APPRENTICE in user.roles:
        mine |= Q(apprentice__user=user)
    if Role.COMPANY_TUTOR in user.roles:
        mine |= Q(company_tutor__user=user)
    if academic_year is None:
        return Contract.objects.none()
    return (
        Contract.objects.filter(mine, status=Contract.Status.ACTIVE)
        .filter(start_date__lte=academic_year.end_date)
        .exclude(planned_end_date__lt=academic_year.start_date)
        .filter(
            ~Exists(MissionDescription.objects.filter(contract=OuterRef("pk"), academic_year=academic_year))
        )
        .select_related("apprentice", "employer")
        .order_by("apprentice__last_name", "apprentice__first_name", "pk")
    )


def contract_missions(contract, user, today: datetime.date | None = None) -> dict:
    """What the contract page shows of its descriptions (``livret/missions/_contract_missions.html``):
    the current one of each year, newest first, and whether ``user`` may open the one of this year.
    Two queries; the rights read the contract's people, which the contract page already holds."""
    year = AcademicYear.objects.current(today or timezone.localdate())
    missions = list(
        MissionDescription.objects.current()
        .filter(contract=contract)
        .select_related("academic_year")
        .order_by("-academic_year__start_date")
    )
    described = year is None or any(mission.academic_year_id == year.pk for mission in missions)
    can_open = (
        not described
        and contract.status == Contract.Status.ACTIVE
        and (perms.can_write_mission(user, contract) or perms.is_staff_of(user, contract))
    )
    return {"missions": missions, "mission_year": year, "can_open_mission": can_open}


# Writes --------------------------------------------------------------------------------------------


def _locked(mission: MissionDescription) -> MissionDescription:
    """The description, row-locked, with what the rules read (people, diploma and its heads)."""
    return missions_with_context(MissionDescription.objects.select_for_update(of=("self",))).get(
        pk=mission.pk
    )


def _check_lengths(values: dict) -> None:
    errors = {}
    for name, value in values.items():
        limit = SUBJECT_MAX if name == "project_subject" else MissionDescription.MAX_TEXT
        if len(value or "") > limit:
            errors[name] = _("Ce texte dépasse %(max)s caractères.") % {"max": limit}
    if errors:
        raise ValidationError(errors)


def _signer_name(user, contract) -> str:
    """The name the person signs with: as the contract knows them, else their account."""
    if perms.is_apprentice_of(user, contract):
        return str(contract.apprentice)
    if perms.is_company_tutor_of(user, contract):
        return str(contract.company_tutor)
    return user.get_full_name() or user.email


def create_mission(*, contract: Contract, academic_year: AcademicYear, by) -> MissionDescription:
    """Open the description of ``contract`` for ``academic_year``, by its apprentice, its company tutor
    or the organisation's staff. A contract has one current description per year."""
    with transaction.atomic():
        # Locking the contract serializes two creations at once (the unique constraint holds anyway).
        contract = (
            Contract.objects.select_for_update(of=("self",))
            .select_related("apprentice__user", "company_tutor__user", "diploma")
            .get(pk=contract.pk)
        )
        existing = (
            MissionDescription.objects.current()
            .filter(contract=contract, academic_year=academic_year)
            .first()
        )
        if existing is not None:
            raise MissionExists(
                _("Ce contrat a déjà une description des missions pour l'année %(year)s.")
                % {"year": academic_year},
                existing,
            )
        if contract.status != Contract.Status.ACTIVE or not (
            contract.start_date <= academic_year.end_date and contract.end_date >= academic_year.start_date
        ):
            raise InvalidTransition(
                _("Ce contrat n'est pas en cours pendant l'année %(year)s.") % {"year": academic_year}
            )
        if not (perms.can_write_mission(by, contract) or perms.is_staff_of(by, contract)):
            raise PermissionDenied(
                _(
                    "Seuls l'apprenti, son maître d'apprentissage et l'équipe du CFA ouvrent "
                    "cette description."
                )
            )
        mission = MissionDescription.objects.create(contract=contract, academic_year=academic_year)
        audit.record(
            "livret.missiondescription.created", mission, {"academic_year": str(academic_year)}, actor=by
        )
    return mission


def save_draft(*, mission: MissionDescription, by, values: dict, revision: int) -> MissionDescription:
    """Save the text. A save based on an older revision (another tab, the other writer) is refused
    with the current text, so that nothing is overwritten silently."""
    values = {name: (values.get(name) or "") for name in MissionDescription.TEXT_FIELDS}
    # The subject is one line, whatever the textarea let through.
    values["project_subject"] = " ".join(values["project_subject"].splitlines())
    _check_lengths(values)
    with transaction.atomic():
        mission = _locked(mission)
        if not mission.is_current or mission.status not in {M.DRAFT, M.RETURNED}:
            raise InvalidTransition(_("Cette description a été soumise : elle n'est plus modifiable."))
        if not perms.can_edit_mission(by, mission):
            raise PermissionDenied(_("Cette description n'est pas modifiable par vous."))
        if revision != mission.revision:
            raise StaleDraft(current=mission.content(), revision=mission.revision)
        before = mission.content()
        if values == before:
            return mission
        changed = [name for name in MissionDescription.TEXT_FIELDS if values[name] != before[name]]
        same_session = (
            mission.last_edited_by_id == by.pk and mission.updated_at > timezone.now() - EDIT_SESSION
        )
        for name, value in values.items():
            setattr(mission, name, value)
        mission.revision += 1
        mission.last_edited_by = by
        mission.save(
            update_fields=[*MissionDescription.TEXT_FIELDS, "revision", "last_edited_by", "updated_at"]
        )
        if not same_session:
            # Names the fields, never copies the text: the text is on the description itself.
            audit.record(
                "livret.missiondescription.changed",
                mission,
                {"changes": {name: "modifié" for name in changed}},
                actor=by,
            )
    return mission


def submit(*, mission: MissionDescription, by) -> MissionDescription:
    """Submit the description to the heads of the diploma, signed by whoever submits it."""
    with transaction.atomic():
        mission = _locked(mission)
        if not mission.is_current or mission.status not in {M.DRAFT, M.RETURNED}:
            raise InvalidTransition(_("Cette description a déjà été soumise au responsable de formation."))
        if not perms.can_edit_mission(by, mission):
            raise PermissionDenied(
                _("Seuls l'apprenti et son maître d'apprentissage peuvent soumettre cette description.")
            )
        errors = {}
        if not mission.missions.strip():
            errors["missions"] = _("Décrivez les missions confiées à l'apprenti.")
        if not mission.project_subject.strip():
            errors["project_subject"] = _("Indiquez le sujet du projet entreprise de l'année.")
        if errors:
            raise ValidationError(errors)
        previous_status = mission.status
        mission.status = M.SUBMITTED
        mission.submitted_at = timezone.now()
        mission.submitted_by = by
        mission.return_comment = ""
        mission.decided_at = None
        mission.decided_by = None
        mission.save(
            update_fields=[
                "status",
                "submitted_at",
                "submitted_by",
                "return_comment",
                "decided_at",
                "decided_by",
                "updated_at",
            ]
        )
        sign_document(
            mission,
            mission.signable_content(),
            act=Signature.Act.SUBMIT,
            signer=by,
            name=_signer_name(by, mission.contract),
            email=by.email,
            via=Signature.Via.SESSION,
        )
        audit.record("livret.missiondescription.submitted", mission, {"from": previous_status}, actor=by)
    return mission


def _decide(mission: MissionDescription, by, *, outcome: str, comment: str) -> MissionDescription:
    """Record a head's decision on a locked, submitted description: the delay since its submission."""
    now = timezone.now()
    mission.status = M.VALIDATED if outcome == MissionDecision.Outcome.VALIDATED else M.RETURNED
    mission.decided_at = now
    mission.decided_by = by
    mission.return_comment = comment if outcome == MissionDecision.Outcome.RETURNED else ""
    mission.save(update_fields=["status", "decided_at", "decided_by", "return_comment", "updated_at"])
    decision = MissionDecision.objects.create(
        mission=mission,
        outcome=outcome,
        submitted_at=mission.submitted_at,
        decided_at=now,
        delay=now - mission.submitted_at,
        decided_by=by,
        comment=comment,
    )
    audit.record(
        f"livret.missiondescription.{mission.status}",
        mission,
        {
            "delay_days": round(decision.delay.total_seconds() / 86400, 1),
            "within_deadline": decision.within_deadline,
        },
        actor=by,
    )
    return mission


def _check_decision(mission: MissionDescription, by) -> None:
    if not mission.is_current or mission.status != M.SUBMITTED:
        raise InvalidTransition(_("Cette description n'attend pas de décision du responsable de formation."))
    if not perms.can_decide_mission(by, mission):
        raise PermissionDenied(
            _("Seul un responsable de la formation de l'apprenti décide de cette description.")
        )


def validate(*, mission: MissionDescription, by, comment: str = "") -> MissionDescription:
    """The head validates the description: signed with exactly the content they read."""
    comment = (comment or "").strip()
    with transaction.atomic():
        mission = _locked(mission)
        _check_decision(mission, by)
        _check_lengths({"comment": comment})
        sign_document(
            mission,
            mission.signable_content(),
            act=Signature.Act.VALIDATE,
            signer=by,
            name=by.get_full_name() or by.email,
            email=by.email,
            via=Signature.Via.SESSION,
        )
        return _decide(mission, by, outcome=MissionDecision.Outcome.VALIDATED, comment=comment)


def return_mission(*, mission: MissionDescription, by, comment: str) -> MissionDescription:
    """The head returns the description to its writers, saying what to change."""
    comment = (comment or "").strip()
    with transaction.atomic():
        mission = _locked(mission)
        _check_decision(mission, by)
        if not comment:
            raise ValidationError({"comment": _("Indiquez ce qui doit être repris dans la description.")})
        _check_lengths({"comment": comment})
        return _decide(mission, by, outcome=MissionDecision.Outcome.RETURNED, comment=comment)


def correct(*, mission: MissionDescription, by) -> MissionDescription:
    """Open a new version of a validated description, with its text; the validated one stays readable,
    unchanged, with its signatures."""
    with transaction.atomic():
        mission = _locked(mission)
        if not mission.is_current or mission.status != M.VALIDATED:
            raise InvalidTransition(_("Seule une description validée se corrige par une nouvelle version."))
        if not perms.can_correct_mission(by, mission):
            raise PermissionDenied(_("Vous ne pouvez pas corriger cette description."))
        mission.is_current = False
        mission.save(update_fields=["is_current", "updated_at"])
        new = MissionDescription.objects.create(
            contract=mission.contract,
            academic_year=mission.academic_year,
            version=mission.version + 1,
            previous=mission,
            last_edited_by=by,
            **mission.content(),
        )
        audit.record(
            "livret.missiondescription.corrected",
            new,
            {"previous": mission.pk, "version": new.version},
            actor=by,
        )
    return new
