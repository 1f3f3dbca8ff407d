"""Filters of the list of employers."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from apprentices.filters import diplomas_for
from apprentices.models import Contract, Diploma
from core.filters import ListFilterSet, SortFilter, yes_no_filter
from employers.models import Employer


class EmployerFilterSet(ListFilterSet):
    search_fields = ("legal_name", "siret", "city", "hr_contact_name")

    diploma = django_filters.ModelChoiceFilter(
        label=_("Accueille des apprentis de la formation"),
        queryset=Diploma.objects.none(),
        method="filter_diploma",
        empty_label=_("Toutes les formations"),
    )
    postal_code = django_filters.CharFilter(
        label=_("Code postal ou département"), lookup_expr="startswith", max_length=5
    )
    has_active_contract = yes_no_filter(_("Avec un contrat en cours"), "filter_has_active_contract")
    order = SortFilter(
        options=[
            ("name", _("Raison sociale (A → Z)"), ("legal_name",)),
            ("-name", _("Raison sociale (Z → A)"), ("-legal_name",)),
            ("city", _("Ville"), ("city", "legal_name")),
            ("-contracts", _("Le plus de contrats en cours"), ("-active_contracts", "legal_name")),
            ("-created", _("Ajoutés récemment"), ("-created_at",)),
        ]
    )

    class Meta:
        model = Employer
        fields: list[str] = []

    def scope(self, user):
        self.filters["diploma"].queryset = diplomas_for(user)

    def _contracts(self):
        return Contract.objects.visible_to(self.user).filter(employer=OuterRef("pk"))

    def filter_diploma(self, queryset, name, value):
        return queryset.filter(Exists(self._contracts().filter(diploma=value)))

    def filter_has_active_contract(self, queryset, name, value):
        active = Exists(self._contracts().filter(status=Contract.Status.ACTIVE))
        return queryset.filter(active) if value == "yes" else queryset.exclude(active)
