"""Visites en entreprise: the visit report's workflow (the charter's windows are in ``livret.windows``).

A visit is planned (``planned``); its report is written as a draft, saved as the school tutor types
(:func:`save_report_draft`, with the revision check of ``core.workflow.drafts``), then logged
(``reported``): the report is frozen and signed by whoever wrote it, its action items are created
(and earlier ones closed), and the company tutor (and each legal representative of a minor) gets an
emailed link to acknowledge it. When the apprentice and the company tutor have both acknowledged it,
it is ``acknowledged``. A planned visit may be ``cancelled``.
A shared report is corrected by a new version (:func:`correct_visit`, then :func:`share_correction`):
the replaced version is kept as it was shared, and the readers acknowledge the new one.

Each transition runs in one transaction, locks its row, checks the source state and the person's
right, saves with ``update_fields``, writes an audit event and queues its mails on commit; a refusal
changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apprentices.models import Contract
from core import audit
from core.models import ActionLink, Signature
from core.queue import enqueue
from core.workflow import Refusal, drafts, links
from core.workflow.signatures import sign_document, signatures_of
from livret import perms
from livret.models import ActionItem, VisitReport, VisitReportVersion
from livret.readers import Reader, has_acknowledged, link_readers, readers
from livret.windows import HELD

Status = VisitReport.Status


MAX_NEW_ACTIONS = 30
MAX_PARTICIPANTS = VisitReport._meta.get_field("other_participants").max_length
MAX_REASON = VisitReport._meta.get_field("cancel_reason").max_length
MAX_ACTION = ActionItem._meta.get_field("description").max_length


# The report as written -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewAction:
    description: str
    owner: str
    due_date: datetime.date


@dataclass(frozen=True)
class Report:
    """What a school tutor writes after a meeting, checked for itself (lengths, choices, dates, actions)
    by :meth:`clean`; what depends on the visit and its contract is checked by :func:`log_visit`."""

    held_on: datetime.date
    mode: str
    apprentice_present: bool = False
    company_tutor_present: bool = False
    legal_representative_present: bool = False
    other_participants: str = ""
    integration: str = ""
    missions_adequacy: str = ""
    progress: str = ""
    difficulties: str = ""
    close_action_ids: frozenset[int] = frozenset()
    new_actions: tuple[NewAction, ...] = ()

    @property
    def texts(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in VisitReport.REPORT_FIELDS}

    @classmethod
    def clean(
        cls,
        *,
        held_on,
        mode,
        close_action_ids: Iterable = (),
        new_actions: Iterable[dict] = (),
        other_participants: str = "",
        **fields,
    ) -> Report:
        """The report from raw values (a form's, a command's), or every problem at once, per field, in
        French (``ValidationError``)."""
        errors = {}
        texts = {name: (fields.pop(name, "") or "").strip() for name in VisitReport.REPORT_FIELDS}
        for name, value in texts.items():
            if len(value) > VisitReport.MAX_TEXT:
                errors[name] = _("Ce texte dépasse %(max)s caractères.") % {"max": VisitReport.MAX_TEXT}
        other_participants = (other_participants or "").strip()
        if len(other_participants) > MAX_PARTICIPANTS:
            errors["other_participants"] = _("%(max)s caractères au plus.") % {"max": MAX_PARTICIPANTS}
        if not isinstance(held_on, datetime.date):
            errors["held_on"] = _("Indiquez la date de la rencontre.")
        elif held_on > timezone.localdate():
            errors["held_on"] = _("La rencontre ne peut pas être dans le futur : planifiez-la plutôt.")
        if mode not in VisitReport.Mode.values:
            errors["mode"] = _("Choisissez une modalité de la liste.")
        # Asked, never assumed: a report shared in a hurry must not say the apprentice was absent.
        for name, message in _presence_questions().items():
            if not isinstance(fields.get(name), bool):
                errors[name] = message
        if not any(texts.values()):
            errors[NON_FIELD_ERRORS] = _(
                "Remplissez au moins une rubrique du compte rendu (intégration, missions, progression ou "
                "difficultés)."
            )
        close_ids = set()
        for value in close_action_ids or ():
            try:
                close_ids.add(int(value))
            except (TypeError, ValueError):
                errors["close_actions"] = _("Une action à fermer est inconnue.")
        actions, action_errors = _clean_new_actions(
            new_actions, held_on if isinstance(held_on, datetime.date) else None
        )
        if action_errors:
            errors["new_actions"] = action_errors
        if errors:
            raise ValidationError(errors)
        return cls(
            held_on=held_on,
            mode=mode,
            other_participants=other_participants,
            close_action_ids=frozenset(close_ids),
            new_actions=tuple(actions),
            **{name: bool(fields.get(name)) for name in PRESENCE},
            **texts,
        )


PRESENCE = ("apprentice_present", "company_tutor_present", "legal_representative_present")


def _presence_questions() -> dict[str, str]:
    return {
        "apprentice_present": _("Indiquez si l'apprenti était présent."),
        "company_tutor_present": _("Indiquez si le maître d'apprentissage était présent."),
    }


def _clean_new_actions(new_actions, held_on) -> tuple[list[NewAction], list[str]]:
    """The new actions, and the French message of each problem, numbered as the rows are."""
    new_actions = list(new_actions or [])
    if len(new_actions) > MAX_NEW_ACTIONS:
        return [], [_("Une visite décide au plus %(n)s actions.") % {"n": MAX_NEW_ACTIONS}]
    actions, errors = [], []
    for number, item in enumerate(new_actions, start=1):
        description = (item.get("description") or "").strip()
        owner, due_date = item.get("owner"), item.get("due_date")
        if not description:
            errors.append(_("Action %(n)s : décrivez l'action.") % {"n": number})
        elif len(description) > MAX_ACTION:
            errors.append(_("Action %(n)s : %(max)s caractères au plus.") % {"n": number, "max": MAX_ACTION})
        if owner not in ActionItem.Owner.values:
            errors.append(_("Action %(n)s : choisissez son responsable.") % {"n": number})
        if not isinstance(due_date, datetime.date):
            errors.append(_("Action %(n)s : indiquez son échéance.") % {"n": number})
        elif held_on and due_date < held_on:
            errors.append(_("Action %(n)s : l'échéance ne peut précéder la rencontre.") % {"n": number})
        actions.append(NewAction(description, owner, due_date))
    return actions, errors


# Transitions ---------------------------------------------------------------------------------------


def _locked(visit: VisitReport) -> VisitReport:
    return (
        VisitReport.objects.select_for_update(of=("self",))
        .select_related(
            "contract__apprentice__user",
            "contract__company_tutor",
            "contract__school_tutor__user",
            "contract__diploma",
        )
        .get(pk=visit.pk)
    )


def _signer_name(user) -> str:
    return user.get_full_name() or user.email


def _check_date(contract: Contract, planned_date: datetime.date) -> None:
    if planned_date < contract.start_date:
        raise ValidationError(
            {
                "planned_date": _("Le contrat commence le %(day)s : choisissez une date à partir de ce jour.")
                % {"day": contract.start_date.strftime("%d/%m/%Y")}
            }
        )
    if planned_date > contract.end_date:
        raise ValidationError(
            {
                "planned_date": _("Le contrat se termine le %(day)s : choisissez une date jusqu'à ce jour.")
                % {"day": contract.end_date.strftime("%d/%m/%Y")}
            }
        )


def plan_visit(
    *,
    contract: Contract,
    by,
    planned_date: datetime.date,
    mode: str,
    is_start_meeting: bool = False,
    planned_time: datetime.time | None = None,
    notify: bool = True,
) -> VisitReport:
    """Plan a visit; the apprentice and the company tutor are mailed its calendar invitation."""
    if mode not in VisitReport.Mode.values:
        raise ValidationError({"mode": _("Choisissez une modalité de la liste.")})
    with transaction.atomic():
        # The contract's row serialises plans: two start meetings at once cannot both pass the check.
        contract = (
            Contract.objects.select_for_update(of=("self",))
            .select_related("diploma", "school_tutor")
            .get(pk=contract.pk)
        )
        if not perms.can_plan_visit(by, contract):
            raise PermissionDenied(
                _("Seuls le tuteur pédagogique de l'apprenti et l'équipe du CFA planifient ses visites.")
            )
        _check_date(contract, planned_date)
        if (
            is_start_meeting
            and contract.visits.filter(is_start_meeting=True).exclude(status=Status.CANCELLED).exists()
        ):
            raise ValidationError({"is_start_meeting": _("Ce contrat a déjà son entretien de démarrage.")})
        visit = VisitReport.objects.create(
            contract=contract,
            planned_date=planned_date,
            planned_time=planned_time,
            mode=mode,
            is_start_meeting=is_start_meeting,
        )
        audit.record(
            "livret.visitreport.planned",
            visit,
            {
                "planned_date": planned_date.isoformat(),
                "planned_time": planned_time.strftime("%H:%M") if planned_time else None,
                "mode": mode,
                "start_meeting": is_start_meeting,
            },
            actor=by,
        )
        if notify:
            enqueue("livret.tasks.send_visit_invitations", visit.pk, "REQUEST")
    return visit


def move_visit(
    *, visit: VisitReport, by, planned_date: datetime.date, planned_time: datetime.time | None, mode: str
) -> VisitReport:
    """Move a planned visit to another day, time or mode; the invitation is mailed again, as a new
    version of the same event (its SEQUENCE raised)."""
    if mode not in VisitReport.Mode.values:
        raise ValidationError({"mode": _("Choisissez une modalité de la liste.")})
    with transaction.atomic():
        visit = _locked(visit)
        if visit.status != Status.PLANNED:
            raise Refusal(_("Seule une visite planifiée peut être déplacée."))
        if not perms.can_plan_visit(by, visit.contract):
            raise PermissionDenied(
                _("Seuls le tuteur pédagogique de l'apprenti et l'équipe du CFA planifient ses visites.")
            )
        _check_date(visit.contract, planned_date)
        before = {
            "planned_date": visit.planned_date.isoformat(),
            "planned_time": visit.planned_time.strftime("%H:%M") if visit.planned_time else None,
            "mode": visit.mode,
        }
        visit.planned_date, visit.planned_time, visit.mode = planned_date, planned_time, mode
        visit.invitation_sequence += 1
        visit.save(
            update_fields=["planned_date", "planned_time", "mode", "invitation_sequence", "updated_at"]
        )
        audit.record(
            "livret.visitreport.moved",
            visit,
            {
                "from": before,
                "planned_date": planned_date.isoformat(),
                "planned_time": planned_time.strftime("%H:%M") if planned_time else None,
                "mode": mode,
            },
            actor=by,
        )
        enqueue("livret.tasks.send_visit_invitations", visit.pk, "REQUEST")
    return visit


def check_loggable(visit: VisitReport) -> None:
    """A planned visit gets its report, a shared one a correction once it is opened; a cancelled one
    has none."""
    if visit.status == Status.CANCELLED:
        raise Refusal(_("Cette visite est annulée : elle n'a pas de compte rendu."))
    if visit.status != Status.PLANNED and not visit.is_correcting:
        raise Refusal(
            _("Le compte rendu de cette visite est déjà partagé : il se corrige par une nouvelle version.")
        )


# The draft ------------------------------------------------------------------------------------------------

DRAFT_TEXTS = (
    "held_on",
    "mode",
    *PRESENCE,
    "other_participants",
    *VisitReport.REPORT_FIELDS,
)
ACTION_KEYS = ("description", "owner", "due_date")


def clean_draft(values: dict) -> dict:
    """The draft as it is kept: the form's values as typed (strings; the actions done as ids, the new
    actions as rows), bounded in length and number, or every problem in French (``ValidationError``).
    Nothing else is checked: a draft may be incomplete."""
    draft = {name: str(values.get(name) or "").strip() for name in DRAFT_TEXTS}
    limits = {"other_participants": MAX_PARTICIPANTS, "held_on": 10, "mode": 10, **dict.fromkeys(PRESENCE, 3)}
    drafts.check_lengths(draft, VisitReport.MAX_TEXT, **limits)
    close_ids = []
    for value in values.get("close_actions") or ():
        try:
            close_ids.append(int(value))
        except (TypeError, ValueError):
            raise ValidationError({"close_actions": _("Une action à fermer est inconnue.")}) from None
    rows = []
    for row in values.get("actions") or ():
        row = {key: str(row.get(key) or "").strip() for key in ACTION_KEYS}
        if any(row.values()):
            rows.append(row)
    if len(rows) > MAX_NEW_ACTIONS:
        raise ValidationError(
            {"new_actions": _("Une visite décide au plus %(n)s actions.") % {"n": MAX_NEW_ACTIONS}}
        )
    for row in rows:
        drafts.check_lengths(row, MAX_ACTION, owner=20, due_date=10)
    return {**draft, "close_actions": sorted(set(close_ids)), "actions": rows}


def may_write_report(user, visit: VisitReport) -> bool:
    """The report (or its correction) is written by whoever may log it: its school tutor, the staff."""
    if visit.status == Status.PLANNED:
        return perms.can_log_visit(user, visit)
    return visit.is_correcting and perms.can_correct_visit(user, visit)


def save_report_draft(*, visit: VisitReport, by, values: dict, revision: int) -> VisitReport:
    """Save the report's draft as it is typed (or sent again once the network is back). A save based
    on an older revision is refused with the current draft (:class:`drafts.StaleDraft`); the same
    draft sent twice is saved once."""
    draft = clean_draft(values)
    with transaction.atomic():
        visit = _locked(visit)
        check_loggable(visit)
        if not may_write_report(by, visit):
            raise PermissionDenied(
                _("Seuls le tuteur pédagogique de l'apprenti et l'équipe du CFA rédigent ses comptes rendus.")
            )
        drafts.save_draft(visit, {"draft": draft}, revision, draft_saved_at=timezone.now())
    return visit


def report_draft(visit: VisitReport) -> dict:
    """The draft to show in the form: the one saved, else the shared report (a correction starts from
    it), else what the planning says."""
    if visit.draft is not None:
        return visit.draft
    if visit.status in HELD:
        return {
            "held_on": visit.held_on.isoformat() if visit.held_on else "",
            "mode": visit.mode,
            **{name: "oui" if getattr(visit, name) else "non" for name in PRESENCE},
            "other_participants": visit.other_participants,
            **{name: getattr(visit, name) for name in VisitReport.REPORT_FIELDS},
            "close_actions": [],
            "actions": [],
        }
    return {
        "held_on": min(visit.planned_date, timezone.localdate()).isoformat(),
        "mode": visit.mode,
        "close_actions": [],
        "actions": [],
    }


# Sharing -------------------------------------------------------------------------------------------------


def log_visit(*, visit: VisitReport, by, report: Report, notify: bool = True) -> VisitReport:
    """Log the report of a planned visit: freeze and sign it, close the actions done, open the new
    ones, and send the acknowledgement links on commit. ``report`` is already clean (:meth:`Report.clean`);
    this checks what depends on the visit: its state, who logs it, the contract's dates, who a start
    meeting is held with, and the actions it closes."""
    with transaction.atomic():
        visit = _locked(visit)
        if visit.status != Status.PLANNED:
            check_loggable(visit)
            raise Refusal(
                _(
                    "Le compte rendu de cette visite est déjà partagé : "
                    "il se corrige par une nouvelle version."
                )
            )
        if not perms.can_log_visit(by, visit):
            raise PermissionDenied(
                _("Seuls le tuteur pédagogique de l'apprenti et l'équipe du CFA rédigent ses comptes rendus.")
            )
        created, closed = _write_report(visit, by, report)
        audit.record(
            "livret.visitreport.reported",
            visit,
            {
                "held_on": report.held_on.isoformat(),
                "actions_opened": [a.pk for a in created],
                "actions_closed": closed,
            },
            actor=by,
        )
        if notify:
            enqueue("livret.tasks.send_visit_acknowledge_requests", visit.pk)
    return visit


def share_correction(*, visit: VisitReport, by, report: Report, notify: bool = True) -> VisitReport:
    """Share the correction of a shared report as its new version: the replaced version is kept as it
    was shared (who wrote it, when, its signatures), the new one is signed, and the readers are asked
    to acknowledge it (an acknowledgement covers one version)."""
    with transaction.atomic():
        visit = _locked(visit)
        if not visit.is_correcting:
            if visit.status in HELD:
                raise Refusal(_("Aucune correction de ce compte rendu n'est en cours."))
            check_loggable(visit)
        if not perms.can_correct_visit(by, visit):
            raise PermissionDenied(
                _("Seuls son tuteur pédagogique et l'équipe du CFA corrigent un compte rendu.")
            )
        replaced = VisitReportVersion.objects.create(
            visit=visit,
            number=visit.version,
            content=visit.report_content(),
            author=visit.author,
            author_name=_signer_name(visit.author) if visit.author else "",
            shared_at=visit.reported_at,
            replaced_by=by,
        )
        # The replaced version takes its signatures with it (its report, its acknowledgements): they
        # stay readable there, and the new version is signed and acknowledged afresh.
        Signature.objects.for_document(visit).update(
            document_type=ContentType.objects.get_for_model(VisitReportVersion), document_id=replaced.pk
        )
        visit.version += 1
        visit.acknowledged_at = None
        created, closed = _write_report(visit, by, report, also=["version", "acknowledged_at"])
        audit.record(
            "livret.visitreport.corrected",
            visit,
            {
                "version": visit.version,
                "replaced": replaced.pk,
                "held_on": report.held_on.isoformat(),
                "actions_opened": [a.pk for a in created],
                "actions_closed": closed,
            },
            actor=by,
        )
        if notify:
            enqueue("livret.tasks.send_visit_acknowledge_requests", visit.pk)
    return visit


def _write_report(visit: VisitReport, by, report: Report, also=()) -> tuple[list[ActionItem], list[int]]:
    """Write ``report`` on the locked ``visit`` as its shared version, sign it, close the actions it
    ticks and open its new ones; the draft is done with."""
    contract = visit.contract
    errors = _contract_errors(contract, visit, report)
    to_close = list(
        ActionItem.objects.select_for_update()
        .filter(pk__in=report.close_action_ids, contract=contract, done_on__isnull=True)
        .exclude(opened_in=visit)
    )
    if len(to_close) != len(report.close_action_ids):
        errors["close_actions"] = _(
            "Une action à fermer n'appartient pas à ce contrat ou est déjà close : rechargez la page."
        )
    if errors:
        raise ValidationError(errors)

    minor = contract.apprentice.is_minor
    visit.held_on = report.held_on
    visit.mode = report.mode
    visit.apprentice_present = report.apprentice_present
    visit.company_tutor_present = report.company_tutor_present
    visit.legal_representative_present = report.legal_representative_present and minor
    visit.other_participants = report.other_participants
    for name, value in report.texts.items():
        setattr(visit, name, value)
    visit.status = Status.REPORTED
    visit.author = by
    visit.reported_at = timezone.now()
    visit.draft = None
    visit.save(
        update_fields=[
            *PRESENCE,
            "held_on",
            "mode",
            "other_participants",
            *VisitReport.REPORT_FIELDS,
            "status",
            "author",
            "reported_at",
            "draft",
            *also,
            "updated_at",
        ]
    )
    sign_document(
        visit,
        visit.report_content(),
        act=Signature.Act.REPORT,
        signer=by,
        name=_signer_name(by),
        email=by.email,
        via=Signature.Via.SESSION,
    )
    created = ActionItem.objects.bulk_create(
        ActionItem(
            contract=contract,
            opened_in=visit,
            description=action.description,
            owner=action.owner,
            due_date=action.due_date,
        )
        for action in report.new_actions
    )
    ActionItem.objects.filter(pk__in=[a.pk for a in to_close]).update(
        done_on=report.held_on, closed_in=visit, closed_by=by
    )
    return created, sorted(a.pk for a in to_close)


# Correction ----------------------------------------------------------------------------------------------


def correct_visit(*, visit: VisitReport, by) -> VisitReport:
    """Open the correction of a shared report: a draft that starts from the version in force, which
    stays in force, unchanged, until the correction is shared. Opening it twice opens it once."""
    with transaction.atomic():
        visit = _locked(visit)
        if visit.status not in HELD:
            check_loggable(visit)
            raise Refusal(_("Seul un compte rendu partagé se corrige par une nouvelle version."))
        if not perms.can_correct_visit(by, visit):
            raise PermissionDenied(
                _("Seuls son tuteur pédagogique et l'équipe du CFA corrigent un compte rendu.")
            )
        if visit.is_correcting:
            return visit
        visit.draft = report_draft(visit)
        visit.revision += 1
        visit.draft_saved_at = timezone.now()
        visit.save(update_fields=["draft", "revision", "draft_saved_at", "updated_at"])
        audit.record("livret.visitreport.correction_opened", visit, {"version": visit.version + 1}, actor=by)
    return visit


def discard_correction(*, visit: VisitReport, by) -> VisitReport:
    """Drop a correction not yet shared: the version in force stays as it is."""
    with transaction.atomic():
        visit = _locked(visit)
        if not visit.is_correcting:
            raise Refusal(_("Aucune correction de ce compte rendu n'est en cours."))
        if not perms.can_correct_visit(by, visit):
            raise PermissionDenied(
                _("Seuls son tuteur pédagogique et l'équipe du CFA corrigent un compte rendu.")
            )
        visit.draft = None
        visit.revision += 1
        visit.save(update_fields=["draft", "revision", "updated_at"])
        audit.record("livret.visitreport.correction_discarded", visit, {}, actor=by)
    return visit


def _contract_errors(contract: Contract, visit: VisitReport, report: Report) -> dict:
    """What the report contradicts in its contract: dates outside it, a start meeting held without the
    people it is held with."""
    errors = {}
    if report.held_on < contract.start_date:
        errors["held_on"] = _("La rencontre ne peut précéder le début du contrat (%(day)s).") % {
            "day": contract.start_date.strftime("%d/%m/%Y")
        }
    elif report.held_on > contract.end_date:
        errors["held_on"] = _("La rencontre ne peut suivre la fin du contrat (%(day)s).") % {
            "day": contract.end_date.strftime("%d/%m/%Y")
        }
    if visit.is_start_meeting:
        if not report.apprentice_present:
            errors["apprentice_present"] = _("L'entretien de démarrage se tient avec l'apprenti.")
        if contract.company_tutor_id and not report.company_tutor_present:
            errors["company_tutor_present"] = _(
                "L'entretien de démarrage se tient avec le maître d'apprentissage."
            )
        if contract.apprentice.is_minor and not report.legal_representative_present:
            errors["legal_representative_present"] = _(
                "L'apprenti est mineur : l'entretien de démarrage se tient avec son représentant légal."
            )
    return errors


def cancel_visit(*, visit: VisitReport, by, reason: str, notify: bool = True) -> VisitReport:
    """Cancel a planned visit; the apprentice and the company tutor are mailed the cancellation of its
    calendar invitation."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez pourquoi la visite est annulée.")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("%(max)s caractères au plus.") % {"max": MAX_REASON}})
    with transaction.atomic():
        visit = _locked(visit)
        if visit.status != Status.PLANNED:
            raise Refusal(_("Seule une visite planifiée peut être annulée."))
        if not perms.can_cancel_visit(by, visit):
            raise PermissionDenied(
                _("Seuls le tuteur pédagogique de l'apprenti et l'équipe du CFA annulent ses visites.")
            )
        visit.status = Status.CANCELLED
        visit.cancel_reason = reason
        visit.invitation_sequence += 1
        visit.save(update_fields=["status", "cancel_reason", "invitation_sequence", "updated_at"])
        audit.record("livret.visitreport.cancelled", visit, {"reason": reason}, actor=by)
        if notify:
            enqueue("livret.tasks.send_visit_invitations", visit.pk, "CANCEL")
    return visit


