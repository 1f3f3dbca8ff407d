"""Workflow of the mission description ("fiche de description des missions et du projet entreprise").

One description per contract and academic year. The apprentice and the company tutor write it
(``draft``), one of them submits it, a head of the diploma validates it or returns it with a comment
within a week (the charter's "sous une semaine"): each decision is kept with its delay. A validated
description never changes; a correction opens a new version and the validated one stays readable.

Each transition runs in one transaction, locks the description row, checks the source state
(``Refusal``) then the person's right (``PermissionDenied``), saves with ``update_fields``
and writes an audit event. A decision is mailed at once to the apprentice and the company tutor; the
organisation's staff may remind the heads of a description that waits; the rest of what waits for whom
reaches people in the daily digest (``livret.waiting``).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apprentices.models import Contract
from core import audit
from core.models import AcademicYear, AuditEvent, Signature
from core.queue import enqueue
from core.workflow import Refusal, drafts
from core.workflow.signatures import sign_document
from livret import perms
from livret.models import MissionDecision, MissionDescription
from livret.selectors import missions_with_context

Status = MissionDescription.Status
SUBJECT_MAX = MissionDescription._meta.get_field("project_subject").max_length
# Several saves in a row by the same person (autosave) make one "changed" event, not one per keystroke.
EDIT_SESSION = datetime.timedelta(minutes=30)


class MissionExists(Refusal):
    """The contract already has its description for that year: ``mission`` is the current one."""

    def __init__(self, message, mission):
        super().__init__(message)
        self.mission = mission


# Writes --------------------------------------------------------------------------------------------


def _locked(mission: MissionDescription) -> MissionDescription:
    """The description, row-locked, with what the rules read (people, diploma and its heads)."""
    return missions_with_context(MissionDescription.objects.select_for_update(of=("self",))).get(
        pk=mission.pk
    )


def _check_lengths(values: dict) -> None:
    drafts.check_lengths(values, MissionDescription.MAX_TEXT, project_subject=SUBJECT_MAX)


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
            raise Refusal(
                _("Ce contrat n'est pas en cours pendant l'année %(year)s.") % {"year": academic_year}
            )
        if not perms.can_open_mission(by, contract):
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


def check_writable(*, mission: MissionDescription, by) -> None:
    """Refuse, in French, a description that is no longer a draft, then a person who may not write it."""
    if not mission.is_current or mission.status not in {Status.DRAFT, Status.RETURNED}:
        raise Refusal(_("Cette description a été soumise : elle n'est plus modifiable."))
    if not perms.can_edit_mission(by, mission):
        raise PermissionDenied(_("Cette description n'est pas modifiable par vous."))


def save_draft(*, mission: MissionDescription, by, values: dict, revision: int) -> MissionDescription:
    """Save the text. A save based on an older revision (another tab, the other writer) is refused
    with the current text, so that nothing is overwritten silently."""
    values = {name: (values.get(name) or "") for name in MissionDescription.DRAFT_FIELDS}
    # The subject is one line, whatever the textarea let through.
    values["project_subject"] = " ".join(values["project_subject"].splitlines())
    _check_lengths(values)
    with transaction.atomic():
        mission = _locked(mission)
        check_writable(mission=mission, by=by)
        same_session = (
            mission.last_edited_by_id == by.pk and mission.updated_at > timezone.now() - EDIT_SESSION
        )
        changed = drafts.save_draft(mission, values, revision, last_edited_by=by)
        if changed and not same_session:
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
        if not mission.is_current or mission.status not in {Status.DRAFT, Status.RETURNED}:
            raise Refusal(_("Cette description a déjà été soumise au responsable de formation."))
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
        mission.status = Status.SUBMITTED
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
    mission.status = Status.VALIDATED if outcome == MissionDecision.Outcome.VALIDATED else Status.RETURNED
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
    enqueue("livret.tasks.send_mission_decision", decision.pk)
    return mission


def _check_decision(mission: MissionDescription, by) -> None:
    if not mission.is_current or mission.status != Status.SUBMITTED:
        raise Refusal(_("Cette description n'attend pas de décision du responsable de formation."))
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


# Reminding the heads --------------------------------------------------------------------------------

# One reminder at a time: the heads are not mailed again within this delay.
REMIND_INTERVAL = datetime.timedelta(hours=12)


def remind_heads(*, mission: MissionDescription, by) -> list:
    """Staff remind the heads of the diploma that a submitted description waits for their decision
    (« Relancer le responsable »): each head is mailed. Returns the heads reminded."""
    with transaction.atomic():
        mission = _locked(mission)
        if not mission.is_current or mission.status != Status.SUBMITTED:
            raise Refusal(_("Cette description n'attend pas de décision du responsable de formation."))
        if not perms.can_remind_heads(by, mission):
            if not perms.is_staff_of(by, mission.contract):
                raise PermissionDenied(_("Seule l'équipe du CFA relance les responsables de formation."))
            raise Refusal(_("Cette formation n'a pas de responsable de formation à relancer."))
        since = timezone.now() - REMIND_INTERVAL
        last = (
            AuditEvent.for_object(mission)
            .filter(action="livret.missiondescription.reminded", created_at__gt=since)
            .first()
        )
        if last is not None:
            raise Refusal(
                _("Le responsable a déjà été relancé le %(when)s.")
                % {"when": timezone.localtime(last.created_at).strftime("%d/%m/%Y à %H:%M")}
            )
        heads = list(mission.contract.diploma.heads.all())
        audit.record(
            "livret.missiondescription.reminded", mission, {"heads": [head.email for head in heads]}, actor=by
        )
        enqueue("livret.tasks.send_mission_reminder", mission.pk, by.pk)
    return heads


def correct(*, mission: MissionDescription, by) -> MissionDescription:
    """Open a new version of a validated description, with its text; the validated one stays readable,
    unchanged, with its signatures."""
    with transaction.atomic():
        mission = _locked(mission)
        if not mission.is_current or mission.status != Status.VALIDATED:
            raise Refusal(_("Seule une description validée se corrige par une nouvelle version."))
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
