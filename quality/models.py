"""La trajectoire qualité: the charter's referential as data, what each diploma declares and proves, the
indicators that Celery computes, and the campaigns that freeze a year.

The referential (postes, périmètres, socle and cible items in the annex's words, and the requirements
each item becomes) is loaded by a data migration from :mod:`quality.referential`. Jalons, thresholds,
evidence and attestations belong to one diploma and one academic year.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.jobs import LeasedJob
from core.models import AcademicYear, Organisation, Role, User
from core.perms import VisibleQuerySet, visibility_q

# The referential ----------------------------------------------------------------------------------


class Poste(models.Model):
    """Poste d'actions d'accompagnement (1 to 4)."""

    number = models.PositiveSmallIntegerField(_("numéro"), unique=True)
    title = models.CharField(_("intitulé"), max_length=200)

    class Meta:
        verbose_name = _("poste d'actions d'accompagnement")
        verbose_name_plural = _("postes d'actions d'accompagnement")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number} – {self.title}"


class Perimeter(models.Model):
    """Périmètre of a poste, with the bullets that describe it and the objectives of its socle and
    its cible, as the annex words them."""

    poste = models.ForeignKey(Poste, on_delete=models.CASCADE, related_name="perimeters")
    number = models.PositiveSmallIntegerField(_("numéro"))
    code = models.CharField(_("code"), max_length=5, unique=True, help_text=_("Par exemple 3.2."))
    title = models.CharField(_("intitulé"), max_length=200)
    short_title = models.CharField(_("intitulé court"), max_length=40)
    scope = models.JSONField(_("contenu du périmètre"), default=list)
    socle_objective = models.TextField(_("objectif du socle"))
    cible_objective = models.TextField(_("objectif de la cible"), blank=True)

    class Meta:
        verbose_name = _("périmètre")
        verbose_name_plural = _("périmètres")
        ordering = ["poste__number", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["poste", "number"],
                name="perimeter_number_unique_per_poste",
                violation_error_message=_("Ce poste a déjà un périmètre portant ce numéro."),
            )
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class Stage(models.TextChoices):
    SOCLE = "socle", _("Socle")
    CIBLE = "cible", _("Cible")


class ReferentialItem(models.Model):
    """One bullet of the socle or cible column of the annex, word for word. The annex sometimes
    gives one cell to several périmètres of a poste: the item then belongs to each of them."""

    poste = models.ForeignKey(Poste, on_delete=models.CASCADE, related_name="items")
    perimeters = models.ManyToManyField(Perimeter, related_name="items")
    stage = models.CharField(_("niveau"), max_length=5, choices=Stage.choices)
    order = models.PositiveSmallIntegerField(_("ordre"))
    text = models.TextField(_("texte de l'annexe"))

    class Meta:
        verbose_name = _("item du référentiel")
        verbose_name_plural = _("items du référentiel")
        ordering = ["poste__number", "stage", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["poste", "stage", "order"],
                name="item_order_unique",
                violation_error_message=_("Cet item existe déjà."),
            )
        ]

    def __str__(self):
        return self.text[:80]


class Comparison(models.TextChoices):
    AT_LEAST = ">=", _("au moins")
    AT_MOST = "<=", _("au plus")
    # The socle asks for a figure to be produced and read, whatever its value ("réalisation et
    # exploitation des enquêtes"): met as soon as the platform can compute it.
    AVAILABLE = "ok", _("calculé")


class EvidenceKind(models.TextChoices):
    COPIL_MINUTES = "copil_minutes", _("Procès-verbal du comité de pilotage")
    COUNCIL_MINUTES = "council_minutes", _("Procès-verbal du conseil de perfectionnement")
    MEETING_MINUTES = "meeting_minutes", _("Compte rendu de réunion")
    PARTNERSHIP = "partnership", _("Convention ou document de rôles entre le CFA et l'établissement")
    INFORMATION = "information", _("Supports d'information sur l'apprentissage et l'offre de formation")
    ORIENTATION = "orientation", _("Information sur les services d'orientation")
    OFFERS_PLATFORM = "offers_platform", _("Plateforme ou dispositif de diffusion des offres d'alternance")
    JOB_SEARCH_TRAINING = "job_search_training", _("Programme d'actions de techniques de recherche d'emploi")
    RECRUITER_EVENTS = "recruiter_events", _("Rencontres avec des employeurs recruteurs")
    TUTOR_TRAINING = "tutor_training", _("Programme de formation des tuteurs et maîtres d'apprentissage")
    EVALUATION_PROCEDURE = "evaluation_procedure", _("Modalités d'évaluation formalisées")
    END_OF_TRAINING_EVALUATION = (
        "end_of_training_evaluation",
        _("Résultats de l'évaluation de fin de formation (apprentis et maîtres d'apprentissage)"),
    )
    SATISFACTION_SURVEY = (
        "satisfaction_survey",
        _("Rapport d'enquête de satisfaction (apprentis et employeurs)"),
    )
    INSERTION_SURVEY = "insertion_survey", _("Rapport d'enquête d'insertion et de poursuite d'études")
    JOB_OFFERS = "job_offers", _("Dispositif d'offres d'emploi accessibles aux apprentis")
    JOBDATING = "jobdating", _("Jobdating ou rencontre entre ex-apprentis et recruteurs")
    ALUMNI = "alumni", _("Réseau Alumni des apprentis")
    OTHER = "other", _("Autre document")


class Requirement(models.Model):
    """What must hold for a level: an indicator against a threshold (computed), a document (declared
    evidence) or a checklist item attested by a named person.

    A requirement belongs either to an item of the referential (socle or cible, the same for every
    diploma) or to a jalon of one diploma and year. The threshold of a socle requirement is the
    charter's floor (as the platform reads it): a diploma may raise it, never lower it.
    """

    class Kind(models.TextChoices):
        COMPUTED = "computed", _("Indicateur calculé")
        EVIDENCE = "evidence", _("Preuve déclarée")
        CHECKLIST = "checklist", _("Point attesté")

    code = models.SlugField(_("code"), max_length=60, unique=True, null=True, blank=True)
    item = models.ForeignKey(
        ReferentialItem, null=True, blank=True, on_delete=models.CASCADE, related_name="requirements"
    )
    milestone = models.ForeignKey(
        "Milestone", null=True, blank=True, on_delete=models.CASCADE, related_name="requirements"
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    label = models.CharField(_("exigence"), max_length=300)
    indicator = models.CharField(_("indicateur"), max_length=40, blank=True)
    comparison = models.CharField(_("comparaison"), max_length=2, choices=Comparison.choices, blank=True)
    threshold = models.DecimalField(_("seuil"), max_digits=7, decimal_places=1, null=True, blank=True)
    evidence_kind = models.CharField(
        _("type de preuve"), max_length=30, choices=EvidenceKind.choices, blank=True
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("exigence")
        verbose_name_plural = _("exigences")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(item__isnull=False, milestone__isnull=True)
                | Q(item__isnull=True, milestone__isnull=False),
                name="requirement_item_xor_milestone",
                violation_error_message=_("Une exigence appartient à un item du référentiel ou à un jalon."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="computed")
                    & ~Q(indicator="")
                    & (Q(comparison="ok") | (Q(comparison__in=[">=", "<="]) & Q(threshold__isnull=False)))
                )
                | (Q(kind="evidence") & ~Q(evidence_kind=""))
                | Q(kind="checklist"),
                name="requirement_kind_complete",
                violation_error_message=_(
                    "Un indicateur calculé a un indicateur, une comparaison et un seuil ; "
                    "une preuve déclarée a un type de document."
                ),
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def is_socle(self) -> bool:
        return self.item_id is not None and self.item.stage == Stage.SOCLE


# What a diploma sets for one academic year ---------------------------------------------------------


class DiplomaYearQuerySet(VisibleQuerySet):
    """Rows of one diploma: staff and admins of its organisation, and its heads, see them."""

    visibility = {"organisation": "diploma__organisation", "head": "diploma__heads"}


class Milestone(models.Model):
    """Jalon: a step between the socle and the cible of one périmètre, co-constructed for one diploma
    and one academic year (the charter's « paliers de progression »), with its own requirements."""

    diploma = models.ForeignKey(
        "apprentices.Diploma", verbose_name=_("formation"), on_delete=models.CASCADE, related_name="+"
    )
    academic_year = models.ForeignKey(
        AcademicYear, verbose_name=_("année scolaire"), on_delete=models.PROTECT, related_name="+"
    )
    perimeter = models.ForeignKey(
        Perimeter, verbose_name=_("périmètre"), on_delete=models.PROTECT, related_name="milestones"
    )
    rank = models.PositiveSmallIntegerField(_("rang"))
    title = models.CharField(_("intitulé"), max_length=200)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = DiplomaYearQuerySet.as_manager()

    class Meta:
        verbose_name = _("jalon")
        verbose_name_plural = _("jalons")
        ordering = ["perimeter__poste__number", "perimeter__number", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["diploma", "academic_year", "perimeter", "rank"],
                name="milestone_rank_unique",
                violation_error_message=_("Ce périmètre a déjà un jalon à ce rang pour cette année."),
            )
        ]

    def __str__(self):
        return _("Jalon %(rank)s : %(title)s") % {"rank": self.rank, "title": self.title}


