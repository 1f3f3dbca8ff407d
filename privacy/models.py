"""The record of each apprentice whose personal data were erased: what makes the erasure idempotent."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Erasure(models.Model):
    """An apprentice anonymised once their contracts ended more than ``RETENTION_YEARS`` ago. It names
    no one: the apprentice row it points to holds a pseudonym from then on."""

    apprentice = models.OneToOneField(
        "apprentices.Apprentice",
        verbose_name=_("apprenti"),
        on_delete=models.PROTECT,
        related_name="erasure",
    )
    erased_at = models.DateTimeField(_("anonymisé le"), default=timezone.now)
    retention_years = models.PositiveSmallIntegerField(_("durée de conservation (années)"))
    last_contract_end = models.DateField(_("fin du dernier contrat"))

    class Meta:
        verbose_name = _("effacement de données personnelles")
        verbose_name_plural = _("effacements de données personnelles")
        ordering = ["-erased_at", "-pk"]

    def __str__(self):
        return _("Apprenti %(pk)s anonymisé le %(day)s") % {
            "pk": self.apprentice_id,
            "day": timezone.localtime(self.erased_at).strftime("%d/%m/%Y"),
        }
