import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.jobs import LeasedJob
from core.models import Organisation


def new_token() -> str:
    return secrets.token_hex(16)


def export_path(instance, filename):
    # Never a name from a request: a random token under the organisation's folder, outside the web root.
    return f"exports/{instance.organisation_id or 0}/{instance.token}{instance.extension}"


class ExportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A background export is its requester's only: it may hold what someone else may not see."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(requested_by=user)

    def expired(self, now=None):
        return self.filter(expires_at__lte=now or timezone.now())


class Export(LeasedJob):
    """A long export run in the background (an establishment's compliance PDF, a big CSV list), kept
    for ``EXPORT_RETENTION_HOURS`` for the person who asked for it. Claimed with a lease (core.jobs)."""

    class Kind(models.TextChoices):
        CSV = "csv", _("Liste en CSV")
        COMPLIANCE = "compliance", _("Conformité à la charte de l'établissement (PDF)")
        EFFECTIFS = "effectifs", _("Fichier d'effectifs (XLSX)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Prêt")
        FAILED = "failed", _("Échec")

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    JOB_TASK = "reports.tasks.run_export"
    JOB_WAITING, JOB_RUNNING, JOB_FAILED = Status.QUEUED, Status.RUNNING, Status.FAILED
    JOB_QUEUED_FIELD = "requested_at"
    EXTENSIONS = {Kind.CSV: ".csv", Kind.COMPLIANCE: ".pdf", Kind.EFFECTIFS: ".xlsx"}
    CONTENT_TYPES = {
        Kind.CSV: "text/csv; charset=utf-8",
        Kind.COMPLIANCE: "application/pdf",
        Kind.EFFECTIFS: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("demandé par"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    # What to export, as the request gave it: the list and its query string, or the year.
    params = models.JSONField(default=dict)
    title = models.CharField(_("intitulé"), max_length=200)
    filename = models.CharField(_("nom du fichier"), max_length=120)
    status = models.CharField(_("état"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    token = models.CharField(max_length=32, editable=False, default=new_token)
    file = models.FileField(upload_to=export_path, max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    requested_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    expires_at = models.DateTimeField(_("disponible jusqu'au"), null=True, blank=True)

    objects = ExportQuerySet.as_manager()

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total=0) | Q(done__lte=models.F("total")),
                name="export_done_within_total",
                violation_error_message=_("L'avancement dépasse le total."),
            ),
        ]
        indexes = [models.Index(fields=["requested_by", "-requested_at"], name="export_requester_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("reports:export_detail", args=[self.pk])

    @property
    def extension(self) -> str:
        return self.EXTENSIONS[self.kind]

    @property
    def content_type(self) -> str:
        return self.CONTENT_TYPES[self.kind]

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file) and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()
