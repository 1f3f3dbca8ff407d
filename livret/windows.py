"""Visites en entreprise: the charter's windows for one contract, computed without a query.

The charter (socle, poste 3, « formalisation du suivi ») asks for « au moins deux rencontres avec
l'employeur par an, dont une dans les deux mois suivant le début de la formation et une dans les deux
mois précédant sa fin ». :func:`visit_windows` turns that sentence into dated windows for one contract;
only meetings that were held (a report was logged) count, on the day they were held.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.dates import add_months
from livret.models import VisitReport

VisitStatus = VisitReport.Status
HELD = frozenset({VisitStatus.REPORTED, VisitStatus.ACKNOWLEDGED})
ONE_DAY = datetime.timedelta(days=1)

# The charter's numbers.
WINDOW_MONTHS = 2
REQUIRED_PER_YEAR = 2
# Our reading where the charter is silent: a contract year shorter than six months (a contract that
# ends early) asks for one meeting, not two; a remainder shorter than three months after the last
# anniversary (an end date a few weeks past it) is not a year of its own but lengthens the last one.
SHORT_YEAR_MONTHS = 6
MIN_YEAR_MONTHS = 3


# The charter's windows (pure: no query) ------------------------------------------------------------


class WindowState(models.TextChoices):
    UPCOMING = "upcoming", gettext_lazy("À venir")
    OPEN = "open", gettext_lazy("En cours")
    MET = "met", gettext_lazy("Respectée")
    MISSED = "missed", gettext_lazy("Manquée")


@dataclass(frozen=True)
class ContractYear:
    """Year ``number`` (from 1) of a contract: from an anniversary of its start to the day before the
    next one, the last year ending on the contract's end (its rupture, or its planned end)."""

    number: int
    start: datetime.date
    end: datetime.date
    is_first: bool
    is_last: bool

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    @property
    def required(self) -> int:
        short = add_months(self.start, SHORT_YEAR_MONTHS) > self.end + ONE_DAY
        return 1 if short else REQUIRED_PER_YEAR


@dataclass
class Window:
    """One requirement of the charter over a contract year, and where it stands on ``today``.

    ``kind`` is ``start`` (a meeting within two months after the start), ``end`` (within the two
    months before the end) or ``year`` (``required`` meetings in the year). ``visit`` is the held
    visit that met it; ``held`` counts the year's held visits (for ``year``).
    """

    START = "start"
    END = "end"
    YEAR = "year"

    kind: str
    year: ContractYear
    start: datetime.date
    end: datetime.date
    state: str
    visit: VisitReport | None = None
    held: int = 0
    required: int = 1

    @property
    def label(self) -> str:
        if self.kind == self.START:
            return _("Rencontre dans les deux mois suivant le début")
        if self.kind == self.END:
            return _("Rencontre dans les deux mois précédant la fin")
        return ngettext(
            "Au moins %(n)s rencontre dans l'année", "Au moins %(n)s rencontres dans l'année", self.required
        ) % {"n": self.required}

    @property
    def state_label(self) -> str:
        return str(WindowState(self.state).label)

    @property
    def is_due(self) -> bool:
        """Open and not yet met: what the school tutor has to do now."""
        return self.state == WindowState.OPEN


@dataclass
class YearWindows:
    year: ContractYear
    windows: list[Window] = field(default_factory=list)

    def of(self, kind: str) -> Window | None:
        return next((w for w in self.windows if w.kind == kind), None)


def contract_years(contract) -> list[ContractYear]:
    """The contract's years: year k runs from ``start_date`` + k years to the day before the next
    anniversary, the last one clipped to ``contract.end_date`` (the rupture, else the planned end).
    A remainder shorter than three months lengthens the year before it."""
    start, end = contract.start_date, contract.end_date
    bounds = []
    k = 0
    while True:
        year_start = add_months(start, 12 * k)
        if year_start > end:
            break
        next_start = add_months(start, 12 * (k + 1))
        bounds.append([year_start, min(end, next_start - datetime.timedelta(days=1))])
        k += 1
    if len(bounds) > 1 and add_months(bounds[-1][0], MIN_YEAR_MONTHS) > bounds[-1][1] + ONE_DAY:
        tail = bounds.pop()
        bounds[-1][1] = tail[1]
    return [
        ContractYear(number=index + 1, start=s, end=e, is_first=index == 0, is_last=index == len(bounds) - 1)
        for index, (s, e) in enumerate(bounds)
    ]


def _state(start: datetime.date, end: datetime.date, met: bool, today: datetime.date) -> str:
    if met:
        return WindowState.MET
    if today < start:
        return WindowState.UPCOMING
    if today > end:
        return WindowState.MISSED
    return WindowState.OPEN


