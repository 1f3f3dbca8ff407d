"""Filters of the list of company tutors (maîtres d'apprentissage)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, F, OuterRef
from django.utils.translation import gettext_lazy as _

from apprentices.filters import diplomas_for, employer_filter, employers_for
from apprentices.models import Contract, Diploma
from core.filters import ListFilterSet, SortFilter, date_filter, yes_no_filter
from tutors.models import CompanyTutor

# The same on every database: those never trained come after the others.
NOT_TRAINED_LAST = F("training_date").asc(nulls_last=True)


class CompanyTutorFilterSet(ListFilterSet):
    search_fields = ("first_name", "last_name", "email", "job_title", "employer__legal_name")

    employer = employer_filter()
    diploma = django_filters.ModelChoiceFilter(
        label=_("Suit un apprenti de la formation"),
        queryset=Diploma.objects.none(),
        method="filter_diploma",
        empty_label=_("Toutes les formations"),
    )
    trained = yes_no_filter(_("Formé au tutorat"), "filter_trained")
    trained_after = date_filter("training_date", "gte", _("Formé à partir du"))
    trained_before = date_filter("training_date", "lte", _("Formé jusqu'au"))
    has_active_contract = yes_no_filter(_("Avec un contrat en cours"), "filter_has_active_contract")
    order = SortFilter(
        options=[
            ("name", _("Nom (A → Z)"), ("last_name", "first_name")),
            ("employer", _("Employeur puis nom"), ("employer__legal_name", "last_name", "first_name")),
            ("training", _("Formation de tuteur (les plus anciennes d'abord)"), (NOT_TRAINED_LAST,)),
            ("-contracts", _("Le plus de contrats en cours"), ("-active_contracts", "last_name")),
        ]
    )

    class Meta:
        model = CompanyTutor
        fields: list[str] = []

    def scope(self, user):
        self.filters["employer"].queryset = employers_for(user)
        self.filters["diploma"].queryset = diplomas_for(user)

    def _contracts(self):
        return Contract.objects.visible_to(self.user).filter(company_tutor=OuterRef("pk"))

    def filter_diploma(self, queryset, name, value):
        return queryset.filter(Exists(self._contracts().filter(diploma=value)))

    def filter_trained(self, queryset, name, value):
        return queryset.filter(training_date__isnull=value != "yes")

    def filter_has_active_contract(self, queryset, name, value):
        active = Exists(self._contracts().filter(status=Contract.Status.ACTIVE))
        return queryset.filter(active) if value == "yes" else queryset.exclude(active)
