"""A diploma's trajectory for one year: requirements by level with their evidence, next steps, history
and trends; the records behind each figure; thresholds, jalons, the minimum list of indicators and the
attestations that the diploma's team and the CFA staff set."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.models import AcademicYear
from core.submissions import submitted_once
from core.workflow import REFUSALS, refuse, refuse_on_form
from quality import perms, selectors
from quality.charts import trend_chart
from quality.forms import (
    AttestationForm,
    FollowedIndicatorsForm,
    MilestoneForm,
    MilestoneRequirementFormSet,
    ThresholdForm,
)
from quality.indicators import INDICATORS
from quality.models import Attestation, Milestone, Perimeter, Requirement
from quality.services import evidence, thresholds
from quality.views.common import diploma_for, year_for


def trajectory_url(diploma, year) -> str:
    return reverse("quality:trajectory", args=[diploma.pk, year.label])


def _is_closed(diploma, year) -> bool:
    return selectors.campaign_of(diploma.organisation_id, year) is not None


@login_required
def trajectory(request, pk, year):
    return _trajectory_page(request, diploma_for(request.user, pk), year_for(year))


def _trajectory_page(request, diploma, academic_year, *, refused_attestation=None):
    """The trajectory page; ``refused_attestation`` is the attestation form just refused (its
    requirement, périmètre and level say which of the page's forms it was), shown at its field."""
    years = list(AcademicYear.objects.order_by("start_date"))
    shown = selectors.trajectories([diploma], academic_year, years)[diploma.pk]
    campaign, data = shown.campaign, shown.data
    if data is None:
        raise Http404
    computed_at = datetime.datetime.fromisoformat(str(data["computed_at"])) if data["computed_at"] else None
    chart, trend_years, trend_table = trend_chart(
        diploma, years, selectors.trend_values([diploma])[diploma.pk]
    )
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
            # The error summary at the top of the page lists the refused attestation's errors.
            "form": refused_attestation,
            "history": shown.history,
            "perimeter_codes": [p["code"] for poste in data["postes"] for p in poste["perimeters"]],
            "chart": chart,
            "trend_years": trend_years,
            "trend_table": trend_table,
        },
        status=400 if refused_attestation is not None else 200,
    )


@login_required
def indicator_records(request, pk, year, code):
    diploma = diploma_for(request.user, pk)
    academic_year = year_for(year)
    indicator = INDICATORS.get(code)
    if indicator is None:
        raise Http404
    return render(
        request,
        "quality/records.html",
        {
            "diploma": diploma,
            "year": academic_year,
            "indicator": indicator,
            **selectors.indicator_records(diploma, academic_year, indicator),
        },
    )


