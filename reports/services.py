"""Background exports: asked for in a request, carried out by a Celery worker (or inline without a
broker), kept for a while for their requester, then deleted."""

from __future__ import annotations

import datetime
import logging
import os
import tempfile

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import jobs
from core.audit import record
from core.csvexport import EXPORTS, filtered, write
from core.models import AcademicYear, User
from core.queue import enqueue, waiting_first_args
from core.workflow import Refusal
from interop.export import Exporter, write_xlsx
from interop.perms import can_import_for
from quality.pdf import establishment_compliance_pdf
from quality.perms import can_export_establishment_compliance
from reports import perms
from reports.dashboard import kept
from reports.models import Export
from reports.scopes import dashboard_scope

logger = logging.getLogger(__name__)


def retention() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.EXPORT_RETENTION_HOURS)


def _queue(export: Export) -> Export:
    enqueue("reports.tasks.run_export", export.pk)
    return export


@transaction.atomic
def request_compliance_export(*, by, year: AcademicYear) -> Export:
    """The establishment's charter compliance PDF for ``year``: every diploma, summary first."""
    organisation_id = by.organisation_id
    if not can_export_establishment_compliance(by, organisation_id):
        raise PermissionDenied(_("Vous ne pouvez pas exporter la conformité de l'établissement."))
    export = Export.objects.create(
        organisation_id=organisation_id,
        requested_by=by,
        kind=Export.Kind.COMPLIANCE,
        params={"year": year.label},
        title=_("Conformité à la charte %(year)s — %(organisation)s")
        % {"year": year.label, "organisation": by.organisation},
        filename=f"conformite-charte-{year.label}.pdf",
    )
    record("export.requested", export, actor=by, data={"kind": export.kind, "year": year.label})
    return _queue(export)


@transaction.atomic
def request_csv_export(*, by, name: str, query: str) -> Export:
    """A list's CSV, filtered and sorted as ``query`` (the list page's query string) says."""
    definition = EXPORTS.get(name)
    if definition is None:
        raise Refusal(_("Cette liste n'existe pas."))
    if not perms.can_export_list(by, name):
        raise PermissionDenied(_("Vous ne pouvez pas exporter cette liste."))
    query = QueryDict(query[:2000]).copy()
    query.pop("page", None)
    export = Export.objects.create(
        organisation_id=by.organisation_id,
        requested_by=by,
        kind=Export.Kind.CSV,
        params={"list": name, "query": query.urlencode()},
        title=_("Liste « %(list)s » en CSV") % {"list": definition.title},
        filename=f"{definition.filename}-{timezone.localdate():%Y-%m-%d}.csv",
    )
    record("export.requested", export, actor=by, data={"kind": export.kind, "list": name})
    return _queue(export)


@transaction.atomic
def request_effectifs_export(*, by) -> Export:
    """The fichier d'effectifs as the Tableau de bord's workbook, for a CFA too large to have it built in
    the request (``interop.export.INLINE_XLSX_ROWS``)."""
    organisation_id = by.organisation_id
    if not can_import_for(by, organisation_id):
        raise PermissionDenied(_("Seule l'équipe du CFA exporte le fichier d'effectifs."))
    export = Export.objects.create(
        organisation_id=organisation_id,
        requested_by=by,
        kind=Export.Kind.EFFECTIFS,
        params={},
        title=_("Fichier d'effectifs — %(organisation)s") % {"organisation": by.organisation},
        filename=f"effectifs-{timezone.localdate():%Y-%m-%d}.xlsx",
    )
    record("export.requested", export, actor=by, data={"kind": export.kind})
    return _queue(export)


def retry_export(*, export: Export, by) -> Export:
    """A failed (or expired) export asked for again, as it was: a new export, the old one kept."""
    if export.requested_by_id != by.pk:
        raise PermissionDenied(_("Cet export n'est pas le vôtre."))
    if export.status != Export.Status.FAILED and not export.is_expired:
        raise Refusal(_("Seul un export en échec ou expiré peut être relancé."))
    if export.kind == Export.Kind.COMPLIANCE:
        year = AcademicYear.objects.filter(label=export.params.get("year")).first()
        if year is None:
            raise Refusal(_("Cette année scolaire n'existe plus."))
        return request_compliance_export(by=by, year=year)
    if export.kind == Export.Kind.EFFECTIFS:
        return request_effectifs_export(by=by)
    return request_csv_export(by=by, name=export.params.get("list", ""), query=export.params.get("query", ""))


