"""Workflow of the liaison sheet: opening, draft, submission, countersignature, review, return, correction.

Each transition runs in one transaction, locks the sheet row, checks the source state and the
person's right, saves with ``update_fields``, writes an audit event and queues its mails on commit.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from apprentices.models import AlternanceCalendar, AlternancePeriod, Contract
from core import audit
from core.models import AcademicYear, ActionLink, AuditEvent, Signature
from core.queue import enqueue
from core.signals import records_written
from core.workflow import Refusal, drafts, links
from core.workflow.signatures import sign_document
from livret import perms
from livret.models import LiaisonSheet
from livret.selectors import sheets_with_context

Status = LiaisonSheet.Status


def _locked(sheet: LiaisonSheet) -> LiaisonSheet:
    """The sheet, row-locked, with what the rules read (people, diploma, period)."""
    return (
        sheets_with_context(LiaisonSheet.objects.select_for_update(of=("self",)))
        .select_related("contract__apprentice__user", "contract__diploma")
        .get(pk=sheet.pk)
    )


def _check_lengths(values: dict) -> None:
    drafts.check_lengths(values, LiaisonSheet.MAX_TEXT)


def sign(sheet, *, act, signer, name: str, email: str, via: str) -> Signature:
    """Record ``act`` on ``sheet``: a countersignature covers both parts, a submission the apprentice's."""
    content = sheet.signable_content() if act == Signature.Act.COUNTERSIGN else sheet.submission_content()
    return sign_document(sheet, content, act=act, signer=signer, name=name, email=email, via=via)


# Opening -------------------------------------------------------------------------------------------


def sheet_due_date(period: AlternancePeriod, next_school: AlternancePeriod | None) -> datetime.date:
    start = next_school.start_date if next_school else period.end_date + datetime.timedelta(days=3)
    return start + datetime.timedelta(days=settings.LIVRET_SHEET_DUE_DAYS)


def open_due_sheets(*, today: datetime.date) -> int:
    """Open, for every active contract, the sheet of each company period that is about to end.

    A period's sheet opens ``LIVRET_SHEET_OPEN_DAYS_BEFORE`` days before its end; periods that
    ended up to ``LIVRET_SHEET_CATCH_UP_DAYS`` ago are caught up (the job may have been down).
    Running it twice opens nothing twice: the unique constraint on (contract, period) holds it.
    """
    year = AcademicYear.objects.current(today)
    if year is None:
        return 0
    opens_before = datetime.timedelta(days=settings.LIVRET_SHEET_OPEN_DAYS_BEFORE)
    oldest_end = today - datetime.timedelta(days=settings.LIVRET_SHEET_CATCH_UP_DAYS)
    contracts = list(
        Contract.objects.filter(status=Contract.Status.ACTIVE, apprentice__cohort__isnull=False)
        .active_on(today)
        .select_related("apprentice__cohort__entry_year")
    )
    calendars = {
        (c.diploma_id, c.year_of_study): c
        for c in AlternanceCalendar.objects.filter(
            academic_year=year, diploma_id__in={c.diploma_id for c in contracts}
        ).prefetch_related(Prefetch("periods", queryset=AlternancePeriod.objects.order_by("start_date")))
    }
    existing = set(
        LiaisonSheet.objects.filter(contract__in=contracts, period__calendar__academic_year=year).values_list(
            "contract_id", "period_id"
        )
    )
    to_create = []
    for contract in contracts:
        calendar = calendars.get((contract.diploma_id, contract.apprentice.cohort.year_of_study(year)))
        if calendar is None:
            continue
        periods = list(calendar.periods.all())
        for index, period in enumerate(periods):
            if (
                period.kind != AlternancePeriod.Kind.COMPANY
                or (contract.pk, period.pk) in existing
                or period.end_date - opens_before > today
                or period.end_date < oldest_end
                or period.end_date < contract.start_date
                or period.start_date > contract.end_date
            ):
                continue
            next_school = next(
                (p for p in periods[index + 1 :] if p.kind == AlternancePeriod.Kind.SCHOOL), None
            )
            to_create.append(
                LiaisonSheet(contract=contract, period=period, due_date=sheet_due_date(period, next_school))
            )
    if not to_create:
        return 0
    with transaction.atomic():
        LiaisonSheet.objects.bulk_create(to_create, ignore_conflicts=True)
        records_written.send(LiaisonSheet, models=(LiaisonSheet,))
        sheet_type = ContentType.objects.get_for_model(LiaisonSheet)
        wanted = {(s.contract_id, s.period_id) for s in to_create}
        candidates = [
            sheet
            for sheet in LiaisonSheet.objects.filter(
                contract_id__in={pair[0] for pair in wanted},
                period_id__in={pair[1] for pair in wanted},
                version=1,
            )
            if (sheet.contract_id, sheet.period_id) in wanted
        ]
        # A concurrent run may have opened some of them: only the ones without an "opened" event are ours.
        already = set(
            AuditEvent.objects.filter(
                action="livret.liaisonsheet.opened",
                target_type=sheet_type,
                target_id__in=[s.pk for s in candidates],
            ).values_list("target_id", flat=True)
        )
        created = [sheet for sheet in candidates if sheet.pk not in already]
        AuditEvent.objects.bulk_create(
            AuditEvent(
                action="livret.liaisonsheet.opened",
                target_type=sheet_type,
                target_id=sheet.pk,
                target_repr=f"Fiche de liaison {sheet.pk}",
                data={"due_date": sheet.due_date.isoformat(), "via": "task"},
            )
            for sheet in created
        )
    return len(created)


