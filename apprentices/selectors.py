"""Reads of the apprenticeship domain, shaped for pages: each one runs a fixed number of queries."""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, Q

from apprentices.models import AlternanceCalendar, AlternancePeriod, Apprentice, Contract, Diploma
from core.models import AcademicYear
from employers.models import Employer


def current_year(today: datetime.date) -> AcademicYear | None:
    return AcademicYear.objects.current(today)


def calendar_for(diploma_id: int, academic_year: AcademicYear | None, year_of_study: int):
    if academic_year is None:
        return None
    return (
        AlternanceCalendar.objects.filter(
            diploma_id=diploma_id, academic_year=academic_year, year_of_study=year_of_study
        )
        .select_related("academic_year", "diploma")
        .prefetch_related(Prefetch("periods", queryset=AlternancePeriod.objects.order_by("start_date")))
        .first()
    )


def annotate_periods(calendar, today: datetime.date) -> list[dict]:
    """The calendar's periods, each marked past, current or coming."""
    rows = []
    if calendar is None:
        return rows
    for period in calendar.periods.all():
        if period.end_date < today:
            state = "past"
        elif period.start_date <= today:
            state = "current"
        else:
            state = "coming"
        rows.append({"period": period, "state": state})
    return rows


def apprentice_home(apprentice: Apprentice, today: datetime.date, viewer=None) -> dict:
    """An apprentice's contract, tutors and calendar; with ``viewer``, only the contracts they may see
    (a company tutor does not learn about the apprentice's contract with another employer)."""
    contracts = apprentice.contracts.all() if viewer is None else Contract.objects.visible_to(viewer)
    contracts = list(
        contracts.filter(apprentice=apprentice)
        .select_related("employer", "company_tutor", "school_tutor__user", "diploma", "option")
        .order_by("-start_date")
    )
    contract = next(
        (c for c in contracts if c.status == Contract.Status.ACTIVE), contracts[0] if contracts else None
    )
    year = current_year(today)
    calendar = None
    year_of_study = None
    if apprentice.cohort_id and year is not None:
        year_of_study = apprentice.cohort.year_of_study(year)
        calendar = calendar_for(apprentice.cohort.diploma_id, year, year_of_study)
    periods = annotate_periods(calendar, today)
    return {
        "apprentice": apprentice,
        "contract": contract,
        "other_contracts": [c for c in contracts if c is not contract],
        "academic_year": year,
        "year_of_study": year_of_study,
        "calendar": calendar,
        "periods": periods,
        "current_period": next((p["period"] for p in periods if p["state"] == "current"), None),
        "next_period": next((p["period"] for p in periods if p["state"] == "coming"), None),
    }


def tutored_contracts(user, *, role_lookup: str):
    """The contracts a tutor follows, active first."""
    return (
        Contract.objects.filter(**{role_lookup: user})
        .with_people()
        .select_related("apprentice__cohort__entry_year")
        .order_by("status", "apprentice__last_name", "apprentice__first_name")
    )


def headed_diplomas(user):
    return (
        Diploma.objects.filter(heads=user)
        .annotate(
            active_contracts=Count(
                "contracts",
                filter=Q(contracts__status=Contract.Status.ACTIVE),
                distinct=True,
            ),
            apprentices_count=Count("contracts__apprentice", distinct=True),
        )
        .order_by("title")
    )


def organisation_counts(organisation_id: int) -> dict:
    """What the organisation has set up: its employers and its diplomas (the figures of its
    apprentices and contracts are the dashboard's, reports.dashboard.figures)."""
    return {
        "employers": Employer.objects.filter(organisation_id=organisation_id).count(),
        "diplomas": Diploma.objects.filter(organisation_id=organisation_id).count(),
    }


def apprentice_record(apprentice: Apprentice, viewer) -> dict:
    """What the platform holds on ``apprentice`` as a person, as ``viewer`` may see it: their account,
    their legal representatives and every contract with its people. Two queries."""
    return {
        "apprentice": apprentice,
        "account": apprentice.user,
        "legal_representatives": list(apprentice.legal_representatives.order_by("pk")),
        "contracts": list(
            Contract.objects.visible_to(viewer)
            .filter(apprentice=apprentice)
            .with_people()
            .select_related("company_tutor__user", "diploma__organisation")
            .order_by("start_date", "pk")
        ),
    }
