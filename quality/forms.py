"""Forms of the quality pages. They give the friendly error first; the services check again."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from apprentices.models import Cohort, Diploma
from core.forms import Form
from core.models import AcademicYear
from quality.indicators import INDICATORS
from quality.models import Comparison, EvidenceKind, Meeting, Requirement
from quality.uploads import ALLOWED_EXTENSIONS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ThresholdForm(Form):
    requirement = forms.IntegerField(widget=forms.HiddenInput)
    value = forms.CharField(
        label=_("Nouveau seuil"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6, "placeholder": _("seuil")}),
    )
    reason = forms.CharField(
        label=_("Motif"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("motif")}),
    )

    def name_the_row(self, requirement_label: str) -> None:
        """The fields' labels name the row they belong to, as the error summary lists them."""
        self.fields["value"].label = _("Nouveau seuil — %(label)s") % {"label": requirement_label}
        self.fields["reason"].label = _("Motif — %(label)s") % {"label": requirement_label}


class MilestoneForm(Form):
    perimeter = forms.ModelChoiceField(label=_("Périmètre"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Intitulé du jalon"), max_length=200)

    def __init__(self, *args, perimeters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["perimeter"].queryset = perimeters
        self.fields["perimeter"].label_from_instance = lambda p: f"{p.code} {p.title}"


INDICATOR_CHOICES = [("", "—")] + [(code, str(indicator.label)) for code, indicator in INDICATORS.items()]


class MilestoneRequirementForm(Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Requirement.Kind.choices)
    label = forms.CharField(label=_("Ce qui doit être tenu"), max_length=300, required=False)
    indicator = forms.ChoiceField(label=_("Indicateur"), choices=INDICATOR_CHOICES, required=False)
    comparison = forms.ChoiceField(
        label=_("Comparaison"),
        choices=[
            (Comparison.AT_LEAST, Comparison.AT_LEAST.label),
            (Comparison.AT_MOST, Comparison.AT_MOST.label),
        ],
        required=False,
    )
    threshold = forms.CharField(label=_("Seuil"), max_length=12, required=False)
    evidence_kind = forms.ChoiceField(
        label=_("Type de document"), choices=[("", "—"), *EvidenceKind.choices], required=False
    )


MilestoneRequirementFormSet = forms.formset_factory(MilestoneRequirementForm, extra=3, max_num=6)


class FollowedIndicatorsForm(Form):
    indicators = forms.MultipleChoiceField(
        label=_("Indicateurs retenus"),
        choices=[(code, str(indicator.label)) for code, indicator in INDICATORS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class AttestationForm(Form):
    statement = forms.CharField(
        label=_("Comment ce point est tenu"),
        max_length=500,
        help_text=_("Une phrase que lira l'auditeur, par exemple : « Secrétariat assuré par Mme Martin »."),
    )


class EvidenceForm(Form):
    diploma = forms.ModelChoiceField(
        label=_("Formation"),
        queryset=None,
        required=False,
        empty_label=_("Tout l'établissement"),
    )
    academic_year = forms.ModelChoiceField(label=_("Année scolaire"), queryset=AcademicYear.objects.all())
    kind = forms.ChoiceField(label=_("Type de document"), choices=EvidenceKind.choices)
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_("PDF ou document bureautique (%(types)s).") % {"types": ", ".join(ALLOWED_EXTENSIONS)},
    )
    attested_on = forms.DateField(label=_("Date du document"), widget=DATE)
    valid_until = forms.DateField(
        label=_("Valable jusqu'au"),
        required=False,
        widget=DATE,
        help_text=_("Vide : jusqu'à la fin de l'année scolaire."),
    )

    def __init__(self, *args, diplomas, establishment_wide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["diploma"].queryset = diplomas
        self.fields["diploma"].required = not establishment_wide
        if not establishment_wide:
            self.fields["diploma"].empty_label = None


class MeetingForm(Form):
    kind = forms.ChoiceField(label=_("Type de réunion"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("Intitulé"), max_length=200, required=False)
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    diplomas = forms.ModelMultipleChoiceField(
        label=_("Formations concernées"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    cohorts = forms.ModelMultipleChoiceField(
        label=_("Promotions"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Pour un retour d'alternance : la ou les promotions réunies."),
    )
    attendance = forms.IntegerField(label=_("Nombre de participants"), min_value=1, max_value=10000)
    attendees = forms.CharField(
        label=_("Participants"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Qui était là : délégués apprentis, maîtres d'apprentissage, branches, CFA…"),
    )
    minutes = forms.FileField(
        label=_("Compte rendu"), required=False, help_text=_("PDF ou document bureautique.")
    )

    def __init__(self, *args, diplomas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["diplomas"].queryset = diplomas
        self.fields["cohorts"].queryset = Cohort.objects.filter(diploma__in=diplomas).select_related(
            "diploma"
        )
        self.fields["cohorts"].label_from_instance = lambda c: f"{c.diploma.code} — {c.label}"


class MeetingFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(field_name="kind", label=_("Type"), choices=Meeting.Kind.choices)
    formation = django_filters.ModelChoiceFilter(
        field_name="diplomas", label=_("Formation"), queryset=Diploma.objects.none()
    )
    annee = django_filters.ModelChoiceFilter(
        label=_("Année scolaire"),
        queryset=AcademicYear.objects.all(),
        to_field_name="label",
        method="in_year",
    )

    class Meta:
        model = Meeting
        fields = []

    def __init__(self, *args, diplomas, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["formation"].queryset = diplomas

    def in_year(self, queryset, name, year):
        return queryset.held_during(year)
