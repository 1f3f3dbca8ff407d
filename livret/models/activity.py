"""The latest activity in each contract's booklet, stored so that the dashboard's « Livret sans activité »
reads one row per contract instead of every document of the network."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BookletActivity(models.Model):
    """When something was last done in a contract's booklet (``livret.activity``): a copy, never the
    truth. Written by :func:`livret.services.activity.store_booklet_activity` (Celery, every few
    minutes, for the contracts without one) and deleted by database triggers (migration 0012) as soon
    as a document of the contract is written in a column activity is read from, however it is written.
    A contract without one is judged from its documents, in the same query."""

    contract = models.OneToOneField(
        "apprentices.Contract", on_delete=models.CASCADE, primary_key=True, related_name="booklet_activity"
    )
    # The latest moment of activity of its documents (None: none ever).
    last_at = models.DateTimeField(null=True)
    # The latest day one of its visits was held on (None: none).
    last_held_on = models.DateField(null=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("activité du livret")
        verbose_name_plural = _("activités des livrets")

    def __str__(self) -> str:
        return f"{self.contract_id} : {self.last_at}"
