"""The form of a job offer: the CFA's team chooses the employer in its register; a company tutor posts
for their own employer (the field is not shown)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apprentices.models import Diploma
from core.forms import Form, ModelForm
from employers.models import Employer
from jobs.models import ContractType, JobOffer

# An offer stays open a year at most: a digest never carries a post filled long ago.
MAX_OPEN_DAYS = 366


class JobOfferForm(ModelForm):
    class Meta:
        model = JobOffer
        fields = [
            "title",
            "employer",
            "place",
            "contract_type",
            "diplomas",
            "description",
            "how_to_apply",
            "closes_on",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "diplomas": forms.CheckboxSelectMultiple,
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {
            "diplomas": {"required": _("Choisissez au moins une formation.")},
            "title": {"required": _("Donnez l'intitulé du poste.")},
            "place": {"required": _("Indiquez le lieu du poste.")},
            "contract_type": {"required": _("Choisissez le type de contrat.")},
            "description": {"required": _("Décrivez le poste et le profil attendu.")},
            "how_to_apply": {"required": _("Dites comment postuler.")},
            "closes_on": {
                "required": _("Indiquez la date limite de candidature."),
                "invalid": _("Saisissez une date valide, par exemple 31/01/2027."),
            },
            "employer": {"required": _("Choisissez l'employeur.")},
        }

    def __init__(self, *args, organisation_id: int, employer_id: int | None = None, **kwargs):
        """``employer_id``: a company tutor's employer, fixed (the field is removed)."""
        super().__init__(*args, **kwargs)
        self.fixed_employer = None
        if employer_id is not None:
            self.fixed_employer = Employer.objects.get(pk=employer_id)
            del self.fields["employer"]
        else:
            self.fields["employer"].queryset = Employer.objects.filter(organisation_id=organisation_id)
            self.fields["employer"].empty_label = _("Choisissez l'employeur…")
        self.fields["contract_type"].choices = [
            ("", _("Choisissez le type de contrat…")),
            *ContractType.choices,
        ]
        self.fields["diplomas"].queryset = Diploma.objects.filter(organisation_id=organisation_id).order_by(
            "code"
        )
        self.fields["diplomas"].label_from_instance = lambda d: f"{d.code} — {d.title}"
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("closes_on", timezone.localdate() + datetime.timedelta(days=30))

    def clean_closes_on(self):
        day = self.cleaned_data["closes_on"]
        today = timezone.localdate()
        if day < today:
            raise forms.ValidationError(
                _("La date limite de candidature est passée : choisissez une date à venir.")
            )
        if day > today + datetime.timedelta(days=MAX_OPEN_DAYS):
            raise forms.ValidationError(
                _("Une offre reste ouverte un an au plus : choisissez une date plus proche.")
            )
        return day

    def offer_values(self) -> dict:
        data = dict(self.cleaned_data)
        diplomas = list(data.pop("diplomas"))
        if self.fixed_employer is not None:
            data["employer"] = self.fixed_employer
        return {"diplomas": diplomas, **data}


class SubscriptionForm(Form):
    subscribed = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )
