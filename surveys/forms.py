"""The forms of the surveys: a questionnaire and its questions, a campaign, the national rates, and
the answer form built from a questionnaire's questions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apprentices.models import Cohort, Diploma
from core.forms import Form, ModelForm
from core.models import AcademicYear
from core.validators import validate_multiline_text
from surveys.models import SCALE, TEXT_MAX_LENGTH, Campaign, Question, Questionnaire

MAX_OPTIONS = 12


class QuestionnaireForm(ModelForm):
    class Meta:
        model = Questionnaire
        fields = ["title", "kind", "introduction"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 3})}


class QuestionForm(Form):
    text = forms.CharField(label=_("Question"), max_length=300)
    type = forms.ChoiceField(label=_("Type de question"), choices=Question.Type.choices)
    options = forms.CharField(
        label=_("Choix"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Pour une question à choix : un choix par ligne (deux au moins, douze au plus)."),
    )
    help_text = forms.CharField(label=_("Aide"), max_length=300, required=False)
    required = forms.BooleanField(label=_("Réponse obligatoire"), required=False, initial=True)

    def clean(self):
        cleaned = super().clean()
        lines = [line.strip() for line in (cleaned.get("options") or "").splitlines() if line.strip()]
        kind = cleaned.get("type")
        if kind in (Question.Type.SINGLE, Question.Type.MULTIPLE):
            if len(lines) < 2:
                self.add_error("options", _("Donnez au moins deux choix, un par ligne."))
            elif len(lines) > MAX_OPTIONS:
                self.add_error("options", _("Douze choix au plus."))
            elif any(len(line) > 150 for line in lines):
                self.add_error("options", _("Un choix tient en 150 caractères au plus."))
        cleaned["option_lines"] = lines if kind in (Question.Type.SINGLE, Question.Type.MULTIPLE) else []
        return cleaned


class CampaignForm(ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "title",
            "questionnaire",
            "population",
            "diploma",
            "cohort",
            "academic_year",
            "opens_on",
            "closes_on",
            "anonymous",
        ]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = user.organisation_id
        self.fields["questionnaire"].queryset = Questionnaire.objects.filter(organisation_id=organisation)
        self.fields["questionnaire"].help_text = _(
            "Un questionnaire de votre organisation (copiez d'abord un modèle si besoin)."
        )
        self.fields["diploma"].queryset = Diploma.objects.filter(organisation_id=organisation).order_by(
            "code"
        )
        self.fields["cohort"].queryset = Cohort.objects.filter(
            diploma__organisation_id=organisation
        ).select_related("diploma")
        self.fields["academic_year"].queryset = AcademicYear.objects.all()

    def clean(self):
        cleaned = super().clean()
        population = cleaned.get("population")
        if population == Campaign.Population.COHORT and not cleaned.get("cohort"):
            self.add_error("cohort", _("Choisissez la promotion interrogée."))
        if population == Campaign.Population.DIPLOMA and not cleaned.get("diploma"):
            self.add_error("diploma", _("Choisissez la formation interrogée."))
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("La clôture ne peut précéder l'ouverture."))
        return cleaned


class NationalRateForm(Form):
    academic_year = forms.ModelChoiceField(label=_("Année des sortants"), queryset=AcademicYear.objects.all())
    insertion_6 = forms.DecimalField(
        label=_("Taux d'insertion à 6 mois (InserJeunes), en %"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=1,
        max_digits=4,
    )
    insertion_12 = forms.DecimalField(
        label=_("Taux d'insertion à 12 mois (InserJeunes), en %"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=1,
        max_digits=4,
    )


SCALE_CHOICES = [(str(n), str(n)) for n in SCALE]


class AnswerForm(Form):
    """One field per question, named ``q<id>``; :meth:`values` gives question id -> value."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            options = {"label": question.text, "required": question.required, "help_text": question.help_text}
            if question.type == Question.Type.SCALE:
                field = forms.TypedChoiceField(
                    choices=SCALE_CHOICES, coerce=int, widget=forms.RadioSelect, empty_value=None, **options
                )
                field.error_messages["invalid_choice"] = _("La note va de 1 à 5.")
            elif question.type == Question.Type.SINGLE:
                field = forms.ChoiceField(
                    choices=[(o["code"], o["label"]) for o in question.options],
                    widget=forms.RadioSelect,
                    **options,
                )
            elif question.type == Question.Type.MULTIPLE:
                field = forms.MultipleChoiceField(
                    choices=[(o["code"], o["label"]) for o in question.options],
                    widget=forms.CheckboxSelectMultiple,
                    **options,
                )
            elif question.type == Question.Type.DATE:
                field = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **options)
            else:
                # Added after the mixin's __init__: its validator is given here.
                field = forms.CharField(
                    max_length=TEXT_MAX_LENGTH,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    validators=[validate_multiline_text],
                    **options,
                )

            self.fields[f"q{question.pk}"] = field

    def values(self) -> dict[int, object]:
        return {question.pk: self.cleaned_data.get(f"q{question.pk}") for question in self.questions}

    def bound_questions(self):
        """(question, bound field) in the questionnaire's order, for the template."""
        return [(question, self[f"q{question.pk}"]) for question in self.questions]