def resolve_link(token: str, visit: VisitReport, *, for_update: bool = False) -> tuple[ActionLink, Reader]:
    """The acknowledgement link behind ``token`` and the reader it was sent to, if that person may
    still use it on ``visit`` (the company tutor, or a legal representative of a minor, on file
    now); else :class:`links.LinkError`."""
    people = {r.email: r for r in link_readers(visit.contract)}
    try:
        # Asked for no one, a genuine link is "foreign": that tells to whom it was sent.
        links.resolve(token, document=visit, expected_email=None)
    except links.LinkError as error:
        if error.kind != "foreign" or error.link is None or error.link.recipient_email not in people:
            raise
        reader = people[error.link.recipient_email]
    link = links.resolve(
        token,
        document=visit,
        expected_email=reader.email,
        action=ActionLink.Action.ACKNOWLEDGE,
        for_update=for_update,
    )
    return link, reader


def _check_shared(visit: VisitReport) -> None:
    if visit.status == Status.CANCELLED:
        raise Refusal(_("Cette visite est annulée : elle n'a pas de compte rendu."))
    if visit.status not in HELD:
        raise Refusal(_("Le compte rendu de cette visite n'est pas encore rédigé."))


def acknowledge(*, visit: VisitReport, by=None, token: str | None = None) -> VisitReport:
    """Acknowledge the shared report, from a session (the apprentice or the company tutor) or from an
    emailed link (the company tutor, a legal representative), once per person."""
    with transaction.atomic():
        visit = _locked(visit)
        link = None
        if token is not None:
            link, reader = resolve_link(token, visit, for_update=True)
        else:
            if by is None or not perms.can_acknowledge_visit(by, visit):
                _check_shared(visit)
                if by is not None and perms.reader_of(by, visit.contract) is not None:
                    # Acknowledged: both the apprentice and the company tutor have signed.
                    raise Refusal(_("Vous avez déjà pris connaissance de ce compte rendu."))
                raise PermissionDenied(
                    _("Seuls l'apprenti et son maître d'apprentissage prennent connaissance du compte rendu.")
                )
            reader = perms.reader_of(by, visit.contract)
        _check_shared(visit)
        signatures = list(signatures_of(visit))
        if has_acknowledged(reader, signatures):
            raise Refusal(_("Vous avez déjà pris connaissance de ce compte rendu."))
        via = Signature.Via.LINK if link else Signature.Via.SESSION
        signature = sign_document(
            visit,
            visit.report_content(),
            act=Signature.Act.ACKNOWLEDGE,
            signer=by if link is None else None,
            name=reader.name,
            email=reader.email,
            via=via,
        )
        if link is not None:
            links.use(link)
        signatures.append(signature)
        people = readers(visit.contract, legal_representatives=[])
        complete = all(has_acknowledged(r, signatures) for r in people)
        if complete and visit.status == Status.REPORTED:
            visit.status = Status.ACKNOWLEDGED
            visit.acknowledged_at = timezone.now()
            visit.save(update_fields=["status", "acknowledged_at", "updated_at"])
        data = {
            "via": via,
            "by": reader.email,
            "role": reader.role,
            "complete": visit.status == Status.ACKNOWLEDGED,
        }
        if link is None:
            audit.record("livret.visitreport.acknowledged", visit, data, actor=by)
        else:
            # The link's holder acted, whoever is signed in on this browser.
            with audit.acting_as(None):
                audit.record("livret.visitreport.acknowledged", visit, data)
    return visit


