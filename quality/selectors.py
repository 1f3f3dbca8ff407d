"""Reads of the quality pages, shaped for them. Each runs a fixed number of queries, whatever the number
of diplomas, years or versions it reads (its docstring says how many), so that a page's count is the sum
of its selectors'."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from core.models import AcademicYear
from quality.charts import TREND
from quality.indicators import INDICATORS
from quality.levels import evaluate, socle_floors
from quality.models import (
    Campaign,
    Comparison,
    ComputationRun,
    Evidence,
    FollowedIndicator,
    IndicatorValue,
    Meeting,
    Milestone,
    Poste,
    Requirement,
    Threshold,
    year_as_of,
)
from quality.snapshot import serialize

# A campaign and its snapshot ----------------------------------------------------------------------


def campaign_of(organisation_id: int, year: AcademicYear) -> Campaign | None:
    """The closed campaign of the organisation's year, if it is closed (one query)."""
    return Campaign.objects.filter(organisation_id=organisation_id, academic_year=year).first()


def frozen(campaign: Campaign, diploma) -> dict | None:
    """The diploma's trajectory as the campaign froze it (no query), None if it was not in it."""
    return next((d for d in campaign.snapshot["diplomas"] if d["diploma"]["id"] == diploma.pk), None)


def _perimeters_frozen(entry: dict) -> list[dict]:
    return [
        {"code": p["code"], "label": p["label"], "stage": p["stage"]}
        for poste in entry["postes"]
        for p in poste["perimeters"]
    ]


def _perimeters_live(trajectory) -> list[dict]:
    return [{"code": p.perimeter.code, "label": p.label, "stage": p.stage} for p in trajectory.perimeters]


# The dashboard -----------------------------------------------------------------------------------


@dataclass
class Dashboard:
    """Every diploma on every périmètre for one year: frozen once the campaign is closed, live before."""

    campaign: Campaign | None
    run: ComputationRun | None
    rows: list[dict]
    postes: list[Poste]

    @property
    def perimeters(self) -> list:
        return [p for poste in self.postes for p in poste.perimeters.all()]

    @property
    def computed_at(self):
        """When the live figures were last computed (None for a closed year: its snapshot says)."""
        computed = [row["computed_at"] for row in self.rows if row["computed_at"]]
        return max(computed) if computed and not self.campaign else None


def rows_from_trajectories(trajectories, diplomas) -> list[dict]:
    rows = []
    for diploma in diplomas:
        trajectory = trajectories[diploma.pk]
        rows.append(
            {
                "diploma": {"id": diploma.pk, "code": diploma.code, "title": diploma.title},
                "perimeters": _perimeters_live(trajectory),
                "postes": [
                    {
                        "number": poste.poste.number,
                        "label": poste.label,
                        "stage": poste.stage,
                        "weakest": poste.weakest.perimeter.code,
                    }
                    for poste in trajectory.postes
                ],
                "computed_at": trajectory.computed_at,
            }
        )
    return rows


def rows_from_snapshot(snapshot, visible_ids) -> list[dict]:
    return [
        {
            "diploma": entry["diploma"],
            "perimeters": _perimeters_frozen(entry),
            "postes": [
                {
                    "number": poste["number"],
                    "label": poste["label"],
                    "stage": poste["stage"],
                    "weakest": poste["weakest"],
                }
                for poste in entry["postes"]
            ],
            "computed_at": entry["computed_at"],
        }
        for entry in snapshot["diplomas"]
        if entry["diploma"]["id"] in visible_ids
    ]


def dashboard(diplomas: list, year: AcademicYear | None, organisation_id: int | None) -> Dashboard:
    """The dashboard of ``diplomas`` for ``year``: the campaign, one row per diploma and the latest
    run (two queries, and one evaluation of every diploma while the year is open), then the postes with
    their périmètres (two queries)."""
    campaign = run = None
    rows = []
    if year is not None and diplomas:
        campaign = (
            Campaign.objects.filter(organisation_id=organisation_id, academic_year=year)
            .select_related("closed_by")
            .first()
        )
        if campaign:
            rows = rows_from_snapshot(campaign.snapshot, {d.pk for d in diplomas})
        else:
            rows = rows_from_trajectories(evaluate(diplomas, year), diplomas)
        run = ComputationRun.objects.filter(organisation_id=organisation_id, academic_year=year).first()
    postes = list(Poste.objects.prefetch_related("perimeters").order_by("number"))
    return Dashboard(campaign=campaign, run=run, rows=rows, postes=postes)


# One diploma's trajectory ------------------------------------------------------------------------


def trajectory(diploma, year: AcademicYear) -> tuple[Campaign | None, dict | None]:
    """The year's closed campaign and the diploma's trajectory as plain data: frozen if the campaign
    is closed (one query), else evaluated live (one query and one evaluation). The data is None when
    the closed campaign did not hold the diploma."""
    campaign = campaign_of(diploma.organisation_id, year)
    if campaign:
        return campaign, frozen(campaign, diploma)
    return None, serialize(evaluate([diploma], year)[diploma.pk])


def history(diploma, years) -> list[dict]:
    """Each year's levels, per périmètre: from the closed campaigns, else live. Two queries, and one
    evaluation per open year that has figures."""
    campaigns = {
        c.academic_year_id: c for c in Campaign.objects.filter(organisation_id=diploma.organisation_id)
    }
    computed_years = set(
        IndicatorValue.objects.filter(diploma=diploma).values_list("academic_year", flat=True).distinct()
    )
    rows = []
    for year in sorted(years, key=lambda y: y.start_date):
        if year.pk in campaigns:
            entry = frozen(campaigns[year.pk], diploma)
            if entry is None:
                continue
            rows.append({"year": year, "closed": True, "perimeters": _perimeters_frozen(entry)})
        elif year.pk in computed_years:
            live = evaluate([diploma], year)[diploma.pk]
            rows.append({"year": year, "closed": False, "perimeters": _perimeters_live(live)})
    return rows


