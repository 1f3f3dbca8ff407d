"""Audit trail: who changed what, when.

Models that hold people or contracts inherit :class:`AuditedModel`: each save writes an
:class:`~core.models.AuditEvent` in the same transaction, with the fields that changed, so that
admin edits, services, commands and imports are all traced without each caller remembering to.
The actor comes from :func:`acting_as` (set by the request middleware, tasks and commands).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import decimal
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import copies

_current_actor: contextvars.ContextVar = contextvars.ContextVar("audit_actor", default=None)
_current_via: contextvars.ContextVar = contextvars.ContextVar("audit_via", default="")

# Never copied into an audit event, only named.
SECRET_FIELDS = {"password"}
# Not what anyone changed: dates kept by the models, and the copies the database keeps for sorting.
IGNORED_FIELDS = {"last_login", "updated_at", "created_at", *copies.FIELDS}


@contextlib.contextmanager
def acting_as(actor, via: str = ""):
    token = _current_actor.set(actor)
    via_token = _current_via.set(via)
    try:
        yield
    finally:
        _current_actor.reset(token)
        _current_via.reset(via_token)


def current_actor():
    actor = _current_actor.get()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        return None
    return actor


AUDIT_VERBS = {
    "created": _("Création"),
    "changed": _("Modification"),
    "deleted": _("Suppression"),
    "invited": _("Invitation envoyée"),
    "invitation_accepted": _("Invitation acceptée"),
    "opened": _("Ouverture"),
    "submitted": _("Transmission"),
    "countersigned": _("Contresignature"),
    "returned": _("Renvoi à l'apprenti"),
    "reviewed": _("Lecture du tuteur pédagogique"),
    "corrected": _("Nouvelle version"),
    "validated": _("Validation"),
    "planned": _("Visite planifiée"),
    "moved": _("Visite déplacée"),
    "reminded": _("Relance du responsable de formation"),
    "revoked": _("Révocation"),
    "reported": _("Compte rendu partagé"),
    "cancelled": _("Annulation"),
    "acknowledged": _("Prise de connaissance"),
    "action_closed": _("Action de suivi close"),
    "evaluated": _("Évaluation du maître d'apprentissage"),
    "self_assessed": _("Auto-évaluation de l'apprenti"),
    "saved": _("Enregistrement"),
    "recorded": _("Enregistrement"),
    "exported": _("Export des données personnelles"),
    "erased": _("Anonymisation des données personnelles"),
    # Where the verb alone would mislead, the whole action has its own words.
    "livret.missiondescription.returned": _("Renvoi pour modification"),
    "livret.gridsharing.recorded": _("Partage de la grille noté"),
}


class AuditEvent(models.Model):
    """One change: who did it, what, on which object, with which data. Never edited."""

    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=80)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target_repr = models.CharField(_("objet"), max_length=200)
    data = models.JSONField(_("données"), default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("événement d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "-created_at"], name="audit_target_idx")]

    def __str__(self):
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.action} {self.target_repr}"

    @property
    def actor_label(self) -> str:
        """Who acted: the account, else the person named by an emailed link, else the platform."""
        if self.actor_id:
            return str(self.actor)
        data = self.data or {}
        if data.get("by"):
            if data.get("via") == "link":
                return f"{data['by']} ({_('lien reçu par message électronique')})"
            return data["by"]
        return str(_("Système"))

    @property
    def verb(self) -> str:
        return AUDIT_VERBS.get(self.action) or AUDIT_VERBS.get(self.action.rsplit(".", 1)[-1], self.action)

    def changed_fields(self) -> list[str]:
        """The verbose names of the fields this event changed."""
        # get_for_id reads the content-type cache that content_type_for filled: no query per event.
        model = ContentType.objects.get_for_id(self.target_type_id).model_class()
        names = []
        for attname in (self.data or {}).get("changes", {}):
            field = (
                next((f for f in model._meta.concrete_fields if f.attname == attname), None)
                if model
                else None
            )
            names.append(str(field.verbose_name) if field else attname)
        return names

    @staticmethod
    def content_type_for(model):
        return ContentType.objects.get_for_model(model)

    @classmethod
    def for_object(cls, obj):
        return cls.objects.filter(
            target_type=cls.content_type_for(type(obj)), target_id=obj.pk
        ).select_related("actor")


def _jsonable(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def record(action: str, target, data: dict | None = None, actor=None):
    actor = actor if actor is not None else current_actor()
    via = _current_via.get()
    payload = dict(data or {})
    if via:
        payload.setdefault("via", via)
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        target_type=AuditEvent.content_type_for(type(target)),
        target_id=target.pk,
        target_repr=str(target)[:200],
        data=payload,
    )


class AuditedModel(models.Model):
    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._audit_loaded = dict(zip(field_names, values, strict=True))
        return instance

    def save(self, *args, **kwargs):  # noqa: DJ012 (from_db must precede it to read the loaded state)
        creating = self._state.adding
        changes = self.audit_changes(kwargs.get("update_fields"))
        label = self._meta.label_lower
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            if creating:
                record(f"{label}.created", self, {"fields": changes})
            elif changes:
                record(f"{label}.changed", self, {"changes": changes})
        self._audit_loaded = {
            field.attname: getattr(self, field.attname) for field in self._meta.concrete_fields
        }

    def delete(self, *args, **kwargs):
        label = self._meta.label_lower
        with transaction.atomic(using=kwargs.get("using")):
            record(f"{label}.deleted", self)
            return super().delete(*args, **kwargs)

    def _audit_values(self, names=None):
        values = {}
        for field in self._meta.concrete_fields:
            if field.name in IGNORED_FIELDS or (names is not None and field.attname not in names):
                continue
            values[field.attname] = getattr(self, field.attname)
        return values

    def audit_changes(self, update_fields=None) -> dict:
        loaded = getattr(self, "_audit_loaded", None)
        names = set(update_fields) if update_fields else None
        if names is not None:
            names = {self._meta.get_field(n).attname for n in names}
        current = self._audit_values(names)
        changes = {}
        for attname, new in current.items():
            if loaded is not None and attname not in loaded:
                continue
            old = loaded.get(attname) if loaded is not None else None
            if loaded is not None and old == new:
                continue
            if attname in SECRET_FIELDS:
                changes[attname] = "modifié"
            else:
                changes[attname] = [_jsonable(old), _jsonable(new)] if loaded is not None else _jsonable(new)
        return changes
