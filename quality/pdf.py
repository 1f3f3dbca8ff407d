"""The charter compliance PDFs: one diploma's year, and the whole establishment's.

They show the trajectory exactly as the trajectory page does, from the same plain data
(:func:`quality.snapshot.serialize` of :func:`quality.levels.evaluate`), or from the frozen snapshot
when the year's campaign is closed, so that the document of a closed year matches what was frozen.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apprentices.models import Diploma
from core.models import AcademicYear
from core.pdf import render_pdf
from quality import selectors
from quality.charts import trend_chart


def _day(value) -> datetime.date | None:
    if not value:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def _moment(value) -> datetime.datetime | None:
    if not value:
        return None
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.fromisoformat(str(value))
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _found(req: dict) -> str:
    """What was found for a requirement, in a few words: the documents and the attestations are listed
    in full in their own tables."""
    if req["kind"] == "evidence" and req["evidence"]:
        n = len(req["evidence"])
        return ngettext(
            "%(n)s document valable (voir Preuves)", "%(n)s documents valables (voir Preuves)", n
        ) % {"n": n}
    if req["kind"] == "checklist" and req["attestation"]:
        a = req["attestation"]
        return _("attesté par %(who)s le %(day)s") % {
            "who": a["by"] or _("un membre de l'équipe"),
            "day": _moment(a["at"]).strftime("%d/%m/%Y"),
        }
    return req["measured"]


def _requirement_rows(perimeter: dict) -> list[dict]:
    rows = []
    for level in perimeter["levels"]:
        for req in level["requirements"]:
            rows.append({"level": level, "found": _found(req), **req})
    return rows


def _thresholds_by_indicator(data: dict) -> dict[str, list[str]]:
    """Each indicator's thresholds in words, where a level of a périmètre asks for it:
    « Socle (3.3) : au moins 90 % »."""
    found = defaultdict(list)
    for poste in data["postes"]:
        for p in poste["perimeters"]:
            for level in p["levels"]:
                for req in level["requirements"]:
                    if req["kind"] == "computed" and req["indicator"] and req["target"]:
                        text = f"{level['label']} ({p['code']}) : {req['target']}"
                        if text not in found[req["indicator"]]:
                            found[req["indicator"]].append(text)
    return found


def _evidence(data: dict) -> list[dict]:
    """Every document the year's requirements rest on, once, with the kind it proves."""
    seen = {}
    for poste in data["postes"]:
        for p in poste["perimeters"]:
            for level in p["levels"]:
                for req in level["requirements"]:
                    for e in req["evidence"]:
                        entry = seen.setdefault(
                            e["id"],
                            {
                                **e,
                                "kind": req["evidence_kind_label"],
                                "attested_on": _day(e["attested_on"]),
                                "valid_until": _day(e["valid_until"]),
                                "perimeters": [],
                            },
                        )
                        if p["code"] not in entry["perimeters"]:
                            entry["perimeters"].append(p["code"])
    return sorted(seen.values(), key=lambda e: (e["attested_on"], e["title"]), reverse=True)


def _attestations(data: dict) -> list[dict]:
    rows = []
    for poste in data["postes"]:
        for p in poste["perimeters"]:
            for level in p["levels"]:
                for req in level["requirements"]:
                    if req["kind"] == "checklist" and req["attestation"]:
                        a = req["attestation"]
                        rows.append(
                            {
                                "perimeter": p["code"],
                                "level": level["label"],
                                "label": req["label"],
                                "statement": a["statement"],
                                "by": a["by"],
                                "at": _moment(a["at"]),
                            }
                        )
    return rows


def diploma_section(diploma, year: AcademicYear, data: dict, *, history, trend, campaign=None) -> dict:
    """What the template of one diploma's section shows, from the trajectory's plain data."""
    thresholds = _thresholds_by_indicator(data)
    chart, trend_years, trend_table = trend
    return {
        "diploma": diploma,
        "year": year,
        "data": data,
        "campaign": campaign,
        "computed_at": _moment(data["computed_at"]),
        "as_of": _day(data["as_of"]),
        "perimeters": [p for poste in data["postes"] for p in poste["perimeters"]],
        "details": [
            {
                "poste": poste,
                "perimeters": [{"p": p, "rows": _requirement_rows(p)} for p in poste["perimeters"]],
            }
            for poste in data["postes"]
        ],
        "next_steps": [
            {"poste": poste["number"], "p": p}
            for poste in data["postes"]
            for p in poste["perimeters"]
            if p["next"]
        ],
        "indicators": [{**i, "thresholds": thresholds.get(i["code"], [])} for i in data["indicators"]],
        "evidence": _evidence(data),
        "attestations": _attestations(data),
        "history": history,
        "perimeter_codes": [p["code"] for poste in data["postes"] for p in poste["perimeters"]],
        "chart": chart,
        "trend_years": trend_years,
        "trend_table": trend_table,
    }


