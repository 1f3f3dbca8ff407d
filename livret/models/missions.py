"""Fiche de description des missions: what the apprentice will do this year, validated by the head."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.perms import VisibleQuerySet
from core.workflow.drafts import VersionedDocument, version_constraints
from livret.models.visits import CONTRACT_VISIBILITY


class MissionDescriptionQuerySet(VisibleQuerySet):
    visibility = CONTRACT_VISIBILITY

    def current(self):
        return self.filter(is_current=True)

    def waiting_decision(self):
        return self.current().filter(status=MissionDescription.Status.SUBMITTED)


class MissionDescription(VersionedDocument):
    """One per contract and academic year: missions, expected progression, the annual project subject.

    Written by the company tutor and/or the apprentice (``draft``), ``submitted``, then ``validated`` or
    ``returned`` with a comment by a head of the diploma. The charter wants a decision within a week:
    every decision is kept in :class:`MissionDecision` with its delay. A validated description is
    never edited; a correction opens a new version.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("En rédaction")
        SUBMITTED = "submitted", _("Soumise au responsable de formation")
        VALIDATED = "validated", _("Validée")
        RETURNED = "returned", _("Renvoyée pour modification")

    TEXT_FIELDS = ("missions", "expected_progression", "project_subject", "project_description")
    DRAFT_FIELDS = TEXT_FIELDS
    MAX_TEXT = 8000
    DECISION_DAYS = 7

    contract = models.ForeignKey(
        "apprentices.Contract", verbose_name=_("contrat"), on_delete=models.PROTECT, related_name="missions"
    )
    academic_year = models.ForeignKey(
        "core.AcademicYear", verbose_name=_("année scolaire"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.DRAFT)

    missions = models.TextField(_("missions confiées"), blank=True)
    expected_progression = models.TextField(_("progression attendue"), blank=True)
    project_subject = models.CharField(_("sujet du projet entreprise de l'année"), max_length=300, blank=True)
    project_description = models.TextField(_("description du projet"), blank=True)
    return_comment = models.TextField(_("commentaire du responsable"), blank=True)

    last_edited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(_("soumise le"), null=True, blank=True)
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("décision le"), null=True, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    # Copies kept by the database (``core.copies``, migration 0010) of what the list sorts by: the
    # academic year's start and the apprentice's name, as ``LiaisonSheet.sort_period_start``.
    sort_year_start = models.DateField(null=True, editable=False)
    sort_last_name = models.CharField(max_length=150, default="", editable=False)
    sort_first_name = models.CharField(max_length=150, default="", editable=False)

    objects = MissionDescriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("description des missions")
        verbose_name_plural = _("descriptions des missions")
        ordering = ["-academic_year__start_date", "-version"]
        constraints = [
            *version_constraints(
                scope=("contract", "academic_year"),
                names=("mission_unique_version", "mission_one_current_per_year"),
                messages=(
                    _("Cette version de la description existe déjà."),
                    _("Ce contrat a déjà une description des missions pour cette année."),
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(submitted_at__isnull=False),
                name="mission_submitted_has_date",
                violation_error_message=_("Une description soumise porte sa date de soumission."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="mission_status_submitted_idx"),
            # The list's default order (latest year first, then the apprentice's name).
            models.Index(
                models.F("sort_year_start").desc(),
                "sort_last_name",
                "sort_first_name",
                "id",
                condition=Q(is_current=True),
                name="mission_current_sort_idx",
            ),
        ]

    def __str__(self):
        return _("Description des missions %(year)s") % {"year": self.academic_year}

    def get_absolute_url(self):
        return reverse("livret:mission_detail", args=[self.pk])

    def content(self) -> dict:
        return self.draft_content()

    def signable_content(self) -> dict:
        """What the head's validation covers, exactly."""
        return {
            "document": "description-des-missions",
            "mission": self.pk,
            "version": self.version,
            "contract": self.contract_id,
            "academic_year": str(self.academic_year),
            **self.content(),
        }


class MissionDecision(models.Model):
    """Each decision of a head of diploma on a submitted description, with the delay it took."""

    class Outcome(models.TextChoices):
        VALIDATED = "validated", _("Validée")
        RETURNED = "returned", _("Renvoyée")

    mission = models.ForeignKey(MissionDescription, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(_("décision"), max_length=10, choices=Outcome.choices)
    submitted_at = models.DateTimeField(_("soumise le"))
    decided_at = models.DateTimeField(_("décidée le"))
    delay = models.DurationField(_("délai de décision"))
    decided_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("décision sur une description des missions")
        verbose_name_plural = _("décisions sur les descriptions des missions")
        ordering = ["decided_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_at__gte=models.F("submitted_at")),
                name="mission_decision_after_submission",
                violation_error_message=_("Une décision ne précède pas la soumission."),
            )
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} — {self.decided_at:%d/%m/%Y}"

    @property
    def within_deadline(self) -> bool:
        """Decided by the 7th calendar day after the submission (Europe/Paris), as the inbox counts the
        days waiting and as the quality indicator counts them: decided on day 7 is on time, on day 8 late."""
        paris = timezone.get_default_timezone()
        days = (
            timezone.localdate(self.decided_at, paris) - timezone.localdate(self.submitted_at, paris)
        ).days
        return days <= MissionDescription.DECISION_DAYS
