"""Reads of the booklet shaped for pages: each runs a fixed number of queries, whatever the data.

Writes and transitions are in ``livret.services``; these functions never change a row.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from apprentices.models import AlternancePeriod, Competence, CompetenceBlock, Contract
from core.models import AcademicYear, Role
from livret import perms
from livret.models import (
    ActionItem,
    Evaluation,
    GridSharing,
    LiaisonSheet,
    MissionDescription,
    Rating,
    VisitReport,
)
from livret.windows import by_contract, summarize

WRITABLE = (MissionDescription.Status.DRAFT, MissionDescription.Status.RETURNED)
TUTOR, APPRENTICE = Rating.Rater.TUTOR, Rating.Rater.APPRENTICE


def sheets_with_context(queryset):
    return queryset.select_related(
        "contract__apprentice",
        "contract__employer",
        "contract__company_tutor",
        "contract__school_tutor__user",
        "period",
    )


def contract_follow_up(contract, today) -> dict:
    """What the contract page shows of the visits and the grid: the charter window to act on, the
    missed ones, the meetings held, the visit planned next, and when the grid was shared. Two queries."""
    visits = list(VisitReport.objects.filter(contract=contract).exclude(status=VisitReport.Status.CANCELLED))
    return {
        "visits": summarize(contract, visits, today),
        "grid_sharing": GridSharing.objects.filter(contract=contract).first(),
    }


def timeline(*, sheets, visits, missions, evaluations) -> list[dict]:
    """Booklet entries of every document, newest first, each placed at the date it belongs to."""
    entries = [{"date": sheet.period.end_date, "kind": "sheet", "document": sheet} for sheet in sheets]
    entries += [{"date": visit.date, "kind": "visit", "document": visit} for visit in visits]
    entries += [
        {
            "date": timezone.localdate(mission.decided_at or mission.submitted_at or mission.created_at),
            "kind": "mission",
            "document": mission,
        }
        for mission in missions
    ]
    entries += [
        {"date": evaluation.period.end_date, "kind": "evaluation", "document": evaluation}
        for evaluation in evaluations
    ]
    for entry in entries:
        entry["url"] = entry["document"].get_absolute_url()
    return sorted(entries, key=lambda entry: (entry["date"], entry["kind"]), reverse=True)


# Visits ---------------------------------------------------------------------------------------------


def open_actions(contract, *, exclude_visit=None) -> list[ActionItem]:
    """The contract's actions still open, earliest due first (but those ``exclude_visit`` decided)."""
    actions = ActionItem.objects.filter(contract=contract, done_on__isnull=True).select_related("opened_in")
    if exclude_visit is not None:
        actions = actions.exclude(opened_in=exclude_visit)
    return list(actions.order_by("due_date", "pk"))


def visit_follow_up(contracts, today: datetime.date) -> list[dict]:
    """For a page of contracts: each with the charter window to act on and its open and late actions.
    Two queries, whatever the number of contracts."""
    visits = by_contract(
        VisitReport.objects.filter(contract__in=contracts).exclude(status=VisitReport.Status.CANCELLED)
    )
    actions = {
        row["contract"]: row
        for row in ActionItem.objects.filter(contract__in=contracts, done_on__isnull=True)
        .values("contract")
        .annotate(open=Count("pk"), late=Count("pk", filter=Q(due_date__lt=today)))
    }
    return [
        {
            "contract": contract,
            "summary": summarize(contract, visits[contract.pk], today),
            "open_actions": actions.get(contract.pk, {}).get("open", 0),
            "late_actions": actions.get(contract.pk, {}).get("late", 0),
        }
        for contract in contracts
    ]


def visit_actions(visit) -> list[ActionItem]:
    """The actions a report shows: those it decided, those it closed, and those still open that were
    decided before it (carried). One query."""
    return list(
        ActionItem.objects.filter(contract=visit.contract)
        .filter(
            Q(opened_in=visit)
            | Q(closed_in=visit)
            | Q(done_on__isnull=True, opened_in__held_on__lte=visit.date) & ~Q(opened_in=visit)
        )
        .select_related("opened_in")
        .order_by("due_date", "pk")
    )


# Mission descriptions -------------------------------------------------------------------------------


def missions_with_context(queryset):
    """Descriptions with what pages and rules read: the year, the contract's people, the diploma's heads."""
    return queryset.select_related(
        "academic_year",
        "contract__apprentice__user",
        "contract__employer",
        "contract__company_tutor__user",
        "contract__school_tutor__user",
        "contract__diploma",
        "submitted_by",
        "decided_by",
        "last_edited_by",
    ).prefetch_related("contract__diploma__heads")


