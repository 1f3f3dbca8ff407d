"""Visites en entreprise: the visit report's workflow (the charter's windows are in ``livret.windows``).

A visit is planned (``planned``), then logged (``reported``): the report is frozen and signed by whoever
wrote it, its action items are created (and earlier ones closed), and the company tutor (and each
legal representative of a minor) gets an emailed link to acknowledge it. When the apprentice and the
company tutor have both acknowledged it, it is ``acknowledged``. A planned visit may be ``cancelled``.

Each transition runs in one transaction, locks its row, checks the source state and the person's
right, saves with ``update_fields``, writes an audit event and queues its mails on commit; a refusal
changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apprentices.models import Contract
from core import audit
from core.mail import send_templated
from livret import links, perms
from livret.models import ActionItem, ActionLink, Signature, VisitReport
from livret.services.common import InvalidTransition, sign_document, signatures_of
from livret.windows import (  # noqa: F401 (the pages and tests read the windows through this module)
    HELD,
    ContractYear,
    Window,
    WindowState,
    YearWindows,
    add_months,
    contract_years,
    summarize,
    visit_windows,
    visits_due,
)

V = VisitReport.Status


MAX_NEW_ACTIONS = 10
ONE_DAY = datetime.timedelta(days=1)
MAX_PARTICIPANTS = VisitReport._meta.get_field("other_participants").max_length
MAX_REASON = VisitReport._meta.get_field("cancel_reason").max_length
MAX_ACTION = ActionItem._meta.get_field("description").max_length


# People --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """Someone who acknowledges a report: ``role`` is apprentice, company_tutor or legal_representative."""

    role: str
    email: str
    name: str
    first_name: str
    user_id: int | None = None
    also_email: str = ""  # the apprentice's address on their record, when their account has another


def readers(contract, legal_representatives: Iterable | None = None) -> list[Reader]:
    """Who acknowledges a report of ``contract``: the apprentice and the company tutor, and each legal
    representative when the apprentice is a minor (``legal_representatives``: pass them to save the
    query)."""
    apprentice, tutor = contract.apprentice, contract.company_tutor
    user = apprentice.user
    people = [
        Reader(
            "apprentice",
            (user.email if user else apprentice.email).lower(),
            str(apprentice),
            apprentice.first_name,
            apprentice.user_id,
            also_email=apprentice.email.lower(),
        )
    ]
    if tutor is not None and tutor.email:
        people.append(
            Reader("company_tutor", tutor.email.lower(), str(tutor), tutor.first_name, tutor.user_id)
        )
    if apprentice.is_minor:
        if legal_representatives is None:
            legal_representatives = apprentice.legal_representatives.all()
        people.extend(
            Reader("legal_representative", r.email.lower(), str(r), r.first_name)
            for r in legal_representatives
            if r.email
        )
    return people


def link_readers(contract, legal_representatives=None) -> list[Reader]:
    """Those who get an emailed link: everyone but the apprentice, who has an account."""
    return [r for r in readers(contract, legal_representatives) if r.role != "apprentice"]


def has_acknowledged(reader: Reader, signatures: Iterable[Signature]) -> bool:
    return any(
        s.act == Signature.Act.ACKNOWLEDGE
        and (
            s.signer_email.lower() in {reader.email, reader.also_email or reader.email}
            or (reader.user_id is not None and s.signer_id == reader.user_id)
        )
        for s in signatures
    )


def reader_of(user, contract) -> Reader | None:
    """The reader that ``user`` is by session: the apprentice or the company tutor of ``contract``."""
    if perms.is_apprentice_of(user, contract):
        return readers(contract, legal_representatives=[])[0]
    if perms.is_company_tutor_of(user, contract):
        return next(r for r in readers(contract, legal_representatives=[]) if r.role == "company_tutor")
    return None


def may_acknowledge(user, visit, signatures) -> bool:
    """The page offers "J'ai pris connaissance" to the apprentice or company tutor who has not yet."""
    if not perms.can_acknowledge_visit(user, visit):
        return False
    reader = reader_of(user, visit.contract)
    return reader is not None and not has_acknowledged(reader, signatures)


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


def plan_visit(
    *, contract: Contract, by, planned_date: datetime.date, mode: str, is_start_meeting: bool = False
) -> VisitReport:
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
        if planned_date < contract.start_date:
            raise ValidationError(
                {
                    "planned_date": _(
                        "Le contrat commence le %(day)s : choisissez une date à partir de ce jour."
                    )
                    % {"day": contract.start_date.strftime("%d/%m/%Y")}
                }
            )
        if planned_date > contract.end_date:
            raise ValidationError(
                {
                    "planned_date": _(
                        "Le contrat se termine le %(day)s : choisissez une date jusqu'à ce jour."
                    )
                    % {"day": contract.end_date.strftime("%d/%m/%Y")}
                }
            )
        if (
            is_start_meeting
            and contract.visits.filter(is_start_meeting=True).exclude(status=V.CANCELLED).exists()
        ):
            raise ValidationError({"is_start_meeting": _("Ce contrat a déjà son entretien de démarrage.")})
        visit = VisitReport.objects.create(
            contract=contract, planned_date=planned_date, mode=mode, is_start_meeting=is_start_meeting
        )
        audit.record(
            "livret.visitreport.planned",
            visit,
            {"planned_date": planned_date.isoformat(), "mode": mode, "start_meeting": is_start_meeting},
            actor=by,
        )
    return visit


def _clean_new_actions(new_actions, held_on) -> list[dict]:
    """The new actions as rows to create, or ValidationError under ``new_actions``."""
    new_actions = list(new_actions or [])
    if len(new_actions) > MAX_NEW_ACTIONS:
        raise ValidationError(
            {"new_actions": _("Une visite décide au plus %(n)s actions.") % {"n": MAX_NEW_ACTIONS}}
        )
    rows, errors = [], []
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
        rows.append({"description": description, "owner": owner, "due_date": due_date})
    if errors:
        raise ValidationError({"new_actions": errors})
    return rows


def log_visit(
    *,
    visit: VisitReport,
    by,
    held_on: datetime.date,
    mode: str,
    apprentice_present: bool = False,
    company_tutor_present: bool = False,
    legal_representative_present: bool = False,
    other_participants: str = "",
    integration: str = "",
    missions_adequacy: str = "",
    progress: str = "",
    difficulties: str = "",
    close_action_ids: Iterable[int] = (),
    new_actions: Iterable[dict] = (),
    notify: bool = True,
) -> VisitReport:
    """Log the report of a planned visit: freeze and sign it, close the actions done, open the new
    ones, and send the acknowledgement links on commit."""
    from livret.tasks import send_visit_acknowledge_requests

    texts = {
        "integration": (integration or "").strip(),
        "missions_adequacy": (missions_adequacy or "").strip(),
        "progress": (progress or "").strip(),
        "difficulties": (difficulties or "").strip(),
    }
    other_participants = (other_participants or "").strip()
    errors = {
        name: _("Ce texte dépasse %(max)s caractères.") % {"max": VisitReport.MAX_TEXT}
        for name, value in texts.items()
        if len(value) > VisitReport.MAX_TEXT
    }
    if len(other_participants) > MAX_PARTICIPANTS:
        errors["other_participants"] = _("%(max)s caractères au plus.") % {"max": MAX_PARTICIPANTS}
    if errors:
        raise ValidationError(errors)
    close_ids = set()
    for value in close_action_ids or ():
        try:
            close_ids.add(int(value))
        except (TypeError, ValueError):
            raise ValidationError({"close_actions": _("Une action à fermer est inconnue.")}) from None

    with transaction.atomic():
        visit = _locked(visit)
        contract = visit.contract
        if visit.status != V.PLANNED:
            if visit.status == V.CANCELLED:
                raise InvalidTransition(_("Cette visite est annulée : elle n'a pas de compte rendu."))
            raise InvalidTransition(
                _("Le compte rendu de cette visite est déjà partagé : il ne se modifie plus.")
            )
        if not perms.can_log_visit(by, visit):
            raise PermissionDenied(
                _("Seuls le tuteur pédagogique de l'apprenti et l'équipe du CFA rédigent ses comptes rendus.")
            )
        errors = {}
        today = timezone.localdate()
        if not isinstance(held_on, datetime.date):
            errors["held_on"] = _("Indiquez la date de la rencontre.")
        elif held_on > today:
            errors["held_on"] = _("La rencontre ne peut pas être dans le futur : planifiez-la plutôt.")
        elif held_on < contract.start_date:
            errors["held_on"] = _("La rencontre ne peut précéder le début du contrat (%(day)s).") % {
                "day": contract.start_date.strftime("%d/%m/%Y")
            }
        elif held_on > contract.end_date:
            errors["held_on"] = _("La rencontre ne peut suivre la fin du contrat (%(day)s).") % {
                "day": contract.end_date.strftime("%d/%m/%Y")
            }
        if mode not in VisitReport.Mode.values:
            errors["mode"] = _("Choisissez une modalité de la liste.")
        minor = contract.apprentice.is_minor
        if not minor:
            legal_representative_present = False
        if visit.is_start_meeting:
            if not apprentice_present:
                errors["apprentice_present"] = _("L'entretien de démarrage se tient avec l'apprenti.")
            if contract.company_tutor_id and not company_tutor_present:
                errors["company_tutor_present"] = _(
                    "L'entretien de démarrage se tient avec le maître d'apprentissage."
                )
            if minor and not legal_representative_present:
                errors["legal_representative_present"] = _(
                    "L'apprenti est mineur : l'entretien de démarrage se tient avec son représentant légal."
                )
        if not any(texts.values()):
            errors[NON_FIELD_ERRORS] = _(
                "Remplissez au moins une rubrique du compte rendu (intégration, missions, progression ou "
                "difficultés)."
            )
        try:
            rows = _clean_new_actions(new_actions, held_on if isinstance(held_on, datetime.date) else None)
        except ValidationError as error:
            errors.update(error.message_dict)
            rows = []
        to_close = list(
            ActionItem.objects.select_for_update()
            .filter(pk__in=close_ids, contract=contract, done_on__isnull=True)
            .exclude(opened_in=visit)
        )
        if len(to_close) != len(close_ids):
            errors["close_actions"] = _(
                "Une action à fermer n'appartient pas à ce contrat ou est déjà close : rechargez la page."
            )
        if errors:
            raise ValidationError(errors)

        visit.held_on = held_on
        visit.mode = mode
        visit.apprentice_present = bool(apprentice_present)
        visit.company_tutor_present = bool(company_tutor_present)
        visit.legal_representative_present = bool(legal_representative_present)
        visit.other_participants = other_participants
        for name, value in texts.items():
            setattr(visit, name, value)
        visit.status = V.REPORTED
        visit.author = by
        visit.reported_at = timezone.now()
        visit.save(
            update_fields=[
                "held_on",
                "mode",
                "apprentice_present",
                "company_tutor_present",
                "legal_representative_present",
                "other_participants",
                *VisitReport.REPORT_FIELDS,
                "status",
                "author",
                "reported_at",
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
            ActionItem(contract=contract, opened_in=visit, **row) for row in rows
        )
        ActionItem.objects.filter(pk__in=[a.pk for a in to_close]).update(
            done_on=held_on, closed_in=visit, closed_by=by
        )
        audit.record(
            "livret.visitreport.reported",
            visit,
            {
                "held_on": held_on.isoformat(),
                "actions_opened": [a.pk for a in created],
                "actions_closed": sorted(a.pk for a in to_close),
            },
            actor=by,
        )
        if notify:
            send_visit_acknowledge_requests.delay_on_commit(visit.pk)
    return visit


def cancel_visit(*, visit: VisitReport, by, reason: str) -> VisitReport:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez pourquoi la visite est annulée.")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("%(max)s caractères au plus.") % {"max": MAX_REASON}})
    with transaction.atomic():
        visit = _locked(visit)
        if visit.status != V.PLANNED:
            raise InvalidTransition(_("Seule une visite planifiée peut être annulée."))
        if not perms.can_cancel_visit(by, visit):
            raise PermissionDenied(
                _("Seuls le tuteur pédagogique de l'apprenti et l'équipe du CFA annulent ses visites.")
            )
        visit.status = V.CANCELLED
        visit.cancel_reason = reason
        visit.save(update_fields=["status", "cancel_reason", "updated_at"])
        audit.record("livret.visitreport.cancelled", visit, {"reason": reason}, actor=by)
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
    link = links.resolve(token, document=visit, expected_email=reader.email, for_update=for_update)
    if link.action != ActionLink.Action.ACKNOWLEDGE:
        raise links.LinkError("foreign", link)
    return link, reader


def _check_shared(visit: VisitReport) -> None:
    if visit.status == V.CANCELLED:
        raise InvalidTransition(_("Cette visite est annulée : elle n'a pas de compte rendu."))
    if visit.status not in HELD:
        raise InvalidTransition(_("Le compte rendu de cette visite n'est pas encore rédigé."))


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
                if by is not None and reader_of(by, visit.contract) is not None:
                    # Acknowledged: both the apprentice and the company tutor have signed.
                    raise InvalidTransition(_("Vous avez déjà pris connaissance de ce compte rendu."))
                raise PermissionDenied(
                    _("Seuls l'apprenti et son maître d'apprentissage prennent connaissance du compte rendu.")
                )
            reader = reader_of(by, visit.contract)
        _check_shared(visit)
        signatures = list(signatures_of(visit))
        if has_acknowledged(reader, signatures):
            raise InvalidTransition(_("Vous avez déjà pris connaissance de ce compte rendu."))
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
            link.used_at = timezone.now()
            link.save(update_fields=["used_at"])
        signatures.append(signature)
        people = readers(visit.contract, legal_representatives=[])
        complete = all(has_acknowledged(r, signatures) for r in people)
        if complete and visit.status == V.REPORTED:
            visit.status = V.ACKNOWLEDGED
            visit.acknowledged_at = timezone.now()
            visit.save(update_fields=["status", "acknowledged_at", "updated_at"])
        data = {
            "via": via,
            "by": reader.email,
            "role": reader.role,
            "complete": visit.status == V.ACKNOWLEDGED,
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
            raise InvalidTransition(_("Cette action est déjà close."))
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


# Mails ---------------------------------------------------------------------------------------------


def mail_acknowledge_requests(visit_id: int, email: str | None = None) -> int:
    """Mail each reader with a link (company tutor, legal representatives of a minor) who has not yet
    acknowledged the report a fresh link; only ``email`` when given. Returns the number of mails."""
    visit = (
        VisitReport.objects.filter(pk=visit_id, status__in=HELD)
        .select_related(
            "contract__apprentice__user", "contract__company_tutor", "contract__school_tutor__user", "author"
        )
        .first()
    )
    if visit is None:
        return 0
    signatures = list(signatures_of(visit))
    sent = 0
    for reader in link_readers(visit.contract):
        if (email and reader.email != email.lower()) or has_acknowledged(reader, signatures):
            continue
        _link, token = links.issue(
            document=visit, action=ActionLink.Action.ACKNOWLEDGE, email=reader.email, name=reader.name
        )
        context = {
            "visit": visit,
            "reader": reader,
            "apprentice": visit.contract.apprentice,
            "author": _signer_name(visit.author) if visit.author else str(visit.contract.school_tutor or ""),
            "url": settings.SITE_URL + reverse("livret:visit_link", args=[visit.pk, token]),
            "days": settings.LIVRET_LINK_VALID_DAYS,
            "platform_name": settings.PLATFORM_NAME,
        }
        send_templated(
            subject=_("%(platform)s : compte rendu de visite de %(apprentice)s à lire")
            % {"platform": settings.PLATFORM_NAME, "apprentice": visit.contract.apprentice},
            template="livret/email/visit_acknowledge_request",
            context=context,
            to=[reader.email],
        )
        sent += 1
    return sent
