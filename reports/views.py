import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.models import AcademicYear
from core.submissions import submitted_once
from core.viewutils import PAGE_SIZE, render_progress
from core.workflow import Refusal, refuse
from quality.perms import can_export_establishment_compliance
from reports import dashboard as board
from reports import perms, services
from reports.dashboard import kept
from reports.models import Export
from reports.scopes import dashboard_scope


def _scope(request):
    """The dashboard's scope from the query string, and its form (``reports.scopes``)."""
    if not perms.can_see_dashboard(request.user):
        raise Http404
    return dashboard_scope(request.user, request.GET, timezone.localdate())


REFRESH = "recalculer"


def _with_refresh(query) -> str:
    query = query.copy()
    query[REFRESH] = "1"
    return query.urlencode()


@login_required
def dashboard(request):
    scope, form = _scope(request)
    if scope is not None and REFRESH in request.GET:
        # « Recalculer »: what is kept is dropped, then the page's own URL computes it (once: a reload
        # of that URL reads it).
        kept.refresh(scope)
        query = request.GET.copy()
        del query[REFRESH]
        return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)
    context = {"form": form, "scope": scope}
    if scope is not None:
        computed = kept.computed(scope, query=request.GET.urlencode())
        context.update(
            figures=computed.figures,
            kinds=computed.kinds,
            alert_total=computed.alert_total,
            computed_at=computed.at,
            stale=computed.stale,
            kept_minutes=math.ceil(settings.DASHBOARD_CACHE_SECONDS / 60),
            refresh_query=_with_refresh(request.GET),
            chart=board.alerts_chart(computed.kinds),
            can_export_compliance=can_export_establishment_compliance(
                request.user, request.user.organisation_id
            ),
        )
    return render(request, "reports/dashboard.html", context)


@login_required
def alert_list(request, kind):
    if kind not in board.KINDS:
        raise Http404
    scope, form = _scope(request)
    if scope is None:
        raise Http404
    entry, page = board.alert_page(scope, kind, request.GET.get("page"), PAGE_SIZE)
    return render(
        request, "reports/alert_list.html", {"form": form, "scope": scope, "kind": entry, "page": page}
    )


# Background exports --------------------------------------------------------------------------------


@login_required
@require_POST
@submitted_once
def compliance_export(request):
    """The establishment's compliance PDF, for the year the form gives (the current one by default)."""
    user = request.user
    if not can_export_establishment_compliance(user, user.organisation_id):
        raise Http404
    label = request.POST.get("year", "")
    year = AcademicYear.objects.filter(label=label).first() if label else None
    year = year or AcademicYear.objects.current(timezone.localdate())
    if year is None:
        messages.error(request, _("Choisissez une année scolaire qui existe."))
        return redirect("reports:dashboard")
    export = services.request_compliance_export(by=user, year=year)
    messages.success(request, _("Export demandé : il se prépare, le lien de téléchargement apparaîtra ici."))
    return redirect(export)


@login_required
@require_POST
@submitted_once
def csv_export(request):
    """A list's CSV in the background, for the lists too long to stream at once."""
    try:
        export = services.request_csv_export(
            by=request.user, name=request.POST.get("liste", ""), query=request.POST.get("filtres", "")
        )
    except PermissionDenied:
        raise Http404 from None
    except Refusal as error:
        refuse(request, error)
        return redirect("reports:export_list")
    messages.success(request, _("Export demandé : il se prépare, le lien de téléchargement apparaîtra ici."))
    return redirect(export)


@login_required
@require_POST
@submitted_once
def effectifs_export(request):
    """The fichier d'effectifs' workbook in the background, for a CFA too large to have it at once."""
    try:
        export = services.request_effectifs_export(by=request.user)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Export demandé : il se prépare, le lien de téléchargement apparaîtra ici."))
    return redirect(export)


@login_required
def export_list(request):
    exports = Export.objects.visible_to(request.user).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    )
    page = Paginator(exports.order_by("-requested_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/export_list.html",
        {"page": page, "settings_retention": settings.EXPORT_RETENTION_HOURS},
    )


def _export_for(request, pk) -> Export:
    return get_object_or_404(Export.objects.visible_to(request.user), pk=pk)


@login_required
def export_detail(request, pk):
    export = _export_for(request, pk)
    return render(request, "reports/export_detail.html", {"export": export})


@login_required
def export_status(request, pk):
    """The progress of an export: the next state of the progress bar for htmx, JSON otherwise."""
    export = _export_for(request, pk)
    if request.htmx:
        return render_progress(
            request, "reports/_export_progress.html", {"export": export}, active=export.is_active
        )
    return JsonResponse(
        {
            "status": export.status,
            "status_label": str(export.get_status_display()),
            "done": export.done,
            "total": export.total,
            "percent": export.percent,
            "error": export.error,
        }
    )


@login_required
def export_download(request, pk):
    """Served after the permission check, again at download time: the file lives outside the web
    root, and a person who lost the right since the request no longer gets it."""
    export = _export_for(request, pk)
    if not export.is_ready or not perms.can_download(request.user, export):
        raise Http404
    try:
        handle = export.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=export.filename, content_type=export.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
@submitted_once
def export_retry(request, pk):
    export = _export_for(request, pk)
    try:
        again = services.retry_export(export=export, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    except Refusal as error:
        refuse(request, error)
        return redirect(export)
    messages.success(request, _("Export relancé."))
    return redirect(again)
