"""Demo liaison sheets: the sheets that the calendar opens today, spread over every state.

Transitions go through the services, so the demo has real signatures, links and audit events.
Re-running changes nothing: only untouched drafts are moved, and the state each one gets depends on
its id alone. The sheets of apprenti@ and apprenti2@ stay drafts, ready to be filled.
"""

from __future__ import annotations

import datetime

from apprentices.models import AlternancePeriod, Contract
from core.audit import acting_as
from core.models import AcademicYear, ActionLink
from core.workflow import links
from demo.stable import contract_number, number
from livret.models import LiaisonSheet
from livret.services import sheets as services

KEEP_AS_DRAFT = {"apprenti@demo.test", "apprenti2@demo.test"}
TEXT = {
    "activities": (
        "Participation à l'analyse des temps de cycle de l'atelier d'usinage et mise à jour "
        "des gammes de fabrication avec le service méthodes."
    ),
    "competences_used": "Analyse de données de production, modes opératoires, travail en équipe.",
    "difficulties": "Prise en main de l'ERP de l'entreprise, avec l'aide précieuse de mon tuteur.",
    "school_company_gap": "Le cours de gestion de production m'a servi directement ; la simulation de flux "
    "aurait mérité plus de pratique.",
}


def _fill(sheet: LiaisonSheet, user) -> LiaisonSheet:
    return services.save_draft(sheet=sheet, by=user, values=TEXT, revision=sheet.revision)


def _ensure_demo_draft(email: str, today: datetime.date) -> int:
    """apprenti@ and apprenti2@ always have a sheet to fill, whatever day the demo is loaded: the
    sheet of their latest started company period (or the next one) if the calendar opened none."""
    contract = (
        Contract.objects.filter(apprentice__user__email=email, status=Contract.Status.ACTIVE)
        .select_related("apprentice__cohort__entry_year")
        .first()
    )
    if contract is None or contract.apprentice.cohort is None:
        return 0
    current = LiaisonSheet.objects.filter(contract=contract, is_current=True)
    if current.filter(status__in=[LiaisonSheet.Status.DRAFT, LiaisonSheet.Status.RETURNED]).exists():
        return 0
    year = AcademicYear.objects.current(today)
    periods = list(
        AlternancePeriod.objects.filter(
            calendar__diploma=contract.diploma,
            calendar__academic_year=year,
            calendar__year_of_study=contract.apprentice.cohort.year_of_study(year),
        ).order_by("start_date")
    )
    taken = set(current.values_list("period_id", flat=True))
    company = [p for p in periods if p.kind == AlternancePeriod.Kind.COMPANY and p.pk not in taken]
    started = [p for p in company if p.start_date <= today]
    period = started[-1] if started else (company[0] if company else None)
    if period is None:
        return 0
    following = [
        p for p in periods if p.kind == AlternancePeriod.Kind.SCHOOL and p.start_date > period.end_date
    ]
    LiaisonSheet.objects.create(
        contract=contract,
        period=period,
        due_date=services.sheet_due_date(period, following[0] if following else None),
    )
    return 1


def seed_sheets(*, today: datetime.date) -> dict:
    opened = services.open_due_sheets(today=today)
    opened += sum(_ensure_demo_draft(email, today) for email in sorted(KEEP_AS_DRAFT))
    moved = 0
    drafts = (
        LiaisonSheet.objects.filter(status=LiaisonSheet.Status.DRAFT, revision=0, version=1, is_current=True)
        .select_related(
            "contract__apprentice__user", "contract__company_tutor__user", "contract__school_tutor__user"
        )
        .order_by("pk")
    )
    for sheet in drafts:
        contract = sheet.contract
        apprentice_user = contract.apprentice.user
        tutor = contract.company_tutor
        if apprentice_user is None or tutor is None or apprentice_user.email in KEEP_AS_DRAFT:
            continue
        target = number(contract_number(contract), sheet.period.start_date) % 6  # 0 stays a draft
        if target == 0:
            continue
        with acting_as(apprentice_user, via="seed_demo"):
            sheet = _fill(sheet, apprentice_user)
            if target == 1:  # a draft with text
                moved += 1
                continue
            services.submit(sheet=sheet, by=apprentice_user, notify=False)
        if target == 2:  # submitted, waiting for the company tutor
            moved += 1
            continue
        if target == 3:  # returned with a reason
            reviewer = contract.school_tutor.user if contract.school_tutor else None
            if reviewer is not None:
                services.return_to_apprentice(
                    sheet=sheet,
                    by=reviewer,
                    reason="Merci de détailler les compétences mobilisées.",
                    notify=False,
                )
            moved += 1
            continue
        # Countersigned from the emailed link, as most tutors do.
        _link, token = links.issue(
            document=sheet, action=ActionLink.Action.COUNTERSIGN, email=tutor.email, name=str(tutor)
        )
        sheet = services.countersign(
            sheet=sheet, token=token, tutor_assessment="Bonne implication, autonomie en progrès."
        )
        if target == 5 and contract.school_tutor is not None:
            services.review(
                sheet=sheet, by=contract.school_tutor.user, comment="Fiche lue ; à reprendre en visite."
            )
        moved += 1
    moved += _ensure_a_correction()
    return {"opened": opened, "moved": moved}


def _ensure_a_correction() -> int:
    """One signed sheet corrected by its apprentice: version 2 is open, version 1 stays readable."""
    if LiaisonSheet.objects.filter(version__gt=1).exists():
        return 0
    sheet = (
        LiaisonSheet.objects.filter(status=LiaisonSheet.Status.REVIEWED, is_current=True)
        .exclude(contract__apprentice__user=None)
        .exclude(contract__apprentice__user__email__in=KEEP_AS_DRAFT)
        .select_related("contract__apprentice__user")
        .order_by("pk")
        .first()
    )
    if sheet is None:
        return 0
    apprentice_user = sheet.contract.apprentice.user
    with acting_as(apprentice_user, via="seed_demo"):
        services.correct(sheet=sheet, by=apprentice_user)
    return 1
