"""The statuses of the Tableau de bord de l'apprentissage, and the legal delays without an employer.

The state's Tableau de bord counts every apprentice of a CFA in one of five statuses, computed from
their contracts, their training and its dates. The same rules, here, in one place, in two forms that
agree: :func:`situation_on` in Python, over contracts already read, and :func:`annotate` as SQL, so
that a list filters on a status and the dashboard counts them without reading a row.

On day ``D``, in this order:

1. **Abandon**: the apprentice left the training (``training_exit_date``, the fichier d'effectifs'
   date d'exclusion, on or before ``D``, whatever its reason; or their last contract is recorded as
   abandoned: it ran until the day of the abandon).
2. **Apprenti**: a contract runs on ``D`` (started, not past its planned end, not ruptured on or
   before ``D``: the day of the rupture is the first day without a contract).
3. After a contract ended:
   - by a rupture (not one after the diploma was obtained, which is the end of the training):
     **rupturant** for six months from the rupture, **abandon** after (Code du travail, L6222-12-1:
     the CFA keeps the apprentice in training six months while they look for a new employer);
   - at its planned end: **fin de formation**, or **inscrit sans contrat** when another contract is
     already signed to start later.
4. Never a contract ended: **inscrit sans contrat** for three months from the start of the training
   (the cohort's ``entry_date``: its own date, else its entry year's start), **abandon** after
   (L6222-12-1: at most three months in training without an employer). Without a cohort the start is
   unknown and no delay is counted.

A delay of N months from day S runs from S to the day before ``add_months(S, N)`` included: S is its
first day (the first day without a contract), ``add_months`` clamps to the month's last day.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.db import models
from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from apprentices.models import Apprentice, Contract
from core.dates import ONE_DAY, add_months, latest_start_reaching

ENROLLED_MONTHS = 3
RUPTURE_MONTHS = 6
# The dashboard warns this many days before a delay's last day.
WARNING_DAYS = 30


class TrainingStatus(models.TextChoices):
    ENROLLED = "inscrit", _("Inscrit sans contrat")
    APPRENTICE = "apprenti", _("Apprenti")
    RUPTURED = "rupturant", _("Rupturant")
    DROPPED_OUT = "abandon", _("Abandon")
    FINISHED = "fin", _("Fin de formation")


@dataclass(frozen=True)
class LegalDelay:
    """``months`` from ``start`` (its first day) to find an employer."""

    start: datetime.date
    months: int

    @property
    def after_rupture(self) -> bool:
        return self.months == RUPTURE_MONTHS

    @property
    def last_day(self) -> datetime.date:
        return add_months(self.start, self.months) - ONE_DAY

    def days_left(self, day: datetime.date) -> int:
        """Days left after ``day`` (0 on the last day; negative once the delay has passed)."""
        return (self.last_day - day).days


@dataclass(frozen=True)
class Situation:
    status: TrainingStatus
    delay: LegalDelay | None = None

    @property
    def label(self) -> str:
        return str(self.status.label)


def _ruptured(contract) -> bool:
    """A rupture that counts: after the diploma was obtained, a rupture ends the training."""
    if contract.status != Contract.Status.RUPTURED or contract.rupture_date is None:
        return False
    return not (
        contract.diploma_outcome == Contract.Outcome.OBTAINED
        and contract.diploma_outcome_date is not None
        and contract.diploma_outcome_date <= contract.rupture_date
    )


def _exit_from_contracts(contracts: list) -> datetime.date | None:
    if not contracts:
        return None
    latest = max(contracts, key=lambda c: (c.start_date, c.pk or 0))
    if latest.status != Contract.Status.ABANDONED:
        return None
    return latest.rupture_date or latest.start_date


def situation_on(
    day: datetime.date,
    *,
    contracts: Iterable,
    enrolled_on: datetime.date | None,
    exit_on: datetime.date | None = None,
) -> Situation:
    """The status on ``day`` of an apprentice whose training started ``enrolled_on`` (None: unknown),
    who left it ``exit_on`` (None: still in it), with these ``contracts`` (all of them, any year)."""
    contracts = list(contracts)
    exit_on = exit_on or _exit_from_contracts(contracts)
    if exit_on is not None and exit_on <= day:
        return Situation(TrainingStatus.DROPPED_OUT)

    if any(
        c.start_date <= day <= c.planned_end_date and not (c.rupture_date and c.rupture_date <= day)
        for c in contracts
    ):
        return Situation(TrainingStatus.APPRENTICE)
    ended = [
        c
        for c in contracts
        if (c.rupture_date and c.rupture_date <= day) or (not c.rupture_date and c.planned_end_date < day)
    ]
    if ended:
        # The one that ended last; at the same day, the one that ran to its planned end (it ran one
        # day longer than the one ruptured that day), then the latest recorded.
        last = max(
            ended, key=lambda c: (c.rupture_date or c.planned_end_date, c.rupture_date is None, c.pk or 0)
        )
        if _ruptured(last):
            return _within(LegalDelay(last.rupture_date, RUPTURE_MONTHS), TrainingStatus.RUPTURED, day)
        if any(c.start_date > day for c in contracts):
            return Situation(TrainingStatus.ENROLLED)
        return Situation(TrainingStatus.FINISHED)
    if enrolled_on is None:
        return Situation(TrainingStatus.ENROLLED)
    return _within(LegalDelay(enrolled_on, ENROLLED_MONTHS), TrainingStatus.ENROLLED, day)


def _within(delay: LegalDelay, status: TrainingStatus, day: datetime.date) -> Situation:
    return Situation(status if day <= delay.last_day else TrainingStatus.DROPPED_OUT, delay)


class StatusRow(NamedTuple):
    """One apprentice's status as a page reads it from :func:`annotate`: the status, a contract signed
    to start later, the legal delay counted."""

    value: str
    coming: bool
    delay: LegalDelay | None


def _delay(start: datetime.date | None, months: int | None) -> LegalDelay | None:
    """The legal delay of the annotation's ``training_delay_start`` and ``training_delay_months``."""
    return LegalDelay(start, months) if start is not None else None


