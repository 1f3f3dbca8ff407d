"""Diplomas and their alternance calendars, apprentices and their contracts."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.audit import AuditedModel
from core.models import AcademicYear, Organisation, User
from core.perms import VisibleQuerySet
from core.validators import (
    normalize_ine,
    normalize_rncp,
    validate_cfd,
    validate_ine,
    validate_postal_code,
    validate_rncp,
)


class DiplomaQuerySet(VisibleQuerySet):
    visibility = {
        "organisation": "organisation",
        "apprentice": "contracts__apprentice__user",
        "company_tutor": "contracts__company_tutor__user",
        "school_tutor": "contracts__school_tutor__user",
        "head": "heads",
    }


class Diploma(models.Model):
    """Formation: a diploma that the organisation prepares through apprenticeship."""

    class Level(models.IntegerChoices):
        CAP = 3, _("Niveau 3 (CAP, BEP)")
        BAC = 4, _("Niveau 4 (Bac, BP)")
        BAC2 = 5, _("Niveau 5 (BTS, DUT, bac+2)")
        BAC3 = 6, _("Niveau 6 (Licence, BUT, bac+3)")
        BAC5 = 7, _("Niveau 7 (Master, diplôme d'ingénieur, bac+5)")
        BAC8 = 8, _("Niveau 8 (Doctorat)")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="diplomas"
    )
    code = models.SlugField(
        _("code court"), max_length=30, unique=True, help_text=_("Identifiant court, par exemple ING-ALB.")
    )
    title = models.CharField(_("intitulé"), max_length=255)
    level = models.PositiveSmallIntegerField(_("niveau"), choices=Level.choices)
    rncp_code = models.CharField(_("code RNCP"), max_length=12, blank=True, validators=[validate_rncp])
    cfd_code = models.CharField(_("code CFD"), max_length=8, blank=True, validators=[validate_cfd])
    duration_years = models.PositiveSmallIntegerField(_("durée (années)"), default=2)
    duration_months = models.PositiveSmallIntegerField(
        _("durée théorique (mois)"),
        null=True,
        blank=True,
        help_text=_(
            "De l'inscription au diplôme, pour le Tableau de bord de l'apprentissage (1 à 48 mois). "
            "Vide : la durée en années × 12."
        ),
    )
    heads = models.ManyToManyField(
        User, verbose_name=_("responsables"), blank=True, related_name="headed_diplomas"
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = DiplomaQuerySet.as_manager()

    class Meta:
        verbose_name = _("formation")
        verbose_name_plural = _("formations")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_years__gte=1, duration_years__lte=6),
                name="diploma_duration_range",
                violation_error_message=_("La durée d'une formation est comprise entre 1 et 6 ans."),
            ),
            models.CheckConstraint(
                condition=Q(duration_months__isnull=True)
                | Q(duration_months__gte=1, duration_months__lte=48),
                name="diploma_duration_months_range",
                violation_error_message=_(
                    "La durée théorique d'une formation est comprise entre 1 et 48 mois."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("apprentices:diploma_detail", args=[self.pk])

    @property
    def theoretical_months(self) -> int:
        """The theoretical duration in months that the fichier d'effectifs asks for."""
        return self.duration_months or 12 * self.duration_years

    def clean(self):
        super().clean()
        if self.rncp_code:
            self.rncp_code = f"RNCP{normalize_rncp(self.rncp_code)}"
        self.cfd_code = (self.cfd_code or "").upper()


class DiplomaOption(models.Model):
    diploma = models.ForeignKey(Diploma, on_delete=models.CASCADE, related_name="options")
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("nom"), max_length=150)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["diploma", "code"],
                name="option_code_unique_per_diploma",
                violation_error_message=_("Cette formation a déjà une option avec ce code."),
            )
        ]

    def __str__(self):
        return self.name


class CompetenceBlock(models.Model):
    """Bloc de compétences of the diploma's framework."""

    diploma = models.ForeignKey(Diploma, on_delete=models.CASCADE, related_name="competence_blocks")
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("intitulé"), max_length=255)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("bloc de compétences")
        verbose_name_plural = _("blocs de compétences")
        ordering = ["diploma", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["diploma", "code"],
                name="block_code_unique_per_diploma",
                violation_error_message=_("Cette formation a déjà un bloc avec ce code."),
            )
        ]

    def __str__(self):
        return f"{self.code} — {self.title}"