class Threshold(models.Model):
    """One version of a requirement's threshold for one diploma and year: never edited, a change is a
    new version with who made it, when and why. The latest version is the one in force."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="versions")
    diploma = models.ForeignKey("apprentices.Diploma", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveSmallIntegerField(_("version"))
    value = models.DecimalField(_("seuil"), max_digits=7, decimal_places=1)
    previous_value = models.DecimalField(_("seuil précédent"), max_digits=7, decimal_places=1, null=True)
    reason = models.CharField(_("motif"), max_length=500)
    changed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(_("modifié le"), default=timezone.now)

    objects = DiplomaYearQuerySet.as_manager()

    class Meta:
        verbose_name = _("version de seuil")
        verbose_name_plural = _("versions de seuils")
        ordering = ["requirement", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "diploma", "academic_year", "version"],
                name="threshold_version_unique",
                violation_error_message=_("Cette version du seuil existe déjà."),
            )
        ]

    def __str__(self):
        return f"{self.requirement_id} v{self.version} = {self.value}"


class FollowedIndicator(models.Model):
    """An indicator on the diploma's minimum list for the year (socle, poste 1, périmètre 3)."""

    diploma = models.ForeignKey("apprentices.Diploma", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    indicator = models.CharField(_("indicateur"), max_length=40)
    added_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    objects = DiplomaYearQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicateur suivi")
        verbose_name_plural = _("indicateurs suivis")
        constraints = [
            models.UniqueConstraint(
                fields=["diploma", "academic_year", "indicator"],
                name="followed_indicator_unique",
                violation_error_message=_("Cet indicateur est déjà suivi."),
            )
        ]

    def __str__(self):
        return self.indicator


class EvidenceQuerySet(VisibleQuerySet):
    visibility = {"organisation": "organisation", "head": "diploma__heads"}

    def visible_to(self, user):
        """Also, for a head of diploma, the documents of their establishment as a whole (a survey, a
        brochure): their diplomas' trajectories rest on them."""
        q = visibility_q(user, **self.visibility)
        if user.is_authenticated and user.is_active and Role.HEAD_OF_DIPLOMA in user.roles:
            q |= Q(diploma__isnull=True, organisation__diplomas__heads=user)
        return self.filter(q).distinct()

    def valid_during(self, year: AcademicYear):
        return self.valid_between(year.start_date, year.end_date)

    def valid_between(self, start: datetime.date, end: datetime.date):
        """The documents valid on at least one day from ``start`` to ``end`` (``Evidence.is_valid_during``
        is the same rule for one document in memory)."""
        return self.filter(attested_on__lte=end).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=start)
        )


