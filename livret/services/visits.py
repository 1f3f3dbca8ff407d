"""Visites en entreprise: the charter's windows, and the visit report's workflow.

The charter (socle, poste 3, « formalisation du suivi ») asks for « au moins deux rencontres avec
l'employeur par an, dont une dans les deux mois suivant le début de la formation et une dans les deux
mois précédant sa fin ». :func:`visit_windows` turns that sentence into dated windows for one contract;
only meetings that were held (a report was logged) count, on the day they were held.

A visit is planned (``planned``), then logged (``reported``): the report is frozen and signed by whoever
wrote it, its action items are created (and earlier ones closed), and the company tutor (and each
legal representative of a minor) gets an emailed link to acknowledge it. When the apprentice and the
company tutor have both acknowledged it, it is ``acknowledged``. A planned visit may be ``cancelled``.

Each transition runs in one transaction, locks its row, checks the source state and the person's
right, saves with ``update_fields``, writes an audit event and queues its mails on commit; a refusal
changes nothing.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apprentices.models import Contract
from core import audit
from core.mail import send_templated
from livret import links, perms
from livret.models import ActionItem, ActionLink, Signature, VisitReport
from livret.services.common import InvalidTransition, sign_document, signatures_of

V = VisitReport.Status
HELD = frozenset({V.REPORTED, V.ACKNOWLEDGED})

# The charter's numbers.
WINDOW_MONTHS = 2
REQUIRED_PER_YEAR = 2
# Our reading where the charter is silent: a contract year shorter than six months (a contract that
# ends early) asks for one meeting, not two; a remainder shorter than three months after the last
# anniversary (an end date a few weeks past it) is not a year of its own but lengthens the last one.
SHORT_YEAR_MONTHS = 6
MIN_YEAR_MONTHS = 3

MAX_NEW_ACTIONS = 10
ONE_DAY = datetime.timedelta(days=1)
MAX_PARTICIPANTS = VisitReport._meta.get_field("other_participants").max_length
MAX_REASON = VisitReport._meta.get_field("cancel_reason").max_length
MAX_ACTION = ActionItem._meta.get_field("description").max_length


# The charter's windows (pure: no query) ------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months`` (negative: back), on the same day of the month or the month's last
    day when it has fewer (31 August + 2 months = 31 October; 31 December + 2 months = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


class WindowState(models.TextChoices):
    UPCOMING = "upcoming", gettext_lazy("À venir")
    OPEN = "open", gettext_lazy("En cours")
    MET = "met", gettext_lazy("Respectée")
    MISSED = "missed", gettext_lazy("Manquée")


@dataclass(frozen=True)
class ContractYear:
    """Year ``number`` (from 1) of a contract: from an anniversary of its start to the day before the
    next one, the last year ending on the contract's end (its rupture, or its planned end)."""

    number: int
    start: datetime.date
    end: datetime.date
    is_first: bool
    is_last: bool

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    @property
    def required(self) -> int:
        short = add_months(self.start, SHORT_YEAR_MONTHS) > self.end + ONE_DAY
        return 1 if short else REQUIRED_PER_YEAR


@dataclass
class Window:
    """One requirement of the charter over a contract year, and where it stands on ``today``.

    ``kind`` is ``start`` (a meeting within two months after the start), ``end`` (within the two
    months before the end) or ``year`` (``required`` meetings in the year). ``visit`` is the held
    visit that met it; ``held`` counts the year's held visits (for ``year``).
    """

    START = "start"
    END = "end"
    YEAR = "year"

    kind: str
    year: ContractYear
    start: datetime.date
    end: datetime.date
    state: str
    visit: VisitReport | None = None
    held: int = 0
    required: int = 1

    @property
    def label(self) -> str:
        if self.kind == self.START:
            return _("Rencontre dans les deux mois suivant le début")
        if self.kind == self.END:
            return _("Rencontre dans les deux mois précédant la fin")
        return ngettext(
            "Au moins %(n)s rencontre dans l'année", "Au moins %(n)s rencontres dans l'année", self.required
        ) % {"n": self.required}

    @property
    def state_label(self) -> str:
        return str(WindowState(self.state).label)

    @property
    def is_due(self) -> bool:
        """Open and not yet met: what the school tutor has to do now."""
        return self.state == WindowState.OPEN


@dataclass
class YearWindows:
    year: ContractYear
    windows: list[Window] = field(default_factory=list)

    def of(self, kind: str) -> Window | None:
        return next((w for w in self.windows if w.kind == kind), None)


