"""A trajectory as plain data, in words: what the pages and the PDF show, and what a closed campaign
keeps. The live pages render the same structure, so a frozen year reads exactly as it did."""

from __future__ import annotations

from django.utils.translation import gettext as _

from quality.indicators import INDICATORS
from quality.levels import Trajectory
from quality.models import Requirement


def _requirement(state) -> dict:
    requirement = state.requirement
    data = {
        "id": requirement.pk,
        "code": requirement.code or "",
        "kind": requirement.kind,
        "kind_label": str(requirement.get_kind_display()),
        "label": requirement.label,
        "item": requirement.item.text if requirement.item_id else "",
        "status": state.status,
        "met": state.met,
        "target": state.target(),
        "measured": state.measured(),
        "indicator": requirement.indicator,
        "evidence_kind": requirement.evidence_kind,
        "evidence_kind_label": str(requirement.get_evidence_kind_display())
        if requirement.evidence_kind
        else "",
        "evidence": [
            {
                "id": e.pk,
                "title": e.title,
                "sha256": e.sha256,
                "attested_on": e.attested_on.isoformat(),
                "valid_until": e.valid_until.isoformat() if e.valid_until else None,
                "establishment_wide": e.diploma_id is None,
            }
            for e in state.evidence
        ],
        "attestation": None,
    }
    if state.attestation:
        a = state.attestation
        data["attestation"] = {
            "id": a.pk,
            "statement": a.statement,
            "by": str(a.attested_by) if a.attested_by else "",
            "at": a.attested_at.isoformat(),
        }
    if requirement.kind == Requirement.Kind.COMPUTED and state.figure is not None:
        data.update(
            numerator=state.figure.numerator,
            denominator=state.figure.denominator,
            value=state.figure.value,
            threshold=state.threshold,
        )
    return data


def _level(level) -> dict:
    return {
        "kind": level.kind,
        "label": level.label,
        "title": level.milestone.title if level.milestone else "",
        "milestone_id": level.milestone.pk if level.milestone else None,
        "met": level.met,
        "requirements": [_requirement(state) for state in level.requirements],
    }


def _perimeter(p) -> dict:
    next_level = p.next_level
    return {
        "id": p.perimeter.pk,
        "code": p.perimeter.code,
        "title": p.perimeter.title,
        "short_title": p.perimeter.short_title,
        "scope": p.perimeter.scope,
        "socle_objective": p.perimeter.socle_objective,
        "cible_objective": p.perimeter.cible_objective,
        "reached": p.reached,
        "levels_count": len(p.levels),
        "label": p.label,
        "stage": p.stage,
        "score": str(p.score),
        "levels": [_level(level) for level in p.levels],
        "next": (
            {
                "label": next_level.label,
                "title": next_level.milestone.title if next_level.milestone else "",
                "missing": [_requirement(state) for state in next_level.missing],
            }
            if next_level
            else None
        ),
        "explanation": explain(p),
    }


def explain(p) -> str:
    """Why the périmètre stands where it stands, in one sentence a person can check on the page: the
    requirements missing for the next step, by name."""
    if p.next_level is None:
        return _("Toutes les exigences du socle, des jalons et de la cible sont tenues.")
    missing = ", ".join(f"« {state.requirement.label} »" for state in p.next_level.missing)
    if p.level:
        return _("%(held)s atteint ; pour « %(step)s », il manque : %(missing)s.") % {
            "held": p.label,
            "step": p.next_level.label,
            "missing": missing,
        }
    return _("Sous le socle : il manque %(missing)s.") % {"missing": missing}


def indicators_of(values) -> list[dict]:
    """Every indicator of the diploma for the year, in the registry's order, from ``values`` (the
    stored figures by code, ``Trajectory.values``)."""
    rows = []
    for code, indicator in INDICATORS.items():
        v = values.get(code)
        rows.append(
            {
                "code": code,
                "label": str(indicator.label),
                "description": str(indicator.description),
                "unit": indicator.unit,
                "published": indicator.published,
                "numerator": v.numerator if v else None,
                "denominator": v.denominator if v else None,
                "value": v.value if v else None,
                "value_text": indicator.format_value(v.value) if v else "",
                "insufficient": bool(v and v.value is not None and indicator.is_insufficient(v)),
                "computed": v is not None,
            }
        )
    return rows


def serialize(trajectory: Trajectory) -> dict:
    """The trajectory as plain data, with the indicator values it was evaluated from (no query)."""
    return {
        "diploma": {
            "id": trajectory.diploma.pk,
            "code": trajectory.diploma.code,
            "title": trajectory.diploma.title,
        },
        "year": trajectory.year.label,
        "as_of": trajectory.as_of.isoformat(),
        "computed_at": trajectory.computed_at.isoformat() if trajectory.computed_at else None,
        "postes": [
            {
                "id": poste.poste.pk,
                "number": poste.poste.number,
                "title": poste.poste.title,
                "label": poste.label,
                "stage": poste.stage,
                "weakest": poste.weakest.perimeter.code,
                "perimeters": [_perimeter(p) for p in poste.perimeters],
            }
            for poste in trajectory.postes
        ],
        "indicators": indicators_of(trajectory.values),
    }
