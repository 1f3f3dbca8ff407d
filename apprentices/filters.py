"""Filters of the lists of apprentices and of contracts."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apprentices.models import Apprentice, Cohort, Contract, Diploma
from apprentices.status import TrainingStatus
from core.filters import (
    ListFilterSet,
    Names,
    NamesChoiceFilter,
    SortFilter,
    chosen,
    date_filter,
    yes_no_filter,
)
from employers.models import Employer
from tutors.models import CompanyTutor, SchoolTutor

WITHOUT_ACTIVE_CONTRACT = "none"


def diplomas_for(user):
    return Diploma.objects.visible_to(user).order_by("title", "pk")


def cohorts_for(user):
    return (
        Cohort.objects.filter(diploma__in=diplomas_for(user))
        .select_related("diploma")
        .order_by("diploma__code", "-entry_year__start_date", "pk")
    )


def employers_for(user):
    return Employer.objects.visible_to(user).order_by("legal_name", "pk")


def school_tutors_for(user):
    return (
        SchoolTutor.objects.visible_to(user)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def company_tutors_for(user):
    return CompanyTutor.objects.visible_to(user).order_by("last_name", "first_name", "pk")


def _person_label(first_name: str, last_name: str, email: str) -> str:
    """As ``User.__str__``: the full name, or the address when there is none."""
    return f"{first_name} {last_name}".strip() or email


EMPLOYERS = Names(
    key="employeurs",
    visible=employers_for,
    columns=("legal_name",),
    search=("legal_name",),
    exact=lambda queryset, text: queryset.filter(legal_name__iexact=text),
    not_found=_("Aucun employeur ne correspond à « %(text)s »."),
)

SCHOOL_TUTORS = Names(
    key="tuteurs-pedagogiques",
    visible=school_tutors_for,
    columns=("user__first_name", "user__last_name", "user__email"),
    search=("user__first_name", "user__last_name", "user__email"),
    exact=lambda queryset, text: queryset.alias(
        full_name=Concat("user__first_name", Value(" "), "user__last_name")
    ).filter(Q(full_name__iexact=text) | Q(user__email__iexact=text)),
    option_label=_person_label,
    not_found=_("Aucun tuteur pédagogique ne correspond à « %(text)s »."),
)


COHORTS = Names(
    key="promotions",
    visible=cohorts_for,
    columns=("diploma__code", "label"),
    search=("diploma__code", "diploma__title", "label"),
    exact=lambda queryset, text: queryset.alias(
        full_label=Concat("diploma__code", Value(" — "), "label")
    ).filter(full_label__iexact=text),
    option_label=lambda code, label: f"{code} — {label}",  # as Cohort.__str__
    not_found=_("Aucune promotion ne correspond à « %(text)s »."),
)


def cohort_filter(**kwargs) -> NamesChoiceFilter:
    """Promotion: three or four per diploma and year, hundreds in a network."""
    kwargs.setdefault("label", _("Promotion"))
    kwargs.setdefault("empty_label", _("Toutes les promotions"))
    return NamesChoiceFilter(queryset=Cohort.objects.none(), names=COHORTS, **kwargs)


def employer_filter(**kwargs) -> NamesChoiceFilter:
    """Employeur: a network has thousands; a search field with suggestions beyond a few."""
    kwargs.setdefault("label", _("Employeur"))
    kwargs.setdefault("empty_label", _("Tous les employeurs"))
    return NamesChoiceFilter(queryset=Employer.objects.none(), names=EMPLOYERS, **kwargs)


def school_tutor_filter(**kwargs) -> NamesChoiceFilter:
    kwargs.setdefault("label", _("Tuteur pédagogique"))
    kwargs.setdefault("empty_label", _("Tous les tuteurs"))
    return NamesChoiceFilter(queryset=SchoolTutor.objects.none(), names=SCHOOL_TUTORS, **kwargs)


def _eighteen_years_ago():
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - 18)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 18, day=28)


class ApprenticeFilterSet(ListFilterSet):
    search_fields = ("first_name", "last_name", "email", "ine")

    diploma = django_filters.ModelChoiceFilter(
        label=_("Formation"),
        field_name="cohort__diploma",
        queryset=Diploma.objects.none(),
        empty_label=_("Toutes les formations"),
    )
    cohort = cohort_filter()
    # Read from the annotation of apprentices.status (the list's queryset carries it).
    status = django_filters.ChoiceFilter(
        label=_("Statut"),
        field_name="training_status",
        choices=TrainingStatus.choices,
        empty_label=_("Tous les statuts"),
    )
    contract_status = django_filters.ChoiceFilter(
        label=_("Contrat"),
        method="filter_contract_status",
        choices=[
            (Contract.Status.ACTIVE, _("Avec un contrat en cours")),
            (WITHOUT_ACTIVE_CONTRACT, _("Sans contrat en cours")),
            (Contract.Status.RUPTURED, _("Avec un contrat rompu")),
            (Contract.Status.COMPLETED, _("Avec un contrat terminé")),
            (Contract.Status.ABANDONED, _("Avec un abandon")),
        ],
        empty_label=_("Tous"),
    )
    employer = employer_filter(method="filter_contracts_with")
    school_tutor = school_tutor_filter(method="filter_contracts_with")
    minor = yes_no_filter(_("Mineur"), "filter_minor")
    rqth = yes_no_filter(_("RQTH / situation de handicap"), "filter_rqth")
    order = SortFilter(
        options=[
            ("name", _("Nom (A → Z)"), ("last_name", "first_name")),
            ("-name", _("Nom (Z → A)"), ("-last_name", "-first_name")),
            ("diploma", _("Formation puis nom"), ("cohort__diploma__code", "last_name", "first_name")),
            ("birth", _("Les plus âgés d'abord"), ("birth_date",)),
            ("-birth", _("Les plus jeunes d'abord"), ("-birth_date",)),
            ("-created", _("Ajoutés récemment"), ("-created_at",)),
        ]
    )

    class Meta:
        model = Apprentice
        fields: list[str] = []

    def scope(self, user):
        self.filters["diploma"].queryset = diplomas_for(user)
        self.filters["cohort"].queryset = cohorts_for(user)
        self.filters["employer"].queryset = employers_for(user)
        self.filters["school_tutor"].queryset = school_tutors_for(user)

    def _contracts(self):
        return Contract.objects.visible_to(self.user).filter(apprentice=OuterRef("pk"))

    def filter_contract_status(self, queryset, name, value):
        if value == WITHOUT_ACTIVE_CONTRACT:
            return queryset.exclude(Exists(self._contracts().filter(status=Contract.Status.ACTIVE)))
        return queryset.filter(Exists(self._contracts().filter(status=value)))

    def filter_contracts_with(self, queryset, name, value):
        return queryset.filter(Exists(self._contracts().filter(**chosen(name, value))))

    def filter_rqth(self, queryset, name, value):
        return queryset.filter(rqth=value == "yes")

    def filter_minor(self, queryset, name, value):
        limit = _eighteen_years_ago()
        return (
            queryset.filter(birth_date__gt=limit)
            if value == "yes"
            else queryset.filter(birth_date__lte=limit)
        )


class ContractFilterSet(ListFilterSet):
    search_fields = (
        "apprentice__first_name",
        "apprentice__last_name",
        "employer__legal_name",
        "company_tutor__last_name",
        "school_tutor__user__last_name",
    )

    status = django_filters.ChoiceFilter(
        label=_("Statut"), choices=Contract.Status.choices, empty_label=_("Tous les statuts")
    )
    diploma = django_filters.ModelChoiceFilter(
        label=_("Formation"), queryset=Diploma.objects.none(), empty_label=_("Toutes les formations")
    )
    cohort = cohort_filter(field_name="apprentice__cohort")
    employer = employer_filter()
    school_tutor = school_tutor_filter()
    start_after = date_filter("start_date", "gte", _("Début à partir du"))
    start_before = date_filter("start_date", "lte", _("Début jusqu'au"))
    end_after = date_filter("planned_end_date", "gte", _("Fin prévue à partir du"))
    end_before = date_filter("planned_end_date", "lte", _("Fin prévue jusqu'au"))
    diploma_outcome = django_filters.ChoiceFilter(
        label=_("Diplôme obtenu"), choices=Contract.Outcome.choices, empty_label=_("Indifférent")
    )
    order = SortFilter(
        options=[
            ("-start", _("Début (récents d'abord)"), ("-start_date",)),
            ("start", _("Début (anciens d'abord)"), ("start_date",)),
            ("end", _("Fin prévue (proches d'abord)"), ("planned_end_date",)),
            ("apprentice", _("Apprenti (A → Z)"), ("apprentice__last_name", "apprentice__first_name")),
            ("employer", _("Employeur (A → Z)"), ("employer__legal_name",)),
            ("diploma", _("Formation"), ("diploma__code", "apprentice__last_name")),
            ("status", _("Statut"), ("status", "-start_date")),
        ]
    )

    class Meta:
        model = Contract
        fields: list[str] = []

    def scope(self, user):
        self.filters["diploma"].queryset = diplomas_for(user)
        self.filters["cohort"].queryset = cohorts_for(user)
        self.filters["employer"].queryset = employers_for(user)
        self.filters["school_tutor"].queryset = school_tutors_for(user)