def contract_years(contract) -> list[ContractYear]:
    """The contract's years: year k runs from ``start_date`` + k years to the day before the next
    anniversary, the last one clipped to ``contract.end_date`` (the rupture, else the planned end).
    A remainder shorter than three months lengthens the year before it."""
    start, end = contract.start_date, contract.end_date
    bounds = []
    k = 0
    while True:
        year_start = add_months(start, 12 * k)
        if year_start > end:
            break
        next_start = add_months(start, 12 * (k + 1))
        bounds.append([year_start, min(end, next_start - datetime.timedelta(days=1))])
        k += 1
    if len(bounds) > 1 and add_months(bounds[-1][0], MIN_YEAR_MONTHS) > bounds[-1][1] + ONE_DAY:
        tail = bounds.pop()
        bounds[-1][1] = tail[1]
    return [
        ContractYear(number=index + 1, start=s, end=e, is_first=index == 0, is_last=index == len(bounds) - 1)
        for index, (s, e) in enumerate(bounds)
    ]


def _state(start: datetime.date, end: datetime.date, met: bool, today: datetime.date) -> str:
    if met:
        return WindowState.MET
    if today < start:
        return WindowState.UPCOMING
    if today > end:
        return WindowState.MISSED
    return WindowState.OPEN


def visit_windows(contract, visits: Iterable[VisitReport], today: datetime.date) -> list[YearWindows]:
    """For each contract year: the "start" window (first year: the two months after
    ``start_date``), the "end" window (last year: the two months before the planned end, as far as
    the contract lasts; a contract broken off before it has none) and the yearly count, each with its
    state on ``today``: upcoming, open, met (with the visit that met it) or missed.

    Only held visits (reported or acknowledged) count, on the day they were held; ``visits`` may hold
    others (planned, cancelled, other contracts' are ignored). Runs no query.
    """
    held = sorted(
        (v for v in visits if v.status in HELD and v.held_on and v.contract_id == contract.pk),
        key=lambda v: (v.held_on, v.pk),
    )
    result = []
    for year in contract_years(contract):
        windows = []
        if year.is_first:
            start = contract.start_date
            end = min(add_months(start, WINDOW_MONTHS) - ONE_DAY, year.end)
            windows.append(_window(Window.START, year, start, end, held, today))
        if year.is_last:
            planned_end = contract.planned_end_date
            start = max(add_months(planned_end, -WINDOW_MONTHS) + ONE_DAY, year.start)
            end = min(planned_end, contract.end_date)
            if start <= end:
                windows.append(_window(Window.END, year, start, end, held, today))
        in_year = [v for v in held if v.held_on in year]
        required = year.required
        windows.append(
            Window(
                kind=Window.YEAR,
                year=year,
                start=year.start,
                end=year.end,
                state=_state(year.start, year.end, len(in_year) >= required, today),
                visit=in_year[required - 1] if len(in_year) >= required else None,
                held=len(in_year),
                required=required,
            )
        )
        result.append(YearWindows(year=year, windows=windows))
    return result


def _window(kind, year, start, end, held, today) -> Window:
    visit = next((v for v in held if start <= v.held_on <= end), None)
    return Window(
        kind=kind,
        year=year,
        start=start,
        end=end,
        state=_state(start, end, visit is not None, today),
        visit=visit,
    )


@dataclass
class VisitSummary:
    """What a list shows of one contract: the window to act on, the missed ones, the counts."""

    next: Window | None
    missed: list[Window]
    held: int
    planned: list[VisitReport]


def summarize(contract, visits: Iterable[VisitReport], today: datetime.date) -> VisitSummary:
    """The open window that closes first (else the next upcoming one), and every missed window."""
    visits = [v for v in visits if v.contract_id == contract.pk]
    windows = [w for year in visit_windows(contract, visits, today) for w in year.windows]
    open_ = sorted(
        (w for w in windows if w.state == WindowState.OPEN), key=lambda w: (w.end, w.kind == Window.YEAR)
    )
    upcoming = sorted((w for w in windows if w.state == WindowState.UPCOMING), key=lambda w: w.start)
    return VisitSummary(
        next=(open_ or upcoming or [None])[0],
        missed=[w for w in windows if w.state == WindowState.MISSED],
        held=sum(1 for v in visits if v.status in HELD),
        planned=sorted((v for v in visits if v.status == V.PLANNED), key=lambda v: (v.planned_date, v.pk)),
    )


def visits_due(contracts, today: datetime.date) -> list[dict]:
    """For the "À faire" inbox: the contracts among ``contracts`` (a queryset, say the active
    contracts of one school tutor) with an open window not met and no visit planned, each with that
    window. Two queries whatever the number of contracts."""
    contracts = list(contracts)
    visits = list(
        VisitReport.objects.filter(contract__in=contracts)
        .exclude(status=V.CANCELLED)
        .only("pk", "contract_id", "status", "held_on", "planned_date")
    )
    due = []
    for contract in contracts:
        summary = summarize(contract, visits, today)
        window = summary.next
        if window is not None and window.state == WindowState.OPEN and not summary.planned:
            due.append({"contract": contract, "window": window, "due": window.end})
    return sorted(due, key=lambda item: item["due"])


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
