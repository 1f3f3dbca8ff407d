"""Who a campaign asks: the apprentices of a diploma or a cohort, the leavers of a year, the company
tutors of a year. Each person once, with the diploma their answer will count for."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, replace

from django.db.models import Q
from django.db.models.functions import Coalesce

from apprentices.models import Apprentice, Contract
from surveys.models import Campaign


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    diploma_id: int | None
    apprentice_id: int | None = None
    company_tutor_id: int | None = None
    reference_date: datetime.date | None = None


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months``, on the same day of the month or the month's last day when it has
    fewer (as ``livret.windows.add_months``, which this layer does not import)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def leaving_contracts(organisation_id: int, start: datetime.date, end: datetime.date):
    """The last contracts of apprentices who left between ``start`` and ``end``: ended (completed,
    ruptured or abandoned) in that span, with no contract still running."""
    running = Contract.objects.filter(status=Contract.Status.ACTIVE).values("apprentice_id")
    return (
        Contract.objects.filter(
            apprentice__organisation_id=organisation_id, status__in=Contract.ENDED_STATUSES
        )
        .annotate(ended_on=Coalesce("rupture_date", "planned_end_date"))
        .filter(ended_on__gte=start, ended_on__lte=end)
        .exclude(apprentice_id__in=running)
        .select_related("apprentice")
        .order_by("apprentice_id", "-ended_on", "-pk")
    )


def apprentices_of(contracts) -> list[Person]:
    people, seen = [], set()
    for contract in contracts:
        if contract.apprentice_id in seen:
            continue
        seen.add(contract.apprentice_id)
        apprentice = contract.apprentice
        people.append(
            Person(
                email=apprentice.email,
                name=f"{apprentice.first_name} {apprentice.last_name}",
                diploma_id=contract.diploma_id,
                apprentice_id=apprentice.pk,
                reference_date=getattr(contract, "ended_on", None),
            )
        )
    return people


def population(campaign: Campaign) -> list[Person]:
    year = campaign.academic_year
    scope = Q(diploma_id=campaign.diploma_id) if campaign.diploma_id else Q()
    if campaign.population == Campaign.Population.LEAVERS:
        contracts = leaving_contracts(campaign.organisation_id, year.start_date, year.end_date).filter(scope)
        return apprentices_of(contracts)
    if campaign.population == Campaign.Population.COHORT:
        apprentices = Apprentice.objects.filter(
            cohort_id=campaign.cohort_id, organisation_id=campaign.organisation_id
        ).order_by("pk")
        return [
            Person(
                email=a.email,
                name=f"{a.first_name} {a.last_name}",
                diploma_id=campaign.cohort.diploma_id,
                apprentice_id=a.pk,
            )
            for a in apprentices
        ]
    during_year = Q(start_date__lte=year.end_date) & Q(
        Q(rupture_date__isnull=True, planned_end_date__gte=year.start_date)
        | Q(rupture_date__gte=year.start_date)
    )
    contracts = Contract.objects.filter(
        scope, during_year, apprentice__organisation_id=campaign.organisation_id
    )
    if campaign.population == Campaign.Population.TUTORS:
        people, seen = [], set()
        for contract in (
            contracts.filter(company_tutor__isnull=False)
            .select_related("company_tutor")
            .order_by("company_tutor_id", "pk")
        ):
            tutor = contract.company_tutor
            if tutor.pk in seen or not tutor.email:
                continue
            seen.add(tutor.pk)
            people.append(
                Person(
                    email=tutor.email,
                    name=f"{tutor.first_name} {tutor.last_name}",
                    diploma_id=contract.diploma_id,
                    company_tutor_id=tutor.pk,
                )
            )
        return people
    # Running on the opening day: a campaign of a past year reads the contracts of that day.
    running = (
        contracts.annotate(ended_on=Coalesce("rupture_date", "planned_end_date"))
        .filter(start_date__lte=campaign.opens_on, ended_on__gte=campaign.opens_on)
        .select_related("apprentice")
        .order_by("apprentice_id", "pk")
    )
    return [replace(p, reference_date=None) for p in apprentices_of(running)]
