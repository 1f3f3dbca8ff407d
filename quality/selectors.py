"""Reads of the quality pages, shaped for them. Each runs a fixed number of queries, whatever the number
of diplomas, years or versions it reads (its docstring says how many), so that a page's count is the sum
of its selectors'."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from core.models import AcademicYear
from quality.charts import TREND
from quality.indicators import INDICATORS
from quality.levels import evaluate, evaluate_years, socle_floors
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


@dataclass
class DiplomaYear:
    """A diploma's trajectory for one year, with what the page and the PDF show beside it."""

    campaign: Campaign | None  # the year's closed campaign of the diploma's organisation
    data: dict | None  # the trajectory as plain data; None when the closed campaign did not hold it
    history: list[dict]  # each year's levels per périmètre, oldest first


def trajectories(diplomas, year: AcademicYear, years) -> dict[int, DiplomaYear]:
    """Each diploma's trajectory for ``year`` (frozen if its organisation's campaign of the year is
    closed, else evaluated live) and its history over ``years`` (frozen for the closed years, live for
    the open years with figures), by diploma id. Two queries, and one evaluation (eight) of the year
    and of every open year together, whatever the number of diplomas and years."""
    diplomas = list(diplomas)
    known = _Years.of(diplomas)
    live = known.evaluate(
        diplomas, years, also=[year] if any(known.campaign(d, year) is None for d in diplomas) else []
    )
    result = {}
    for diploma in diplomas:
        campaign = known.campaign(diploma, year)
        data = frozen(campaign, diploma) if campaign else serialize(live[(diploma.pk, year.pk)])
        result[diploma.pk] = DiplomaYear(campaign, data, known.history(diploma, years, live))
    return result


@dataclass
class _Years:
    """Which years of some diplomas are closed (their organisations' campaigns) and which have figures."""

    campaigns: dict  # (organisation id, year id) -> Campaign
    computed: set  # (diploma id, year id) that have indicator values

    @classmethod
    def of(cls, diplomas) -> _Years:
        """Two queries."""
        if not diplomas:
            return cls({}, set())
        return cls(
            campaigns={
                (c.organisation_id, c.academic_year_id): c
                for c in Campaign.objects.filter(organisation__in={d.organisation_id for d in diplomas})
            },
            computed=set(
                IndicatorValue.objects.filter(diploma__in=diplomas)
                .values_list("diploma", "academic_year")
                .distinct()
            ),
        )

    def campaign(self, diploma, year) -> Campaign | None:
        return self.campaigns.get((diploma.organisation_id, year.pk))

    def is_live(self, diploma, year) -> bool:
        """Whether the diploma's history shows the year evaluated live: open, with figures."""
        return self.campaign(diploma, year) is None and (diploma.pk, year.pk) in self.computed

    def evaluate(self, diplomas, years, also=()) -> dict:
        """The trajectories of ``diplomas`` for ``also`` and for every year of ``years`` open with
        figures for one of them, by (diploma id, year id): one evaluation (eight queries), none when
        there is nothing to judge."""
        wanted = {y.pk: y for y in also}
        wanted.update({y.pk: y for d in diplomas for y in years if self.is_live(d, y)})
        return evaluate_years(diplomas, wanted.values()) if wanted else {}

    def history(self, diploma, years, live) -> list[dict]:
        rows = []
        for year in sorted(years, key=lambda y: y.start_date):
            campaign = self.campaign(diploma, year)
            if campaign:
                entry = frozen(campaign, diploma)
                if entry is not None:
                    rows.append({"year": year, "closed": True, "perimeters": _perimeters_frozen(entry)})
            elif (diploma.pk, year.pk) in self.computed:
                perimeters = _perimeters_live(live[(diploma.pk, year.pk)])
                rows.append({"year": year, "closed": False, "perimeters": perimeters})
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
