"""A diploma's trajectory for one year: requirements by level with their evidence, next steps, history
and trends; the records behind each figure; thresholds, jalons, the minimum list of indicators and the
attestations that the diploma's team and the CFA staff set."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.charts import LegendItem, Series, line_chart
from core.models import AcademicYear
from quality import perms, services
from quality.forms import (
    AttestationForm,
    FollowedIndicatorsForm,
    MilestoneForm,
    MilestoneRequirementFormSet,
    ThresholdForm,
)
from quality.indicators import INDICATORS
from quality.levels import evaluate, socle_floors
from quality.models import (
    Attestation,
    Campaign,
    Comparison,
    FollowedIndicator,
    IndicatorValue,
    Milestone,
    Perimeter,
    Requirement,
    Threshold,
    year_as_of,
)
from quality.snapshot import serialize
from quality.views.common import REFUSALS, diploma_for, refuse, year_for

# Indicators drawn on the trend chart: the booklet's rules and the contracts' fate.
TREND = ("two_meetings_rule", "sheets_on_time", "mission_decided_on_time", "rupture_rate")
PALETTE = ["#1f3f8a", "#b4530b", "#1c6b3a", "#a3231a"]


def trajectory_url(diploma, year) -> str:
    return reverse("quality:trajectory", args=[diploma.pk, year.label])


def _campaign(diploma, year):
    return Campaign.objects.filter(organisation_id=diploma.organisation_id, academic_year=year).first()


def _history(diploma, years) -> list[dict]:
    """Each year's levels, per périmètre: from the closed campaigns, else live. One evaluation per open
    year that has figures."""
    campaigns = {
        c.academic_year_id: c for c in Campaign.objects.filter(organisation_id=diploma.organisation_id)
    }
    computed_years = set(
        IndicatorValue.objects.filter(diploma=diploma).values_list("academic_year", flat=True).distinct()
    )
    history = []
    for year in sorted(years, key=lambda y: y.start_date):
        if year.pk in campaigns:
            entry = next(
                (d for d in campaigns[year.pk].snapshot["diplomas"] if d["diploma"]["id"] == diploma.pk), None
            )
            if entry is None:
                continue
            perimeters = [
                {"code": p["code"], "label": p["label"], "stage": p["stage"]}
                for poste in entry["postes"]
                for p in poste["perimeters"]
            ]
            history.append({"year": year, "closed": True, "perimeters": perimeters})
        elif year.pk in computed_years:
            trajectory = evaluate([diploma], year)[diploma.pk]
            history.append(
                {
                    "year": year,
                    "closed": False,
                    "perimeters": [
                        {"code": p.perimeter.code, "label": p.label, "stage": p.stage}
                        for p in trajectory.perimeters
                    ],
                }
            )
    return history


def trend_values(diplomas) -> dict:
    """The values the trend chart draws, by diploma id then (year id, indicator): one query."""
    values = defaultdict(dict)
    for v in IndicatorValue.objects.filter(diploma__in=diplomas, indicator__in=TREND, value__isnull=False):
        values[v.diploma_id][(v.academic_year_id, v.indicator)] = v.value
    return values


def _trend_chart(diploma, years, values=None, chart_id="tendances"):
    if values is None:
        values = trend_values([diploma])[diploma.pk]
    years = [y for y in sorted(years, key=lambda y: y.start_date) if any((y.pk, c) in values for c in TREND)]
    series = [
        Series(
            label=str(INDICATORS[code].label),
            values=[float(values[(y.pk, code)]) if (y.pk, code) in values else None for y in years],
            color=PALETTE[i],
            dashed=code == "rupture_rate",
        )
        for i, code in enumerate(TREND)
    ]
    chart = line_chart(
        title=_("Évolution des indicateurs de %(code)s") % {"code": diploma.code},
        description=_(
            "Par année scolaire, en pourcentage : %(names)s. Le tableau qui suit donne les mêmes valeurs."
        )
        % {"names": ", ".join(s.label for s in series)},
        x_labels=[y.label for y in years],
        y_ticks=[(v, f"{v}", f"{v} %") for v in (0, 25, 50, 75, 100)],
        series=series,
        legend=[LegendItem(s.label, s.color, dashed=s.dashed) for s in series],
        chart_id=chart_id,
        empty_message=_("Pas encore d'indicateurs calculés."),
    )
    table = [
        {
            "label": s.label,
            "cells": [INDICATORS[code].format_value(values.get((y.pk, code))) for y in years],
        }
        for code, s in zip(TREND, series, strict=True)
    ]
    return chart, [y.label for y in years], table


@login_required
def trajectory(request, pk, year):
    diploma = diploma_for(request.user, pk)
    academic_year = year_for(year)
    campaign = _campaign(diploma, academic_year)
    if campaign:
        data = next((d for d in campaign.snapshot["diplomas"] if d["diploma"]["id"] == diploma.pk), None)
        if data is None:
            raise Http404
    else:
        data = serialize(evaluate([diploma], academic_year)[diploma.pk])
    years = list(AcademicYear.objects.order_by("start_date"))
    computed_at = datetime.datetime.fromisoformat(str(data["computed_at"])) if data["computed_at"] else None
    chart, trend_years, trend_table = _trend_chart(diploma, years)
    can_edit = perms.can_edit_diploma(request.user, diploma) and campaign is None
    return render(
        request,
        "quality/trajectory.html",
        {
            "diploma": diploma,
            "year": academic_year,
            "years": years,
            "data": data,
            "computed_at": computed_at,
            "as_of": datetime.date.fromisoformat(str(data["as_of"])),
            "campaign": campaign,
            "can_edit": can_edit,
            "attestation_form": AttestationForm() if can_edit else None,
            "history": _history(diploma, years),
            "perimeter_codes": [p["code"] for poste in data["postes"] for p in poste["perimeters"]],
            "chart": chart,
            "trend_years": trend_years,
            "trend_table": trend_table,
        },
    )


@login_required
def indicator_records(request, pk, year, code):
    diploma = diploma_for(request.user, pk)
    academic_year = year_for(year)
    indicator = INDICATORS.get(code)
    if indicator is None:
        raise Http404
    records = indicator.records(diploma, academic_year, year_as_of(academic_year))
    stored = IndicatorValue.objects.filter(
        diploma=diploma, academic_year=academic_year, indicator=code
    ).first()
    return render(
        request,
        "quality/records.html",
        {
            "diploma": diploma,
            "year": academic_year,
            "indicator": indicator,
            "records": records,
            "counted": sum(1 for r in records if r.counted),
            "stored": stored,
            "stored_text": indicator.format_value(stored.value) if stored else "",
            "insufficient": bool(stored and stored.value is not None and indicator.is_insufficient(stored)),
        },
    )


@login_required
def thresholds(request, pk, year):
    diploma = diploma_for(request.user, pk)
    academic_year = year_for(year)
    can_edit = perms.can_edit_diploma(request.user, diploma) and _campaign(diploma, academic_year) is None
    form = None
    if request.method == "POST":
        if not can_edit:
            raise Http404
        form = ThresholdForm(request.POST)
        if form.is_valid():
            requirement = get_object_or_404(
                Requirement.objects.filter(kind=Requirement.Kind.COMPUTED).select_related("milestone"),
                pk=form.cleaned_data["requirement"],
            )
            try:
                services.set_threshold(
                    requirement=requirement,
                    diploma=diploma,
                    year=academic_year,
                    value=form.cleaned_data["value"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except REFUSALS as error:
                refuse(request, error)
            else:
                messages.success(
                    request, _("Seuil enregistré : « %(label)s ».") % {"label": requirement.label}
                )
                return redirect(request.path)
        else:
            messages.error(request, _("Indiquez le nouveau seuil et son motif."))
    requirements = list(
        Requirement.objects.filter(kind=Requirement.Kind.COMPUTED)
        .exclude(comparison=Comparison.AVAILABLE)
        .filter(item__isnull=False)
        .select_related("item__poste")
        .order_by("item__poste__number", "item__stage", "item__order", "order")
    ) + list(
        Requirement.objects.filter(milestone__diploma=diploma, milestone__academic_year=academic_year)
        .exclude(comparison="")
        .select_related("milestone__perimeter")
        .order_by("milestone__perimeter__code", "milestone__rank", "order")
    )
    versions = defaultdict(list)
    for version in (
        Threshold.objects.filter(diploma=diploma, academic_year=academic_year)
        .select_related("changed_by")
        .order_by("-version")
    ):
        versions[version.requirement_id].append(version)
    floors = socle_floors()
    rows = []
    for requirement in requirements:
        indicator = INDICATORS[requirement.indicator]
        history = versions[requirement.pk]
        current = history[0].value if history else requirement.threshold
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
                    for v in history
                ],
            }
        )
    return render(
        request,
        "quality/thresholds.html",
        {"diploma": diploma, "year": academic_year, "rows": rows, "can_edit": can_edit, "form": form},
    )


@login_required
def milestone_create(request, pk, year):
    diploma = diploma_for(request.user, pk)
    academic_year = year_for(year)
    if not perms.can_edit_diploma(request.user, diploma):
        raise Http404
    closed = _campaign(diploma, academic_year) is not None
    perimeters = Perimeter.objects.select_related("poste").order_by("poste__number", "number")
    initial = {"perimeter": request.GET.get("perimetre")} if request.GET.get("perimetre") else None
    form = MilestoneForm(request.POST or None, perimeters=perimeters, initial=initial)
    formset = MilestoneRequirementFormSet(request.POST or None, prefix="exigences")
    if request.method == "POST" and not closed:
        if form.is_valid() and formset.is_valid():
            try:
                milestone = services.create_milestone(
                    diploma=diploma,
                    year=academic_year,
                    perimeter=form.cleaned_data["perimeter"],
                    title=form.cleaned_data["title"],
                    requirements=[f.cleaned_data for f in formset.forms if f.cleaned_data],
                    by=request.user,
                )
            except REFUSALS as error:
                refuse(request, error)
            else:
                messages.success(
                    request,
                    _("%(milestone)s posé pour %(year)s.") % {"milestone": milestone, "year": academic_year},
                )
                return redirect(trajectory_url(diploma, academic_year) + f"#p-{milestone.perimeter.code}")
        else:
            messages.error(request, _("Le jalon n'est pas enregistré : corrigez les champs signalés."))
    milestones = list(
        Milestone.objects.filter(diploma=diploma, academic_year=academic_year)
        .select_related("perimeter")
        .prefetch_related("requirements")
    )
    return render(
        request,
        "quality/milestones.html",
        {
            "diploma": diploma,
            "year": academic_year,
            "form": form,
            "formset": formset,
            "milestones": milestones,
            "closed": closed,
        },
    )


@login_required
@require_POST
def milestone_delete(request, pk):
    milestone = get_object_or_404(
        Milestone.objects.visible_to(request.user).select_related("diploma", "academic_year", "perimeter"),
        pk=pk,
    )
    back = reverse("quality:milestone_create", args=[milestone.diploma_id, milestone.academic_year.label])
    try:
        services.delete_milestone(milestone=milestone, by=request.user)
    except REFUSALS as error:
        refuse(request, error)
    else:
        messages.success(request, _("Jalon retiré."))
    return redirect(back)


@login_required
def followed_indicators(request, pk, year):
    diploma = diploma_for(request.user, pk)
    academic_year = year_for(year)
    can_edit = perms.can_edit_diploma(request.user, diploma) and _campaign(diploma, academic_year) is None
    chosen = set(
        FollowedIndicator.objects.filter(diploma=diploma, academic_year=academic_year).values_list(
            "indicator", flat=True
        )
    )
    form = FollowedIndicatorsForm(request.POST or None, initial={"indicators": sorted(chosen)})
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                count = services.set_followed_indicators(
                    diploma=diploma,
                    year=academic_year,
                    codes=form.cleaned_data["indicators"],
                    by=request.user,
                )
            except REFUSALS as error:
                refuse(request, error)
            else:
                messages.success(
                    request, _("Liste enregistrée : %(n)s indicateur(s) retenu(s).") % {"n": count}
                )
                return redirect(request.path)
    values = {
        v.indicator: v for v in IndicatorValue.objects.filter(diploma=diploma, academic_year=academic_year)
    }
    return render(
        request,
        "quality/followed.html",
        {
            "diploma": diploma,
            "year": academic_year,
            "form": form,
            "can_edit": can_edit,
            "chosen": [
                {
                    "indicator": INDICATORS[code],
                    "value": INDICATORS[code].format_value(values[code].value) if code in values else "—",
                }
                for code in INDICATORS
                if code in chosen
            ],
        },
    )


def _anchor(request) -> str:
    """Back to the périmètre the form was posted from."""
    code = request.POST.get("perimetre", "")
    return f"#p-{code}" if Perimeter.objects.filter(code=code).exists() else ""


@login_required
@require_POST
def attest(request, pk, year, requirement_pk):
    diploma = diploma_for(request.user, pk)
    academic_year = year_for(year)
    requirement = get_object_or_404(Requirement, pk=requirement_pk, kind=Requirement.Kind.CHECKLIST)
    form = AttestationForm(request.POST)
    back = trajectory_url(diploma, academic_year) + _anchor(request)
    if not form.is_valid():
        messages.error(request, _("Dites en une phrase comment ce point est tenu."))
        return redirect(back)
    try:
        services.attest(
            requirement=requirement,
            diploma=diploma,
            year=academic_year,
            statement=form.cleaned_data["statement"],
            by=request.user,
        )
    except REFUSALS as error:
        refuse(request, error)
    else:
        messages.success(request, _("Point attesté : « %(label)s ».") % {"label": requirement.label})
    return redirect(back)


@login_required
@require_POST
def attestation_withdraw(request, pk):
    attestation = get_object_or_404(
        Attestation.objects.visible_to(request.user).select_related(
            "diploma", "academic_year", "requirement"
        ),
        pk=pk,
    )
    back = trajectory_url(attestation.diploma, attestation.academic_year) + _anchor(request)
    try:
        services.withdraw_attestation(attestation=attestation, by=request.user)
    except REFUSALS as error:
        refuse(request, error)
    else:
        messages.success(request, _("Attestation retirée."))
    return redirect(back)
