"""The quality dashboard: every diploma on every périmètre for one year, the recomputation and its
progress, and the close of the campaign."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.models import AcademicYear
from core.viewutils import render_progress
from quality import perms, services
from quality.levels import evaluate
from quality.models import Campaign, ComputationRun, Poste
from quality.views.common import REFUSALS, chosen_year, refuse, require_quality, year_for


def organisation_of(user, diplomas) -> int | None:
    return user.organisation_id or (diplomas[0].organisation_id if diplomas else None)


def rows_from_trajectories(trajectories, diplomas) -> list[dict]:
    rows = []
    for diploma in diplomas:
        trajectory = trajectories[diploma.pk]
        rows.append(
            {
                "diploma": {"id": diploma.pk, "code": diploma.code, "title": diploma.title},
                "perimeters": [
                    {"code": p.perimeter.code, "label": p.label, "stage": p.stage}
                    for p in trajectory.perimeters
                ],
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
            "perimeters": [
                {"code": p["code"], "label": p["label"], "stage": p["stage"]}
                for poste in entry["postes"]
                for p in poste["perimeters"]
            ],
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


@login_required
def dashboard(request):
    user = request.user
    require_quality(user)
    diplomas = list(perms.quality_diplomas(user).order_by("code"))
    years = list(AcademicYear.objects.order_by("-start_date"))
    year = chosen_year(request, years)
    organisation_id = organisation_of(user, diplomas)
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
    computed = [row["computed_at"] for row in rows if row["computed_at"]]
    today = timezone.localdate()
    return render(
        request,
        "quality/dashboard.html",
        {
            "years": years,
            "year": year,
            "rows": rows,
            "postes": postes,
            "perimeters": [p for poste in postes for p in poste.perimeters.all()],
            "campaign": campaign,
            "run": run,
            "computed_at": max(computed) if computed and not campaign else None,
            "can_recompute": bool(diplomas) and campaign is None and year is not None,
            "can_close": (
                year is not None
                and campaign is None
                and year.end_date < today
                and perms.can_close_campaign(user, organisation_id)
            ),
        },
    )


@login_required
@require_POST
def recompute(request):
    """Queue a recomputation of the year's indicators (inline without a broker)."""
    user = request.user
    require_quality(user)
    year = get_object_or_404(AcademicYear, label=request.POST.get("annee", ""))
    diplomas = list(perms.quality_diplomas(user))
    back = reverse("quality:dashboard") + f"?annee={year.label}"
    if not diplomas:
        raise Http404
    try:
        run = services.request_computation(
            organisation_id=organisation_of(user, diplomas), year=year, by=user
        )
    except REFUSALS as error:
        refuse(request, error)
        return redirect(back)
    run.refresh_from_db()
    if run.status == ComputationRun.Status.DONE:
        messages.success(request, _("Indicateurs %(year)s recalculés.") % {"year": year})
    elif run.status == ComputationRun.Status.FAILED:
        messages.error(request, run.error)
    else:
        messages.info(
            request,
            _("Calcul des indicateurs %(year)s lancé : la page suit sa progression.") % {"year": year},
        )
    return redirect(back)


@login_required
def run_status(request, pk):
    """The progress of a run: the next state of the progress bar for htmx, JSON otherwise."""
    user = request.user
    require_quality(user)
    diplomas = list(perms.quality_diplomas(user)[:1])
    run = get_object_or_404(ComputationRun, pk=pk, organisation_id=organisation_of(user, diplomas))
    if request.htmx:
        return render_progress(request, "quality/_run_progress.html", {"run": run}, active=run.is_active)
    return JsonResponse(
        {
            "status": run.status,
            "status_label": str(run.get_status_display()),
            "done": run.done,
            "total": run.total,
            "percent": run.percent,
            "error": run.error,
        }
    )


@login_required
@require_POST
def campaign_close(request, year):
    user = request.user
    require_quality(user)
    academic_year = year_for(year)
    diplomas = list(perms.quality_diplomas(user)[:1])
    back = reverse("quality:dashboard") + f"?annee={academic_year.label}"
    try:
        services.close_campaign(organisation_id=organisation_of(user, diplomas), year=academic_year, by=user)
    except REFUSALS as error:
        refuse(request, error)
        return redirect(back)
    messages.success(
        request,
        _("Campagne %(year)s close : ses valeurs, preuves et niveaux sont figés.") % {"year": academic_year},
    )
    return redirect(back)
