"""Staff pages of the import: upload → preview → confirm → report, the rejected rows as CSV, the export."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.submissions import submitted_once
from core.viewutils import render_progress
from core.workflow import Refusal, refuse
from interop import perms
from interop.columns import TEMPLATE_COLUMNS
from interop.export import INLINE_XLSX_ROWS, Exporter, export_csv, export_xlsx, spreadsheet_safe
from interop.forms import ImportForm
from interop.models import ImportReport, ImportRow
from interop.readers import FileRefused, max_bytes
from interop.services import reading, writing
from interop.template import template_workbook

ROWS_PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_import(user):
    if not perms.can_import(user):
        raise Http404


def _report(request, pk):
    _require_import(request.user)
    report = get_object_or_404(
        ImportReport.objects.visible_to(request.user).select_related("uploaded_by", "applied_by"), pk=pk
    )
    if not perms.can_see_report(request.user, report):
        raise Http404
    return report


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def import_home(request):
    user = request.user
    _require_import(user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = reading.receive_import(
                organisation=user.organisation, upload=form.cleaned_data["file"], by=user
            )
        except FileRefused as error:
            form.add_error("file", error.message)
        else:
            if report.status == ImportReport.Status.READING:
                messages.info(request, _("Fichier déposé : la page suit sa lecture, puis montre l'aperçu."))
            return redirect(report)
    reports = (
        ImportReport.objects.visible_to(user)
        .filter(organisation_id=user.organisation_id)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-pk")[:20]
    )
    return render(
        request, "interop/import_home.html", {"form": form, "reports": reports, "limit": max_bytes()}
    )


@login_required
def report_detail(request, pk):
    report = _report(request, pk)
    action = request.GET.get("lignes", "")
    rows = report.rows.order_by("line")
    if action in ImportRow.Action.values:
        rows = rows.filter(action=action)
    elif report.rows_rejected + report.rows_create + report.rows_update:
        # What needs reading first: everything but the unchanged rows.
        rows = rows.exclude(action=ImportRow.Action.UNCHANGED)
    page = Paginator(rows.defer("raw"), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "interop/report_detail.html",
        {
            "report": report,
            "page": page,
            "action": action,
            "actions": ImportRow.Action.choices,
            "done": writing.progress_of(report),
            "previous": _previous(report),
        },
    )


def _previous(report):
    """The organisation's import applied before this one: what this one changed is counted from it."""
    if report.status != ImportReport.Status.DONE or report.applied_at is None:
        return None
    return (
        ImportReport.objects.filter(
            organisation_id=report.organisation_id,
            status=ImportReport.Status.DONE,
            applied_at__lt=report.applied_at,
        )
        .order_by("-applied_at", "-pk")
        .only("pk", "file_name", "applied_at")
        .first()
    )


@login_required
@require_POST
def report_confirm(request, pk):
    report = _report(request, pk)
    try:
        report = writing.confirm_import(report=report, by=request.user)
    except Refusal as error:
        refuse(request, error)
    else:
        if report.status == ImportReport.Status.DONE:
            messages.success(request, _("Import terminé."))
        elif report.status == ImportReport.Status.FAILED:
            messages.error(request, report.error)
        else:
            messages.info(request, _("Import lancé : la page suit sa progression."))
    return redirect(report)


@login_required
def report_status(request, pk):
    report = _report(request, pk)
    if request.htmx:
        context = {"report": report, "done": writing.progress_of(report)}
        template = (
            "interop/_read_progress.html"
            if report.status == ImportReport.Status.READING
            else "interop/_import_progress.html"
        )
        return render_progress(request, template, context, active=report.is_active)
    return JsonResponse(
        {
            "status": report.status,
            "status_label": str(report.get_status_display()),
            "done": writing.progress_of(report),
            "total": report.rows_total,
        }
    )


@login_required
def report_rejected(request, pk):
    """The rejected rows in the template's columns, with their line and reasons first: corrected, the
    file can be imported again (the two extra columns are then ignored)."""
    report = _report(request, pk)
    rows = list(report.rows.filter(action=ImportRow.Action.REJECTED).order_by("line"))
    # In the template's order: PostgreSQL's jsonb does not keep the keys in the file's order.
    order = {column: index for index, column in enumerate(TEMPLATE_COLUMNS)}
    found = {column for row in rows for column in row.raw}
    columns = sorted(found, key=lambda column: (order.get(column, len(order)), column))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["ligne", "motifs_du_rejet", *columns])
    for row in rows:
        reasons = " ; ".join(f"{column} : {message}" if column else message for column, message in row.errors)
        writer.writerow(
            [row.line, spreadsheet_safe(reasons), *(spreadsheet_safe(row.raw.get(c)) for c in columns)]
        )
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejets-import-{report.pk}.csv"'
    return response


@login_required
def export_home(request):
    """The export's page: its two files, and the rows whose required cells the platform cannot fill,
    with what each lacks."""
    user = request.user
    _require_import(user)
    exporter = Exporter(user.organisation_id)
    total, incomplete = 0, []
    for row in exporter.rows():
        total += 1
        if row.missing:
            incomplete.append(row)
    page = Paginator(incomplete, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "interop/export_home.html",
        {
            "total": total,
            "incomplete": len(incomplete),
            "page": page,
            "organisation": exporter.organisation,
            "year": exporter.year,
            "in_background": total > INLINE_XLSX_ROWS,
        },
    )


def _attachment(response, name: str):
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def export(request):
    user = request.user
    _require_import(user)
    response = StreamingHttpResponse(export_csv(user.organisation_id), content_type="text/csv; charset=utf-8")
    return _attachment(response, f"effectifs-{timezone.localdate().isoformat()}.csv")


@login_required
def export_workbook(request):
    user = request.user
    _require_import(user)
    if Exporter(user.organisation_id).count() > INLINE_XLSX_ROWS:
        messages.info(
            request, _("Le classeur est trop volumineux pour être préparé à la volée : demandez-le ici.")
        )
        return redirect("interop:export_home")
    response = HttpResponse(export_xlsx(user.organisation_id), content_type=XLSX)
    return _attachment(response, f"effectifs-{timezone.localdate().isoformat()}.xlsx")


@login_required
def template(request):
    """The blank fichier d'effectifs, built from the platform's column data."""
    _require_import(request.user)
    return _attachment(HttpResponse(template_workbook(), content_type=XLSX), "modele-fichier-effectifs.xlsx")
