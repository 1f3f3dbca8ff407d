"""Employers (entreprises d'accueil)."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.audit import AuditedModel
from core.models import Organisation
from core.perms import VisibleQuerySet
from core.validators import normalize_siret, validate_postal_code, validate_siret


class EmployerQuerySet(VisibleQuerySet):
    visibility = {
        "organisation": "organisation",
        "apprentice": "contracts__apprentice__user",
        "company_tutor": "company_tutors__user",
        "school_tutor": "contracts__school_tutor__user",
        "head": "contracts__diploma__heads",
    }


class Employer(AuditedModel):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="employers"
    )
    legal_name = models.CharField(_("raison sociale"), max_length=255)
    siret = models.CharField(
        _("SIRET"), max_length=14, validators=[validate_siret], help_text=_("14 chiffres, sans espace.")
    )
    naf_code = models.CharField(_("code NAF"), max_length=6, blank=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postal_code = models.CharField(
        _("code postal"), max_length=5, blank=True, validators=[validate_postal_code]
    )
    city = models.CharField(_("ville"), max_length=100, blank=True)
    hr_contact_name = models.CharField(_("contact RH"), max_length=150, blank=True)
    hr_contact_email = models.EmailField(_("adresse électronique du contact RH"), blank=True)
    hr_contact_phone = models.CharField(_("téléphone du contact RH"), max_length=30, blank=True)
    to_complete = models.BooleanField(
        _("à compléter"),
        default=False,
        help_text=_(
            "Créé par l'import du fichier d'effectifs à partir de son seul SIRET : raison sociale, adresse "
            "et maître d'apprentissage restent à saisir."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EmployerQuerySet.as_manager()

    class Meta:
        verbose_name = _("employeur")
        verbose_name_plural = _("employeurs")
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "siret"],
                name="employer_siret_unique_per_organisation",
                violation_error_message=_("Un employeur avec ce SIRET existe déjà."),
            )
        ]

    def __str__(self):
        return self.legal_name

    def get_absolute_url(self):
        return reverse("employers:employer_detail", args=[self.pk])

    def clean(self):
        super().clean()
        self.siret = normalize_siret(self.siret)

    @property
    def siret_display(self) -> str:
        s = self.siret
        return f"{s[:3]} {s[3:6]} {s[6:9]} {s[9:]}" if len(s) == 14 else s
