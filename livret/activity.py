"""What counts as activity in a contract's booklet: something a person did, not what the platform does
by itself (opening a sheet). A sheet written, submitted, countersigned or read; a visit planned, or held
on or after the first day counted; a mission description written, submitted or decided; an evaluation
filled in.

One definition, read two ways that agree: :func:`active_since` as ``EXISTS`` over a contract's
documents, and :func:`latest` as the latest moment per contract, which Celery stores
(``BookletActivity``) so that :func:`inactive` reads one row per contract, and the documents only of
those without one.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, Max, OuterRef, Q

from livret.models import Evaluation, LiaisonSheet, MissionDescription, VisitReport


@dataclass(frozen=True)
class Moment:
    """A date-time column of a document that is activity when set (and ``only_if`` holds)."""

    model: type
    field: str
    only_if: Q = field(default_factory=Q)


# A draft's ``updated_at`` is activity once a person wrote it (``revision``): opening a sheet is not.
MOMENTS = (
    Moment(LiaisonSheet, "submitted_at"),
    Moment(LiaisonSheet, "countersigned_at"),
    Moment(LiaisonSheet, "reviewed_at"),
    Moment(LiaisonSheet, "updated_at", Q(revision__gt=0)),
    Moment(VisitReport, "created_at"),
    Moment(MissionDescription, "updated_at", Q(revision__gt=0)),
    Moment(MissionDescription, "submitted_at"),
    Moment(MissionDescription, "decided_at"),
    Moment(Evaluation, "updated_at"),
)
DOCUMENTS = (LiaisonSheet, VisitReport, MissionDescription, Evaluation)
# A visit's day (a date): held on or after the first day counted.
HELD_ON = "held_on"


def _moments(model) -> list[Moment]:
    return [moment for moment in MOMENTS if moment.model is model]


def active_since(model, since: datetime.datetime, since_day: datetime.date) -> Exists:
    """A document of ``model`` of the contract (``OuterRef("pk")``) shows activity since ``since``."""
    recent = Q()
    for moment in _moments(model):
        recent |= Q(**{f"{moment.field}__gte": since}) & moment.only_if
    if model is VisitReport:
        recent |= Q(**{f"{HELD_ON}__gte": since_day})
    return Exists(model.objects.filter(contract=OuterRef("pk")).filter(recent))


def inactive(contracts, since: datetime.datetime, since_day: datetime.date):
    """``contracts`` (a queryset) with no activity since ``since`` (``since_day``, its day), as two
    querysets of contracts: those judged on their stored ``BookletActivity``, and those without one
    (a document written in the last minutes, or never stored yet) judged on their documents.

    Two querysets, each planned for its own rows: in one query, the documents' ``EXISTS`` under a
    ``CASE`` made PostgreSQL hash every recent sheet of the network for the few contracts without a
    row (77 ms at 20,000 apprentices with 500 of them), and their ``UNION ALL`` ran in parallel workers
    (19.6 ms, against 6 and 5 ms for the two). Alone, the second reads by index the documents of the
    few without a row, or, when none is stored yet, anti-joins the documents (24 ms)."""
    stored = Q(booklet_activity__last_at__isnull=True) | Q(booklet_activity__last_at__lt=since)
    stored &= Q(booklet_activity__last_held_on__isnull=True) | Q(booklet_activity__last_held_on__lt=since_day)
    judged_on_their_row = contracts.filter(booklet_activity__isnull=False).filter(stored)
    judged_live = contracts.filter(booklet_activity__isnull=True)
    for model in DOCUMENTS:
        judged_live = judged_live.exclude(active_since(model, since, since_day))
    return judged_on_their_row, judged_live


def latest(contracts: list[int]) -> dict[int, tuple[datetime.datetime | None, datetime.date | None]]:
    """Each of ``contracts`` (keys) with its latest moment of activity and the latest day a visit of it
    was held on (None: none): one query per kind of document."""
    found: dict[int, list] = defaultdict(lambda: [None, None])
    for model in DOCUMENTS:
        columns = {
            f"m{index}": Max(moment.field, filter=moment.only_if or None)
            for index, moment in enumerate(_moments(model))
        }
        if model is VisitReport:
            columns["held"] = Max(HELD_ON)
        rows = model.objects.filter(contract_id__in=contracts).order_by().values("contract_id")
        for row in rows.annotate(**columns):
            entry = found[row.pop("contract_id")]
            held = row.pop("held", None)
            moments = [value for value in (entry[0], *row.values()) if value is not None]
            entry[0] = max(moments, default=None)
            if held is not None:
                entry[1] = held
    return {pk: tuple(found[pk]) for pk in contracts}
