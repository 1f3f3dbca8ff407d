"""What every filtered list shares: a FilterSet that knows the person it filters for, a free-text
search, a sort that always ends on the primary key, and date inputs a phone understands.

A list's choices (diplomas, employers, tutors…) are scoped in ``scope(user)`` with the models'
``visible_to``, so a filter never offers, nor accepts, another organisation's names: an id from
elsewhere is an invalid choice, and an invalid filter shows no rows (see ``core.csvexport.filtered``).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SEARCH_MAX_LENGTH = 100


class DateInput(forms.DateInput):
    """The browser's date picker: it sends ISO dates, whatever the language of the page."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


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
