"""Tutors: the company's maître d'apprentissage and the school's tuteur pédagogique."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.audit import AuditedModel
from core.models import Organisation, User
from core.perms import VisibleQuerySet


class CompanyTutorQuerySet(VisibleQuerySet):
    visibility = {
        "organisation": "employer__organisation",
        "apprentice": "contracts__apprentice__user",
        "company_tutor": "user",
        "school_tutor": "contracts__school_tutor__user",
        "head": "contracts__diploma__heads",
    }


class CompanyTutor(AuditedModel):
    """Maître d'apprentissage: often acts from emailed links and may never log in."""

    employer = models.ForeignKey(
        "employers.Employer",
        verbose_name=_("employeur"),
        on_delete=models.PROTECT,
        related_name="company_tutors",
    )
    user = models.OneToOneField(
        User,
        verbose_name=_("compte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="company_tutor_profile",
    )
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    email = models.EmailField(_("adresse électronique"))
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    job_title = models.CharField(_("fonction"), max_length=150, blank=True)
    qualification = models.CharField(_("diplôme ou titre"), max_length=150, blank=True)
    years_of_experience = models.PositiveSmallIntegerField(_("années d'expérience"), default=0)
    training_date = models.DateField(
        _("formation de tuteur suivie le"), null=True, blank=True, help_text=_("Vide si pas encore formé.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CompanyTutorQuerySet.as_manager()

    class Meta:
        verbose_name = _("maître d'apprentissage")
        verbose_name_plural = _("maîtres d'apprentissage")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "email"],
                name="company_tutor_email_unique_per_employer",
                violation_error_message=_("Ce maître d'apprentissage existe déjà chez cet employeur."),
            )
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def is_trained(self) -> bool:
        return self.training_date is not None


class SchoolTutorQuerySet(VisibleQuerySet):
    visibility = {
        "organisation": "organisation",
        "apprentice": "contracts__apprentice__user",
        "company_tutor": "contracts__company_tutor__user",
        "school_tutor": "user",
        "head": "contracts__diploma__heads",
    }


class SchoolTutor(AuditedModel):
    """Tuteur pédagogique: an academic staff member who follows apprentices and visits companies."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="school_tutors"
    )
    user = models.OneToOneField(
        User, verbose_name=_("compte"), on_delete=models.PROTECT, related_name="school_tutor_profile"
    )
    job_title = models.CharField(_("fonction"), max_length=150, blank=True)
    department = models.CharField(_("département"), max_length=150, blank=True)

    objects = SchoolTutorQuerySet.as_manager()

    class Meta:
        verbose_name = _("tuteur pédagogique")
        verbose_name_plural = _("tuteurs pédagogiques")
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self):
        return str(self.user)

    @property
    def email(self) -> str:
        return self.user.email
