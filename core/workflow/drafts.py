"""Versioned documents and their drafts.

A signed document never changes: a correction opens a new version (``version`` + 1, ``previous`` points
to the signed one, which stays readable; only one version ``is_current``). While a document is a draft,
its writers' text is saved as they type; every save bumps ``revision``, and a save based on an older
revision (another tab, another phone, the other writer) is refused with the current text
(:class:`StaleDraft`) rather than overwriting it silently; the very text already saved, sent again from
an older revision (a replay), changes nothing and is no conflict.

The liaison sheet and the mission description are versioned documents; a model subclasses
:class:`VersionedDocument`, names its ``DRAFT_FIELDS`` and adds :func:`version_constraints` to its
``Meta``. Its services call :func:`check_lengths` and :func:`save_draft`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass
class StaleDraft(Exception):
    """The draft was saved elsewhere since this copy was loaded (another tab, another phone)."""

    current: dict
    revision: int


class VersionedDocument(models.Model):
    """A document whose signed versions are immutable, with a draft saved as people type."""

    DRAFT_FIELDS: tuple[str, ...] = ()  # what the writers type, saved by the draft's autosave
    MAX_TEXT = 5000

    version = models.PositiveSmallIntegerField(gettext_lazy("version"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=gettext_lazy("version corrigée"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="correction",
    )
    is_current = models.BooleanField(gettext_lazy("version en vigueur"), default=True)
    # Bumped by every save of the draft: a save from a stale tab is detected, not lost.
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def draft_content(self) -> dict:
        return {name: getattr(self, name) for name in self.DRAFT_FIELDS}


def version_constraints(
    *, scope: tuple[str, ...], names: tuple[str, str], messages: tuple[str, str]
) -> list[models.UniqueConstraint]:
    """Each version of a document exists once in its ``scope`` (a contract's period, a contract's year),
    and one version only is current there."""
    return [
        models.UniqueConstraint(
            fields=[*scope, "version"], name=names[0], violation_error_message=messages[0]
        ),
        models.UniqueConstraint(
            fields=list(scope),
            condition=Q(is_current=True),
            name=names[1],
            violation_error_message=messages[1],
        ),
    ]


def check_lengths(values: dict, limit: int, **limits: int) -> None:
    """Refuse, per field and in French, a text longer than ``limit`` (or its own limit in ``limits``)."""
    errors = {
        name: _("Ce texte dépasse %(max)s caractères.") % {"max": limits.get(name, limit)}
        for name, value in values.items()
        if len(value or "") > limits.get(name, limit)
    }
    if errors:
        raise ValidationError(errors)


def save_draft(document: VersionedDocument, values: dict, revision: int, **also) -> list[str]:
    """Write ``values`` on the row-locked ``document`` if ``revision`` is the one it holds, bumping it;
    set ``also`` (who edited, …) with them. A stale revision raises :class:`StaleDraft` with the current
    text. Returns the names of the fields that changed (none: nothing is written)."""
    before = document.draft_content()
    if revision != document.revision:
        if {name: values[name] for name in document.DRAFT_FIELDS} == before:
            # The same text sent again (a copy kept offline and sent once the network came back,
            # whose answer was lost; another tab): it is already saved, there is nothing to refuse.
            return []
        raise StaleDraft(current=before, revision=document.revision)
    changed = [name for name in document.DRAFT_FIELDS if values[name] != before[name]]
    if not changed:
        return []
    for name in document.DRAFT_FIELDS:
        setattr(document, name, values[name])
    for name, value in also.items():
        setattr(document, name, value)
    document.revision += 1
    document.save(update_fields=[*document.DRAFT_FIELDS, "revision", *also, "updated_at"])
    return changed