def close_action(*, action: ActionItem, by, done_on: datetime.date) -> ActionItem:
    """Close an action between visits (a visit's report closes the ones it ticks)."""
    with transaction.atomic():
        action = (
            ActionItem.objects.select_for_update(of=("self",))
            .select_related("contract__diploma", "contract__school_tutor", "opened_in")
            .get(pk=action.pk)
        )
        if action.done_on is not None:
            raise Refusal(_("Cette action est déjà close."))
        if not perms.can_close_action(by, action):
            raise PermissionDenied(
                _("Seuls le tuteur pédagogique de l'apprenti et l'équipe du CFA closent ses actions.")
            )
        if not isinstance(done_on, datetime.date):
            raise ValidationError({"done_on": _("Indiquez la date à laquelle l'action a été faite.")})
        if done_on > timezone.localdate():
            raise ValidationError({"done_on": _("Une action ne peut être faite dans le futur.")})
        if action.opened_in.held_on and done_on < action.opened_in.held_on:
            raise ValidationError(
                {
                    "done_on": _("L'action a été décidée le %(day)s : elle n'a pu être faite avant.")
                    % {"day": action.opened_in.held_on.strftime("%d/%m/%Y")}
                }
            )
        action.done_on = done_on
        action.closed_by = by
        action.save(update_fields=["done_on", "closed_by"])
        audit.record(
            "livret.visitreport.action_closed",
            action.opened_in,
            {"action": action.pk, "description": action.description, "done_on": done_on.isoformat()},
            actor=by,
        )
    return action
