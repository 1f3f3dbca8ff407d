"""Imports of the fichier d'effectifs: the report of each file read, and its rows as previewed."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.jobs import LeasedJob
from core.models import Organisation, User
from core.perms import VisibleQuerySet
from interop.mapping import destination


def upload_path(instance, filename):
    # Never a name from the request: a random token under the organisation's folder, in MEDIA_ROOT
    # (outside the web root, served by no URL). The file is deleted once read.
    extension = ".xlsx" if filename.lower().endswith((".xlsx", ".xlsm")) else ".csv"
    return f"imports/{instance.organisation_id}/{secrets.token_hex(16)}{extension}"


class ImportReportQuerySet(VisibleQuerySet):
    # Staff and admins of the organisation only: the other roles reach no report.
    visibility = {"organisation": "organisation"}


class ImportReport(LeasedJob):
    """One fichier d'effectifs read for an organisation: read (in Celery when large), previewed, then
    applied once. Applying is claimed with a lease (core.jobs)."""

    class Status(models.TextChoices):
        READING = "reading", _("Lecture du fichier en cours")
        PREVIEW = "preview", _("Aperçu, en attente de confirmation")
        APPLYING = "applying", _("Import en cours")
        DONE = "done", _("Importé")
        FAILED = "failed", _("Échec")

    JOB_TASK = "interop.tasks.apply_import"
    # "applying" is both the confirmed import waiting for its task and the one being applied.
    JOB_WAITING = JOB_RUNNING = Status.APPLYING
    JOB_FAILED = Status.FAILED
    JOB_QUEUED_FIELD = "applied_at"
    ACTIVE = (Status.READING, Status.APPLYING)

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="import_reports"
    )
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("déposé par"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now)
    file_name = models.CharField(_("fichier"), max_length=255)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("taille (octets)"), default=0)
    # The upload while it waits to be read in Celery; emptied (and the file deleted) once read.
    file = models.FileField(_("fichier déposé"), upload_to=upload_path, max_length=255, blank=True)
    file_format = models.CharField(_("format lu"), max_length=120, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PREVIEW)
    ignored_columns = models.JSONField(_("colonnes ignorées"), default=list, blank=True)
    # [[header as written in the file, the template's column it was read as], ...]
    recognised_columns = models.JSONField(_("colonnes reconnues"), default=list, blank=True)
    rows_total = models.PositiveIntegerField(_("lignes"), default=0)
    rows_create = models.PositiveIntegerField(_("lignes à créer"), default=0)
    rows_update = models.PositiveIntegerField(_("lignes à mettre à jour"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("lignes inchangées"), default=0)
    rows_rejected = models.PositiveIntegerField(_("lignes rejetées"), default=0)
    counts = models.JSONField(_("objets écrits"), default=dict, blank=True)
    applied_by = models.ForeignKey(
        User,
        verbose_name=_("confirmé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    done = models.PositiveIntegerField(_("lignes traitées"), default=0)
    error = models.TextField(_("erreur"), blank=True)

    objects = ImportReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("import du fichier d'effectifs")
        verbose_name_plural = _("imports du fichier d'effectifs")
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            # Two previews of the same file cannot be applied at the same time.
            models.UniqueConstraint(
                fields=["organisation", "sha256"],
                condition=Q(status="applying"),
                name="import_one_application_per_file",
                violation_error_message=_("Ce fichier est déjà en cours d'import."),
            )
        ]

    def __str__(self):
        return f"{self.file_name} ({self.uploaded_at:%d/%m/%Y %H:%M})"

    @property
    def column_map(self) -> list[tuple[str, str, str]]:
        """(header in the file, template's column, where it goes on the platform) for each header read."""
        return [(header, column, destination(column)) for header, column in self.recognised_columns]

    def get_absolute_url(self):
        return reverse("interop:report_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.rows_total) if self.rows_total else 0

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def was_read(self) -> bool:
        """Whether the file gave a preview (false while it is read, or when it could not be)."""
        return self.status != self.Status.READING and not (
            self.status == self.Status.FAILED and self.applied_at is None
        )


class ImportRow(models.Model):
    """One row of the file as the preview read it: what it will do, or why it is rejected."""

    class Action(models.TextChoices):
        CREATE = "create", _("Création")
        UPDATE = "update", _("Mise à jour")
        UNCHANGED = "unchanged", _("Inchangée")
        REJECTED = "rejected", _("Rejetée")

    report = models.ForeignKey(ImportReport, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("ligne"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    label = models.CharField(_("apprenti"), max_length=255, blank=True)
    errors = models.JSONField(_("motifs du rejet"), default=list, blank=True)  # [[column, message]]
    changes = models.JSONField(_("changements"), default=list, blank=True)  # [[object, field, old, new]]
    values = models.JSONField(_("valeurs lues"), default=dict, blank=True)
    raw = models.JSONField(_("cellules du fichier"), default=dict, blank=True)

    class Meta:
        verbose_name = _("ligne importée")
        verbose_name_plural = _("lignes importées")
        ordering = ["report", "line"]
        indexes = [models.Index(fields=["report", "action", "line"], name="import_row_action_idx")]

    def __str__(self):
        return f"{self.report_id}:{self.line}"
