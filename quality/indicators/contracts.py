"""Indicators on contracts: ruptures, interruptions, success at the diploma, hours of training."""

from __future__ import annotations

import datetime

from django.db.models import BooleanField, Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apprentices.models import Contract
from core.dates import add_months
from core.models import AcademicYear
from quality.indicators.base import Indicator, Record, contract_label, figures_by_diploma, flag


def active_during(year: AcademicYear, as_of: datetime.date) -> Q:
    """Contracts that ran on at least one day of the year, up to ``as_of``."""
    return Q(start_date__lte=min(as_of, year.end_date)) & (
        Q(rupture_date__isnull=False, rupture_date__gte=year.start_date)
        | Q(rupture_date__isnull=True, planned_end_date__gte=year.start_date)
    )


class ContractIndicator(Indicator):
    def with_context(self, rows):
        return rows.select_related("apprentice", "employer").order_by("apprentice__last_name", "pk")

    def detail(self, contract) -> str:
        return ""

    def record(self, contract) -> Record:
        return Record(
            label=contract_label(contract),
            url=contract.get_absolute_url(),
            day=contract.start_date,
            counted=contract.counted,
            detail=self.detail(contract),
        )


def not_after_diploma() -> Q:
    """A rupture after the diploma is obtained is not a rupture."""
    return ~Q(diploma_outcome=Contract.Outcome.OBTAINED, diploma_outcome_date__lte=F("rupture_date"))


class RuptureRate(ContractIndicator):
    code = "rupture_rate"
    label = gettext_lazy("Taux de rupture des contrats")
    description = gettext_lazy(
        "Contrats rompus pendant l'année ÷ contrats en cours pendant l'année. "
        "Une rupture après l'obtention du diplôme n'est pas comptée."
    )
    published = True

    def population(self, year, as_of):
        ruptured = (
            Q(status=Contract.Status.RUPTURED, rupture_date__gte=year.start_date, rupture_date__lte=as_of)
            & not_after_diploma()
        )
        return Contract.objects.filter(active_during(year, as_of)).annotate(counted=flag(ruptured))

    def detail(self, contract):
        if contract.counted:
            return _("rompu le %(day)s") % {"day": contract.rupture_date.strftime("%d/%m/%Y")}
        return contract.get_status_display()


