"""What a diploma's team sets on its trajectory for a year: the thresholds (each change a new version,
never below the socle), its jalons and their requirements, and its minimum list of indicators."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import record
from core.models import AcademicYear
from core.workflow import Refusal
from quality.indicators import INDICATORS
from quality.levels import socle_floors, stricter_or_equal
from quality.models import (
    Comparison,
    EvidenceKind,
    FollowedIndicator,
    Milestone,
    Perimeter,
    Requirement,
    Threshold,
)
from quality.services.checks import ensure_may_edit, ensure_open, ensure_requirement_of


def parse_threshold(raw) -> Decimal:
    try:
        value = Decimal(str(raw).replace(",", ".").replace("%", "").strip())
    except (InvalidOperation, ValueError):
        raise Refusal(_("Le seuil doit être un nombre, par exemple 90 ou 7,5."), field="value") from None
    if not value.is_finite() or value < 0 or value > 100000:
        raise Refusal(_("Le seuil doit être un nombre positif."), field="value")
    return value.quantize(Decimal("0.1"))


def check_against_floor(indicator: str, comparison: str, value: Decimal, floors=None) -> None:
    """No threshold on an indicator asks less than the socle's floor on that indicator."""
    floors = socle_floors() if floors is None else floors
    floor = floors.get(indicator)
    if floor is None or comparison != floor[0]:
        return
    if not stricter_or_equal(comparison, value, floor[1]):
        label = INDICATORS[indicator]
        raise Refusal(
            _(
                "Le socle de la charte fixe « %(label)s » à %(floor)s : une formation peut relever ce seuil, "
                "pas l'abaisser (%(value)s demandé)."
            )
            % {
                "label": label.label,
                "floor": f"{Comparison(floor[0]).label} {label.format_value(floor[1])}",
                "value": label.format_value(value),
            },
            field="value",
        )


def current_threshold(requirement: Requirement, diploma, year) -> Decimal | None:
    latest = (
        Threshold.objects.filter(requirement=requirement, diploma=diploma, academic_year=year)
        .order_by("-version")
        .first()
    )
    return latest.value if latest else requirement.threshold


def set_threshold(
    *, requirement: Requirement, diploma, year: AcademicYear, value, reason: str, by
) -> Threshold:
    """A new version of ``requirement``'s threshold for the diploma and year, with why."""
    ensure_may_edit(by, diploma)
    ensure_open(diploma.organisation_id, year)
    if requirement.kind != Requirement.Kind.COMPUTED or requirement.comparison == Comparison.AVAILABLE:
        raise Refusal(_("Cette exigence n'a pas de seuil."))
    ensure_requirement_of(requirement, diploma, year)
    value = parse_threshold(value)
    reason = (reason or "").strip()
    if not reason:
        raise Refusal(
            _("Dites pourquoi le seuil change : le motif est conservé avec la version."), field="reason"
        )
    check_against_floor(requirement.indicator, requirement.comparison, value)
    with transaction.atomic():
        previous = current_threshold(requirement, diploma, year)
        if previous is not None and previous == value:
            raise Refusal(_("Le seuil est déjà de %(value)s.") % {"value": value}, field="value")
        last = (
            Threshold.objects.select_for_update()
            .filter(requirement=requirement, diploma=diploma, academic_year=year)
            .order_by("-version")
            .first()
        )
        version = Threshold.objects.create(
            requirement=requirement,
            diploma=diploma,
            academic_year=year,
            version=(last.version + 1) if last else 1,
            value=value,
            previous_value=previous,
            reason=reason[:500],
            changed_by=by,
        )
        record(
            "quality.threshold.changed",
            diploma,
            {
                "requirement": requirement.code or requirement.pk,
                "year": year.label,
                "from": previous,
                "to": value,
                "reason": reason,
            },
            actor=by,
        )
    return version