# The apprentice's part -----------------------------------------------------------------------------


def save_draft(*, sheet: LiaisonSheet, by, values: dict, revision: int) -> LiaisonSheet:
    """Save the apprentice's text. A save based on an older revision is refused with the current text."""
    values = {name: (values.get(name) or "") for name in LiaisonSheet.DRAFT_FIELDS}
    _check_lengths(values)
    with transaction.atomic():
        sheet = _locked(sheet)
        if not perms.can_fill(by, sheet):
            raise PermissionDenied(_("Cette fiche n'est pas modifiable par vous dans son état actuel."))
        drafts.save_draft(sheet, values, revision)
    return sheet


def submit(*, sheet: LiaisonSheet, by, notify: bool = True) -> LiaisonSheet:
    with transaction.atomic():
        sheet = _locked(sheet)
        if sheet.status not in {Status.DRAFT, Status.RETURNED}:
            raise Refusal(_("Cette fiche a déjà été transmise."))
        if not perms.can_fill(by, sheet):
            raise PermissionDenied(_("Seul l'apprenti peut transmettre sa fiche."))
        if not sheet.activities.strip():
            raise ValidationError({"activities": _("Décrivez au moins ce que vous avez fait en entreprise.")})
        previous_status = sheet.status
        sheet.status = Status.SUBMITTED
        sheet.submitted_at = timezone.now()
        sheet.return_reason = ""
        sheet.save(update_fields=["status", "submitted_at", "return_reason", "updated_at"])
        sign(
            sheet,
            act=Signature.Act.SUBMIT,
            signer=by,
            name=str(sheet.contract.apprentice),
            email=by.email,
            via=Signature.Via.SESSION,
        )
        audit.record("livret.liaisonsheet.submitted", sheet, {"from": previous_status}, actor=by)
        if notify:
            enqueue("livret.tasks.send_countersign_request", sheet.pk)
    return sheet


# The company tutor ---------------------------------------------------------------------------------


def countersign(
    *, sheet: LiaisonSheet, by=None, token: str | None = None, tutor_assessment: str = ""
) -> LiaisonSheet:
    """Countersign from a session (``by``) or from an emailed link (``token``), exactly once."""
    _check_lengths({"tutor_assessment": tutor_assessment})
    with transaction.atomic():
        sheet = _locked(sheet)
        tutor = sheet.contract.company_tutor
        link = None
        if token is not None:
            link = links.resolve(
                token,
                document=sheet,
                expected_email=tutor.email if tutor else None,
                action=ActionLink.Action.COUNTERSIGN,
                for_update=True,
            )
        elif by is None or not perms.can_countersign(by, sheet):
            if sheet.status != Status.SUBMITTED:
                raise Refusal(_("Cette fiche n'attend pas de contresignature."))
            raise PermissionDenied(_("Seul le maître d'apprentissage de l'apprenti peut contresigner."))
        if sheet.status != Status.SUBMITTED or not sheet.is_current:
            raise Refusal(_("Cette fiche n'attend pas de contresignature."))
        sheet.tutor_assessment = tutor_assessment.strip()
        sheet.status = Status.COUNTERSIGNED
        sheet.countersigned_at = timezone.now()
        sheet.save(update_fields=["tutor_assessment", "status", "countersigned_at", "updated_at"])
        via = Signature.Via.LINK if link else Signature.Via.SESSION
        sign(
            sheet,
            act=Signature.Act.COUNTERSIGN,
            signer=by if link is None else (tutor.user if tutor and tutor.user_id else None),
            name=str(tutor),
            email=tutor.email,
            via=via,
        )
        if link is not None:
            links.use(link)
        audit.record(
            "livret.liaisonsheet.countersigned",
            sheet,
            {"via": via, "by": tutor.email},
            actor=by if link is None else None,
        )
    return sheet


