"""Where a diploma stands on the trajectory for one academic year: each requirement met or not, each
périmètre's level, each poste's level, and what is missing for the next step.

A périmètre's levels are the socle, then the diploma's jalons for the year in their rank, then the
cible. Its level is the highest L such that every requirement of levels 1…L holds (0 below the socle):
a strong cible indicator cannot hide a missing socle. A poste's level is the level of its weakest
périmètre. Each year is judged on that year's thresholds.

:func:`evaluate_years` reads everything in a fixed number of queries, whatever the number of diplomas
and years; :func:`evaluate` is its one-year form.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.models import AcademicYear
from quality.indicators import INDICATORS
from quality.indicators.base import MIN_PUBLISHED_POPULATION, PERCENT, Figure
from quality.models import (
    Attestation,
    Comparison,
    Evidence,
    IndicatorValue,
    Milestone,
    Perimeter,
    Requirement,
    Stage,
    Threshold,
    year_as_of,
)

MET = "met"
UNMET = "unmet"
NO_DATA = "no_data"
INSUFFICIENT = "insufficient"
NOT_COMPUTED = "not_computed"

SOCLE, JALON, CIBLE = "socle", "jalon", "cible"


def stricter_or_equal(comparison: str, value: Decimal, floor: Decimal) -> bool:
    """Whether ``value`` asks at least as much as ``floor``: higher for "at least", lower for "at most"."""
    if comparison == Comparison.AT_MOST:
        return value <= floor
    return value >= floor


def socle_floors() -> dict[str, tuple[str, Decimal]]:
    """For each indicator, the charter's floor (comparison, threshold) from the socle requirements:
    no threshold on that indicator, of any level, may ask less."""
    floors = {}
    for requirement in Requirement.objects.filter(
        item__stage=Stage.SOCLE, kind=Requirement.Kind.COMPUTED, threshold__isnull=False
    ):
        known = floors.get(requirement.indicator)
        if known is None or stricter_or_equal(requirement.comparison, requirement.threshold, known[1]):
            floors[requirement.indicator] = (requirement.comparison, requirement.threshold)
    return floors


@dataclass(frozen=True)
class StoredFigure(Figure):
    """A diploma's stored figure for one indicator and year (an IndicatorValue row), read as plain data:
    a page evaluates thousands."""

    computed_at: datetime.datetime


@dataclass
class RequirementState:
    requirement: Requirement
    status: str
    threshold: Decimal | None = None
    figure: StoredFigure | None = None
    evidence: list[Evidence] = field(default_factory=list)
    attestation: Attestation | None = None

    @property
    def met(self) -> bool:
        return self.status == MET

    @property
    def indicator(self):
        return INDICATORS.get(self.requirement.indicator)

    def target(self) -> str:
        """The threshold in words: « au moins 90 % »."""
        requirement = self.requirement
        if requirement.kind != Requirement.Kind.COMPUTED:
            return ""
        if requirement.comparison == Comparison.AVAILABLE:
            return _("calculé sur l'année")
        return f"{Comparison(requirement.comparison).label} {self.indicator.format_value(self.threshold)}"

    def measured(self) -> str:
        """What was found, in words."""
        requirement = self.requirement
        if requirement.kind == Requirement.Kind.EVIDENCE:
            if self.evidence:
                return ngettext(
                    "%(n)s document : %(titles)s", "%(n)s documents : %(titles)s", len(self.evidence)
                ) % {
                    "n": len(self.evidence),
                    "titles": ", ".join(e.title for e in self.evidence),
                }
            return _("aucun document valable pour l'année")
        if requirement.kind == Requirement.Kind.CHECKLIST:
            if self.attestation:
                return _("attesté par %(who)s le %(day)s : %(statement)s") % {
                    "who": self.attestation.attested_by or _("un membre de l'équipe"),
                    "day": self.attestation.attested_at.strftime("%d/%m/%Y"),
                    "statement": self.attestation.statement,
                }
            return _("pas encore attesté")
        if self.status == NOT_COMPUTED:
            return _("pas encore calculé")
        figure = self.figure
        value = self.indicator.format_value(figure.value)
        counts = ""
        if self.indicator.unit == PERCENT and figure.denominator:
            counts = f" ({figure.numerator}/{figure.denominator})"
        elif figure.denominator and figure.denominator != figure.value:
            counts = " " + _("(sur %(n)s)") % {"n": figure.denominator}
        if self.status == NO_DATA:
            return _("aucune donnée pour l'année")
        if self.status == INSUFFICIENT:
            return _("effectif insuffisant : %(value)s%(counts)s, moins de %(min)s personnes") % {
                "value": value,
                "counts": counts,
                "min": MIN_PUBLISHED_POPULATION,
            }
        return f"{value}{counts}"


@dataclass
class LevelState:
    kind: str  # socle, jalon, cible
    requirements: list[RequirementState]
    milestone: Milestone | None = None

    @property
    def met(self) -> bool:
        return all(state.met for state in self.requirements)

    @property
    def label(self) -> str:
        if self.kind == SOCLE:
            return _("Socle")
        if self.kind == CIBLE:
            return _("Cible")
        return _("Jalon %(rank)s") % {"rank": self.milestone.rank}

    @property
    def missing(self) -> list[RequirementState]:
        return [state for state in self.requirements if not state.met]


@dataclass
class PerimeterState:
    perimeter: Perimeter
    levels: list[LevelState]

    @property
    def reached(self) -> int:
        """How many levels hold, from the socle up, stopping at the first that does not."""
        count = 0
        for level in self.levels:
            if not level.met:
                break
            count += 1
        return count

    @property
    def level(self) -> LevelState | None:
        return self.levels[self.reached - 1] if self.reached else None

    @property
    def next_level(self) -> LevelState | None:
        return self.levels[self.reached] if self.reached < len(self.levels) else None

    @property
    def stage(self) -> str:
        """below, socle, jalon or cible: what the colour says."""
        return self.level.kind if self.level else "below"

    @property
    def label(self) -> str:
        return self.level.label if self.level else _("Sous le socle")

    @property
    def score(self) -> Decimal:
        """0 below the socle, 1 at the socle, 2 at the cible, jalons in between by their rank: the
        scale on which périmètres with different numbers of jalons compare."""
        reached, total = self.reached, len(self.levels)
        if reached == 0:
            return Decimal(0)
        if reached == total:
            return Decimal(2)
        return 1 + Decimal(reached - 1) / Decimal(total - 1)


@dataclass
class PosteState:
    poste: object
    perimeters: list[PerimeterState]

    @property
    def weakest(self) -> PerimeterState:
        return min(self.perimeters, key=lambda p: (p.score, p.perimeter.number))

    @property
    def label(self) -> str:
        return self.weakest.label

    @property
    def stage(self) -> str:
        return self.weakest.stage


@dataclass
class Trajectory:
    diploma: object
    year: AcademicYear
    as_of: object
    postes: list[PosteState]
    computed_at: object = None
    # The year's stored figures of the diploma, by indicator code: what the pages and the PDF list.
    values: dict = field(default_factory=dict)

    @property
    def perimeters(self) -> list[PerimeterState]:
        return [p for poste in self.postes for p in poste.perimeters]


def evaluate(diplomas, year: AcademicYear, today=None) -> dict[int, Trajectory]:
    """The trajectory of each of ``diplomas`` (one organisation's) for ``year``: :func:`evaluate_years`
    for one year, by diploma id. Eight queries."""
    return {diploma_id: t for (diploma_id, _year), t in evaluate_years(diplomas, [year], today).items()}


def evaluate_years(diplomas, years, today=None) -> dict[tuple[int, int], Trajectory]:
    """The trajectory of each of ``diplomas`` (one organisation's) for each of ``years``, by (diploma
    id, year id): each year judged on its own indicator values, thresholds, jalons, evidence and
    attestations. Eight queries, whatever the number of diplomas and years: a page's history and a
    network's compliance PDF read every year at once."""
    diplomas = list(diplomas)
    years = list(years)
    if not diplomas or not years:
        return {}
    ids = [d.pk for d in diplomas]
    year_ids = [y.pk for y in years]
    perimeters = list(Perimeter.objects.select_related("poste").order_by("poste__number", "number"))
    referential = list(
        Requirement.objects.filter(item__isnull=False).select_related("item").order_by("item__order", "order")
    )
    prefetch_related_objects([r.item for r in referential], "perimeters")
    milestones_of = defaultdict(list)
    for milestone in (
        Milestone.objects.filter(diploma__in=ids, academic_year__in=year_ids)
        .prefetch_related("requirements")
        .order_by("rank")
    ):
        milestones_of[(milestone.diploma_id, milestone.academic_year_id, milestone.perimeter_id)].append(
            milestone
        )
    thresholds = {}
    for t in Threshold.objects.filter(diploma__in=ids, academic_year__in=year_ids).order_by("version"):
        thresholds[(t.diploma_id, t.academic_year_id, t.requirement_id)] = t.value
    rows = IndicatorValue.objects.filter(diploma__in=ids, academic_year__in=year_ids).values_list(
        "diploma", "academic_year", "indicator", "numerator", "denominator", "value", "computed_at"
    )
    # The stored figures of each diploma and year, by indicator code.
    values_of = defaultdict(dict)
    for diploma_id, year_id, code, *figure in rows:
        values_of[(diploma_id, year_id)][code] = StoredFigure(*figure)
    organisations = {d.organisation_id for d in diplomas}
    evidence_by_kind = defaultdict(list)
    # The documents valid during any of the years, each then counted for the years it is valid in.
    for e in (
        Evidence.objects.filter(organisation__in=organisations)
        .filter(Q(diploma__in=ids) | Q(diploma__isnull=True))
        .valid_between(min(y.start_date for y in years), max(y.end_date for y in years))
        .order_by("-attested_on", "pk")
    ):
        for year in years:
            if e.is_valid_during(year):
                # An establishment-wide document counts for its own organisation's diplomas only.
                evidence_by_kind[(year.pk, e.organisation_id, e.diploma_id, e.kind)].append(e)
    attestations = {
        (a.diploma_id, a.academic_year_id, a.requirement_id): a
        for a in Attestation.objects.filter(
            diploma__in=ids, academic_year__in=year_ids, withdrawn_at__isnull=True
        )
        .select_related("attested_by")
        .order_by("attested_at")
    }

    by_perimeter = defaultdict(lambda: {SOCLE: [], CIBLE: []})
    for requirement in referential:
        for perimeter in requirement.item.perimeters.all():
            by_perimeter[perimeter.pk][requirement.item.stage].append(requirement)

    def state(diploma, year, requirement) -> RequirementState:
        kind = requirement.kind
        if kind == Requirement.Kind.EVIDENCE:
            found = (
                evidence_by_kind[(year.pk, diploma.organisation_id, diploma.pk, requirement.evidence_kind)]
                + evidence_by_kind[(year.pk, diploma.organisation_id, None, requirement.evidence_kind)]
            )
            return RequirementState(requirement, MET if found else UNMET, evidence=found)
        if kind == Requirement.Kind.CHECKLIST:
            attestation = attestations.get((diploma.pk, year.pk, requirement.pk))
            return RequirementState(requirement, MET if attestation else UNMET, attestation=attestation)
        threshold = thresholds.get((diploma.pk, year.pk, requirement.pk), requirement.threshold)
        figure = values_of[(diploma.pk, year.pk)].get(requirement.indicator)
        indicator = INDICATORS[requirement.indicator]
        if figure is None:
            status = NOT_COMPUTED
        elif figure.value is None:
            status = NO_DATA
        elif requirement.comparison == Comparison.AVAILABLE:
            status = MET
        elif indicator.is_insufficient(figure):
            status = INSUFFICIENT
        elif requirement.comparison == Comparison.AT_MOST:
            status = MET if figure.value <= threshold else UNMET
        else:
            status = MET if figure.value >= threshold else UNMET
        return RequirementState(requirement, status, threshold=threshold, figure=figure)

    result = {}
    for year in years:
        as_of = year_as_of(year, today)
        for diploma in diplomas:
            # A requirement shared by several périmètres (or a jalon) is judged once per diploma and year.
            judged = {}

            def state_of(requirement, diploma=diploma, year=year, judged=judged) -> RequirementState:
                if requirement.pk not in judged:
                    judged[requirement.pk] = state(diploma, year, requirement)
                return judged[requirement.pk]

            postes = []
            for perimeter in perimeters:
                levels = [LevelState(SOCLE, [state_of(r) for r in by_perimeter[perimeter.pk][SOCLE]])]
                for milestone in milestones_of[(diploma.pk, year.pk, perimeter.pk)]:
                    levels.append(
                        LevelState(JALON, [state_of(r) for r in milestone.requirements.all()], milestone)
                    )
                levels.append(LevelState(CIBLE, [state_of(r) for r in by_perimeter[perimeter.pk][CIBLE]]))
                perimeter_state = PerimeterState(perimeter, levels)
                if not postes or postes[-1].poste.pk != perimeter.poste_id:
                    postes.append(PosteState(perimeter.poste, []))
                postes[-1].perimeters.append(perimeter_state)
            figures = values_of[(diploma.pk, year.pk)]
            result[(diploma.pk, year.pk)] = Trajectory(
                diploma,
                year,
                as_of,
                postes,
                # When the diploma's figures of the year were last computed.
                computed_at=max((f.computed_at for f in figures.values()), default=None),
                values=figures,
            )
    return result