def _write(export: Export, handle, progress) -> None:
    user = export.requested_by
    if export.kind == Export.Kind.COMPLIANCE:
        year = AcademicYear.objects.get(label=export.params["year"])
        handle.write(establishment_compliance_pdf(user.organisation, year, by=user, progress=progress))
        return
    if export.kind == Export.Kind.EFFECTIFS:
        exporter = Exporter(export.organisation_id)
        total = exporter.count()
        progress(0, total)
        write_xlsx(exporter.rows(), handle, progress=lambda done: progress(min(done, total), total))
        return
    definition = EXPORTS[export.params["list"]]
    _filterset, queryset = filtered(export.params["list"], user, QueryDict(export.params.get("query", "")))
    write(definition, queryset, handle, progress=progress)


def run_export(export_id: int) -> Export:
    """Carry out a queued export. Idempotent: the export is claimed with a lease (core.jobs), and a
    message for an export held by a live lease, or finished, does nothing. The file is written to a
    temporary file first and attached only when complete, by the holder of the lease: a failure, or a
    worker whose lease was taken over, leaves no half-written file."""
    token = jobs.claim(Export, export_id, started_at=timezone.now(), done=0)
    export = Export.objects.select_related("requested_by__organisation").get(pk=export_id)
    if token is None:
        return export
    with jobs.heartbeat(Export, export_id, token):
        _run(export, token)
    export.refresh_from_db()
    return export


def _run(export: Export, token: str) -> None:
    export_id = export.pk

    def progress(done, total):
        jobs.holds(Export, export_id, token).update(done=min(done, total), total=total)

    if not perms.can_download(export.requested_by, export):
        jobs.fail(
            Export,
            export_id,
            token,
            _("Vous n'avez plus accès à ces données : l'export n'a pas été produit."),
        )
        return
    fd, path = tempfile.mkstemp(suffix=export.extension, dir=settings.FILE_UPLOAD_TEMP_DIR)
    try:
        with os.fdopen(fd, "wb") as handle:
            _write(export, handle, progress)
        with open(path, "rb") as handle:
            export.file.save(export.filename, File(handle), save=False)
        finished_at = timezone.now()
        total = Export.objects.values_list("total", flat=True).get(pk=export_id) or 1
        if not jobs.finish(
            Export,
            export_id,
            token,
            file=export.file.name,
            size=export.file.size,
            status=Export.Status.DONE,
            finished_at=finished_at,
            expires_at=finished_at + retention(),
            total=total,
            done=total,
        ):
            logger.warning("Export %s repris par un autre processus : ce résultat est abandonné", export_id)
            export.file.delete(save=False)
    except Exception as error:
        logger.exception("Export %s en échec", export_id)
        if export.file:
            export.file.delete(save=False)
        jobs.fail(
            Export,
            export_id,
            token,
            _("L'export a échoué (%(error)s). Vous pouvez le relancer.") % {"error": type(error).__name__},
            file="",
        )
    finally:
        if os.path.exists(path):
            os.remove(path)


def purge_exports(now=None) -> int:
    """Delete the files and rows of expired exports, and mark as failed those stuck queued or running
    for longer than a worker ever takes. Idempotent."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(minutes=settings.EXPORT_STALE_MINUTES)
    # A live lease (or a recent requeue) means a worker is on it: core.jobs.resume looks after it. An
    # export whose message still waits in the outbox is late because the broker is: it will run.
    Export.objects.filter(status__in=Export.ACTIVE, requested_at__lt=stale).exclude(
        lease_expires_at__gt=now
    ).exclude(pk__in=waiting_first_args(Export.JOB_TASK)).update(
        lease_token="",
        lease_expires_at=None,
        status=Export.Status.FAILED,
        finished_at=now,
        error=_("Interrompu (l'export ne répondait plus). Vous pouvez le relancer."),
    )
    deleted = 0
    for export in Export.objects.expired(now).only("pk", "file"):
        if export.file:
            export.file.delete(save=False)
        export.delete()
        deleted += 1
    failed_limit = now - retention()
    for export in Export.objects.filter(status=Export.Status.FAILED, finished_at__lt=failed_limit):
        export.delete()
        deleted += 1
    return deleted


def refresh_dashboard(user_id: int, query: str, day: str, language: str) -> bool:
    """A kept dashboard computed again by the worker, as the page asked for it: the person's scope
    from the page's query string, on its day and in its language (the key it is kept under). False
    when there is nothing to compute: the person is gone, inactive or no longer sees a dashboard, the
    filters are in error."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not perms.can_see_dashboard(user):
        return False
    with translation.override(language):
        scope, _form = dashboard_scope(user, QueryDict(query), datetime.date.fromisoformat(day))
        return scope is not None and kept.recompute(scope)