class Competence(models.Model):
    block = models.ForeignKey(CompetenceBlock, on_delete=models.CASCADE, related_name="competences")
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("intitulé"), max_length=255)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("compétence")
        verbose_name_plural = _("compétences")
        ordering = ["block", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["block", "code"],
                name="competence_code_unique_per_block",
                violation_error_message=_("Ce bloc a déjà une compétence avec ce code."),
            )
        ]

    def __str__(self):
        return f"{self.code} — {self.title}"


class Cohort(models.Model):
    """Promotion: the apprentices of one diploma who entered the same year."""

    diploma = models.ForeignKey(
        Diploma, verbose_name=_("formation"), on_delete=models.CASCADE, related_name="cohorts"
    )
    entry_year = models.ForeignKey(
        AcademicYear, verbose_name=_("année d'entrée"), on_delete=models.PROTECT, related_name="cohorts"
    )
    label = models.CharField(_("nom"), max_length=100)
    start_date = models.DateField(
        _("date d'entrée en formation"),
        null=True,
        blank=True,
        help_text=_("La rentrée de la promotion. Vide : le début de son année d'entrée."),
    )

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["diploma", "-entry_year__start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["diploma", "entry_year"],
                name="cohort_unique_per_diploma_year",
                violation_error_message=_("Cette formation a déjà une promotion pour cette année d'entrée."),
            )
        ]

    def __str__(self):
        return f"{self.diploma.code} — {self.label}"

    def year_of_study(self, academic_year: AcademicYear) -> int:
        return int(academic_year.label[:4]) - int(self.entry_year.label[:4]) + 1

    @property
    def entry_date(self) -> datetime.date:
        """The day its apprentices entered the training: its own date, else its entry year's start."""
        return self.start_date or self.entry_year.start_date


class AlternanceCalendar(models.Model):
    """The ordered school and company periods of one year of study of a diploma."""

    diploma = models.ForeignKey(
        Diploma, verbose_name=_("formation"), on_delete=models.CASCADE, related_name="calendars"
    )
    academic_year = models.ForeignKey(
        AcademicYear, verbose_name=_("année scolaire"), on_delete=models.PROTECT, related_name="calendars"
    )
    year_of_study = models.PositiveSmallIntegerField(_("année de formation"), default=1)

    class Meta:
        verbose_name = _("calendrier d'alternance")
        verbose_name_plural = _("calendriers d'alternance")
        ordering = ["diploma", "-academic_year__start_date", "year_of_study"]
        constraints = [
            models.UniqueConstraint(
                fields=["diploma", "academic_year", "year_of_study"],
                name="calendar_unique",
                violation_error_message=_(
                    "Ce calendrier existe déjà pour cette formation, cette année et ce niveau."
                ),
            ),
            models.CheckConstraint(
                condition=Q(year_of_study__gte=1),
                name="calendar_year_of_study_positive",
                violation_error_message=_("L'année de formation commence à 1."),
            ),
        ]

    def __str__(self):
        ordinal = "1re" if self.year_of_study == 1 else f"{self.year_of_study}e"
        return f"{self.diploma.code} — {self.academic_year} — {ordinal} année"

    def clean(self):
        super().clean()
        if self.diploma_id and self.year_of_study > self.diploma.duration_years:
            raise ValidationError(
                {
                    "year_of_study": ngettext(
                        "La formation ne dure que %(n)s an.",
                        "La formation ne dure que %(n)s ans.",
                        self.diploma.duration_years,
                    )
                    % {"n": self.diploma.duration_years}
                }
            )