def situation_of(apprentice) -> Situation:
    """The situation of an apprentice read through :func:`annotate`."""
    delay = _delay(apprentice.training_delay_start, apprentice.training_delay_months)
    return Situation(TrainingStatus(apprentice.training_status), delay)


def rows_of(queryset) -> dict[int, StatusRow]:
    """``queryset`` of apprentices annotated by :func:`annotate` (or :func:`annotate_live`), read as
    each one's :class:`StatusRow` by primary key: one query, the annotation's columns only."""
    columns = ("pk", "training_status", "_coming", "training_delay_start", "training_delay_months")
    # Most apprentices (under contract, finished) count no delay: their rows are equal tuples, built
    # once per status (a network's dashboard reads 20,000 of them).
    shared: dict[tuple, StatusRow] = {}
    rows = {}
    for pk, value, coming, start, months in queryset.order_by().values_list(*columns):
        if start is None:
            row = shared.get((value, coming))
            if row is None:
                row = shared[value, coming] = StatusRow(value, coming, None)
        else:
            row = StatusRow(value, coming, LegalDelay(start, months))
        rows[pk] = row
    return rows


# Computed in Python for the few apprentices without a snapshot when this many at most: reading their
# contracts costs less than compiling the SQL rules (12 ms); a day with no snapshot stored yet (no
# Celery beat) leaves them all to the SQL rules, which read no row more than they keep.
LIVE_IN_PYTHON = 200


SNAPSHOT_COLUMNS = ("status", "coming", "delay_start", "delay_months")


def rows_among(queryset, day: datetime.date, values: Iterable[str]) -> dict[int, StatusRow]:
    """The apprentices of ``queryset`` whose status on ``day`` is one of ``values``, each one's
    :class:`StatusRow` by primary key: what :func:`rows_of` reads from :func:`annotate` filtered on
    them, for less.

    Their snapshots of ``day`` are read in one query, with the keys of those who have none; those
    few (the snapshots are stored every few minutes) are judged by :func:`situation_on` over their
    contracts, two queries more. Compiling the SQL rules for them cost 12 ms of the staff's
    dashboard at 20,000 apprentices, where the database then ran them for a handful. More than
    ``LIVE_IN_PYTHON`` without one: the SQL rules, for them only."""
    values = list(values)
    rows: dict[int, StatusRow] = {}
    missing = []
    read = (
        queryset.alias(_snapshot=FilteredRelation("status_snapshot", condition=Q(status_snapshot__day=day)))
        .filter(Q(_snapshot__status__in=values) | Q(_snapshot__status__isnull=True))
        .order_by()
        .values_list("pk", *(f"_snapshot__{name}" for name in SNAPSHOT_COLUMNS))
    )
    for pk, value, coming, start, months in read:
        if value is None:
            missing.append(pk)
        else:
            rows[pk] = StatusRow(value, coming, _delay(start, months))
    if len(missing) > LIVE_IN_PYTHON:
        live = annotate_live(queryset.exclude(status_snapshot__day=day), day)
        rows.update(rows_of(live.filter(training_status__in=values)))
    elif missing:
        rows.update((pk, row) for pk, row in _judged_in_python(missing, day) if row.value in values)
    return rows


