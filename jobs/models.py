"""Job offers for former apprentices, their weekly digest, and the alumni's use of them (« offres
d'emploi », poste 4 of the charter: aide à l'insertion).

The CFA's team and the company tutors of its employers post offers (:class:`JobOffer`) for one or more
diplomas. Every week, each former apprentice of a matching diploma who has not opted out receives the
offers published since their last digest (:class:`Digest`, one per person and week), with a personal
link to the offers page that needs no account (:class:`AlumniLink`). Each visit of that page, from the
link or from the apprentice's account, is kept once a day (:class:`OfferPageVisit`): the alumni network
is measured by who uses it, not by who was sent something.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import AuditedModel
from core.models import Role
from core.perms import visibility_q

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 4000


class ContractType(models.TextChoices):
    CDI = "cdi", _("CDI")
    CDD = "cdd", _("CDD")
    INTERIM = "interim", _("Intérim")
    ALTERNANCE = "alternance", _("Alternance (apprentissage ou professionnalisation)")
    FREELANCE = "freelance", _("Indépendant, portage")
    OTHER = "other", _("Autre")


def tutor_employer_id(user) -> int | None:
    """The employer of a logged-in company tutor (their offers are that employer's), else ``None``."""
    if (
        user is None
        or not user.is_authenticated
        or not user.is_active
        or Role.COMPANY_TUTOR not in user.roles
    ):
        return None
    tutor = getattr(user, "company_tutor_profile", None)
    return tutor.employer_id if tutor is not None else None


class JobOfferQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The organisation's offers for its staff and admins; a company tutor's own employer's offers."""
        q = visibility_q(user, organisation="organisation")
        employer_id = tutor_employer_id(user)
        if employer_id is not None:
            q |= models.Q(employer_id=employer_id)
        return self.filter(q)

    def open_on(self, day):
        """Offers a former apprentice may still answer on ``day``: published, not withdrawn, not closed."""
        return self.filter(withdrawn_at__isnull=True, published_at__date__lte=day, closes_on__gte=day)


class JobOffer(AuditedModel):
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="job_offers",
    )
    employer = models.ForeignKey(
        "employers.Employer", verbose_name=_("employeur"), on_delete=models.PROTECT, related_name="job_offers"
    )
    title = models.CharField(_("intitulé du poste"), max_length=TITLE_MAX_LENGTH)
    place = models.CharField(_("lieu"), max_length=150, help_text=_("Ville ou département, « télétravail »…"))
    contract_type = models.CharField(_("type de contrat"), max_length=20, choices=ContractType.choices)
    diplomas = models.ManyToManyField(
        "apprentices.Diploma",
        verbose_name=_("formations concernées"),
        related_name="job_offers",
        help_text=_("Les anciens apprentis de ces formations la reçoivent."),
    )
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH)
    how_to_apply = models.CharField(
        _("pour postuler"),
        max_length=300,
        help_text=_("Une adresse électronique, un lien vers l'annonce ou un nom à contacter."),
    )
    closes_on = models.DateField(_("date limite de candidature"))
    published_at = models.DateTimeField(_("publiée le"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("retirée le"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publiée par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = JobOfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("offre d'emploi")
        verbose_name_plural = _("offres d'emploi")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "published_at"], name="job_offer_org_published")]

    def __str__(self):
        return f"{self.title} — {self.employer}"

    def get_absolute_url(self):
        return reverse("jobs:offer_detail", args=[self.pk])

    def is_open(self, day=None) -> bool:
        day = day or timezone.localdate()
        return self.withdrawn_at is None and self.closes_on >= day

    @property
    def status_label(self) -> str:
        if self.withdrawn_at is not None:
            return _("Retirée")
        if self.closes_on < timezone.localdate():
            return _("Close")
        return _("Publiée")


class AlumniLink(models.Model):
    """A former apprentice's place in the network: the nonce of their personal link (a new one makes
    every link mailed before unusable) and whether they asked to receive no more digests."""

    apprentice = models.OneToOneField(
        "apprentices.Apprentice",
        verbose_name=_("apprenti"),
        on_delete=models.CASCADE,
        related_name="alumni_link",
    )
    nonce = models.CharField(max_length=32)
    unsubscribed_at = models.DateTimeField(_("désabonné le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lien d'ancien apprenti")
        verbose_name_plural = _("liens d'anciens apprentis")

    def __str__(self):
        return str(self.apprentice)


class Digest(models.Model):
    """The offers mailed to one former apprentice in one week (``week``: its Monday). One per person and
    week, so that the weekly job may run twice."""

    apprentice = models.ForeignKey(
        "apprentices.Apprentice",
        verbose_name=_("apprenti"),
        on_delete=models.CASCADE,
        related_name="job_digests",
    )
    week = models.DateField(_("semaine du"))
    offers = models.ManyToManyField(JobOffer, verbose_name=_("offres"), related_name="digests")
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("envoi hebdomadaire d'offres")
        verbose_name_plural = _("envois hebdomadaires d'offres")
        constraints = [models.UniqueConstraint(fields=["apprentice", "week"], name="job_digest_once_a_week")]
        indexes = [models.Index(fields=["week"], name="job_digest_week")]

    def __str__(self):
        return f"{self.apprentice} — {self.week:%d/%m/%Y}"


class OfferPageVisit(models.Model):
    """A former apprentice opened the offers page on ``day`` (once a day is kept)."""

    class Via(models.TextChoices):
        LINK = "link", _("lien personnel")
        ACCOUNT = "account", _("compte")

    apprentice = models.ForeignKey(
        "apprentices.Apprentice",
        verbose_name=_("apprenti"),
        on_delete=models.CASCADE,
        related_name="offer_visits",
    )
    day = models.DateField(_("jour"))
    via = models.CharField(_("par"), max_length=10, choices=Via.choices)

    class Meta:
        verbose_name = _("consultation des offres")
        verbose_name_plural = _("consultations des offres")
        constraints = [models.UniqueConstraint(fields=["apprentice", "day"], name="offer_visit_once_a_day")]

    def __str__(self):
        return f"{self.apprentice} — {self.day:%d/%m/%Y}"