class RuptureRateNineMonths(ContractIndicator):
    code = "rupture_rate_9_months"
    label = gettext_lazy("Taux de rupture à 9 mois (variante nationale)")
    description = gettext_lazy(
        "Contrats commencés dans l'année et rompus dans les 9 mois ÷ contrats commencés dans l'année "
        "(ceux qui ont 9 mois d'ancienneté, ou déjà rompus)."
    )
    published = True

    def population(self, year, as_of):
        # Within nine months: before the same day nine months later, in month arithmetic the database
        # does on both engines.
        months = (ExtractYear("rupture_date") * 12 + ExtractMonth("rupture_date")) - (
            ExtractYear("start_date") * 12 + ExtractMonth("start_date")
        )
        within = Q(status=Contract.Status.RUPTURED, rupture_date__lte=as_of) & not_after_diploma()
        nine_months_ago = add_months(as_of, -9)
        return (
            Contract.objects.filter(
                start_date__gte=year.start_date, start_date__lte=min(as_of, year.end_date)
            )
            .annotate(
                months=months, rupture_day=ExtractDay("rupture_date"), start_day=ExtractDay("start_date")
            )
            .annotate(
                counted=Case(
                    When(within & Q(months__lt=9), then=Value(True)),
                    When(within & Q(months=9, rupture_day__lt=F("start_day")), then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                )
            )
            .filter(Q(start_date__lte=nine_months_ago) | Q(counted=True))
        )

    def detail(self, contract):
        if contract.counted:
            return _("rompu le %(day)s") % {"day": contract.rupture_date.strftime("%d/%m/%Y")}
        return contract.get_status_display()


class InterruptionRate(ContractIndicator):
    code = "interruption_rate"
    label = gettext_lazy("Taux d'interruption (abandons)")
    description = gettext_lazy("Contrats abandonnés pendant l'année ÷ contrats en cours pendant l'année.")
    published = True

    def population(self, year, as_of):
        ended = Coalesce("rupture_date", "planned_end_date")
        return (
            Contract.objects.filter(active_during(year, as_of))
            .annotate(ended=ended)
            .annotate(
                counted=Case(
                    When(
                        Q(status=Contract.Status.ABANDONED, ended__gte=year.start_date, ended__lte=as_of),
                        then=Value(True),
                    ),
                    default=Value(False),
                    output_field=BooleanField(),
                )
            )
        )

    def detail(self, contract):
        return contract.get_status_display()


class SuccessRate(Indicator):
    code = "success_rate"
    label = gettext_lazy("Taux de réussite au diplôme")
    description = gettext_lazy(
        "Apprentis admis ÷ apprentis présentés, dont le résultat tombe dans l'année "
        "(date d'obtention, sinon fin prévue du contrat)."
    )
    published = True

    def population(self, year, as_of):
        return (
            Contract.objects.filter(diploma_outcome__in=[Contract.Outcome.OBTAINED, Contract.Outcome.FAILED])
            .annotate(result_day=Coalesce("diploma_outcome_date", "planned_end_date"))
            .filter(result_day__gte=year.start_date, result_day__lte=as_of)
            .annotate(counted=flag(diploma_outcome=Contract.Outcome.OBTAINED))
        )

    def compute(self, diploma_ids, year, as_of):
        # Per apprentice, not per contract: one apprentice with two contracts sits the diploma once.
        rows = (
            self.population(year, as_of)
            .filter(diploma__in=list(diploma_ids))
            .order_by()
            .values("diploma")
            .annotate(
                den=Count("apprentice", distinct=True),
                num=Count("apprentice", distinct=True, filter=Q(counted=True)),
            )
            .values_list("diploma", "num", "den")
        )
        return figures_by_diploma(diploma_ids, rows)

    def records(self, diploma, year, as_of):
        # One row per apprentice, as compute() counts them: their admitted contract if they have one.
        kept = {}
        for contract in self.with_context(self.population(year, as_of).filter(diploma=diploma.pk)):
            if contract.apprentice_id not in kept or (
                contract.counted and not kept[contract.apprentice_id].counted
            ):
                kept[contract.apprentice_id] = contract
        return [self.record(contract) for contract in kept.values()]

    def with_context(self, rows):
        return rows.select_related("apprentice", "employer").order_by("apprentice__last_name", "pk")

    def record(self, contract):
        return Record(
            label=contract_label(contract),
            url=contract.get_absolute_url(),
            day=contract.result_day,
            counted=contract.counted,
            detail=contract.get_diploma_outcome_display(),
        )


class HoursRealisation(Indicator):
    code = "hours_realisation"
    label = gettext_lazy("Taux de réalisation de la formation")
    description = gettext_lazy(
        "Heures de formation réalisées ÷ heures prévues, des contrats en cours dans l'année."
    )

    def population(self, year, as_of):
        return Contract.objects.filter(active_during(year, as_of), hours_planned__gt=0).annotate(
            counted=Value(True, output_field=BooleanField())
        )

    def compute(self, diploma_ids, year, as_of):
        rows = (
            self.population(year, as_of)
            .filter(diploma__in=list(diploma_ids))
            .order_by()
            .values("diploma")
            .annotate(done=Sum("hours_done"), planned=Sum("hours_planned"))
            .values_list("diploma", "done", "planned")
        )
        return figures_by_diploma(diploma_ids, rows)

    def with_context(self, rows):
        return rows.select_related("apprentice", "employer").order_by("apprentice__last_name", "pk")

    def record(self, contract):
        return Record(
            label=contract_label(contract),
            url=contract.get_absolute_url(),
            day=contract.start_date,
            counted=True,
            detail=_("%(done)s h réalisées sur %(planned)s h prévues")
            % {"done": contract.hours_done, "planned": contract.hours_planned},
        )
