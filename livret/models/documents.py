"""What every booklet document shares: simple electronic signatures and emailed action links."""

from __future__ import annotations

import hashlib
import json

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import User


class DocumentQuerySet(models.QuerySet):
    """Rows attached to a document through (document_type, document_id): signatures, links."""

    def for_document(self, document):
        return self.filter(
            document_type=ContentType.objects.get_for_model(type(document)), document_id=document.pk
        )


def content_digest(content: dict) -> tuple[str, str]:
    """Canonical JSON of ``content`` and its SHA-256: the same content always gives the same hash."""
    canonical = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder
    )
    return canonical, hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Signature(models.Model):
    """Simple electronic signature: who, when, how, and the SHA-256 of exactly what was signed."""

    class Via(models.TextChoices):
        SESSION = "session", _("session connectée")
        LINK = "link", _("lien reçu par e-mail")

    class Act(models.TextChoices):
        SUBMIT = "submit", _("Transmission")
        COUNTERSIGN = "countersign", _("Contresignature du maître d'apprentissage")
        ACKNOWLEDGE = "acknowledge", _("Prise de connaissance")
        REPORT = "report", _("Compte rendu du tuteur pédagogique")
        VALIDATE = "validate", _("Validation du responsable de formation")
        EVALUATE = "evaluate", _("Évaluation du maître d'apprentissage")
        SELF_ASSESS = "self_assess", _("Auto-évaluation de l'apprenti")

    document_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    document_id = models.PositiveBigIntegerField()
    act = models.CharField(_("acte"), max_length=15, choices=Act.choices)
    signer = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    signer_name = models.CharField(_("signataire"), max_length=200)
    signer_email = models.EmailField(_("e-mail du signataire"))
    via = models.CharField(_("moyen"), max_length=10, choices=Via.choices)
    signed_at = models.DateTimeField(_("signé le"), default=timezone.now)
    content = models.TextField(_("contenu signé"))
    content_sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_at", "pk"]
        constraints = [
            # Each person signs each act once; a submission may be signed again after a return, and
            # every submission stays on record.
            models.UniqueConstraint(
                fields=["document_type", "document_id", "act", "signer_email"],
                condition=~Q(act="submit"),
                name="signature_one_act_per_signer",
                violation_error_message=_("Ce document porte déjà cette signature."),
            )
        ]
        indexes = [models.Index(fields=["document_type", "document_id"], name="signature_document_idx")]

    def __str__(self):
        return f"{self.get_act_display()} — {self.signer_name} — {self.signed_at:%d/%m/%Y %H:%M}"


class ActionLink(models.Model):
    """An emailed link that lets one person do one action on one document, once, before it expires.

    The token in the URL is signed (``django.core.signing``) and carries this row's id and nonce;
    the row says for whom, on what, until when, and whether it was used. It never logs anyone in.
    """

    class Action(models.TextChoices):
        COUNTERSIGN = "countersign", _("contresigner")
        ACKNOWLEDGE = "acknowledge", _("prendre connaissance")
        EVALUATE = "evaluate", _("évaluer")

    document_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    document_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=15, choices=Action.choices)
    recipient_email = models.EmailField()
    recipient_name = models.CharField(max_length=200)
    nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("lien d'action")
        verbose_name_plural = _("liens d'action")
        indexes = [models.Index(fields=["document_type", "document_id"], name="actionlink_document_idx")]

    def __str__(self):
        return f"{self.get_action_display()} — {self.recipient_email}"

    def is_for(self, document) -> bool:
        return (
            self.document_id == document.pk
            and self.document_type_id == ContentType.objects.get_for_model(type(document)).pk
        )


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
