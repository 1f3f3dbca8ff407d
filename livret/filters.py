"""Filters of the booklet's lists: liaison sheets, company visits, mission descriptions.

Each document belongs to a contract, so they share the contract's filters (diploma, cohort,
employer, school tutor) and the search over the apprentice and the employer.
"""

from __future__ import annotations

import django_filters
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apprentices.filters import (
    cohort_filter,
    cohorts_for,
    diplomas_for,
    employer_filter,
    employers_for,
    school_tutor_filter,
    school_tutors_for,
)
from apprentices.models import Diploma
from core.filters import ListFilterSet, SortFilter, date_filter, yes_no_filter
from core.models import AcademicYear
from livret.models import LiaisonSheet, MissionDescription, VisitReport

LATE_STATES = [LiaisonSheet.Status.DRAFT, LiaisonSheet.Status.RETURNED, LiaisonSheet.Status.SUBMITTED]


class ContractDocumentFilterSet(ListFilterSet):
    """The filters every document of a contract has."""

    search_fields = (
        "contract__apprentice__first_name",
        "contract__apprentice__last_name",
        "contract__employer__legal_name",
    )

    diploma = django_filters.ModelChoiceFilter(
        label=_("Formation"),
        field_name="contract__diploma",
        queryset=Diploma.objects.none(),
        empty_label=_("Toutes les formations"),
    )
    cohort = cohort_filter(field_name="contract__apprentice__cohort")
    employer = employer_filter(field_name="contract__employer")
    school_tutor = school_tutor_filter(field_name="contract__school_tutor")

    def scope(self, user):
        self.filters["diploma"].queryset = diplomas_for(user)
        self.filters["cohort"].queryset = cohorts_for(user)
        self.filters["employer"].queryset = employers_for(user)
        self.filters["school_tutor"].queryset = school_tutors_for(user)


APPRENTICE_ORDER = ("contract__apprentice__last_name", "contract__apprentice__first_name")
COPIED_NAME_ORDER = ("sort_last_name", "sort_first_name")


class SheetFilterSet(ContractDocumentFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("État"), choices=LiaisonSheet.Status.choices, empty_label=_("Tous les états")
    )
    late = yes_no_filter(_("En retard"), "filter_late")
    period_after = date_filter("period__end_date", "gte", _("Période en entreprise après le"))
    period_before = date_filter("period__start_date", "lte", _("Période en entreprise avant le"))
    due_after = date_filter("due_date", "gte", _("À rendre à partir du"))
    due_before = date_filter("due_date", "lte", _("À rendre jusqu'au"))
    # Sorted by the sheet's own copies of the period's start and the apprentice's name (kept by the
    # database: ``core.copies``), the same order as through the joins; so are the missions.
    order = SortFilter(
        options=[
            ("-period", _("Période (récentes d'abord)"), ("-sort_period_start", *COPIED_NAME_ORDER)),
            ("period", _("Période (anciennes d'abord)"), ("sort_period_start", *COPIED_NAME_ORDER)),
            ("due", _("Date à rendre"), ("due_date", *COPIED_NAME_ORDER)),
            ("apprentice", _("Apprenti (A → Z)"), (*COPIED_NAME_ORDER, "-sort_period_start")),
            ("status", _("État"), ("status", "due_date")),
        ]
    )

    class Meta:
        model = LiaisonSheet
        fields: list[str] = []

    def filter_late(self, queryset, name, value):
        late = Q(status__in=LATE_STATES, due_date__lt=timezone.localdate())
        return queryset.filter(late) if value == "yes" else queryset.exclude(late)


class VisitFilterSet(ContractDocumentFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("État"), choices=VisitReport.Status.choices, empty_label=_("Tous les états")
    )
    mode = django_filters.ChoiceFilter(
        label=_("Modalité"), choices=VisitReport.Mode.choices, empty_label=_("Toutes les modalités")
    )
    start_meeting = yes_no_filter(_("Entretien de démarrage"), "filter_start_meeting")
    date_after = date_filter("day", "gte", _("Rencontre à partir du"))
    date_before = date_filter("day", "lte", _("Rencontre jusqu'au"))
    order = SortFilter(
        options=[
            ("-date", _("Date (récentes d'abord)"), ("-day",)),
            ("date", _("Date (anciennes d'abord)"), ("day",)),
            ("apprentice", _("Apprenti (A → Z)"), (*APPRENTICE_ORDER, "-day")),
            ("employer", _("Employeur (A → Z)"), ("contract__employer__legal_name", "-day")),
            ("status", _("État"), ("status", "-day")),
        ]
    )

    class Meta:
        model = VisitReport
        fields: list[str] = []

    def filter_start_meeting(self, queryset, name, value):
        return queryset.filter(is_start_meeting=value == "yes")


# Those never submitted come after the others, on every database.
SUBMITTED_FIRST = F("submitted_at").asc(nulls_last=True)


class MissionFilterSet(ContractDocumentFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("État"), choices=MissionDescription.Status.choices, empty_label=_("Tous les états")
    )
    academic_year = django_filters.ModelChoiceFilter(
        label=_("Année scolaire"),
        queryset=AcademicYear.objects.order_by("-start_date"),
        empty_label=_("Toutes les années"),
    )
    submitted_after = date_filter("submitted_at__date", "gte", _("Soumise à partir du"))
    submitted_before = date_filter("submitted_at__date", "lte", _("Soumise jusqu'au"))
    order = SortFilter(
        options=[
            (
                "-year",
                _("Année (récentes d'abord), puis apprenti"),
                ("-sort_year_start", *COPIED_NAME_ORDER),
            ),
            ("apprentice", _("Apprenti (A → Z)"), (*COPIED_NAME_ORDER, "-sort_year_start")),
            ("submitted", _("Soumises les plus anciennes d'abord"), (SUBMITTED_FIRST,)),
            ("status", _("État"), ("status", *COPIED_NAME_ORDER)),
        ]
    )

    class Meta:
        model = MissionDescription
        fields: list[str] = []
