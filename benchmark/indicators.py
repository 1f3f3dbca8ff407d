"""The recomputation of the quality indicators: each year, the current year on half the diplomas and on
all (it should grow linearly), each indicator's share, and three indicators against their floors in
raw SQL (:mod:`benchmark.floors`)."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

from apprentices.models import Diploma
from benchmark.cfa import Generated
from benchmark.floors import FLOORS
from quality.indicators import INDICATORS
from quality.models import year_as_of
from quality.services import computation

# The ORM may cost this many times its floor.
FLOOR_RATIO = 2


@dataclass
class IndicatorTimings:
    """Seconds per year, for the current year on all diplomas and on half of them, milliseconds per
    indicator, and the comparisons with the floors."""

    indicators: int
    diplomas: int
    half_diplomas: int
    current_year: str
    by_year: dict[str, float]
    full: float
    half: float
    per_indicator_ms: dict[str, float]
    comparisons: list[dict]

    @property
    def full_over_half(self) -> float | None:
        return round(self.full / self.half, 2) if self.half else None

    def as_json(self) -> dict:
        return {
            "diplomas": self.diplomas,
            "indicators": self.indicators,
            "by_year_s": {label: round(s, 2) for label, s in self.by_year.items()},
            "current_year_s": round(self.full, 2),
            "half_diplomas_s": round(self.half, 2),
            "full_over_half": self.full_over_half,
            "per_indicator_ms": self.per_indicator_ms,
            "orm_vs_raw_sql": self.comparisons,
        }


def best_of(n, function):
    best, result = None, None
    for _ in range(n):
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def measure(data: Generated, today: datetime.date) -> IndicatorTimings:
    diplomas = Diploma.objects.filter(organisation=data.organisation).order_by("pk")
    ids = list(diplomas.values_list("pk", flat=True))
    current = data.years[-1]
    timings = {}
    for year in reversed(data.years):
        started = time.perf_counter()
        computation.compute_indicators(year=year, diplomas=diplomas, today=today)
        timings[year.label] = time.perf_counter() - started
    half_ids = ids[: max(1, len(ids) // 2)]
    started = time.perf_counter()
    computation.compute_indicators(
        year=current, diplomas=Diploma.objects.filter(pk__in=half_ids), today=today
    )
    half = time.perf_counter() - started
    # Each indicator's share, from the progress callback the recomputation reports after each one.
    marks = []
    started = time.perf_counter()
    computation.compute_indicators(
        year=current,
        diplomas=diplomas,
        today=today,
        progress=lambda done, total: marks.append(time.perf_counter()),
    )
    full = time.perf_counter() - started
    per_indicator = {
        code: round((mark - previous) * 1000, 1)
        for code, mark, previous in zip(INDICATORS, marks, [started, *marks], strict=False)
    }
    as_of = year_as_of(current, today)
    comparisons = []
    for code, floor in FLOORS.items():
        orm_s, figures = best_of(3, lambda code=code: INDICATORS[code].compute(ids, current, as_of))
        raw_s, raw_figures = best_of(3, lambda floor=floor: floor(ids, current, as_of))
        same = all(
            (figures[pk].numerator, figures[pk].denominator) == raw_figures.get(pk, (0, 0)) for pk in ids
        )
        comparisons.append(
            {
                "indicator": code,
                "orm_ms": round(orm_s * 1000, 1),
                "raw_sql_ms": round(raw_s * 1000, 1),
                "ratio": round(orm_s / raw_s, 2) if raw_s else None,
                "same_figures": same,
            }
        )
    return IndicatorTimings(
        indicators=len(INDICATORS),
        diplomas=len(ids),
        half_diplomas=len(half_ids),
        current_year=str(current),
        by_year=timings,
        full=full,
        half=half,
        per_indicator_ms=per_indicator,
        comparisons=comparisons,
    )