def _judged_in_python(apprentices: list[int], day: datetime.date):
    """Each of ``apprentices`` (keys) with their :class:`StatusRow` on ``day``, by :func:`situation_on`
    over all their contracts: two queries."""
    contracts = defaultdict(list)
    fields = ("pk", "apprentice_id", "start_date", "planned_end_date", "rupture_date", "status")
    for contract in Contract.objects.filter(apprentice_id__in=apprentices).values_list(
        *fields, "diploma_outcome", "diploma_outcome_date", named=True
    ):
        contracts[contract.apprentice_id].append(contract)
    people = (
        Apprentice.objects.filter(pk__in=apprentices)
        .select_related("cohort__entry_year")
        .only("training_exit_date", "cohort__start_date", "cohort__entry_year__start_date")
    )
    for person in people:
        theirs = contracts[person.pk]
        enrolled_on = person.cohort.entry_date if person.cohort else None
        situation = situation_on(
            day, contracts=theirs, enrolled_on=enrolled_on, exit_on=person.training_exit_date
        )
        yield (
            person.pk,
            StatusRow(situation.status.value, any(c.start_date > day for c in theirs), situation.delay),
        )


# The same rules in SQL ------------------------------------------------------------------------------


def passed(field: str, months: int, day: datetime.date) -> Q:
    """``months`` counted from the date in ``field`` have run out on ``day`` (its last day is before)."""
    return Q(**{f"{field}__lte": latest_start_reaching(day, months)})


def annotate(queryset, day: datetime.date):
    """``queryset`` of apprentices with ``training_status`` (a :class:`TrainingStatus` value),
    ``training_delay_start`` and ``training_delay_months`` (the legal delay counted, or None) on
    ``day``, and ``_coming`` (a contract signed to start after ``day``): no query more, whatever the
    number of rows.

    An apprentice with a :class:`~apprentices.models.StatusSnapshot` of ``day`` is read from it; the
    others are computed from their contracts by correlated subqueries, in the same query. The
    subqueries are aliases inlined in ``CASE``: the database runs them only for the rows without a
    snapshot (PostgreSQL and SQLite evaluate a ``CASE`` branch only when it is taken)."""
    live = _live(day)
    fresh = Q(_snapshot__status__isnull=False)

    def either(name, expression, output_field):
        return Case(When(fresh, then=F(f"_snapshot__{name}")), default=expression, output_field=output_field)

    rows = queryset.alias(
        _snapshot=FilteredRelation("status_snapshot", condition=Q(status_snapshot__day=day)), **live.aliases
    )
    return rows.annotate(
        _coming=either("coming", live.coming, models.BooleanField()),
        training_status=either("status", live.status, models.CharField()),
        training_delay_start=either("delay_start", live.delay_start, DateField()),
        training_delay_months=either("delay_months", live.delay_months, IntegerField()),
    )


def annotate_live(queryset, day: datetime.date):
    """:func:`annotate` computed from the contracts only, whatever the snapshots: what a snapshot
    stores (``apprentices.services.snapshot_statuses``)."""
    live = _live(day)
    return queryset.alias(**live.aliases).annotate(
        _coming=live.coming,
        training_status=live.status,
        training_delay_start=live.delay_start,
        training_delay_months=live.delay_months,
    )


@dataclass(frozen=True)
class _Live:
    aliases: dict
    coming: Exists
    status: Case
    delay_start: Case
    delay_months: Case


