"""The quality dashboard: every diploma on every périmètre for one year, the recomputation and its
progress, and the close of the campaign."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.models import AcademicYear
from core.submissions import submitted_once
from core.viewutils import render_progress
from core.workflow import REFUSALS, refuse
from quality import perms, selectors
from quality.models import ComputationRun
from quality.services import campaigns, computation
from quality.views.common import chosen_year, organisation_of, require_quality, year_for

# Diplomas per page of the dashboard: a CFA's on one page, a network's in a few.
DASHBOARD_PAGE_SIZE = 50


@login_required
def dashboard(request):
    user = request.user
    require_quality(user)
    diplomas = list(perms.quality_diplomas(user).order_by("code"))
    years = list(AcademicYear.objects.order_by("-start_date"))
    year = chosen_year(request, years)
    organisation_id = organisation_of(user, diplomas)
    # A network has hundreds of diplomas: each page evaluates and shows DASHBOARD_PAGE_SIZE of them.
    page = Paginator(diplomas, DASHBOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    board = selectors.dashboard(list(page.object_list), year, organisation_id)
    today = timezone.localdate()
    return render(
        request,
        "quality/dashboard.html",
        {
            "years": years,
            "year": year,
            "rows": board.rows,
            "page": page,
            "postes": board.postes,
            "perimeters": board.perimeters,
            "campaign": board.campaign,
            "run": board.run,
            "computed_at": board.computed_at,
            "can_recompute": bool(diplomas) and board.campaign is None and year is not None,
            "can_close": (
                year is not None
                and board.campaign is None
                and year.end_date < today
                and perms.can_close_campaign(user, organisation_id)
            ),
        },
    )


@login_required
@require_POST
@submitted_once
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
        run = computation.request_computation(
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
@submitted_once
def campaign_close(request, year):
    user = request.user
    require_quality(user)
    academic_year = year_for(year)
    diplomas = list(perms.quality_diplomas(user)[:1])
    back = reverse("quality:dashboard") + f"?annee={academic_year.label}"
    try:
        campaigns.close_campaign(organisation_id=organisation_of(user, diplomas), year=academic_year, by=user)
    except REFUSALS as error:
        refuse(request, error)
        return redirect(back)
    messages.success(
        request,
        _("Campagne %(year)s close : ses valeurs, preuves et niveaux sont figés.") % {"year": academic_year},
    )
    return redirect(back)