def _sections(diplomas, year: AcademicYear, campaign, progress=None) -> list[dict]:
    """Each diploma's section: from the closed campaign's snapshot, else evaluated live, with its
    history (:func:`quality.selectors.trajectories`: a fixed number of queries for all of them)."""
    diplomas = list(diplomas)
    years = list(AcademicYear.objects.order_by("start_date"))
    trends = selectors.trend_values(diplomas)
    shown = selectors.trajectories(diplomas, year, years)
    sections = []
    for done, diploma in enumerate(diplomas, start=1):
        data = shown[diploma.pk].data
        if data is not None:
            sections.append(
                diploma_section(
                    diploma,
                    year,
                    data,
                    history=shown[diploma.pk].history,
                    trend=trend_chart(diploma, years, trends[diploma.pk], chart_id=f"tendances-{diploma.pk}"),
                    campaign=campaign,
                )
            )
        if progress is not None:
            progress(done, len(diplomas))
    return sections


def _cover_facts(organisation, year, campaign, sections) -> list[tuple[str, str]]:
    facts = [(_("Organisation"), organisation.name), (_("Année scolaire"), year.label)]
    if organisation.uai:
        facts.append((_("Code UAI"), organisation.uai))
    if campaign:
        facts.append(
            (
                _("Données"),
                _("campagne close le %(day)s : instantané figé, empreinte SHA-256 %(sha)s")
                % {
                    "day": timezone.localtime(campaign.closed_at).strftime("%d/%m/%Y"),
                    "sha": campaign.sha256,
                },
            )
        )
    elif sections:
        computed = [s["computed_at"] for s in sections if s["computed_at"]]
        if computed:
            facts.append(
                (
                    _("Données"),
                    _("indicateurs calculés le %(day)s, données arrêtées au %(as_of)s (année en cours)")
                    % {
                        "day": max(computed).strftime("%d/%m/%Y à %H:%M"),
                        "as_of": sections[0]["as_of"].strftime("%d/%m/%Y"),
                    },
                )
            )
        else:
            facts.append((_("Données"), _("indicateurs pas encore calculés pour cette année")))
    return facts


def diploma_compliance_pdf(diploma, year: AcademicYear, *, by) -> bytes:
    """The charter compliance of one diploma for one academic year."""
    campaign = selectors.campaign_of(diploma.organisation_id, year)
    sections = _sections([diploma], year, campaign)
    organisation = diploma.organisation
    facts = [(_("Formation"), f"{diploma.code} — {diploma.title}")]
    if diploma.rncp_code:
        facts.append((_("Code RNCP"), diploma.rncp_code))
    facts += _cover_facts(organisation, year, campaign, sections)
    return render_pdf(
        "quality/pdf/diploma.html",
        {"sections": sections, "cover_facts": facts, "year": year, "campaign": campaign},
        title=_("Conformité à la charte de l'apprentissage %(year)s") % {"year": year.label},
        subject=f"{diploma.code} — {diploma.title}",
        author=organisation.name,
        by=by,
    )


def establishment_compliance_pdf(organisation, year: AcademicYear, *, by, progress=None) -> bytes:
    """The charter compliance of every diploma of ``organisation`` for one academic year: a summary of
    every diploma (diploma × périmètre, the level reached), then each diploma's section.
    ``progress(done, total)`` is called after each diploma is prepared."""
    campaign = selectors.campaign_of(organisation.pk, year)
    diplomas = Diploma.objects.filter(organisation=organisation).order_by("code")
    sections = _sections(diplomas, year, campaign, progress=progress)
    codes = sections[0]["perimeter_codes"] if sections else []
    perimeters = sections[0]["perimeters"] if sections else []
    return render_pdf(
        "quality/pdf/establishment.html",
        {
            "sections": sections,
            "year": year,
            "campaign": campaign,
            "perimeter_codes": codes,
            "perimeter_titles": [(p["code"], p["short_title"]) for p in perimeters],
            "cover_facts": [
                *_cover_facts(organisation, year, campaign, sections),
                (_("Formations"), str(len(sections))),
            ],
        },
        title=_("Conformité à la charte de l'apprentissage %(year)s") % {"year": year.label},
        subject=_("Toutes les formations de l'établissement"),
        author=organisation.name,
        by=by,
    )
