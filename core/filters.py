"""What every filtered list shares: a FilterSet that knows the person it filters for, a free-text
search, a sort that always ends on the primary key, and date inputs a phone understands.

A list's choices (diplomas, employers, tutors…) are scoped in ``scope(user)`` with the models'
``visible_to``, so a filter never offers, nor accepts, another organisation's names: an id from
elsewhere is an invalid choice, and an invalid filter shows no rows (see ``core.csvexport.filtered``).
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
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


# Beyond this many choices a filter is a search field with suggestions rather than a <select>: a
# network's 8,000 employers are neither read nor rendered at each page, nor scrolled on a phone.
SEARCHABLE_ABOVE = 150
SUGGESTIONS = 20


@dataclasses.dataclass(frozen=True)
class Names:
    """A kind of rows that a filter chooses among by name (a network's employers, its tutors), and
    that a typed text finds. ``visible(user)`` is what ``user`` may choose from, in the options'
    order; ``columns`` are read for a row's label, ``option_label(*values)``, and ``search`` are the
    columns every word of a typed text is looked for in. ``exact(queryset, text)`` keeps the rows
    whose label is ``text`` (whatever its case): a suggestion chosen is that row, not every row
    whose name contains it."""

    key: str
    visible: Callable
    columns: tuple[str, ...]
    search: tuple[str, ...]
    exact: Callable
    option_label: Callable[..., str] = dataclasses.field(
        default=lambda *values: " ".join(str(v) for v in values if v)
    )
    # The message of a text that finds nothing: « Aucun employeur ne correspond à « … ». »
    not_found: object = _("Aucun choix ne correspond à « %(text)s ».")

    def __post_init__(self):
        NAMES[self.key] = self

    def matching(self, queryset, text: str):
        """The rows of ``queryset`` that have every word of ``text`` in one of the ``search`` columns."""
        for word in text.split():
            query = Q()
            for column in self.search:
                query |= Q(**{f"{column}__icontains": word})
            queryset = queryset.filter(query)
        return queryset

    def labels(self, queryset, limit: int) -> list[tuple[object, str]]:
        rows = queryset.values_list("pk", *self.columns)[:limit]
        return [(pk, self.option_label(*values)) for pk, *values in rows]


def typed_text(value) -> str:
    """What a person typed in a name field or the suggestions' ``q``: its words, single-spaced, at most
    ``SEARCH_MAX_LENGTH`` characters."""
    value = value[0] if isinstance(value, (list, tuple)) else value
    return "" if value is None else " ".join(str(value).split())[:SEARCH_MAX_LENGTH]


# Every kind of names, by key: the suggestions' view (core.views.name_suggestions) finds its own there.
NAMES: dict[str, Names] = {}


class _NamesIterator(ModelChoiceIterator):
    """The options of a :class:`NamesChoiceFilter`: the primary key and a label built from a few
    columns read with ``values_list``, never a model instance per option."""

    def __iter__(self):
        field = self.field
        if field.empty_label is not None:
            yield ("", field.empty_label)
        if getattr(field, "null_label", None) is not None:
            yield (field.null_value, field.null_label)
        names = field.names
        rows = self.queryset.values_list("pk", *names.columns)
        for pk, *values in rows.iterator() if not rows._prefetch_related_lookups else rows:
            yield (pk, names.option_label(*values))

    def __len__(self):
        extra = (self.field.empty_label is not None) + (getattr(self.field, "null_label", None) is not None)
        return self.queryset.count() + extra


@dataclasses.dataclass(frozen=True)
class NameMatches:
    """The rows that a typed text found (a filter's value): ``rows`` a queryset of their keys, that
    the filter reads as a subquery (``__in``), however many; ``text`` what was typed."""

    rows: object
    text: str

    def __str__(self):
        return self.text


class NamesChoiceField(ModelChoiceField):
    """A row chosen by its primary key (a <select>'s option, a link) or found by a typed text: the
    rows whose label is the text if there are any, else those having each of its words in a name.
    Either way only among the scoped queryset: another organisation's key is an invalid choice, as
    in a <select>, and a text that finds nothing is an error."""

    iterator = _NamesIterator

    def __init__(self, *args, names: Names, **kwargs):
        self.names = names
        kwargs.setdefault("widget", SearchableSelect)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = typed_text(value)
        ProhibitNullCharactersValidator()(text)  # PostgreSQL's text cannot hold them
        if text.isdecimal():  # a key: the row's, if the person may see it (never read as a name)
            return super().to_python(text)
        if not text:
            return None
        queryset = self.queryset.order_by()
        rows = self.names.exact(queryset, text)
        if not rows.exists():
            rows = self.names.matching(queryset, text)
            if not rows.exists():
                raise ValidationError(self.names.not_found, code="not_found", params={"text": text})
        return NameMatches(rows.values("pk"), text)


class SearchableSelect(FastSelect):
    """The widget of a :class:`NamesChoiceFilter`: a <select> while the person may choose among a
    few rows (``SEARCHABLE_ABOVE``), read in one query with a limit; beyond, a search field whose
    suggestions (a <datalist>) the script fills as one types, from ``core.views.name_suggestions``.
    Without the script a typed text works the same: the list is filtered by the rows it finds."""

    def render(self, name, value, attrs=None, renderer=None):
        iterator = self.choices
        field = iterator.field
        rows = field.names.labels(field.queryset, SEARCHABLE_ABOVE + 1)
        if len(rows) <= SEARCHABLE_ABOVE:
            head = [("", field.empty_label)] if field.empty_label is not None else []
            typed = self._typed(value)
            if typed:  # a text from a link or a larger list's field: shown, and kept on the next submit
                head.append((typed, f"« {typed} »"))
            self.choices = head + rows
            try:
                return super().render(name, value, attrs, renderer)
            finally:
                self.choices = iterator
        final_attrs = self.build_attrs(self.attrs, attrs)
        input_id = final_attrs.get("id") or f"id_{name}"
        help_id = f"{input_id}_suggestions_help"
        described = " ".join(filter(None, [final_attrs.get("aria-describedby"), help_id]))
        final_attrs.update(
            {
                "type": "search",
                "name": name,
                "value": self._shown(field, value),
                "list": f"{input_id}_suggestions",
                "autocomplete": "off",
                "maxlength": SEARCH_MAX_LENGTH,
                "data-suggestions": reverse("name_suggestions", args=[field.names.key]),
                "aria-describedby": described,
            }
        )
        return format_html(
            '<input{}><datalist id="{}_suggestions"></datalist><p class="field__help" id="{}">{}</p>',
            _attributes(final_attrs),
            input_id,
            help_id,
            _("Tapez une partie du nom."),
        )

    @staticmethod
    def _typed(value) -> str:
        """The value when it is a text rather than a key."""
        text = typed_text(value)
        return "" if text.isdecimal() else text

    @staticmethod
    def _shown(field, value) -> str:
        """The text in the field: the label of a row chosen by its key (one query), else what was typed."""
        text = typed_text(value)
        if text.isdecimal() and len(text) < 19:
            rows = field.names.labels(field.queryset.filter(pk=int(text)), 1)
            if rows:
                return rows[0][1]
        return text


class NamesChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice among many rows of a kind of :class:`Names` (a network's employers, its tutors): a
    <select> of a few, a search field with suggestions beyond. The value is the chosen row, or the
    rows a typed text found (:class:`NameMatches`), always within the scoped queryset; a method
    filter reads it with :func:`chosen`."""

    field_class = NamesChoiceField

    def __init__(self, *args, names: Names, **kwargs):
        kwargs["names"] = names
        # Set here, not left to the field: ListFilterSet gives every other choice filter a FastSelect.
        kwargs.setdefault("widget", SearchableSelect)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if isinstance(value, NameMatches):
            qs = qs.filter(**chosen(self.field_name, value))
            return qs.distinct() if self.distinct else qs
        return super().filter(qs, value)


def chosen(name: str, value) -> dict:
    """The lookup of a :class:`NamesChoiceField`'s value on the field ``name``: one row, or those found."""
    if isinstance(value, NameMatches):
        return {f"{name}__in": value.rows}
    return {name: value}


def chosen_param(value) -> object:
    """A :class:`NamesChoiceField`'s value as the query string gives it back: the key, or the text."""
    return value.text if isinstance(value, NameMatches) else value.pk


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