@login_required
def threshold_edit(request, pk, year):
    diploma = diploma_for(request.user, pk)
    academic_year = year_for(year)
    can_edit = perms.can_edit_diploma(request.user, diploma) and not _is_closed(diploma, academic_year)
    form = None
    if request.method == "POST":
        if not can_edit:
            raise Http404
        # The form answers one row: its fields carry that row's ids, so that the error summary leads to it.
        row = request.POST.get("requirement", "")
        form = ThresholdForm(request.POST, auto_id=f"seuil-{row if row.isdigit() else 0}-%s")
        requirement = None
        if form.is_valid():
            requirement = get_object_or_404(
                Requirement.objects.filter(kind=Requirement.Kind.COMPUTED).select_related("milestone"),
                pk=form.cleaned_data["requirement"],
            )
            try:
                thresholds.set_threshold(
                    requirement=requirement,
                    diploma=diploma,
                    year=academic_year,
                    value=form.cleaned_data["value"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except REFUSALS as error:
                refuse_on_form(form, error)
            else:
                messages.success(
                    request, _("Seuil enregistré : « %(label)s ».") % {"label": requirement.label}
                )
                return redirect(request.path)
        # Refused: the fields' labels name their row in the error summary (read here only, not on success).
        if requirement is None and row.isdigit():
            requirement = Requirement.objects.filter(pk=row, kind=Requirement.Kind.COMPUTED).first()
        if requirement is not None:
            form.name_the_row(requirement.label)
    return render(
        request,
        "quality/thresholds.html",
        {
            "diploma": diploma,
            "year": academic_year,
            "rows": selectors.threshold_rows(diploma, academic_year),
            "can_edit": can_edit,
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@submitted_once
def milestone_create(request, pk, year):
    diploma = diploma_for(request.user, pk)
    academic_year = year_for(year)
    if not perms.can_edit_diploma(request.user, diploma):
        raise Http404
    closed = _is_closed(diploma, academic_year)
    perimeters = Perimeter.objects.select_related("poste").order_by("poste__number", "number")
    initial = {"perimeter": request.GET.get("perimetre")} if request.GET.get("perimetre") else None
    form = MilestoneForm(request.POST or None, perimeters=perimeters, initial=initial)
    formset = MilestoneRequirementFormSet(request.POST or None, prefix="exigences")
    if request.method == "POST" and not closed:
        if form.is_valid() and formset.is_valid():
            try:
                milestone = thresholds.create_milestone(
                    diploma=diploma,
                    year=academic_year,
                    perimeter=form.cleaned_data["perimeter"],
                    title=form.cleaned_data["title"],
                    requirements=[f.cleaned_data for f in formset.forms if f.cleaned_data],
                    by=request.user,
                )
            except REFUSALS as error:
                refuse_on_form(form, error)  # in the error summary above the form
            else:
                messages.success(
                    request,
                    _("%(milestone)s posé pour %(year)s.") % {"milestone": milestone, "year": academic_year},
                )
                return redirect(trajectory_url(diploma, academic_year) + f"#p-{milestone.perimeter.code}")
        else:
            messages.error(request, _("Le jalon n'est pas enregistré : corrigez les champs signalés."))
    return render(
        request,
        "quality/milestones.html",
        {
            "diploma": diploma,
            "year": academic_year,
            "form": form,
            "formset": formset,
            "milestones": selectors.milestones(diploma, academic_year),
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
        thresholds.delete_milestone(milestone=milestone, by=request.user)
    except REFUSALS as error:
        refuse(request, error)
    else:
        messages.success(request, _("Jalon retiré."))
    return redirect(back)


@login_required
def followed_indicators(request, pk, year):
    diploma = diploma_for(request.user, pk)
    academic_year = year_for(year)
    can_edit = perms.can_edit_diploma(request.user, diploma) and not _is_closed(diploma, academic_year)
    chosen = selectors.followed_codes(diploma, academic_year)
    form = FollowedIndicatorsForm(request.POST or None, initial={"indicators": sorted(chosen)})
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                count = thresholds.set_followed_indicators(
                    diploma=diploma,
                    year=academic_year,
                    codes=form.cleaned_data["indicators"],
                    by=request.user,
                )
            except REFUSALS as error:
                refuse(request, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Liste enregistrée : %(n)s indicateur retenu.",
                        "Liste enregistrée : %(n)s indicateurs retenus.",
                        count,
                    )
                    % {"n": count},
                )
                return redirect(request.path)
    return render(
        request,
        "quality/followed.html",
        {
            "diploma": diploma,
            "year": academic_year,
            "form": form,
            "can_edit": can_edit,
            "chosen": selectors.followed_rows(diploma, academic_year, chosen),
        },
    )


def _posted_perimeter(request) -> str:
    """The code of the périmètre the form was posted from, or "" when it names none."""
    code = request.POST.get("perimetre", "")
    return code if code and Perimeter.objects.filter(code=code).exists() else ""


def _anchor(request) -> str:
    """Back to the périmètre the form was posted from."""
    code = _posted_perimeter(request)
    return f"#p-{code}" if code else ""


@login_required
@require_POST
@submitted_once
def attest(request, pk, year, requirement_pk):
    diploma = diploma_for(request.user, pk)
    academic_year = year_for(year)
    requirement = get_object_or_404(Requirement, pk=requirement_pk, kind=Requirement.Kind.CHECKLIST)
    perimeter = _posted_perimeter(request)
    back = trajectory_url(diploma, academic_year) + (f"#p-{perimeter}" if perimeter else "")
    # Which of the page's forms was sent (a point may be offered in « La suite » and in its level): its
    # field's id, so that a refusal is shown at that field and the error summary leads there.
    level = request.POST.get("niveau", "")
    level = level if level == "suite" or level.isdigit() else ""
    form = AttestationForm(request.POST, auto_id=f"attest-{perimeter}-{level}-{requirement.pk}-%s")
    form.requirement_id, form.perimeter, form.level = requirement.pk, perimeter, level
    if form.is_valid():
        try:
            evidence.attest(
                requirement=requirement,
                diploma=diploma,
                year=academic_year,
                statement=form.cleaned_data["statement"],
                by=request.user,
            )
        except REFUSALS as error:
            refuse_on_form(form, error)
        else:
            messages.success(request, _("Point attesté : « %(label)s ».") % {"label": requirement.label})
            return redirect(back)
    return _trajectory_page(request, diploma, academic_year, refused_attestation=form)


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
        evidence.withdraw_attestation(attestation=attestation, by=request.user)
    except REFUSALS as error:
        refuse(request, error)
    else:
        messages.success(request, _("Attestation retirée."))
    return redirect(back)