def create_milestone(
    *, diploma, year: AcademicYear, perimeter: Perimeter, title: str, requirements, by
) -> Milestone:
    """A jalon of one périmètre with its requirements (at least one), after the existing jalons.
    ``requirements`` are dicts: kind, label, and indicator/comparison/threshold or evidence_kind."""
    ensure_may_edit(by, diploma)
    ensure_open(diploma.organisation_id, year)
    title = (title or "").strip()
    if not title:
        raise Refusal(_("Donnez un intitulé au jalon."))
    # Rows of the form left blank are not requirements.
    requirements = [r for r in requirements if (r.get("label") or "").strip()]
    if not requirements:
        raise Refusal(_("Un jalon a au moins une exigence : sans elle, il ne mesurerait rien."))
    floors = socle_floors()
    rows = []
    for index, data in enumerate(requirements, start=1):
        kind = data.get("kind")
        label = (data.get("label") or "").strip()[:300]
        row = Requirement(kind=kind, label=label, order=index)
        if kind == Requirement.Kind.COMPUTED:
            indicator, comparison = data.get("indicator"), data.get("comparison")
            if indicator not in INDICATORS:
                raise Refusal(_("Exigence %(n)s : choisissez un indicateur.") % {"n": index})
            if comparison not in (Comparison.AT_LEAST, Comparison.AT_MOST):
                raise Refusal(_("Exigence %(n)s : choisissez « au moins » ou « au plus ».") % {"n": index})
            if data.get("threshold") in (None, ""):
                raise Refusal(_("Exigence %(n)s : indiquez le seuil.") % {"n": index})
            threshold = parse_threshold(data["threshold"])
            check_against_floor(indicator, comparison, threshold, floors)
            row.indicator, row.comparison, row.threshold = indicator, comparison, threshold
        elif kind == Requirement.Kind.EVIDENCE:
            if data.get("evidence_kind") not in EvidenceKind.values:
                raise Refusal(_("Exigence %(n)s : choisissez le type de document.") % {"n": index})
            row.evidence_kind = data["evidence_kind"]
        elif kind != Requirement.Kind.CHECKLIST:
            raise Refusal(_("Exigence %(n)s : choisissez son type.") % {"n": index})
        if not label:
            raise Refusal(_("Exigence %(n)s : dites ce qui doit être tenu.") % {"n": index})
        rows.append(row)
    with transaction.atomic():
        ranks = (
            Milestone.objects.select_for_update()
            .filter(diploma=diploma, academic_year=year, perimeter=perimeter)
            .values_list("rank", flat=True)
        )
        milestone = Milestone.objects.create(
            diploma=diploma,
            academic_year=year,
            perimeter=perimeter,
            rank=max(ranks, default=0) + 1,
            title=title[:200],
            created_by=by,
        )
        for row in rows:
            row.milestone = milestone
        Requirement.objects.bulk_create(rows)
        record(
            "quality.milestone.created",
            diploma,
            {
                "perimeter": perimeter.code,
                "year": year.label,
                "title": milestone.title,
                "requirements": len(rows),
            },
            actor=by,
        )
    return milestone


def delete_milestone(*, milestone: Milestone, by) -> None:
    """Remove a jalon of an open year; the jalons above it move down one rank."""
    ensure_may_edit(by, milestone.diploma)
    ensure_open(milestone.diploma.organisation_id, milestone.academic_year)
    with transaction.atomic():
        siblings = list(
            Milestone.objects.select_for_update()
            .filter(
                diploma=milestone.diploma_id,
                academic_year=milestone.academic_year_id,
                perimeter=milestone.perimeter_id,
                rank__gt=milestone.rank,
            )
            .order_by("rank")
        )
        record(
            "quality.milestone.deleted",
            milestone.diploma,
            {
                "perimeter": milestone.perimeter.code,
                "year": milestone.academic_year.label,
                "title": milestone.title,
            },
            actor=by,
        )
        milestone.delete()
        for sibling in siblings:
            sibling.rank -= 1
            sibling.save(update_fields=["rank"])


def set_followed_indicators(*, diploma, year: AcademicYear, codes, by) -> int:
    """The diploma's minimum list of indicators for the year (replaces the previous list)."""
    ensure_may_edit(by, diploma)
    ensure_open(diploma.organisation_id, year)
    codes = set(codes)
    unknown = codes - set(INDICATORS)
    if unknown:
        raise Refusal(_("Indicateur inconnu : %(codes)s.") % {"codes": ", ".join(sorted(unknown))})
    with transaction.atomic():
        existing = set(
            FollowedIndicator.objects.filter(diploma=diploma, academic_year=year).values_list(
                "indicator", flat=True
            )
        )
        FollowedIndicator.objects.filter(
            diploma=diploma, academic_year=year, indicator__in=existing - codes
        ).delete()
        FollowedIndicator.objects.bulk_create(
            [
                FollowedIndicator(diploma=diploma, academic_year=year, indicator=code, added_by=by)
                for code in sorted(codes - existing)
            ]
        )
        if existing != codes:
            record(
                "quality.followed_indicators.changed",
                diploma,
                {"year": year.label, "added": sorted(codes - existing), "removed": sorted(existing - codes)},
                actor=by,
            )
    return len(codes)
