"""Fiche de visite entreprise: the school tutor's meetings with the employer, and the actions they set."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.perms import VisibleQuerySet

CONTRACT_VISIBILITY = {
    "organisation": "contract__diploma__organisation",
    "apprentice": "contract__apprentice__user",
    "company_tutor": "contract__company_tutor__user",
    "school_tutor": "contract__school_tutor__user",
    "head": "contract__diploma__heads",
}


class VisitReportQuerySet(VisibleQuerySet):
    visibility = CONTRACT_VISIBILITY

    def held(self):
        return self.filter(status__in=[VisitReport.Status.REPORTED, VisitReport.Status.ACKNOWLEDGED])


class VisitReport(models.Model):
    """One meeting of the school tutor with the company (visit, video call or phone call).

    Planned first (``planned``), then logged (``reported``): the report is then frozen and shared with
    the company tutor and the apprentice, who acknowledge it (``acknowledged`` once both have).

    The report is written as a draft first (``draft``, saved as the school tutor types, offline too,
    with the same ``revision`` check as the liaison sheet's draft), and only its sharing writes the
    report's fields and signs them. A shared report is corrected by a new version: the correction is
    a draft again, and sharing it keeps the replaced version readable (:class:`VisitReportVersion`).
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planifiée")
        REPORTED = "reported", _("Compte rendu partagé")
        ACKNOWLEDGED = "acknowledged", _("Compte rendu lu par l'entreprise et l'apprenti")
        CANCELLED = "cancelled", _("Annulée")

    class Mode(models.TextChoices):
        ON_SITE = "on_site", _("Visite sur site")
        VIDEO = "video", _("Visioconférence")
        PHONE = "phone", _("Entretien téléphonique")

    REPORT_FIELDS = ("integration", "missions_adequacy", "progress", "difficulties")
    DRAFT_FIELDS = ("draft",)  # the draft's autosave (core.workflow.drafts) writes the draft as a whole
    MAX_TEXT = 5000

    contract = models.ForeignKey(
        "apprentices.Contract", verbose_name=_("contrat"), on_delete=models.PROTECT, related_name="visits"
    )
    status = models.CharField(_("état"), max_length=15, choices=Status.choices, default=Status.PLANNED)
    is_start_meeting = models.BooleanField(
        _("entretien tripartite de démarrage"),
        default=False,
        help_text=_(
            "Apprenti, maître d'apprentissage, tuteur pédagogique (et représentant légal d'un mineur)."
        ),
    )
    planned_date = models.DateField(_("date prévue"))
    planned_time = models.TimeField(_("heure prévue"), null=True, blank=True)
    # The SEQUENCE of the calendar invitation mailed for this visit: raised at each move or cancellation,
    # so that calendars replace the event they hold (its UID never changes).
    invitation_sequence = models.PositiveIntegerField(_("version de l'invitation"), default=0)
    mode = models.CharField(_("modalité"), max_length=10, choices=Mode.choices, default=Mode.ON_SITE)
    held_on = models.DateField(_("date de la rencontre"), null=True, blank=True)
    apprentice_present = models.BooleanField(_("apprenti présent"), default=False)
    company_tutor_present = models.BooleanField(_("maître d'apprentissage présent"), default=False)
    legal_representative_present = models.BooleanField(_("représentant légal présent"), default=False)
    other_participants = models.CharField(_("autres participants"), max_length=300, blank=True)
    integration = models.TextField(_("intégration dans l'entreprise"), blank=True)
    missions_adequacy = models.TextField(_("adéquation des missions avec la formation"), blank=True)
    progress = models.TextField(_("progression de l'apprenti"), blank=True)
    difficulties = models.TextField(_("difficultés"), blank=True)
    cancel_reason = models.CharField(_("motif d'annulation"), max_length=300, blank=True)
    # The report being written (or its correction), as the form holds it: nothing in it is shared.
    draft = models.JSONField(_("brouillon du compte rendu"), null=True, blank=True)
    # Bumped by every save of the draft: a save from a stale copy (another tab, a phone that was
    # offline) is detected, not lost.
    revision = models.PositiveIntegerField(default=0)
    draft_saved_at = models.DateTimeField(_("brouillon enregistré le"), null=True, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)

    author = models.ForeignKey(
        User, verbose_name=_("rédigé par"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    reported_at = models.DateTimeField(_("compte rendu le"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisitReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("visite en entreprise")
        verbose_name_plural = _("visites en entreprise")
        ordering = ["-planned_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["planned", "cancelled"]) | Q(held_on__isnull=False),
                name="visit_held_on_when_reported",
                violation_error_message=_("Un compte rendu indique la date de la rencontre."),
            ),
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(is_start_meeting=True) & ~Q(status="cancelled"),
                name="visit_one_start_meeting",
                violation_error_message=_("Ce contrat a déjà son entretien de démarrage."),
            ),
        ]
        indexes = [
            models.Index(fields=["contract", "status", "held_on"], name="visit_contract_held_idx"),
            # The register's default order (the meeting's day, latest first): a page of a network's
            # visits read in order from this index instead of sorting them all.
            models.Index(Coalesce("held_on", "planned_date").desc(), models.F("id"), name="visit_day_idx"),
        ]

    def __str__(self):
        day = self.held_on or self.planned_date
        label = _("Entretien de démarrage") if self.is_start_meeting else _("Visite")
        return _("%(label)s du %(day)s") % {"label": label, "day": day.strftime("%d/%m/%Y")}

    def get_absolute_url(self):
        return reverse("livret:visit_detail", args=[self.pk])

    @property
    def date(self):
        return self.held_on or self.planned_date

    @property
    def is_correcting(self) -> bool:
        """A correction of the shared report is being written (the shared version stays in force)."""
        return self.draft is not None and self.status in {self.Status.REPORTED, self.Status.ACKNOWLEDGED}

    def draft_content(self) -> dict:
        """What the draft's autosave compares and gives back on a conflict."""
        return {"draft": self.draft}

    def report_content(self) -> dict:
        """What an acknowledgement covers: the report exactly as it was shared."""
        content = {
            "document": "compte-rendu-de-visite",
            "visit": self.pk,
            "contract": self.contract_id,
            "held_on": self.held_on.isoformat() if self.held_on else None,
            "mode": self.mode,
            "is_start_meeting": self.is_start_meeting,
            "participants": {
                "apprentice": self.apprentice_present,
                "company_tutor": self.company_tutor_present,
                "legal_representative": self.legal_representative_present,
                "others": self.other_participants,
            },
            **{name: getattr(self, name) for name in self.REPORT_FIELDS},
        }
        if self.version > 1:
            content["version"] = self.version
        return content


class VisitReportVersion(models.Model):
    """A shared version of a visit report that a correction replaced: kept as it was shared, readable,
    with who wrote it and when, and its signatures (the report's and the acknowledgements, moved here
    from the visit when it was replaced). The version in force is the visit report itself."""

    visit = models.ForeignKey(
        VisitReport, verbose_name=_("visite"), on_delete=models.CASCADE, related_name="past_versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    content = models.JSONField(_("compte rendu partagé"))
    author = models.ForeignKey(
        User, verbose_name=_("rédigé par"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(_("rédigé par"), max_length=300, blank=True)
    shared_at = models.DateTimeField(_("partagé le"), null=True, blank=True)
    replaced_at = models.DateTimeField(_("remplacé le"), default=timezone.now)
    replaced_by = models.ForeignKey(
        User,
        verbose_name=_("corrigé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("version remplacée d'un compte rendu de visite")
        verbose_name_plural = _("versions remplacées des comptes rendus de visite")
        ordering = ["visit", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "number"],
                name="visit_version_once",
                violation_error_message=_("Cette version du compte rendu existe déjà."),
            )
        ]

    def __str__(self):
        return _("%(visit)s, version %(n)s") % {"visit": self.visit, "n": self.number}

    def as_report(self) -> VisitReport:
        """The version as a visit report to show (not saved): what it said when it was shared."""
        content = self.content
        people = content.get("participants", {})
        held_on = content.get("held_on")
        return VisitReport(
            pk=self.visit_id,
            held_on=datetime.date.fromisoformat(held_on) if held_on else None,
            mode=content.get("mode", ""),
            apprentice_present=people.get("apprentice", False),
            company_tutor_present=people.get("company_tutor", False),
            legal_representative_present=people.get("legal_representative", False),
            other_participants=people.get("others", ""),
            **{name: content.get(name, "") for name in VisitReport.REPORT_FIELDS},
        )


class ActionItemQuerySet(VisibleQuerySet):
    visibility = CONTRACT_VISIBILITY

    def open(self):
        return self.filter(done_on__isnull=True)


class ActionItem(models.Model):
    """An action decided at a visit. It stays on every later visit of the contract until it is closed."""

    class Owner(models.TextChoices):
        APPRENTICE = "apprentice", _("Apprenti")
        COMPANY_TUTOR = "company_tutor", _("Maître d'apprentissage")
        SCHOOL_TUTOR = "school_tutor", _("Tuteur pédagogique")
        EMPLOYER = "employer", _("Entreprise")
        CFA = "cfa", _("CFA")

    contract = models.ForeignKey(
        "apprentices.Contract",
        verbose_name=_("contrat"),
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    opened_in = models.ForeignKey(
        VisitReport,
        verbose_name=_("décidée lors de"),
        on_delete=models.PROTECT,
        related_name="actions_opened",
    )
    closed_in = models.ForeignKey(
        VisitReport,
        verbose_name=_("close lors de"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions_closed",
    )
    description = models.CharField(_("action"), max_length=500)
    owner = models.CharField(_("responsable"), max_length=15, choices=Owner.choices)
    due_date = models.DateField(_("échéance"))
    done_on = models.DateField(_("faite le"), null=True, blank=True)
    closed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("action de suivi")
        verbose_name_plural = _("actions de suivi")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["contract", "done_on"], name="action_contract_open_idx")]

    def __str__(self):
        return self.description

    @property
    def is_done(self) -> bool:
        return self.done_on is not None

    def is_late(self, today) -> bool:
        return self.done_on is None and self.due_date < today
