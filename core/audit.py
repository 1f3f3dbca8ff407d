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

from django.db import models, transaction

_current_actor: contextvars.ContextVar = contextvars.ContextVar("audit_actor", default=None)
_current_via: contextvars.ContextVar = contextvars.ContextVar("audit_via", default="")

# Never copied into an audit event, only named.
SECRET_FIELDS = {"password"}
IGNORED_FIELDS = {"last_login", "updated_at", "created_at"}


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


def _jsonable(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def record(action: str, target, data: dict | None = None, actor=None):
    from core.models import AuditEvent

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