def trend_values(diplomas) -> dict:
    """The values the trend chart draws, by diploma id then (year id, indicator): one query."""
    values = defaultdict(dict)
    for v in IndicatorValue.objects.filter(diploma__in=diplomas, indicator__in=TREND, value__isnull=False):
        values[v.diploma_id][(v.academic_year_id, v.indicator)] = v.value
    return values


def indicator_records(diploma, year: AcademicYear, indicator) -> dict:
    """The records behind one indicator's figure, and the figure stored (the indicator's own queries,
    and one)."""
    records = indicator.records(diploma, year, year_as_of(year))
    stored = IndicatorValue.objects.filter(
        diploma=diploma, academic_year=year, indicator=indicator.code
    ).first()
    return {
        "records": records,
        "counted": sum(1 for r in records if r.counted),
        "stored": stored,
        "stored_text": indicator.format_value(stored.value) if stored else "",
        "insufficient": bool(stored and stored.value is not None and indicator.is_insufficient(stored)),
    }


# What the diploma's team sets --------------------------------------------------------------------


def threshold_rows(diploma, year: AcademicYear) -> list[dict]:
    """Every threshold the diploma may set for the year (the referential's computed requirements, then
    its jalons'), each with its current value, its default, the socle's floor and its versions, newest
    first. Four queries."""
    requirements = list(
        Requirement.objects.filter(kind=Requirement.Kind.COMPUTED)
        .exclude(comparison=Comparison.AVAILABLE)
        .filter(item__isnull=False)
        .select_related("item__poste")
        .order_by("item__poste__number", "item__stage", "item__order", "order")
    ) + list(
        Requirement.objects.filter(milestone__diploma=diploma, milestone__academic_year=year)
        .exclude(comparison="")
        .select_related("milestone__perimeter")
        .order_by("milestone__perimeter__code", "milestone__rank", "order")
    )
    versions = defaultdict(list)
    for version in (
        Threshold.objects.filter(diploma=diploma, academic_year=year)
        .select_related("changed_by")
        .order_by("-version")
    ):
        versions[version.requirement_id].append(version)
    floors = socle_floors()
    rows = []
    for requirement in requirements:
        indicator = INDICATORS[requirement.indicator]
        versions_of = versions[requirement.pk]
        current = versions_of[0].value if versions_of else requirement.threshold
        floor = floors.get(requirement.indicator)
        rows.append(
            {
                "requirement": requirement,
                "stage": (requirement.milestone and str(requirement.milestone))
                or requirement.item.get_stage_display(),
                "is_socle": requirement.item_id is not None and requirement.item.stage == "socle",
                "poste": requirement.item.poste.number
                if requirement.item_id
                else requirement.milestone.perimeter.code,
                "indicator": indicator,
                "comparison": Comparison(requirement.comparison).label,
                "current": indicator.format_value(current),
                "default": indicator.format_value(requirement.threshold),
                "floor": (
                    f"{Comparison(floor[0]).label} {indicator.format_value(floor[1])}"
                    if floor and floor[0] == requirement.comparison
                    else ""
                ),
                "history": [
                    {
                        "version": v.version,
                        "value": indicator.format_value(v.value),
                        "previous": indicator.format_value(v.previous_value),
                        "reason": v.reason,
                        "by": v.changed_by,
                        "at": v.changed_at,
                    }
                    for v in versions_of
                ],
            }
        )
    return rows


def milestones(diploma, year: AcademicYear) -> list[Milestone]:
    """The diploma's jalons of the year with their périmètre and requirements (two queries)."""
    return list(
        Milestone.objects.filter(diploma=diploma, academic_year=year)
        .select_related("perimeter")
        .prefetch_related("requirements")
    )


def followed_codes(diploma, year: AcademicYear) -> set[str]:
    """The codes of the diploma's minimum list of indicators for the year (one query)."""
    return set(
        FollowedIndicator.objects.filter(diploma=diploma, academic_year=year).values_list(
            "indicator", flat=True
        )
    )


def followed_rows(diploma, year: AcademicYear, codes) -> list[dict]:
    """The indicators of ``codes``, in the registry's order, each with its stored value (one query)."""
    values = {v.indicator: v for v in IndicatorValue.objects.filter(diploma=diploma, academic_year=year)}
    return [
        {
            "indicator": INDICATORS[code],
            "value": INDICATORS[code].format_value(values[code].value) if code in values else "—",
        }
        for code in INDICATORS
        if code in codes
    ]


# The registers -----------------------------------------------------------------------------------


def evidence_of(user, year: AcademicYear | None):
    """The documents ``user`` may read, newest year first, of ``year`` when given: a lazy queryset
    (one query for each page of it)."""
    evidence = (
        Evidence.objects.visible_to(user)
        .select_related("diploma", "academic_year", "attested_by")
        .order_by("-academic_year__start_date", "-attested_on", "-pk")
    )
    return evidence.filter(academic_year=year) if year else evidence


def meetings_of(user):
    """The meetings ``user`` may read, latest first, with their minutes, diplomas and cohorts: a lazy
    queryset (three queries for each page of it)."""
    return (
        Meeting.objects.visible_to(user)
        .select_related("minutes", "recorded_by")
        .prefetch_related("diplomas", "cohorts")
        .order_by("-held_on", "-pk")
    )
