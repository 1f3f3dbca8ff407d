"""Three quality indicators written a second time, in raw SQL: the floors and the oracles.

The floors the ORM is measured against: ``manage.py benchmark`` times each indicator of
:data:`quality.indicators.INDICATORS` named here against the same aggregate as plain SQL, and wants the
ORM within 2× of it. The oracles the tests compare to: ``tests/quality/test_indicator_oracles.py``
builds varied data and asserts that the ORM indicator and this SQL give the same numerator and
denominator, diploma by diploma and year by year. Each is written from the indicator's definition, not
from its queryset, so that the two can disagree; they share one rule only, the first day on which a
deadline counts as passed (:func:`quality.indicators.base.judged_on`).

Each function takes the diplomas' ids (at least one), the academic year and the day the figures are
taken on, and returns ``{diploma id: (numerator, denominator)}`` for the diplomas that have a
population; a diploma without one is left out (the ORM gives it 0 of 0). They run on PostgreSQL and on
SQLite.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connection

from core.models import AcademicYear
from quality.indicators.base import judged_on

Figures = dict[int, tuple[int, int]]


def _in_list(ids) -> str:
    return ", ".join(["%s"] * len(ids))


def _fetch(sql, params) -> Figures:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {diploma: (int(num or 0), int(den)) for diploma, num, den in cursor.fetchall()}


def _active_during(alias="c") -> str:
    """Contracts that ran on at least one day of the year, up to ``as_of``; its parameters are the
    first day it may start by, then the year's first day twice."""
    return (
        f"{alias}.start_date <= %s AND (({alias}.rupture_date IS NOT NULL AND {alias}.rupture_date >= %s)"
        f" OR ({alias}.rupture_date IS NULL AND {alias}.planned_end_date >= %s))"
    )


def _signed_day(column) -> str:
    """The day of a timestamp on the platform's clock (its parameter: the time zone)."""
    if connection.vendor == "postgresql":
        return f"({column} AT TIME ZONE %s)::date"
    return f"django_datetime_cast_date({column}, %s, 'UTC')"


def rupture_rate(ids, year: AcademicYear, as_of: datetime.date) -> Figures:
    """Contracts ruptured in the year up to ``as_of`` (not after the diploma was obtained) ÷ contracts
    running in the year."""
    sql = f"""
        SELECT c.diploma_id,
               SUM(CASE WHEN c.status = 'ruptured' AND c.rupture_date >= %s AND c.rupture_date <= %s
                         AND NOT (c.diploma_outcome = 'yes' AND c.diploma_outcome_date IS NOT NULL
                                  AND c.diploma_outcome_date <= c.rupture_date)
                        THEN 1 ELSE 0 END),
               COUNT(*)
        FROM apprentices_contract c
        WHERE c.diploma_id IN ({_in_list(ids)}) AND {_active_during()}
        GROUP BY c.diploma_id
    """
    start = min(as_of, year.end_date)
    return _fetch(sql, [year.start_date, as_of, *ids, start, year.start_date, year.start_date])


def sheets_on_time(ids, year: AcademicYear, as_of: datetime.date) -> Figures:
    """Contracts whose current liaison sheets due in the year (and judged by ``as_of``) were all
    countersigned by their due day ÷ contracts with at least one such sheet."""
    sql = f"""
        SELECT c.diploma_id, SUM(CASE WHEN s.late = 0 THEN 1 ELSE 0 END), COUNT(*)
        FROM (
            SELECT ls.contract_id,
                   SUM(CASE WHEN ls.countersigned_at IS NULL
                              OR {_signed_day("ls.countersigned_at")} > ls.due_date
                            THEN 1 ELSE 0 END) AS late
            FROM livret_liaisonsheet ls
            WHERE ls.is_current = %s AND ls.due_date >= %s AND ls.due_date <= %s
              AND (ls.due_date < %s OR ls.countersigned_at IS NOT NULL)
            GROUP BY ls.contract_id
        ) s
        JOIN apprentices_contract c ON c.id = s.contract_id
        WHERE c.diploma_id IN ({_in_list(ids)})
        GROUP BY c.diploma_id
    """
    params = [settings.TIME_ZONE, True, year.start_date, year.end_date, judged_on(year, as_of), *ids]
    return _fetch(sql, params)


def missions_validated(ids, year: AcademicYear, as_of: datetime.date) -> Figures:
    """Contracts running in the year whose mission description of the year is validated ÷ contracts
    running in the year."""
    sql = f"""
        SELECT c.diploma_id,
               SUM(CASE WHEN EXISTS (
                   SELECT 1 FROM livret_missiondescription m
                   WHERE m.contract_id = c.id AND m.academic_year_id = %s AND m.status = 'validated'
               ) THEN 1 ELSE 0 END),
               COUNT(*)
        FROM apprentices_contract c
        WHERE c.diploma_id IN ({_in_list(ids)}) AND {_active_during()}
        GROUP BY c.diploma_id
    """
    start = min(as_of, year.end_date)
    return _fetch(sql, [year.pk, *ids, start, year.start_date, year.start_date])


# Indicator code -> its floor.
FLOORS = {
    "rupture_rate": rupture_rate,
    "sheets_on_time": sheets_on_time,
    "missions_validated": missions_validated,
}