def evidence_path(instance, filename):
    # The stored name never comes from the uploader: a random name under the organisation's folder.
    return f"quality/{instance.organisation_id}/{timezone.now():%Y}/{instance.token}{instance.extension}"


class Evidence(models.Model):
    """A document that proves a requirement (a comité's minutes, a survey report…), who attested it,
    when, and until when it is valid. Stored outside the web root, served by a permission-checked view."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    diploma = models.ForeignKey(
        "apprentices.Diploma",
        verbose_name=_("formation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Vide : le document vaut pour toutes les formations de l'établissement."),
    )
    academic_year = models.ForeignKey(
        AcademicYear, verbose_name=_("année scolaire"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("type de document"), max_length=30, choices=EvidenceKind.choices)
    title = models.CharField(_("intitulé"), max_length=200)
    file = models.FileField(_("fichier"), upload_to=evidence_path, max_length=255)
    token = models.CharField(max_length=32, editable=False)
    extension = models.CharField(max_length=6, editable=False)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    size = models.PositiveIntegerField(_("taille (octets)"))
    content_type = models.CharField(max_length=120)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    attested_by = models.ForeignKey(
        User, verbose_name=_("attesté par"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    attested_on = models.DateField(_("date du document"))
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("preuve")
        verbose_name_plural = _("preuves")
        ordering = ["-attested_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("attested_on")),
                name="evidence_validity_ordered",
                violation_error_message=_("La fin de validité suit la date du document."),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("quality:evidence_download", args=[self.pk])

    def is_valid_during(self, year: AcademicYear) -> bool:
        """Whether the document is valid on at least one day of ``year`` (the rule of
        ``EvidenceQuerySet.valid_between``)."""
        return self.attested_on <= year.end_date and (
            self.valid_until is None or self.valid_until >= year.start_date
        )


class Attestation(models.Model):
    """A checklist item attested by a named person for one diploma and year. Withdrawn, not deleted."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="attestations")
    diploma = models.ForeignKey("apprentices.Diploma", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    statement = models.CharField(_("comment c'est fait"), max_length=500)
    attested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    attested_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = DiplomaYearQuerySet.as_manager()

    class Meta:
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")
        ordering = ["-attested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "diploma", "academic_year"],
                condition=Q(withdrawn_at__isnull=True),
                name="attestation_one_in_force",
                violation_error_message=_("Ce point est déjà attesté pour cette année."),
            )
        ]

    def __str__(self):
        return self.statement