def days_waiting(mission, today: datetime.date | None = None) -> int | None:
    """Calendar days (Europe/Paris) since a submitted description was submitted; None otherwise."""
    if mission.status != MissionDescription.Status.SUBMITTED or mission.submitted_at is None:
        return None
    paris = timezone.get_default_timezone()  # settings.TIME_ZONE, whatever the request activated
    today = today or timezone.localdate(timezone=paris)
    return (today - timezone.localdate(mission.submitted_at, timezone=paris)).days


def is_overdue(mission, today: datetime.date | None = None) -> bool:
    """Waiting for a decision for more than the charter's week."""
    days = days_waiting(mission, today)
    return days is not None and days > MissionDescription.DECISION_DAYS


def waiting_missions_for_head(user, today: datetime.date | None = None) -> list[MissionDescription]:
    """The submitted descriptions of ``user``'s diplomas, oldest first, each with ``days_waiting`` and
    ``overdue`` set. One query (the heads are not prefetched: the list does not check rights per row),
    without ``DISTINCT``: a diploma names a head once, so the join on its heads gives each description
    once (``DISTINCT`` over the joined columns cost PostgreSQL 15 ms of planning)."""
    if Role.HEAD_OF_DIPLOMA not in user.roles:
        return []
    today = today or timezone.localdate()
    missions = list(
        MissionDescription.objects.waiting_decision()
        .filter(contract__diploma__heads=user)
        .select_related("academic_year", "contract__apprentice", "contract__employer", "contract__diploma")
        .order_by("submitted_at", "pk")
    )
    for mission in missions:
        mission.days_waiting = days_waiting(mission, today)
        mission.overdue = is_overdue(mission, today)
    return missions


def missions_to_write_for(user):
    """Current descriptions in draft or returned on the contracts where ``user`` is the apprentice or
    the company tutor: what they have to write and submit."""
    mine = Q(pk__in=[])
    if Role.APPRENTICE in user.roles:
        mine |= Q(contract__apprentice__user=user)
    if Role.COMPANY_TUTOR in user.roles:
        mine |= Q(contract__company_tutor__user=user)
    return MissionDescription.objects.current().filter(mine, status__in=WRITABLE)


def contracts_to_describe(user, academic_year):
    """Active contracts where ``user`` writes the description (apprentice, company tutor) and that have
    none yet for ``academic_year``."""
    mine = Q(pk__in=[])
    if Role.APPRENTICE in user.roles:
        mine |= Q(apprentice__user=user)
    if Role.COMPANY_TUTOR in user.roles:
        mine |= Q(company_tutor__user=user)
    if academic_year is None:
        return Contract.objects.none()
    return (
        Contract.objects.filter(mine, status=Contract.Status.ACTIVE)
        .filter(start_date__lte=academic_year.end_date)
        .exclude(planned_end_date__lt=academic_year.start_date)
        .filter(
            ~Exists(MissionDescription.objects.filter(contract=OuterRef("pk"), academic_year=academic_year))
        )
        .select_related("apprentice", "employer")
        .order_by("apprentice__last_name", "apprentice__first_name", "pk")
    )


def contract_missions(contract, user, today: datetime.date | None = None) -> dict:
    """What the contract page shows of its descriptions (``livret/missions/_contract_missions.html``):
    the current one of each year, newest first, and whether ``user`` may open the one of this year.
    Two queries; the rights read the contract's people, which the contract page already holds."""
    year = AcademicYear.objects.current(today or timezone.localdate())
    missions = list(
        MissionDescription.objects.current()
        .filter(contract=contract)
        .select_related("academic_year")
        .order_by("-academic_year__start_date")
    )
    described = year is None or any(mission.academic_year_id == year.pk for mission in missions)
    can_open = (
        not described and contract.status == Contract.Status.ACTIVE and perms.can_open_mission(user, contract)
    )
    return {"missions": missions, "mission_year": year, "can_open_mission": can_open}


# Evaluation grids -----------------------------------------------------------------------------------


def competences_of(diploma_id: int) -> list[Competence]:
    """The diploma's competences in framework order, each with its block: one query."""
    return list(
        Competence.objects.filter(block__diploma_id=diploma_id)
        .select_related("block")
        .order_by("block__order", "block__code", "order", "code")
    )


# Periods -------------------------------------------------------------------------------------------


def company_periods(contract: Contract) -> list[AlternancePeriod]:
    """The company periods of the contract's calendars (its diploma, the apprentice's year of study
    in each academic year) that overlap the contract, in time order. One query.

    Reads ``contract.apprentice.cohort.entry_year``: fetch it with the contract.
    """
    periods = (
        AlternancePeriod.objects.filter(
            calendar__diploma_id=contract.diploma_id,
            kind=AlternancePeriod.Kind.COMPANY,
            start_date__lte=contract.end_date,
            end_date__gte=contract.start_date,
        )
        .select_related("calendar__academic_year")
        .order_by("start_date", "pk")
    )
    cohort = contract.apprentice.cohort
    if cohort is None:
        return list(periods)
    return [p for p in periods if p.calendar.year_of_study == cohort.year_of_study(p.calendar.academic_year)]


