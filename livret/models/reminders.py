"""The reminders of the booklet: a notice due to someone about a document waiting for them."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import DocumentQuerySet


class Reminder(models.Model):
    """A notice due to someone about a document waiting for them, recorded once: ``NEW`` when it starts
    waiting, then a reminder level per threshold reached, then ``ESCALATION`` for the people told.

    The escalation task records them (day 3, day 10, then the school tutor; for a mission, the head at
    day 3 and day 6, staff past day 7); the daily digest mails the unsent ones, one mail per person.
    ``waiting_since`` is when the document entered the state it waits in, so a document sent back and
    submitted again starts a new series.
    """

    NEW = 0
    ESCALATION = 9

    document_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    document_id = models.PositiveBigIntegerField()
    rule = models.CharField(_("attente"), max_length=40)
    waiting_since = models.DateTimeField()
    level = models.PositiveSmallIntegerField(_("niveau de relance"))
    recipient_email = models.EmailField(_("destinataire"))
    recipient_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("relance")
        verbose_name_plural = _("relances")
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "document_id", "rule", "waiting_since", "level", "recipient_email"],
                name="reminder_once_per_level",
                violation_error_message=_("Cette relance a déjà été enregistrée."),
            )
        ]
        indexes = [models.Index(fields=["recipient_email", "sent_at"], name="reminder_unsent_idx")]

    def __str__(self):
        return f"Relance {self.level} — {self.recipient_email}"