class MeetingQuerySet(VisibleQuerySet):
    visibility = {"organisation": "organisation", "head": "diplomas__heads"}

    def held_during(self, year: AcademicYear):
        return self.filter(held_on__gte=year.start_date, held_on__lte=year.end_date)


class Meeting(models.Model):
    """The meeting register: comités de pilotage, conseils de perfectionnement, réunions de rentrée,
    pédagogiques, d'information, and the group debriefs (« retour d'alternance ») of a cohort."""

    class Kind(models.TextChoices):
        STEERING = "steering", _("Comité de pilotage")
        COUNCIL = "council", _("Conseil de perfectionnement")
        RENTREE = "rentree", _("Réunion de rentrée")
        PEDAGOGICAL = "pedagogical", _("Réunion pédagogique")
        INFORMATION = "information", _("Réunion d'information")
        DEBRIEF = "debrief", _("Retour d'alternance (groupe d'apprentis)")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("type de réunion"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("intitulé"), max_length=200)
    held_on = models.DateField(_("date"))
    diplomas = models.ManyToManyField("apprentices.Diploma", verbose_name=_("formations"), related_name="+")
    cohorts = models.ManyToManyField(
        "apprentices.Cohort", verbose_name=_("promotions"), blank=True, related_name="+"
    )
    attendance = models.PositiveIntegerField(_("nombre de participants"))
    attendees = models.TextField(
        _("participants"), help_text=_("Qui était là : apprentis, maîtres d'apprentissage, branches, CFA…")
    )
    minutes = models.ForeignKey(
        Evidence,
        verbose_name=_("compte rendu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("réunion")
        verbose_name_plural = _("réunions")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} du {self.held_on:%d/%m/%Y}"


# Computed values and campaigns ----------------------------------------------------------------------


class IndicatorValue(models.Model):
    """One indicator of one diploma and year, as the last successful computation left it."""

    diploma = models.ForeignKey("apprentices.Diploma", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    indicator = models.CharField(_("indicateur"), max_length=40)
    numerator = models.PositiveIntegerField(_("numérateur"), null=True)
    denominator = models.PositiveIntegerField(_("dénominateur"), null=True)
    value = models.DecimalField(_("valeur"), max_digits=9, decimal_places=1, null=True)
    computed_at = models.DateTimeField(_("calculé le"))
    as_of = models.DateField(_("données arrêtées au"))

    class Meta:
        verbose_name = _("valeur d'indicateur")
        verbose_name_plural = _("valeurs d'indicateurs")
        constraints = [
            models.UniqueConstraint(
                fields=["diploma", "academic_year", "indicator"],
                name="indicator_value_unique",
                violation_error_message=_(
                    "Cet indicateur est déjà calculé pour cette formation et cette année."
                ),
            )
        ]

    def __str__(self):
        return f"{self.indicator} = {self.value}"


class ComputationRun(LeasedJob):
    """One recomputation of the indicators of an organisation's diplomas for one year: at most one is
    queued or running at a time (a constraint, so that two clicks cannot start two). Claimed with a
    lease (core.jobs)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("Calcul en cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    JOB_TASK = "quality.tasks.run_computation"
    JOB_WAITING, JOB_RUNNING, JOB_FAILED = Status.QUEUED, Status.RUNNING, Status.FAILED
    JOB_QUEUED_FIELD = "requested_at"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    diploma = models.ForeignKey(
        "apprentices.Diploma", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("calcul des indicateurs")
        verbose_name_plural = _("calculs des indicateurs")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "academic_year"],
                condition=Q(status__in=["queued", "running"]),
                name="computation_one_active_per_year",
                violation_error_message=_("Un calcul est déjà en cours pour cette année."),
            )
        ]

    def __str__(self):
        return f"{self.academic_year} — {self.get_status_display()}"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class Campaign(models.Model):
    """The close of an academic year: an immutable snapshot of every diploma's indicators, evidence,
    requirements and levels, so that the year stays readable and comparable once it is over."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("close le"), default=timezone.now)
    closed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    snapshot = models.JSONField(_("instantané"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("campagne close")
        verbose_name_plural = _("campagnes closes")
        ordering = ["-academic_year__start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "academic_year"],
                name="campaign_one_per_year",
                violation_error_message=_("Cette année est déjà close."),
            )
        ]

    def __str__(self):
        return _("Campagne %(year)s") % {"year": self.academic_year}

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("Une campagne close ne se modifie pas."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Une campagne close ne se supprime pas."))


def year_as_of(year: AcademicYear, today: datetime.date | None = None) -> datetime.date:
    """The day a year's figures are taken on: today while it runs, its last day once it is over."""
    today = today or timezone.localdate()
    return min(today, year.end_date)
