"""Fiche de liaison: one per company period, completed at the apprentice's return to school."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.perms import VisibleQuerySet
from core.workflow.drafts import VersionedDocument, version_constraints


class LiaisonSheetQuerySet(VisibleQuerySet):
    visibility = {
        "organisation": "contract__diploma__organisation",
        "apprentice": "contract__apprentice__user",
        "company_tutor": "contract__company_tutor__user",
        "school_tutor": "contract__school_tutor__user",
        "head": "contract__diploma__heads",
    }

    def current(self):
        return self.filter(is_current=True)

    def overdue(self, today):
        return self.current().filter(
            due_date__lt=today,
            status__in=[
                LiaisonSheet.Status.DRAFT,
                LiaisonSheet.Status.RETURNED,
                LiaisonSheet.Status.SUBMITTED,
            ],
        )


class LiaisonSheet(VersionedDocument):
    """Fiche de liaison: one per company period, completed at the apprentice's return to school."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Transmise au maître d'apprentissage")
        COUNTERSIGNED = "countersigned", _("Contresignée")
        REVIEWED = "reviewed", _("Lue par le tuteur pédagogique")
        RETURNED = "returned", _("Renvoyée à l'apprenti")

    # The apprentice's part, then the company tutor's: what each one signs.
    APPRENTICE_FIELDS = ("activities", "competences_used", "difficulties", "school_company_gap")
    TUTOR_FIELDS = ("tutor_assessment",)
    DRAFT_FIELDS = APPRENTICE_FIELDS
    MAX_TEXT = 5000

    contract = models.ForeignKey(
        "apprentices.Contract",
        verbose_name=_("contrat"),
        on_delete=models.PROTECT,
        related_name="liaison_sheets",
    )
    period = models.ForeignKey(
        "apprentices.AlternancePeriod",
        verbose_name=_("période en entreprise"),
        on_delete=models.PROTECT,
        related_name="liaison_sheets",
    )
    status = models.CharField(_("état"), max_length=15, choices=Status.choices, default=Status.DRAFT)
    opened_at = models.DateTimeField(_("ouverte le"), default=timezone.now)
    due_date = models.DateField(_("à rendre le"))

    activities = models.TextField(_("ce que j'ai fait en entreprise"), blank=True)
    competences_used = models.TextField(_("compétences mobilisées"), blank=True)
    difficulties = models.TextField(_("difficultés rencontrées"), blank=True)
    school_company_gap = models.TextField(_("écarts entre l'école et l'entreprise"), blank=True)
    tutor_assessment = models.TextField(_("appréciation du maître d'apprentissage"), blank=True)
    school_comment = models.TextField(_("commentaire du tuteur pédagogique"), blank=True)
    return_reason = models.TextField(_("motif du renvoi"), blank=True)

    submitted_at = models.DateTimeField(null=True, blank=True)
    countersigned_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Copies kept by the database (triggers of migration 0008, whichever way a row is written) of what
    # the lists sort by: the period's start and the apprentice's name. Sorting a network's latest
    # period (11,737 sheets at 20,000 apprentices) by name then reads the first page from one index,
    # where joining each sheet to its contract and apprentice cost 100 ms before the first row. Never
    # written by the application: a row in memory may hold stale values until it is read again.
    sort_period_start = models.DateField(null=True, editable=False)
    sort_last_name = models.CharField(max_length=150, default="", editable=False)
    sort_first_name = models.CharField(max_length=150, default="", editable=False)

    objects = LiaisonSheetQuerySet.as_manager()

    class Meta:
        verbose_name = _("fiche de liaison")
        verbose_name_plural = _("fiches de liaison")
        ordering = ["-period__start_date", "-version"]
        constraints = version_constraints(
            scope=("contract", "period"),
            names=("sheet_unique_version", "sheet_one_current_per_period"),
            messages=(
                _("Cette version de la fiche existe déjà."),
                _("Une fiche est déjà ouverte pour cette période."),
            ),
        )
        indexes = [
            # The sheets waiting in a state, by due day (the overdue ones of the dashboard and the
            # reminders), and the sheets due in a period (a year's, on the dashboards and in the
            # indicators): a sixth of the table each, read from the index alone on PostgreSQL (with the
            # columns their counts read) instead of from the table's pages, where the network's sheets
            # lie one per page (7,400 pages for 21,000 sheets at 20,000 apprentices: 20 ms of each
            # query, 4 ms from the index).
            models.Index(
                fields=["status", "due_date"],
                include=["contract", "id"],
                condition=models.Q(is_current=True),
                name="sheet_current_status_due_idx",
            ),
            models.Index(
                fields=["due_date"],
                include=["contract", "countersigned_at", "id"],
                condition=models.Q(is_current=True),
                name="sheet_current_due_idx",
            ),
            # The lists' default order (latest period first, then the apprentice's name): a page of the
            # current sheets read in order, whatever their number.
            models.Index(
                models.F("sort_period_start").desc(),
                "sort_last_name",
                "sort_first_name",
                "id",
                condition=models.Q(is_current=True),
                name="sheet_current_sort_idx",
            ),
        ]

    def __str__(self):
        return _("Fiche de liaison du %(start)s au %(end)s") % {
            "start": self.period.start_date.strftime("%d/%m/%Y"),
            "end": self.period.end_date.strftime("%d/%m/%Y"),
        }

    def get_absolute_url(self):
        return reverse("livret:sheet_detail", args=[self.pk])

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return (
            self.is_current
            and self.status
            in {
                self.Status.DRAFT,
                self.Status.RETURNED,
                self.Status.SUBMITTED,
            }
            and self.due_date < today
        )

    def apprentice_content(self) -> dict:
        return self.draft_content()

    def submission_content(self) -> dict:
        """What the apprentice signs on submission: their part of this version."""
        return {"sheet": self.pk, "version": self.version, **self.apprentice_content()}

    def signable_content(self) -> dict:
        """What a countersignature covers: the sheet's identity and both parts, exactly."""
        return {
            "document": "fiche-de-liaison",
            "sheet": self.pk,
            "version": self.version,
            "contract": self.contract_id,
            "period": [self.period.start_date.isoformat(), self.period.end_date.isoformat()],
            **self.apprentice_content(),
            **{name: getattr(self, name) for name in self.TUTOR_FIELDS},
        }