def openable_periods(contract: Contract, *, today: datetime.date, taken=()) -> list[AlternancePeriod]:
    """The started company periods of the contract that have no evaluation yet (``taken``: period ids)."""
    taken = set(taken)
    return [p for p in company_periods(contract) if p.start_date <= today and p.pk not in taken]


# Progression ---------------------------------------------------------------------------------------


@dataclass
class Progression:
    """Mean level per competence block and evaluated period, for each side that validated it."""

    periods: list[dict] = field(default_factory=list)  # {"id", "start", "end"} in time order
    blocks: list[CompetenceBlock] = field(default_factory=list)
    means: dict = field(default_factory=dict)  # (block id, rater) -> {period id: mean}

    @property
    def is_empty(self) -> bool:
        return not self.periods

    def series(self, block_id: int, rater: str) -> list[float | None]:
        values = self.means.get((block_id, rater), {})
        return [values.get(period["id"]) for period in self.periods]

    def rows(self) -> list[dict]:
        """The table equivalent of the chart: one row per period, one cell per block."""
        return [
            {
                "period": period,
                "cells": [
                    {
                        "block": block,
                        "tutor": self.means.get((block.pk, TUTOR), {}).get(period["id"]),
                        "apprentice": self.means.get((block.pk, APPRENTICE), {}).get(period["id"]),
                    }
                    for block in self.blocks
                ],
            }
            for period in self.periods
        ]


def progression(contract: Contract) -> Progression:
    """Averaged in SQL over the validated sides only (a draft is nobody's opinion yet). Two queries."""
    validated = Q(rater=TUTOR, evaluation__tutor_submitted_at__isnull=False) | Q(
        rater=APPRENTICE, evaluation__apprentice_submitted_at__isnull=False
    )
    rows = (
        Rating.objects.filter(validated, evaluation__contract=contract)
        .values(
            "evaluation__period_id",
            "evaluation__period__start_date",
            "evaluation__period__end_date",
            "competence__block_id",
            "rater",
        )
        .annotate(mean=Avg("level"))
        .order_by("evaluation__period__start_date", "competence__block_id", "rater")
    )
    blocks = CompetenceBlock.objects.filter(diploma_id=contract.diploma_id).order_by("order", "code")
    result = Progression(blocks=list(blocks))
    means = defaultdict(dict)
    seen = set()
    for row in rows:
        period_id = row["evaluation__period_id"]
        if period_id not in seen:
            seen.add(period_id)
            result.periods.append(
                {
                    "id": period_id,
                    "start": row["evaluation__period__start_date"],
                    "end": row["evaluation__period__end_date"],
                }
            )
        means[row["competence__block_id"], row["rater"]][period_id] = round(float(row["mean"]), 2)
    result.means = dict(means)
    return result


def apprentice_documents(apprentice, viewer) -> dict[str, list]:
    """Every document of ``apprentice``'s booklet that ``viewer`` may see, every version and state:
    liaison sheets, visits with their actions, mission descriptions with their decisions, evaluations with
    their ratings, the grid's sharing. Seven queries, whatever the booklet holds."""
    mine = {"contract__apprentice": apprentice}
    sheets = list(
        LiaisonSheet.objects.visible_to(viewer)
        .filter(**mine)
        .select_related("period")
        .order_by("period__start_date", "version", "pk")
    )
    visits = list(
        VisitReport.objects.visible_to(viewer)
        .filter(**mine)
        .select_related("author")
        .order_by("planned_date", "pk")
    )
    actions = list(ActionItem.objects.visible_to(viewer).filter(**mine).order_by("due_date", "pk"))
    missions = list(
        MissionDescription.objects.visible_to(viewer)
        .filter(**mine)
        .select_related("academic_year", "decided_by", "submitted_by")
        .prefetch_related("decisions__decided_by")
        .order_by("academic_year__start_date", "version", "pk")
    )
    evaluations = list(
        Evaluation.objects.visible_to(viewer)
        .filter(**mine)
        .select_related("period")
        .prefetch_related(Prefetch("ratings", queryset=Rating.objects.select_related("competence")))
        .order_by("period__start_date", "pk")
    )
    sharings = list(GridSharing.objects.visible_to(viewer).filter(**mine).order_by("shared_on", "pk"))
    return {
        "sheets": sheets,
        "visits": visits,
        "actions": actions,
        "missions": missions,
        "evaluations": evaluations,
        "grid_sharings": sharings,
    }