class AlternancePeriod(models.Model):
    class Kind(models.TextChoices):
        SCHOOL = "school", _("École")
        COMPANY = "company", _("Entreprise")

    calendar = models.ForeignKey(AlternanceCalendar, on_delete=models.CASCADE, related_name="periods")
    kind = models.CharField(_("lieu"), max_length=10, choices=Kind.choices)
    start_date = models.DateField(_("du"))
    end_date = models.DateField(_("au"))
    label = models.CharField(_("intitulé"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("période d'alternance")
        verbose_name_plural = _("périodes d'alternance")
        ordering = ["calendar", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="period_dates_ordered",
                violation_error_message=_("La fin de la période doit suivre son début."),
            )
        ]
        # The liaison sheets list's default sort starts with the period's start, most recent first:
        # PostgreSQL reads the periods in this order and sorts only the sheets of the latest dates
        # (an incremental sort) instead of joining and sorting every sheet of a network.
        indexes = [models.Index(models.F("start_date").desc(), "id", name="period_start_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} du {self.start_date:%d/%m/%Y} au {self.end_date:%d/%m/%Y}"

    @property
    def weeks(self) -> int:
        return ((self.end_date - self.start_date).days + 3) // 7

    def clean(self):
        super().clean()
        if self.calendar_id and self.start_date and self.end_date:
            overlapping = self.calendar.periods.filter(
                start_date__lte=self.end_date, end_date__gte=self.start_date
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(_("Cette période chevauche une autre période du calendrier."))


class ApprenticeQuerySet(VisibleQuerySet):
    visibility = {
        "organisation": "organisation",
        "apprentice": "user",
        "company_tutor": "contracts__company_tutor__user",
        "school_tutor": "contracts__school_tutor__user",
        "head": "contracts__diploma__heads",
    }


class Apprentice(AuditedModel):
    class Sex(models.TextChoices):
        FEMALE = "F", _("Femme")
        MALE = "M", _("Homme")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="apprentices"
    )
    user = models.OneToOneField(
        User,
        verbose_name=_("compte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="apprentice_profile",
    )
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    birth_date = models.DateField(_("date de naissance"))
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices, blank=True)
    ine = models.CharField(
        _("INE"),
        max_length=11,
        blank=True,
        validators=[validate_ine],
        help_text=_("Identifiant national élève, 11 caractères."),
    )
    email = models.EmailField(_("adresse électronique"))
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postal_code = models.CharField(
        _("code postal"), max_length=5, blank=True, validators=[validate_postal_code]
    )
    city = models.CharField(_("ville"), max_length=100, blank=True)
    cohort = models.ForeignKey(
        Cohort,
        verbose_name=_("promotion"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="apprentices",
    )
    option = models.ForeignKey(
        DiplomaOption,
        verbose_name=_("option"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rqth = models.BooleanField(
        _("RQTH / situation de handicap"),
        default=False,
        help_text=_("Reconnaissance de la qualité de travailleur handicapé ou besoin d'aménagement."),
    )
    disability_referent = models.ForeignKey(
        User,
        verbose_name=_("référent handicap"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The fichier d'effectifs' date_exclusion_formation and cause_exclusion_formation: the apprentice left
    # the CFA's training (excluded, gave up, changed CFA), with or without a contract running.
    training_exit_date = models.DateField(
        _("sortie de la formation le"),
        null=True,
        blank=True,
        help_text=_("Date d'exclusion ou d'abandon de la formation (changement de CFA, exclusion…)."),
    )
    training_exit_reason = models.CharField(_("motif de sortie de la formation"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApprenticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("apprenti")
        verbose_name_plural = _("apprentis")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ine"],
                condition=~Q(ine=""),
                name="apprentice_ine_unique",
                violation_error_message=_("Un apprenti porte déjà cet INE."),
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "last_name", "first_name"], name="apprentice_name_idx")
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    def get_absolute_url(self):
        return reverse("apprentices:apprentice_detail", args=[self.pk])

    def clean(self):
        super().clean()
        self.ine = normalize_ine(self.ine)
        today = timezone.localdate()
        if self.birth_date and self.birth_date >= today:
            raise ValidationError({"birth_date": _("La date de naissance doit être dans le passé.")})
        if self.birth_date and self.age_on(today) < 14:
            raise ValidationError({"birth_date": _("Un apprenti a au moins 14 ans (15 ans en général).")})
        if self.cohort_id and self.option_id and self.option.diploma_id != self.cohort.diploma_id:
            raise ValidationError(
                {"option": _("Cette option n'appartient pas à la formation de la promotion.")}
            )

    def age_on(self, day: datetime.date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    @property
    def is_minor(self) -> bool:
        """Mineur: derived from the birth date, never stored."""
        return self.age < 18


class LegalRepresentative(AuditedModel):
    """Représentant légal of a minor apprentice: informed, may acknowledge documents, no workspace."""

    apprentice = models.ForeignKey(Apprentice, on_delete=models.CASCADE, related_name="legal_representatives")
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    relationship = models.CharField(_("lien"), max_length=60, blank=True, help_text=_("Mère, père, tuteur…"))
    email = models.EmailField(_("adresse électronique"))
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("représentant légal")
        verbose_name_plural = _("représentants légaux")
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


def running_on(day: datetime.date, prefix: str = "") -> Q:
    """The contracts started by ``day``, not past their planned end and not broken off on it, as a filter
    on rows that reach a contract by the lookup ``prefix`` (``"contract__"``; none: contracts)."""
    return Q(**{f"{prefix}start_date__lte": day, f"{prefix}planned_end_date__gte": day}) & ~Q(
        **{f"{prefix}rupture_date__lte": day}
    )


class ContractQuerySet(VisibleQuerySet):
    visibility = {
        "organisation": "diploma__organisation",
        "apprentice": "apprentice__user",
        "company_tutor": "company_tutor__user",
        "school_tutor": "school_tutor__user",
        "head": "diploma__heads",
    }

    def active_on(self, day: datetime.date):
        return self.filter(running_on(day))

    def with_people(self):
        return self.select_related(
            "apprentice", "employer", "company_tutor", "school_tutor__user", "diploma", "option"
        )


class Contract(AuditedModel):
    """Contrat d'apprentissage between an apprentice and an employer, for one diploma."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("En cours")
        COMPLETED = "completed", _("Terminé")
        RUPTURED = "ruptured", _("Rompu")
        ABANDONED = "abandoned", _("Abandon")

    # A contract over, whichever way it ended.
    ENDED_STATUSES = (Status.COMPLETED, Status.RUPTURED, Status.ABANDONED)

    class RuptureCause(models.TextChoices):
        MUTUAL = "mutual", _("Rupture d'un commun accord")
        TRIAL = "trial", _("Rupture pendant la période d'essai")
        APPRENTICE = "apprentice", _("Démission de l'apprenti")
        EMPLOYER = "employer", _("Licenciement par l'employeur")
        EXCLUSION = "exclusion", _("Exclusion de l'apprenti du CFA")
        CLOSURE = "closure", _("Cessation d'activité de l'entreprise")
        OTHER = "other", _("Autre motif")

    class Outcome(models.TextChoices):
        UNKNOWN = "unknown", _("Inconnu")
        OBTAINED = "yes", _("Obtenu")
        FAILED = "no", _("Non obtenu")

    apprentice = models.ForeignKey(
        Apprentice, verbose_name=_("apprenti"), on_delete=models.PROTECT, related_name="contracts"
    )
    employer = models.ForeignKey(
        "employers.Employer", verbose_name=_("employeur"), on_delete=models.PROTECT, related_name="contracts"
    )
    company_tutor = models.ForeignKey(
        "tutors.CompanyTutor",
        verbose_name=_("maître d'apprentissage"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    school_tutor = models.ForeignKey(
        "tutors.SchoolTutor",
        verbose_name=_("tuteur pédagogique"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    diploma = models.ForeignKey(
        Diploma, verbose_name=_("formation"), on_delete=models.PROTECT, related_name="contracts"
    )
    option = models.ForeignKey(
        DiplomaOption,
        verbose_name=_("option"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    start_date = models.DateField(_("date de début"))
    planned_end_date = models.DateField(_("date de fin prévue"))
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    rupture_date = models.DateField(
        _("date de rupture"),
        null=True,
        blank=True,
        help_text=_("Ou date d'abandon pour un contrat abandonné."),
    )
    rupture_cause = models.CharField(
        _("cause de rupture"), max_length=20, choices=RuptureCause.choices, blank=True
    )
    hours_planned = models.PositiveIntegerField(_("heures de formation prévues"), default=0)
    hours_done = models.PositiveIntegerField(_("heures de formation réalisées"), default=0)
    diploma_outcome = models.CharField(
        _("diplôme obtenu"), max_length=8, choices=Outcome.choices, default=Outcome.UNKNOWN
    )
    diploma_outcome_date = models.DateField(_("date d'obtention"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contrat d'apprentissage")
        verbose_name_plural = _("contrats d'apprentissage")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_date__gt=models.F("start_date")),
                name="contract_dates_ordered",
                violation_error_message=_("La date de fin prévue doit suivre la date de début."),
            ),
            models.CheckConstraint(
                condition=(Q(status="ruptured") & Q(rupture_date__isnull=False))
                | Q(status="abandoned")
                | (Q(status__in=["active", "completed"]) & Q(rupture_date__isnull=True)),
                name="contract_rupture_date_iff_ruptured",
                violation_error_message=_(
                    "Un contrat rompu a une date de rupture ; un contrat en cours ou terminé n'en a pas."
                ),
            ),
            models.CheckConstraint(
                condition=Q(rupture_date__isnull=True) | Q(rupture_date__gte=models.F("start_date")),
                name="contract_rupture_after_start",
                violation_error_message=_("La rupture ne peut précéder le début du contrat."),
            ),
            models.CheckConstraint(
                condition=Q(diploma_outcome="unknown", diploma_outcome_date__isnull=True)
                | ~Q(diploma_outcome="unknown"),
                name="contract_outcome_date_needs_outcome",
                violation_error_message=_("Une date d'obtention n'a de sens qu'avec un résultat connu."),
            ),
            models.UniqueConstraint(
                fields=["apprentice", "employer", "start_date"],
                name="contract_unique_start",
                violation_error_message=_(
                    "Ce contrat existe déjà (même apprenti, employeur et date de début)."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "planned_end_date"], name="contract_status_end_idx"),
            # The contracts list's default order (latest start first): its first pages read in order.
            models.Index(models.F("start_date").desc(), models.F("id"), name="contract_start_idx"),
        ]

    def __str__(self):
        name = str(self.apprentice)
        article = "d’" if name[:1].lower() in "aàâeéèêiîoôuûhy" else "de "
        return f"Contrat {article}{name} chez {self.employer}"

    def get_absolute_url(self):
        return reverse("apprentices:contract_detail", args=[self.pk])

    def clean(self):
        super().clean()
        errors = {}
        if self.start_date and self.planned_end_date and self.planned_end_date <= self.start_date:
            errors["planned_end_date"] = _("La date de fin prévue doit suivre la date de début.")
        if self.status == self.Status.RUPTURED:
            if not self.rupture_date:
                errors["rupture_date"] = _("Indiquez la date de rupture du contrat.")
            if not self.rupture_cause:
                errors["rupture_cause"] = _("Indiquez la cause de la rupture.")
        elif self.rupture_date:
            errors["rupture_date"] = _(
                "Seul un contrat rompu a une date de rupture : choisissez le statut « Rompu »."
            )
        if self.rupture_date and self.start_date and self.rupture_date < self.start_date:
            errors["rupture_date"] = _("La rupture ne peut précéder le début du contrat.")
        if self.diploma_outcome_date and self.diploma_outcome == self.Outcome.UNKNOWN:
            errors["diploma_outcome_date"] = _("Indiquez d'abord si le diplôme est obtenu.")
        if self.company_tutor_id and self.employer_id and self.company_tutor.employer_id != self.employer_id:
            errors["company_tutor"] = _("Ce maître d'apprentissage ne travaille pas chez cet employeur.")
        if self.option_id and self.diploma_id and self.option.diploma_id != self.diploma_id:
            errors["option"] = _("Cette option n'appartient pas à cette formation.")
        if self.hours_planned and self.hours_done > self.hours_planned * 2:
            errors["hours_done"] = _(
                "Les heures réalisées dépassent de loin les heures prévues : vérifiez la saisie."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def end_date(self) -> datetime.date:
        """The day the contract actually ends (rupture, or the planned end)."""
        return self.rupture_date or self.planned_end_date

    def is_active_on(self, day: datetime.date) -> bool:
        return self.start_date <= day <= self.end_date and self.status != self.Status.ABANDONED


class StatusSnapshot(models.Model):
    """An apprentice's status of the Tableau de bord (``apprentices.status``) on ``day``, stored so
    that an organisation's dashboard counts 20,000 statuses without computing each from the contracts.

    A snapshot is a copy, never the truth: :func:`apprentices.status.annotate` reads it only for the
    day it was taken, and computes live, in the same query, the status of any apprentice without one.
    It is written by :func:`apprentices.services.snapshot_statuses` (Celery, every few minutes and
    after midnight) and deleted by database triggers (migration 0006) whenever something it was
    computed from changes: a contract of the apprentice inserted or deleted, or its dates, status or
    diploma result changed; the apprentice's promotion or exit date; their promotion's start; an
    academic year's start. Triggers, not ``save()``: ``QuerySet.update()``, ``bulk_create()`` and an
    import write without it."""

    apprentice = models.OneToOneField(
        Apprentice, on_delete=models.CASCADE, primary_key=True, related_name="status_snapshot"
    )
    day = models.DateField()
    # A value of apprentices.status.TrainingStatus (which imports this module).
    status = models.CharField(max_length=12)
    # A contract signed to start after ``day``.
    coming = models.BooleanField()
    delay_start = models.DateField(null=True)
    delay_months = models.PositiveSmallIntegerField(null=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("statut du jour")
        verbose_name_plural = _("statuts du jour")

    def __str__(self) -> str:
        return f"{self.apprentice_id} : {self.status} le {self.day:%d/%m/%Y}"
