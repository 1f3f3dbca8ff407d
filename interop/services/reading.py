"""Receiving a fichier d'effectifs from the import page: a small file is read at once; a larger one is
only stored by the request (under MEDIA_ROOT, served by no URL) and read in Celery, the page following
its progress. Either way the preview is the one :mod:`interop.services.planning` builds and keeps.

The stored file is deleted once read (or once the report fails); an upload that no worker read within
``IMPORT_STALE_HOURS`` is purged by the hourly beat job.
"""

from __future__ import annotations

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.models import Organisation
from core.queue import enqueue
from interop.models import ImportReport
from interop.readers import FileRefused, check_size
from interop.services.planning import (
    build_preview,
    check_may_import,
    keep_preview,
    preview_import,
    progress_key,
)

logger = logging.getLogger(__name__)


def receive_import(*, organisation: Organisation, upload, by=None) -> ImportReport:
    """An upload of the import page: read in the request up to ``IMPORT_INLINE_BYTES`` (the preview is
    ready at once; :class:`FileRefused` says why a file is refused, and nothing is kept), stored and read
    in Celery above."""
    check_may_import(by, organisation.pk)
    check_size(upload.size)
    if upload.size <= settings.IMPORT_INLINE_BYTES:
        return preview_import(organisation=organisation, data=upload.read(), file_name=upload.name, by=by)
    return store_import(organisation=organisation, upload=upload, by=by)


def store_import(*, organisation: Organisation, upload, by=None) -> ImportReport:
    """Keep the upload as a report to read and queue its reading: no row is read here."""
    check_may_import(by, organisation.pk)
    check_size(upload.size)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    report = ImportReport(
        organisation=organisation,
        uploaded_by=by,
        file_name=upload.name[:255],
        sha256=digest.hexdigest(),
        size=upload.size,
        status=ImportReport.Status.READING,
    )
    # The file is written before the row; should the row not be saved, the file goes with it.
    report.file.save(upload.name, upload, save=False)
    try:
        with transaction.atomic():
            report.save()
            audit.record(
                "interop.importreport.created",
                report,
                {"file": report.file_name, "sha256": report.sha256, "size": report.size},
                actor=by,
            )
            enqueue("interop.tasks.read_import", report.pk)
    except BaseException:
        report.file.storage.delete(report.file.name)
        raise
    return report


def read_import(report_id: int, today=None) -> ImportReport:
    """Read a stored upload and keep its preview (the Celery task's work), then delete the file.

    Idempotent: a report is read once. A file that cannot be read fails its report with the reason, in
    French; nothing of it is kept. The database unreachable is raised, for the task to retry.
    """
    report = (
        ImportReport.objects.select_related("organisation", "uploaded_by")
        .filter(pk=report_id, status=ImportReport.Status.READING)
        .first()
    )
    if report is None:
        return ImportReport.objects.get(pk=report_id)
    preview, error = None, ""
    try:
        with report.file.open("rb") as stored:
            data = stored.read()
        preview = build_preview(
            organisation=report.organisation,
            data=data,
            file_name=report.file_name,
            today=today,
            progress=lambda done, total: _progress(report_id, done, total),
        )
    except FileRefused as refusal:
        error = refusal.message
    except FileNotFoundError:
        error = _("Le fichier déposé est introuvable : déposez-le à nouveau.")
    except OperationalError:
        raise
    except Exception as failure:  # noqa: BLE001 (whatever went wrong, the page must say so, not wait)
        logger.exception("Lecture de l'import %s en échec", report_id)
        error = _("La lecture a échoué (%(error)s) : déposez le fichier à nouveau.") % {
            "error": type(failure).__name__
        }
    with transaction.atomic():
        locked = ImportReport.objects.select_for_update().get(pk=report_id)
        if locked.status != ImportReport.Status.READING:
            return locked  # read meanwhile by another delivery of the task
        name = locked.file.name
        locked.file = ""
        if preview is None:
            locked.status = ImportReport.Status.FAILED
            locked.error = error
            locked.finished_at = timezone.now()
            locked.save(update_fields=["status", "error", "finished_at", "file"])
        else:
            keep_preview(locked, preview)
        audit.record(
            "interop.importreport.read",
            locked,
            {"rows": locked.rows_total} if preview is not None else {"error": error},
            actor=report.uploaded_by,
        )
    if name:
        report.file.storage.delete(name)
    cache.delete(progress_key(report_id))
    return locked


def _progress(report_id: int, done: int, total: int) -> None:
    if done == 0:
        # The number of rows, known once the file is open: the page's bar has its length.
        ImportReport.objects.filter(pk=report_id, status=ImportReport.Status.READING).update(rows_total=total)
    else:
        cache.set(progress_key(report_id), done, 3600)


def purge_stale_reads(now=None) -> int:
    """Fail the uploads that no worker read within ``IMPORT_STALE_HOURS`` and delete their files."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(hours=settings.IMPORT_STALE_HOURS)
    purged = 0
    for report in ImportReport.objects.filter(status=ImportReport.Status.READING, uploaded_at__lt=limit):
        with transaction.atomic():
            claimed = ImportReport.objects.filter(pk=report.pk, status=ImportReport.Status.READING).update(
                status=ImportReport.Status.FAILED,
                finished_at=now,
                file="",
                error=_("Le fichier n'a pas été lu à temps : déposez-le à nouveau."),
            )
        if claimed:
            if report.file:
                report.file.storage.delete(report.file.name)
            purged += 1
    return purged
