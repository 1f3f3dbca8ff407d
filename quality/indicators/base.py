"""What every indicator shares: its figure, the records behind it, and the SQL aggregate over its
population.

Each indicator states its population (the records it counts) and which of them make the numerator, as
one annotated queryset: :meth:`Indicator.compute` aggregates it in SQL for many diplomas at once, and
:meth:`Indicator.records` lists the same rows for one diploma, so that every figure drills down to
exactly the records behind it. Figures are taken on ``as_of``: today while the year runs, its last day
once it is over (:func:`quality.models.year_as_of`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BooleanField, Case, Count, Q, Value, When
from django.utils.translation import gettext as _

from core.models import AcademicYear

# A rate of the published kind (rupture, interruption, success, insertion) on fewer people than this
# is shown as "effectif insuffisant", with its counts.
MIN_PUBLISHED_POPULATION = 20
PERCENT = "percent"
DAYS = "days"
COUNT = "count"


@dataclass(frozen=True)
class Figure:
    numerator: int | None
    denominator: int | None
    value: Decimal | None


@dataclass
class Record:
    """One row behind a figure: what it is, where to read it, whether it counts in the numerator."""

    label: str
    url: str
    day: datetime.date | None
    counted: bool
    detail: str = ""


def rate(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def figures_by_diploma(diploma_ids, counts) -> dict[int, Figure]:
    """Each diploma's figure from ``(diploma, numerator, denominator)`` rows; a diploma without a row
    counts nothing (0 of 0)."""
    found = {pk: Figure(num, den, rate(num, den)) for pk, num, den in counts}
    return {pk: found.get(pk, Figure(0, 0, None)) for pk in diploma_ids}


def flag(*conditions: Q, **lookups) -> Case:
    """An annotation that is true where the conditions hold (as ``When`` takes them): which rows make
    the numerator."""
    return Case(
        When(*conditions, **lookups, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def judged_on(year: AcademicYear, as_of: datetime.date) -> datetime.date:
    """The first day on which a deadline of ``as_of`` or before counts as passed. While the year runs it
    is ``as_of`` itself (a sheet due today is not late yet); once the year is over its figures are
    taken on its last day, and everything due by that day is judged."""
    return as_of + datetime.timedelta(days=1) if as_of >= year.end_date else as_of


def one_decimal(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def contract_label(contract) -> str:
    return f"{contract.apprentice.last_name.upper()} {contract.apprentice.first_name} — {contract.employer}"


def active_during(year: AcademicYear, as_of: datetime.date) -> Q:
    """Contracts that ran on at least one day of the year, up to ``as_of``."""
    return Q(start_date__lte=min(as_of, year.end_date)) & (
        Q(rupture_date__isnull=False, rupture_date__gte=year.start_date)
        | Q(rupture_date__isnull=True, planned_end_date__gte=year.start_date)
    )


class Indicator:
    code: str = ""
    label = ""
    description = ""
    unit = PERCENT
    published = False
    # The path from the population's rows to their diploma.
    diploma_path = "diploma"

    def population(self, year: AcademicYear, as_of: datetime.date):
        """The rows this indicator counts, each annotated ``counted`` (in the numerator or not)."""
        raise NotImplementedError

    def compute(self, diploma_ids, year: AcademicYear, as_of: datetime.date) -> dict[int, Figure]:
        population = self.population(year, as_of).filter(**{f"{self.diploma_path}__in": list(diploma_ids)})
        # Over one table each row is counted once as it is; DISTINCT (a sort of the whole population)
        # is needed only where a join may repeat a row.
        query = population.query
        distinct = sum(1 for alias in query.alias_map if query.alias_refcount[alias]) > 1
        rows = (
            population.order_by()
            .values(self.diploma_path)
            .annotate(
                den=Count("pk", distinct=distinct), num=Count("pk", distinct=distinct, filter=Q(counted=True))
            )
            .values_list(self.diploma_path, "num", "den")
        )
        return figures_by_diploma(diploma_ids, rows)

    def records(self, diploma, year: AcademicYear, as_of: datetime.date) -> list[Record]:
        rows = self.population(year, as_of).filter(**{self.diploma_path: diploma.pk})
        return [self.record(row) for row in self.with_context(rows)]

    def with_context(self, rows):
        return rows

    def record(self, row) -> Record:
        raise NotImplementedError

    def is_insufficient(self, figure: Figure) -> bool:
        return self.published and (figure.denominator or 0) < MIN_PUBLISHED_POPULATION

    def format_value(self, value) -> str:
        if value is None:
            return "—"
        text = f"{value:.1f}".replace(".", ",")
        if text.endswith(",0"):
            text = text[:-2]
        if self.unit == PERCENT:
            return f"{text} %"
        if self.unit == DAYS:
            return _("%(n)s j") % {"n": text}
        return text