def _live(day: datetime.date) -> _Live:
    """The rules of the module's docstring as SQL expressions over an apprentice's contracts."""
    contracts = Contract.objects.filter(apprentice=OuterRef("pk"))

    running = contracts.filter(start_date__lte=day, planned_end_date__gte=day).exclude(rupture_date__lte=day)
    ended = contracts.filter(
        Q(rupture_date__lte=day) | Q(rupture_date__isnull=True, planned_end_date__lt=day)
    )
    counted_rupture = Q(status=Contract.Status.RUPTURED, rupture_date__isnull=False) & ~Q(
        diploma_outcome=Contract.Outcome.OBTAINED, diploma_outcome_date__lte=F("rupture_date")
    )
    last_rupture = (
        ended.order_by(
            Coalesce("rupture_date", "planned_end_date").desc(),
            F("rupture_date").asc(nulls_first=True),
            "-pk",
        )
        .annotate(
            counted=Case(
                When(counted_rupture, then=F("rupture_date")), default=None, output_field=DateField()
            )
        )
        .values("counted")[:1]
    )
    abandoned = (
        contracts.order_by("-start_date", "-pk")
        .annotate(
            abandoned_on=Case(
                When(status=Contract.Status.ABANDONED, then=Coalesce("rupture_date", "start_date")),
                default=None,
                output_field=DateField(),
            )
        )
        .values("abandoned_on")[:1]
    )
    aliases = {
        "_exit_on": Coalesce(F("training_exit_date"), Subquery(abandoned, output_field=DateField())),
        "_running": Exists(running),
        "_ended": Exists(ended),
        "_rupture": Subquery(last_rupture, output_field=DateField()),
        "_coming_live": Exists(contracts.filter(start_date__gt=day)),
        "_enrolled_on": Coalesce(F("cohort__start_date"), F("cohort__entry_year__start_date")),
    }
    left = Q(_exit_on__lte=day)
    running_today = Q(_running=True)
    after_rupture = Q(_rupture__isnull=False)
    after_end = Q(_ended=True)
    return _Live(
        aliases=aliases,
        coming=F("_coming_live"),
        status=Case(
            When(left, then=Value(TrainingStatus.DROPPED_OUT.value)),
            When(running_today, then=Value(TrainingStatus.APPRENTICE.value)),
            When(
                after_rupture & ~passed("_rupture", RUPTURE_MONTHS, day),
                then=Value(TrainingStatus.RUPTURED.value),
            ),
            When(after_rupture, then=Value(TrainingStatus.DROPPED_OUT.value)),
            When(after_end & Q(_coming_live=True), then=Value(TrainingStatus.ENROLLED.value)),
            When(after_end, then=Value(TrainingStatus.FINISHED.value)),
            When(_enrolled_on__isnull=True, then=Value(TrainingStatus.ENROLLED.value)),
            When(passed("_enrolled_on", ENROLLED_MONTHS, day), then=Value(TrainingStatus.DROPPED_OUT.value)),
            default=Value(TrainingStatus.ENROLLED.value),
            output_field=models.CharField(),
        ),
        delay_start=Case(
            When(left | running_today, then=None),
            When(after_rupture, then=F("_rupture")),
            When(after_end, then=None),
            default=F("_enrolled_on"),
            output_field=DateField(),
        ),
        delay_months=Case(
            When(left | running_today, then=None),
            When(after_rupture, then=Value(RUPTURE_MONTHS)),
            When(after_end | Q(_enrolled_on__isnull=True), then=None),
            default=Value(ENROLLED_MONTHS),
            output_field=IntegerField(),
        ),
    )


def _delay_passed(day: datetime.date) -> Q:
    """The annotated legal delay has run out on ``day``."""
    return Q(training_delay_months=ENROLLED_MONTHS) & passed(
        "training_delay_start", ENROLLED_MONTHS, day
    ) | Q(training_delay_months=RUPTURE_MONTHS) & passed("training_delay_start", RUPTURE_MONTHS, day)


def delay_ending(
    row: StatusRow,
    day: datetime.date,
    *,
    passed_since: datetime.date | None = None,
    warning_days: int = WARNING_DAYS,
) -> bool:
    """:func:`delays_ending` for one apprentice's status already read: their legal delay's last day is
    within ``warning_days`` of ``day`` or passed (on or after ``passed_since``, when given), and no
    contract is signed to start later."""
    if row.coming or row.delay is None or row.delay.months not in (ENROLLED_MONTHS, RUPTURE_MONTHS):
        return False
    last_day = row.delay.last_day
    return last_day <= day + datetime.timedelta(days=warning_days) and (
        passed_since is None or last_day >= passed_since
    )


def delays_ending(
    queryset,
    day: datetime.date,
    *,
    passed_since: datetime.date | None = None,
    warning_days: int = WARNING_DAYS,
):
    """Of ``queryset`` annotated by :func:`annotate` for ``day``, the apprentices whose legal delay
    ends within ``warning_days`` of ``day`` or has passed (its last day on or after ``passed_since``,
    when given), and who have no contract signed to start later (they found an employer)."""
    rows = queryset.filter(_coming=False).filter(
        _delay_passed(day + datetime.timedelta(days=warning_days + 1))
    )
    if passed_since is not None:
        rows = rows.exclude(_delay_passed(passed_since))
    return rows
