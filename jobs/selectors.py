"""Reads of the job offers: the former apprentices and their diplomas, the offers a person may read,
the offers' diffusion, and the register of former employers."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Coalesce

from apprentices.models import Apprentice, Contract
from employers.models import Employer
from jobs.models import Digest, JobOffer


def alumni_diplomas(organisation_id: int | None = None) -> dict[int, set[int]]:
    """The former apprentices (an ended contract, none running), each with the diplomas of their ended
    contracts: ``{apprentice id: {diploma id, …}}``. All organisations when ``organisation_id`` is None."""
    running = Contract.objects.filter(status=Contract.Status.ACTIVE).values("apprentice_id")
    contracts = Contract.objects.filter(status__in=Contract.ENDED_STATUSES).exclude(apprentice_id__in=running)
    if organisation_id is not None:
        contracts = contracts.filter(apprentice__organisation_id=organisation_id)
    found: dict[int, set[int]] = defaultdict(set)
    for apprentice_id, diploma_id in contracts.values_list("apprentice_id", "diploma_id").order_by():
        found[apprentice_id].add(diploma_id)
    return dict(found)


def diplomas_of(apprentice: Apprentice) -> set[int]:
    """Every diploma the apprentice has or had a contract for, and their cohort's."""
    ids = set(apprentice.contracts.values_list("diploma_id", flat=True))
    if apprentice.cohort_id:
        ids.add(apprentice.cohort.diploma_id)
    return ids


def offers_for(apprentice: Apprentice, day: datetime.date):
    """The offers open on ``day`` for the diplomas of ``apprentice`` (their own organisation's)."""
    return (
        JobOffer.objects.open_on(day)
        .filter(organisation_id=apprentice.organisation_id, diplomas__in=diplomas_of(apprentice))
        .distinct()
        .select_related("employer")
        .prefetch_related("diplomas")
        .order_by("closes_on", "-published_at", "pk")
    )


def offer_rows(offers) -> list[dict]:
    """Each offer with the number of former apprentices it was mailed to."""
    offers = list(offers)
    reached = dict(
        Digest.objects.filter(offers__in=offers, sent_at__isnull=False)
        .order_by()
        .values("offers")
        .annotate(n=Count("apprentice", distinct=True))
        .values_list("offers", "n")
    )
    return [{"offer": offer, "reached": reached.get(offer.pk, 0)} for offer in offers]


@dataclass
class FormerEmployer:
    employer: Employer
    apprentices: int
    first_start: datetime.date
    last_end: datetime.date
    diplomas: list[str] = field(default_factory=list)
    tutors: list[tuple[str, str]] = field(default_factory=list)
    offers: int = 0
    hosts_now: bool = False

    @property
    def contact(self) -> tuple[str, str]:
        """Whom to write to: the HR contact, else the first company tutor; (name, address)."""
        employer = self.employer
        if employer.hr_contact_email:
            return (employer.hr_contact_name or employer.hr_contact_email, employer.hr_contact_email)
        return self.tutors[0] if self.tutors else ("", "")


def former_employers(organisation_id: int, *, query: str = "") -> list[FormerEmployer]:
    """The register of former employers: every employer of the organisation that hosted an apprentice
    whose contract has ended, with the apprentices hosted, the diplomas, the dates, the company tutors
    (a contact) and the offers it posted; whether it hosts one now. Ordered by the last contract's end,
    latest first."""
    ended = (
        Contract.objects.filter(employer__organisation_id=organisation_id, status__in=Contract.ENDED_STATUSES)
        .annotate(ended_on=Coalesce("rupture_date", "planned_end_date"))
        .order_by()
    )
    if query:
        ended = ended.filter(
            Q(employer__legal_name__icontains=query)
            | Q(employer__siret__startswith=query.replace(" ", ""))
            | Q(employer__city__icontains=query)
        )
    figures = {
        row["employer_id"]: row
        for row in ended.values("employer_id").annotate(
            apprentices=Count("apprentice", distinct=True),
            first_start=Min("start_date"),
            last_end=Max("ended_on"),
        )
    }
    if not figures:
        return []
    employers = Employer.objects.in_bulk(list(figures))
    diplomas: dict[int, set[str]] = defaultdict(set)
    tutors: dict[int, dict[str, tuple[str, str]]] = defaultdict(dict)
    for employer_id, code, first, last, email in ended.values_list(
        "employer_id",
        "diploma__code",
        "company_tutor__first_name",
        "company_tutor__last_name",
        "company_tutor__email",
    ):
        diplomas[employer_id].add(code)
        if email:
            tutors[employer_id][email.lower()] = (f"{first} {last}", email)
    hosting = set(
        Contract.objects.filter(employer_id__in=list(figures), status=Contract.Status.ACTIVE).values_list(
            "employer_id", flat=True
        )
    )
    offers = dict(
        JobOffer.objects.filter(employer_id__in=list(figures))
        .order_by()
        .values("employer_id")
        .annotate(n=Count("pk"))
        .values_list("employer_id", "n")
    )
    rows = [
        FormerEmployer(
            employer=employers[pk],
            apprentices=row["apprentices"],
            first_start=row["first_start"],
            last_end=row["last_end"],
            diplomas=sorted(diplomas[pk]),
            tutors=sorted(tutors[pk].values()),
            offers=offers.get(pk, 0),
            hosts_now=pk in hosting,
        )
        for pk, row in figures.items()
    ]
    rows.sort(key=lambda r: (r.last_end, r.employer.legal_name), reverse=True)
    return rows
