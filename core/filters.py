"""What every filtered list shares: a FilterSet that knows the person it filters for, a free-text
search, a sort that always ends on the primary key, and date inputs a phone understands.

A list's choices (diplomas, employers, tutors…) are scoped in ``scope(user)`` with the models'
``visible_to``, so a filter never offers, nor accepts, another organisation's names: an id from
elsewhere is an invalid choice, and an invalid filter shows no rows (see ``core.csvexport.filtered``).
"""

from __future__ import annotations

import html
from collections.abc import Callable

import django_filters
from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField

SEARCH_MAX_LENGTH = 100


class DateInput(forms.DateInput):
    """The browser's date picker: it sends ISO dates, whatever the language of the page."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _attributes(attrs: dict) -> str:
    """HTML attributes in the order given, as Django's ``attrs.html`` writes them: ``True`` as a
    bare name, ``False`` and ``None`` left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", key) if value is True else format_html(' {}="{}"', key, value),)
            for key, value in attrs.items()
            if value is not False and value is not None
        ),
    )


def _escape(text) -> str:
    """What ``conditional_escape`` gives, without its wrappers: 6,000 options of a network's employers
    are escaped in a few milliseconds. Text already safe (``__html__``) is kept as it is."""
    if hasattr(text, "__html__"):
        return text.__html__()
    return html.escape(str(text))


class FastSelect(forms.Select):
    """A ``<select>`` rendered in one pass, without a template per option: a list offering the
    hundreds of employers or tutors of a network renders them in milliseconds instead of the
    ~70 µs per option of Django's template widget. The HTML is the same as ``forms.Select``'s."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        selected = set(self.format_value(value))
        multiple = self.allow_multiple_selected
        parts = [format_html('<select name="{}"{}>', name, _attributes(final_attrs))]

        def option(value, label) -> str:
            value = "" if value is None else str(value)
            if value in selected:
                if not multiple:  # as Django: only the first match is selected
                    selected.clear()
                return f'<option value="{_escape(value)}" selected>{_escape(label)}</option>'
            return f'<option value="{_escape(value)}">{_escape(label)}</option>'

        for option_value, option_label in self.choices:
            if isinstance(option_label, (list, tuple)):
                parts.append(format_html('<optgroup label="{}">', option_value))
                parts.extend(option(value, label) for value, label in option_label)
                parts.append("</optgroup>")
            else:
                parts.append(option(option_value, option_label))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped (format_html, _escape)


class _NamesIterator(ModelChoiceIterator):
    """The options of a :class:`NamesChoiceFilter`: the primary key and a label built from a few
    columns read with ``values_list``, never a model instance per option."""

    def __iter__(self):
        field = self.field
        if field.empty_label is not None:
            yield ("", field.empty_label)
        if getattr(field, "null_label", None) is not None:
            yield (field.null_value, field.null_label)
        rows = self.queryset.values_list("pk", *field.names)
        for pk, *values in rows.iterator() if not rows._prefetch_related_lookups else rows:
            yield (pk, field.option_label(*values))

    def __len__(self):
        extra = (self.field.empty_label is not None) + (getattr(self.field, "null_label", None) is not None)
        return self.queryset.count() + extra


class _NamesChoiceField(ModelChoiceField):
    iterator = _NamesIterator

    def __init__(self, *args, names: tuple[str, ...], option_label: Callable[..., str], **kwargs):
        self.names = names
        self.option_label = option_label
        super().__init__(*args, **kwargs)


class NamesChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice among many rows of a model (a network's employers, its tutors), whose options are
    labelled from ``names`` (columns or lookups) by ``option_label(*values)``. Validation is
    unchanged: the chosen row must be in the scoped queryset."""

    field_class = _NamesChoiceField

    def __init__(
        self, *args, names: tuple[str, ...], option_label: Callable[..., str] | None = None, **kwargs
    ):
        kwargs["names"] = names
        kwargs["option_label"] = option_label or (lambda *values: " ".join(str(v) for v in values if v))
        super().__init__(*args, **kwargs)


def date_filter(field_name: str, lookup_expr: str, label) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        field_name=field_name, lookup_expr=lookup_expr, label=label, widget=DateInput()
    )


def yes_no_filter(label, method: str) -> django_filters.ChoiceFilter:
    """A two-way choice (``oui`` / ``non``) handled by the FilterSet's ``method``."""
    return django_filters.ChoiceFilter(
        label=label,
        method=method,
        choices=[("yes", _("Oui")), ("no", _("Non"))],
        empty_label=_("Indifférent"),
    )


class SortFilter(django_filters.OrderingFilter):
    """Trier par: each option names one or more model fields (``-`` for descending) and has its own
    French label. The primary key always comes last, so that pages never repeat or skip a row."""

    def __init__(self, *, options: list[tuple[str, object, tuple]], **kwargs):
        # options: (parameter value, label, model fields or ordering expressions); the first is the
        # default order.
        self.orderings = {value: fields for value, _label, fields in options}
        self.default = options[0][0]
        kwargs.setdefault("label", _("Trier par"))
        super().__init__(
            choices=[(value, label) for value, label, _fields in options], empty_label=None, **kwargs
        )

    def filter(self, qs, value):
        params = [param for param in (value or []) if param] or [self.default]
        ordering = [field for param in params for field in self.orderings[param]]
        return qs.order_by(*ordering, "pk")


class ListFilterSet(django_filters.FilterSet):
    """A list page's filters for ``user``. Subclasses name ``search_fields`` for ``q`` and scope
    their choices in ``scope(user)``."""

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="search",
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def __init__(self, data=None, queryset=None, *, user, prefix=None):
        super().__init__(data, queryset, prefix=prefix)
        for flt in self.filters.values():
            if isinstance(flt, (django_filters.ChoiceFilter, django_filters.ModelChoiceFilter)):
                flt.extra.setdefault("widget", FastSelect)
        self.user = user
        self.scope(user)

    def scope(self, user) -> None:
        """Set the querysets of the choice filters to what ``user`` may see."""

    def search(self, queryset, name, value):
        term = value.strip()
        if not term:
            return queryset
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": term})
        return queryset.filter(query)

    @property
    def active_count(self) -> int:
        """How many filters (besides the search and the sort) the request sets."""
        if not self.is_bound:
            return 0
        return sum(
            1
            for name, flt in self.filters.items()
            if name != "q" and not isinstance(flt, SortFilter) and self.data.get(name)
        )

    @property
    def has_errors(self) -> bool:
        return self.is_bound and bool(self.form.errors)
