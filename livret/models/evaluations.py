"""Grille d'évaluation: the diploma's competences rated per company period by the company tutor, and
self-assessed by the apprentice."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.perms import VisibleQuerySet
from livret.models.visits import CONTRACT_VISIBILITY


class GridSharingQuerySet(VisibleQuerySet):
    visibility = CONTRACT_VISIBILITY


class GridSharing(models.Model):
    """When the evaluation grid was presented to the apprentice and the company tutor (charter socle:
    "grille d'évaluation partagée au démarrage de la formation")."""

    # The charter's "au démarrage": within the contract's first month.
    DUE_DAYS = 30

    class Means(models.TextChoices):
        MEETING = "meeting", _("Lors d'un entretien")
        EMAIL = "email", _("Envoyée par message électronique")
        PLATFORM = "platform", _("Consultée sur la plateforme")

    contract = models.OneToOneField(
        "apprentices.Contract",
        verbose_name=_("contrat"),
        on_delete=models.PROTECT,
        related_name="grid_sharing",
    )
    shared_on = models.DateField(_("partagée le"))
    means = models.CharField(_("moyen"), max_length=10, choices=Means.choices, default=Means.MEETING)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = GridSharingQuerySet.as_manager()

    class Meta:
        verbose_name = _("partage de la grille d'évaluation")
        verbose_name_plural = _("partages de la grille d'évaluation")

    def __str__(self):
        return _("Grille partagée le %(day)s") % {"day": self.shared_on.strftime("%d/%m/%Y")}


class EvaluationQuerySet(VisibleQuerySet):
    visibility = CONTRACT_VISIBILITY


class Evaluation(models.Model):
    """The grid of one contract for one company period: the tutor's ratings and the self-assessment.

    Each side fills its ratings, then submits them (signed); a submitted side no longer changes.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("À compléter")
        TUTOR_DONE = "tutor_done", _("Évaluée par le maître d'apprentissage")
        SELF_DONE = "self_done", _("Auto-évaluée par l'apprenti")
        COMPLETE = "complete", _("Complète")

    contract = models.ForeignKey(
        "apprentices.Contract",
        verbose_name=_("contrat"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    period = models.ForeignKey(
        "apprentices.AlternancePeriod",
        verbose_name=_("période en entreprise"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.OPEN)
    tutor_comment = models.TextField(_("commentaire du maître d'apprentissage"), blank=True)
    apprentice_comment = models.TextField(_("commentaire de l'apprenti"), blank=True)
    tutor_submitted_at = models.DateTimeField(null=True, blank=True)
    apprentice_submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("évaluation des compétences")
        verbose_name_plural = _("évaluations des compétences")
        ordering = ["-period__start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period"],
                name="evaluation_one_per_period",
                violation_error_message=_("Cette période a déjà sa grille d'évaluation."),
            )
        ]

    def __str__(self):
        return _("Évaluation du %(start)s au %(end)s") % {
            "start": self.period.start_date.strftime("%d/%m/%Y"),
            "end": self.period.end_date.strftime("%d/%m/%Y"),
        }

    def get_absolute_url(self):
        return reverse("livret:evaluation_detail", args=[self.pk])


class Rating(models.Model):
    """One competence rated by one side (tutor or apprentice) in one evaluation."""

    class Level(models.IntegerChoices):
        NOT_ACQUIRED = 1, _("Non acquis")
        IN_PROGRESS = 2, _("En cours d'acquisition")
        ACQUIRED = 3, _("Acquis")
        MASTERED = 4, _("Maîtrisé")

    class Rater(models.TextChoices):
        TUTOR = "tutor", _("Maître d'apprentissage")
        APPRENTICE = "apprentice", _("Apprenti")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="ratings")
    competence = models.ForeignKey("apprentices.Competence", on_delete=models.PROTECT, related_name="+")
    rater = models.CharField(max_length=10, choices=Rater.choices)
    level = models.PositiveSmallIntegerField(_("niveau"), choices=Level.choices)

    class Meta:
        verbose_name = _("niveau de compétence")
        verbose_name_plural = _("niveaux de compétence")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "competence", "rater"],
                name="rating_one_per_competence_and_rater",
                violation_error_message=_("Cette compétence est déjà évaluée."),
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=4),
                name="rating_level_in_scale",
                violation_error_message=_("Le niveau va de 1 (non acquis) à 4 (maîtrisé)."),
            ),
        ]

    def __str__(self):
        return f"{self.competence_id} — {self.get_level_display()}"
