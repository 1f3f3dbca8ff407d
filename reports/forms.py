from django import forms
from django.utils.translation import gettext_lazy as _

from apprentices.filters import COHORTS, SCHOOL_TUTORS
from apprentices.models import Cohort, Contract, Diploma
from core.filters import FastSelect, NamesChoiceField
from core.forms import Form
from core.models import AcademicYear
from tutors.models import SchoolTutor


class DashboardFilterForm(Form):
    """The dashboard's filters, in the URL with the names the lists use (``?year=2025-2026&diploma=3``),
    so that a view can be bookmarked or shared. Every choice is among what the person may see: an
    unknown or foreign value is an error on its field, and the dashboard shows nothing rather than
    everything."""

    year = forms.ModelChoiceField(
        label=_("Année scolaire"),
        queryset=AcademicYear.objects.none(),
        to_field_name="label",
        required=False,
        widget=FastSelect,
    )
    diploma = forms.ModelChoiceField(
        label=_("Formation"),
        queryset=Diploma.objects.none(),
        required=False,
        empty_label=_("Toutes"),
        widget=FastSelect,
    )
    cohort = NamesChoiceField(
        label=_("Promotion"),
        queryset=Cohort.objects.none(),
        names=COHORTS,
        required=False,
        empty_label=_("Toutes"),
    )
    # A network has hundreds: a search field with suggestions beyond a few (core.filters.SearchableSelect).
    school_tutor = NamesChoiceField(
        label=_("Tuteur pédagogique"),
        queryset=SchoolTutor.objects.none(),
        names=SCHOOL_TUTORS,
        required=False,
        empty_label=_("Tous"),
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        diplomas = Diploma.objects.filter(pk__in=Diploma.objects.visible_to(user).values("pk"))
        contracts = Contract.objects.visible_to(user)
        self.fields["year"].queryset = AcademicYear.objects.order_by("-start_date")
        self.fields["year"].empty_label = None
        self.fields["diploma"].queryset = diplomas.order_by("code")
        self.fields["cohort"].queryset = Cohort.objects.filter(diploma__in=diplomas).order_by(
            "diploma__code", "label"
        )
        self.fields["school_tutor"].queryset = SchoolTutor.objects.filter(
            pk__in=contracts.values("school_tutor")
        ).order_by("user__last_name", "user__first_name", "pk")
