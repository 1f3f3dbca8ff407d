"""The errors of a form, and of the rows of a formset, as the error summary at the top of a form lists
them (the French public-service pattern): each one with the name of what it is about, the anchor of
the field that leads there, and the message. The summary is templates/components/form_errors.html.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.forms import BaseForm, BaseFormSet, BoundField


@dataclass(frozen=True)
class ErrorItem:
    label: str  # the field's label ("Action 2 — Responsable" in a row); "" for the form as a whole
    anchor: str  # the id of the control to go to; "" when no field holds the error
    message: str


def field_anchor(field: BoundField) -> str:
    """The id of the control a link to ``field`` leads to: its own, or its first choice's for a group of
    radio buttons or boxes (whose label points to no single control)."""
    if field.is_hidden or not field.auto_id:
        return ""
    return field.id_for_label or f"{field.auto_id}_0"


def form_items(form: BaseForm, row: str = "") -> list[ErrorItem]:
    """The errors of ``form`` in the order of its fields, those of the whole form first; ``row`` names the
    formset row the form is ("Action 2")."""
    if not form.is_bound or not form.errors:
        return []
    fields = list(form)
    first = next((field_anchor(f) for f in fields if field_anchor(f)), "")
    items = [ErrorItem(row, first if row else "", str(message)) for message in form.non_field_errors()]
    for field in fields:
        # A hidden field (a draft's revision) has no label a person would know: its message says it all.
        label = "" if field.is_hidden else str(field.label)
        label = f"{row} — {label}" if row and label else row or label
        items.extend(ErrorItem(label, field_anchor(field), str(message)) for message in field.errors)
    return items


def formset_items(formset: BaseFormSet, row_label: str) -> list[ErrorItem]:
    """The errors of ``formset``: its own, then each row's, rows numbered from 1 as the page shows them."""
    if not formset.is_bound:
        return []
    first = next((field_anchor(f) for form in formset.forms for f in form if field_anchor(f)), "")
    items = [ErrorItem("", first, str(message)) for message in formset.non_form_errors()]
    for number, form in enumerate(formset.forms, start=1):
        items.extend(form_items(form, row=f"{row_label} {number}"))
    return items


def error_items(
    forms: Iterable[BaseForm | BaseFormSet | None],
    *,
    row_label: str = "",
    extra: Iterable[str] = (),
    extra_anchor: str = "",
) -> list[ErrorItem]:
    """Every error of ``forms`` (forms or formsets, ``None`` skipped), then the ``extra`` messages a service
    gave for no one field, which lead to ``extra_anchor``."""
    items: list[ErrorItem] = []
    for form in forms:
        if isinstance(form, BaseFormSet):
            items.extend(formset_items(form, row_label))
        elif isinstance(form, BaseForm):
            items.extend(form_items(form))
    items.extend(ErrorItem("", extra_anchor, str(message)) for message in extra)
    return items