def visit_windows(contract, visits: Iterable[VisitReport], today: datetime.date) -> list[YearWindows]:
    """For each contract year: the "start" window (first year: the two months after
    ``start_date``), the "end" window (last year: the two months before the planned end, as far as
    the contract lasts; a contract broken off before it has none) and the yearly count, each with its
    state on ``today``: upcoming, open, met (with the visit that met it) or missed.

    Only held visits (reported or acknowledged) count, on the day they were held; ``visits`` may hold
    others (planned, cancelled, other contracts' are ignored). Runs no query.
    """
    held = sorted(
        (v for v in visits if v.status in HELD and v.held_on and v.contract_id == contract.pk),
        key=lambda v: (v.held_on, v.pk),
    )
    result = []
    for year in contract_years(contract):
        windows = []
        if year.is_first:
            start = contract.start_date
            end = min(add_months(start, WINDOW_MONTHS) - ONE_DAY, year.end)
            windows.append(_window(Window.START, year, start, end, held, today))
        if year.is_last:
            planned_end = contract.planned_end_date
            start = max(add_months(planned_end, -WINDOW_MONTHS) + ONE_DAY, year.start)
            end = min(planned_end, contract.end_date)
            if start <= end:
                windows.append(_window(Window.END, year, start, end, held, today))
        in_year = [v for v in held if v.held_on in year]
        required = year.required
        windows.append(
            Window(
                kind=Window.YEAR,
                year=year,
                start=year.start,
                end=year.end,
                state=_state(year.start, year.end, len(in_year) >= required, today),
                visit=in_year[required - 1] if len(in_year) >= required else None,
                held=len(in_year),
                required=required,
            )
        )
        result.append(YearWindows(year=year, windows=windows))
    return result


def _window(kind, year, start, end, held, today) -> Window:
    visit = next((v for v in held if start <= v.held_on <= end), None)
    return Window(
        kind=kind,
        year=year,
        start=start,
        end=end,
        state=_state(start, end, visit is not None, today),
        visit=visit,
    )


@dataclass
class VisitSummary:
    """What a list shows of one contract: the window to act on, the missed ones, the counts."""

    next: Window | None
    missed: list[Window]
    held: int
    planned: list[VisitReport]


@dataclass(frozen=True, slots=True)
class ContractDates:
    """What a contract's windows are computed from. A network's thousands of candidate contracts are
    read as these (``dates_of``), not as models: a model read with ``only()`` costs tens of
    microseconds to build, the windows themselves less."""

    pk: int
    apprentice_id: int
    start_date: datetime.date
    planned_end_date: datetime.date
    rupture_date: datetime.date | None

    @property
    def end_date(self) -> datetime.date:
        return self.rupture_date or self.planned_end_date


def dates_of(contracts) -> list[ContractDates]:
    """``contracts`` (a queryset) as :class:`ContractDates`, in its order: one query."""
    fields = ("pk", "apprentice_id", "start_date", "planned_end_date", "rupture_date")
    return [ContractDates(*row) for row in contracts.values_list(*fields)]


def visits_of(contracts) -> dict[int, list]:
    """The visits of ``contracts`` that windows read (cancelled ones left out), grouped by contract, as
    named rows with the fields :func:`summarize` reads: one query."""
    return by_contract(
        VisitReport.objects.filter(contract__in=contracts)
        .exclude(status=VisitStatus.CANCELLED)
        .values_list("pk", "contract_id", "status", "held_on", "planned_date", named=True)
    )


def by_contract(visits: Iterable[VisitReport]) -> dict[int, list[VisitReport]]:
    """``visits`` grouped by their contract's id: a loop over many contracts hands each its own to
    :func:`summarize`, instead of every visit to every contract (quadratic: 1,000 contracts of a network
    each filtering 1,000 visits)."""
    grouped = defaultdict(list)
    for visit in visits:
        grouped[visit.contract_id].append(visit)
    return grouped


def summarize(contract, visits: Iterable[VisitReport], today: datetime.date) -> VisitSummary:
    """The open window that closes first (else the next upcoming one), and every missed window."""
    visits = [v for v in visits if v.contract_id == contract.pk]
    windows = [w for year in visit_windows(contract, visits, today) for w in year.windows]
    open_ = sorted(
        (w for w in windows if w.state == WindowState.OPEN), key=lambda w: (w.end, w.kind == Window.YEAR)
    )
    upcoming = sorted((w for w in windows if w.state == WindowState.UPCOMING), key=lambda w: w.start)
    return VisitSummary(
        next=(open_ or upcoming or [None])[0],
        missed=[w for w in windows if w.state == WindowState.MISSED],
        held=sum(1 for v in visits if v.status in HELD),
        planned=sorted(
            (v for v in visits if v.status == VisitStatus.PLANNED), key=lambda v: (v.planned_date, v.pk)
        ),
    )


def visits_due(contracts, today: datetime.date) -> list[dict]:
    """For the "À faire" inbox: the contracts among ``contracts`` (a queryset, say the active
    contracts of one school tutor) with an open window not met and no visit planned, each with that
    window. Two queries whatever the number of contracts."""
    contracts = list(contracts)
    visits = visits_of(contracts)
    due = []
    for contract in contracts:
        summary = summarize(contract, visits[contract.pk], today)
        window = summary.next
        if window is not None and window.state == WindowState.OPEN and not summary.planned:
            due.append({"contract": contract, "window": window, "due": window.end})
    return sorted(due, key=lambda item: item["due"])