def return_to_apprentice(
    *, sheet: LiaisonSheet, by=None, token: str | None = None, reason: str, notify: bool = True
) -> LiaisonSheet:
    """Send the submitted sheet back to the apprentice with a reason, from a session (the company or
    school tutor, ``by``) or from the company tutor's emailed link (``token``, spent by it). The
    apprentice is mailed the reason on commit."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez à l'apprenti ce qu'il doit reprendre.")})
    _check_lengths({"reason": reason})
    with transaction.atomic():
        sheet = _locked(sheet)
        tutor = sheet.contract.company_tutor
        link = None
        if token is not None:
            link = links.resolve(
                token,
                document=sheet,
                expected_email=tutor.email if tutor else None,
                action=ActionLink.Action.COUNTERSIGN,
                for_update=True,
            )
        if sheet.status != Status.SUBMITTED or not sheet.is_current:
            raise Refusal(_("Seule une fiche transmise et pas encore contresignée peut être renvoyée."))
        if link is None and (by is None or not perms.can_return(by, sheet)):
            raise PermissionDenied(_("Vous ne pouvez pas renvoyer cette fiche."))
        sheet.status = Status.RETURNED
        sheet.return_reason = reason
        sheet.save(update_fields=["status", "return_reason", "updated_at"])
        if link is not None:
            links.use(link)
        ActionLink.objects.for_document(sheet).filter(used_at=None).update(expires_at=timezone.now())
        if link is None:
            audit.record("livret.liaisonsheet.returned", sheet, {"reason": reason}, actor=by)
        else:
            # The link's holder acted, whoever is signed in on this browser.
            with audit.acting_as(None):
                data = {"reason": reason, "via": "link", "by": tutor.email}
                audit.record("livret.liaisonsheet.returned", sheet, data)
        if notify:
            enqueue("livret.tasks.send_return_notice", sheet.pk)
    return sheet


# The school tutor ----------------------------------------------------------------------------------


def review(*, sheet: LiaisonSheet, by, comment: str) -> LiaisonSheet:
    _check_lengths({"school_comment": comment})
    with transaction.atomic():
        sheet = _locked(sheet)
        if sheet.status != Status.COUNTERSIGNED:
            raise Refusal(_("Cette fiche doit être contresignée avant d'être lue par le tuteur pédagogique."))
        if not perms.can_review(by, sheet):
            raise PermissionDenied(_("Seul le tuteur pédagogique de l'apprenti peut valider sa lecture."))
        sheet.school_comment = (comment or "").strip()
        sheet.status = Status.REVIEWED
        sheet.reviewed_at = timezone.now()
        sheet.save(update_fields=["school_comment", "status", "reviewed_at", "updated_at"])
        audit.record("livret.liaisonsheet.reviewed", sheet, actor=by)
    return sheet


# Correction ----------------------------------------------------------------------------------------


def correct(*, sheet: LiaisonSheet, by) -> LiaisonSheet:
    """Open a new version of a signed sheet; the signed one stays readable, unchanged."""
    with transaction.atomic():
        sheet = _locked(sheet)
        if not perms.can_correct(by, sheet):
            if sheet.status not in {Status.COUNTERSIGNED, Status.REVIEWED} or not sheet.is_current:
                raise Refusal(_("Seule une fiche signée se corrige par une nouvelle version."))
            raise PermissionDenied(_("Vous ne pouvez pas corriger cette fiche."))
        sheet.is_current = False
        sheet.save(update_fields=["is_current", "updated_at"])
        new = LiaisonSheet.objects.create(
            contract=sheet.contract,
            period=sheet.period,
            version=sheet.version + 1,
            previous=sheet,
            due_date=max(sheet.due_date, timezone.localdate() + datetime.timedelta(days=7)),
            **sheet.apprentice_content(),
        )
        audit.record(
            "livret.liaisonsheet.corrected", new, {"previous": sheet.pk, "version": new.version}, actor=by
        )
    return new
