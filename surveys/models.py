"""Questionnaires, campaigns, the people invited and their answers (« enquêtes »).

A questionnaire is a list of questions of five types (a scale of 1 to 5, one choice, several choices,
free text, a date). A campaign sends one questionnaire to a population (a diploma's apprentices, a
cohort, the leavers of a year, the company tutors of a year) between two dates. Each person invited
gets a personal link by mail (:class:`Invitation`), answers once, and is reminded until they answer
or the campaign closes.

The invitation (who was asked, whether they answered) and the response (what was answered) are two
rows. In an anonymous campaign nothing joins them: the response keeps no invitation and no date, and
no page or export of the staff names anyone; only the counts are shown.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import AcademicYear
from core.perms import NOTHING, is_platform_admin, visibility_q

TEXT_MAX_LENGTH = 2000
SCALE = range(1, 6)


class Kind(models.TextChoices):
    """What a questionnaire measures: the quality indicators read campaigns by their kind."""

    SATISFACTION_APPRENTICE = "satisfaction_apprentice", _("Satisfaction des apprentis")
    SATISFACTION_EMPLOYER = (
        "satisfaction_employer",
        _("Satisfaction des employeurs et maîtres d'apprentissage"),
    )
    END_APPRENTICE = "end_apprentice", _("Évaluation de fin de formation par l'apprenti")
    END_TUTOR = "end_tutor", _("Évaluation de fin de formation par le maître d'apprentissage")
    INSERTION_6 = "insertion_6", _("Insertion à 6 mois")
    INSERTION_12 = "insertion_12", _("Insertion à 12 mois")
    OTHER = "other", _("Autre enquête")


INSERTION_KINDS = (Kind.INSERTION_6, Kind.INSERTION_12)
INSERTION_MONTHS = {Kind.INSERTION_6: 6, Kind.INSERTION_12: 12}


class Situation(models.TextChoices):
    """The answer to the insertion questionnaire's question ``situation``."""

    EMPLOYED = "employed", _("En emploi")
    STUDIES = "studies", _("En poursuite d'études")
    LOOKING = "looking", _("En recherche d'emploi")
    OTHER = "other", _("Autre situation")


class OrganisationQuerySet(models.QuerySet):
    """Rows of one organisation: its staff and admins see them."""

    def visible_to(self, user):
        return self.filter(visibility_q(user, organisation="organisation"))


class QuestionnaireQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The organisation's questionnaires, and the templates shipped with the platform, for its
        staff and admins."""
        q = visibility_q(user, organisation="organisation")
        if q == NOTHING:
            return self.none()
        if is_platform_admin(user):
            return self.all()
        return self.filter(q | Q(organisation__isnull=True))


class Questionnaire(models.Model):
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Vide pour un modèle fourni avec la plateforme."),
    )
    kind = models.CharField(_("type d'enquête"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("titre"), max_length=200)
    introduction = models.TextField(_("introduction"), max_length=TEXT_MAX_LENGTH, blank=True)
    template_code = models.SlugField(_("code du modèle"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["template_code"],
                condition=Q(organisation__isnull=True) & ~Q(template_code=""),
                name="questionnaire_template_unique",
                violation_error_message=_("Ce modèle de questionnaire existe déjà."),
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_template(self) -> bool:
        return self.organisation_id is None


class Question(models.Model):
    class Type(models.TextChoices):
        SCALE = "scale", _("Échelle de 1 à 5")
        SINGLE = "single", _("Choix unique")
        MULTIPLE = "multiple", _("Choix multiple")
        TEXT = "text", _("Texte libre")
        DATE = "date", _("Date")

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    code = models.SlugField(_("code"), max_length=40, blank=True)
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("aide"), max_length=300, blank=True)
    type = models.CharField(_("type de question"), max_length=10, choices=Type.choices)
    required = models.BooleanField(_("réponse obligatoire"), default=True)
    # [{"code": "employed", "label": "En emploi"}, …] for the choice types.
    options = models.JSONField(_("choix"), default=list, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text

    @property
    def option_labels(self) -> dict[str, str]:
        return {option["code"]: option["label"] for option in self.options}


class Campaign(models.Model):
    class Population(models.TextChoices):
        DIPLOMA = "diploma", _("Les apprentis d'une formation (contrats en cours à l'ouverture)")
        COHORT = "cohort", _("Les apprentis d'une promotion")
        LEAVERS = "leavers", _("Les sortants d'une année (fin de contrat dans l'année)")
        TUTORS = "tutors", _("Les maîtres d'apprentissage d'une année")

    class Status(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        OPEN = "open", _("Ouverte")
        CLOSED = "closed", _("Close")

    organisation = models.ForeignKey("core.Organisation", on_delete=models.CASCADE, related_name="+")
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.PROTECT, related_name="campaigns"
    )
    title = models.CharField(_("titre"), max_length=200)
    population = models.CharField(_("population"), max_length=10, choices=Population.choices)
    diploma = models.ForeignKey(
        "apprentices.Diploma",
        verbose_name=_("formation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Vide : toutes les formations de l'organisation."),
    )
    cohort = models.ForeignKey(
        "apprentices.Cohort",
        verbose_name=_("promotion"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    academic_year = models.ForeignKey(
        AcademicYear, verbose_name=_("année scolaire"), on_delete=models.PROTECT, related_name="+"
    )
    opens_on = models.DateField(_("ouverture"))
    closes_on = models.DateField(_("clôture"))
    anonymous = models.BooleanField(
        _("anonyme"),
        default=False,
        help_text=_("Aucune page ni aucun export ne relie alors une réponse à une personne."),
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    opened_at = models.DateTimeField(_("ouverte le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set on the campaigns the platform opens by itself (insertion at 6 and 12 months): one per key.
    automatic_key = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("campagne d'enquête")
        verbose_name_plural = _("campagnes d'enquête")
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="survey_campaign_dates_ordered",
                violation_error_message=_("La clôture ne peut précéder l'ouverture."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "automatic_key"],
                condition=~Q(automatic_key=""),
                name="survey_campaign_automatic_unique",
                violation_error_message=_("Cette campagne automatique existe déjà."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("surveys:campaign_detail", args=[self.pk])


class InvitationQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(answered_at__isnull=True)


class Invitation(models.Model):
    """One person asked to answer one campaign: their address, their personal link (the nonce), the
    mails sent, and whether they answered — never what."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    apprentice = models.ForeignKey(
        "apprentices.Apprentice", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    company_tutor = models.ForeignKey(
        "tutors.CompanyTutor", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The diploma the answer will count for (the contract's): results and indicators per diploma.
    diploma = models.ForeignKey(
        "apprentices.Diploma", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(_("adresse électronique"))
    name = models.CharField(_("nom"), max_length=200)
    nonce = models.CharField(max_length=32)
    # For the insertion surveys: the end of the contract the months are counted from.
    reference_date = models.DateField(_("fin du contrat"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("relances"), default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation à une enquête")
        verbose_name_plural = _("invitations à une enquête")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "apprentice"],
                condition=Q(apprentice__isnull=False),
                name="survey_invitation_apprentice_once",
                violation_error_message=_("Cette personne est déjà invitée à cette campagne."),
            ),
            models.UniqueConstraint(
                fields=["campaign", "company_tutor"],
                condition=Q(company_tutor__isnull=False),
                name="survey_invitation_tutor_once",
                violation_error_message=_("Cette personne est déjà invitée à cette campagne."),
            ),
        ]

    def __str__(self):
        return f"{self.campaign} — {self.name}"


class Response(models.Model):
    """What one person answered. In an anonymous campaign it keeps neither the invitation nor the day."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    diploma = models.ForeignKey(
        "apprentices.Diploma", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_on = models.DateField(_("répondu le"), null=True, blank=True)
    # Read by the insertion indicators, from the answers to the questions coded "situation" and
    # "months_to_job".
    situation = models.CharField(_("situation"), max_length=10, choices=Situation.choices, blank=True)
    months_to_job = models.PositiveSmallIntegerField(_("mois avant le premier emploi"), null=True, blank=True)

    class Meta:
        verbose_name = _("réponse à une enquête")
        verbose_name_plural = _("réponses à une enquête")
        constraints = [
            models.CheckConstraint(
                condition=Q(months_to_job__isnull=True) | Q(months_to_job__lte=120),
                name="survey_response_months_bounded",
                violation_error_message=_("Le nombre de mois avant le premier emploi est hors limites."),
            )
        ]

    def __str__(self):
        return f"{self.campaign} — {self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    date = models.DateField(null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("réponse à une question")
        verbose_name_plural = _("réponses à une question")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"],
                name="survey_answer_once",
                violation_error_message=_("Cette question a déjà une réponse."),
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=1, number__lte=5),
                name="survey_answer_scale_bounded",
                violation_error_message=_("Une note va de 1 à 5."),
            ),
        ]

    def __str__(self):
        return f"{self.question} — {self.pk}"


class NationalRate(models.Model):
    """The national InserJeunes insertion rates of a diploma for a year, as the staff enter them."""

    diploma = models.ForeignKey("apprentices.Diploma", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(
        AcademicYear, verbose_name=_("année scolaire"), on_delete=models.PROTECT
    )
    insertion_6 = models.DecimalField(
        _("taux d'insertion à 6 mois (InserJeunes)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    insertion_12 = models.DecimalField(
        _("taux d'insertion à 12 mois (InserJeunes)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("taux national InserJeunes")
        verbose_name_plural = _("taux nationaux InserJeunes")
        constraints = [
            models.UniqueConstraint(
                fields=["diploma", "academic_year"],
                name="national_rate_unique",
                violation_error_message=_("Cette formation a déjà ses taux nationaux pour cette année."),
            ),
            models.CheckConstraint(
                condition=(Q(insertion_6__isnull=True) | Q(insertion_6__gte=0, insertion_6__lte=100))
                & (Q(insertion_12__isnull=True) | Q(insertion_12__gte=0, insertion_12__lte=100)),
                name="national_rate_percent",
                violation_error_message=_("Un taux est compris entre 0 et 100 %."),
            ),
        ]

    def __str__(self):
        return f"{self.diploma} — {self.academic_year}"
