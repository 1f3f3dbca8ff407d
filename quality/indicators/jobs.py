"""Indicators read from the job offers (app ``jobs``), poste 4's aide à l'insertion: the offers published
for the diploma's former apprentices, how many of them the weekly digest reached, and how many used the
offers page (the alumni network, measured by its use).

The former apprentices of a diploma, for a year, are those whose last contract was for it and ended in
the ``ALUMNI_YEARS`` years before the year's start or since, up to ``as_of``, with no contract running
now. An apprentice anonymised since (their address cannot receive mail) has left the network and is not
counted.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from apprentices.models import Contract
from core.dates import add_months
from jobs.models import Digest, JobOffer, OfferPageVisit
from quality.indicators.base import COUNT, Figure, Indicator, Record, contract_label, flag

ALUMNI_YEARS = 2


def _last_day(year, as_of) -> datetime.date:
    return min(as_of, year.end_date)


class OffersPublished(Indicator):
    """Offers for the diploma published during the year (withdrawn since or not)."""

    code = "job_offers_published"
    label = gettext_lazy("Offres d'emploi publiées pour les anciens apprentis")
    description = gettext_lazy(
        "Offres d'emploi publiées dans l'année sur la plateforme pour les anciens apprentis de la formation, "
        "par l'équipe ou par les entreprises partenaires."
    )
    unit = COUNT
    diploma_path = "diplomas"

    def population(self, year, as_of):
        return JobOffer.objects.filter(
            published_at__date__gte=year.start_date, published_at__date__lte=_last_day(year, as_of)
        ).annotate(counted=flag(pk__isnull=False))

    def compute(self, diploma_ids, year, as_of):
        figures = super().compute(diploma_ids, year, as_of)
        return {pk: Figure(f.numerator, f.denominator, f.numerator) for pk, f in figures.items()}

    def with_context(self, rows):
        return rows.select_related("employer").order_by("published_at", "pk")

    def record(self, offer) -> Record:
        return Record(
            label=f"{offer.title} — {offer.employer}",
            url=offer.get_absolute_url(),
            day=offer.published_at.date(),
            counted=True,
            detail=offer.status_label,
        )


class AlumniIndicator(Indicator):
    """A rate over the diploma's former apprentices (see the module's docstring): those with some
    activity in the year (:meth:`activity`, a subquery on ``OuterRef("apprentice_id")``) are counted."""

    counted_detail = ""
    not_counted_detail = ""

    def activity(self, year, as_of):
        raise NotImplementedError

    def population(self, year, as_of):
        return self.alumni(year, as_of).annotate(counted=Exists(self.activity(year, as_of)))

    def alumni(self, year, as_of):
        later = Contract.objects.filter(apprentice_id=OuterRef("apprentice_id")).filter(
            Q(start_date__gt=OuterRef("start_date"))
            | Q(start_date=OuterRef("start_date"), pk__gt=OuterRef("pk"))
        )
        running = Contract.objects.filter(status=Contract.Status.ACTIVE).values("apprentice_id")
        window_start = add_months(year.start_date, -12 * ALUMNI_YEARS)
        return (
            Contract.objects.filter(status__in=Contract.ENDED_STATUSES)
            .annotate(ended_on=Coalesce("rupture_date", "planned_end_date"))
            .filter(ended_on__gte=window_start, ended_on__lte=as_of)
            .exclude(Exists(later))
            .exclude(apprentice_id__in=running)
            .exclude(apprentice__email__endswith=".invalid")
        )

    def with_context(self, rows):
        return rows.select_related("apprentice", "employer").order_by(
            "apprentice__last_name", "apprentice__first_name", "pk"
        )

    def record(self, contract) -> Record:
        return Record(
            label=contract_label(contract),
            url=contract.apprentice.get_absolute_url(),
            day=contract.ended_on,
            counted=contract.counted,
            detail=str(self.counted_detail if contract.counted else self.not_counted_detail),
        )


class OffersDiffused(AlumniIndicator):
    code = "job_offers_diffused"
    label = gettext_lazy("Anciens apprentis ayant reçu les offres d'emploi")
    description = gettext_lazy(
        "Anciens apprentis de la formation (partis depuis moins de deux ans) à qui l'envoi hebdomadaire a "
        "apporté au moins une offre dans l'année ÷ anciens apprentis de la formation."
    )
    counted_detail = gettext_lazy("a reçu des offres")
    not_counted_detail = gettext_lazy("aucune offre reçue dans l'année")

    def activity(self, year, as_of):
        return Digest.objects.filter(
            apprentice_id=OuterRef("apprentice_id"),
            sent_at__date__gte=year.start_date,
            sent_at__date__lte=_last_day(year, as_of),
        )


class AlumniActive(AlumniIndicator):
    code = "alumni_active"
    label = gettext_lazy("Anciens apprentis actifs dans le réseau")
    description = gettext_lazy(
        "Anciens apprentis de la formation (partis depuis moins de deux ans) qui ont consulté les offres "
        "d'emploi dans l'année, depuis leur lien ou leur compte ÷ anciens apprentis de la formation."
    )
    counted_detail = gettext_lazy("a consulté les offres")
    not_counted_detail = gettext_lazy("n'a pas consulté les offres")

    def activity(self, year, as_of):
        return OfferPageVisit.objects.filter(
            apprentice_id=OuterRef("apprentice_id"), day__gte=year.start_date, day__lte=_last_day(year, as_of)
        )
