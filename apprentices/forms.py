from django import forms
from django.utils.translation import gettext_lazy as _

from apprentices.models import Apprentice, Cohort, Contract, Diploma, DiplomaOption
from core.forms import ModelForm
from core.validators import normalize_ine, validate_ine
from employers.models import Employer
from tutors.models import CompanyTutor, SchoolTutor


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ApprenticeForm(ModelForm):
    class Meta:
        model = Apprentice
        fields = [
            "first_name",
            "last_name",
            "birth_date",
            "sex",
            "ine",
            "email",
            "phone",
            "address",
            "postal_code",
            "city",
            "cohort",
            "option",
            "rqth",
        ]
        widgets = {"birth_date": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation_id = user.organisation_id
        self.fields["cohort"].queryset = Cohort.objects.filter(
            diploma__organisation_id=user.organisation_id
        ).select_related("diploma")
        self.fields["option"].queryset = DiplomaOption.objects.filter(
            diploma__organisation_id=user.organisation_id
        ).select_related("diploma")
        self.fields["email"].help_text = _("L'adresse où l'apprenti reçoit ses fiches et rappels.")

    def clean_ine(self):
        ine = normalize_ine(self.cleaned_data.get("ine", ""))
        if ine:
            validate_ine(ine)
        if ine and Apprentice.objects.filter(ine=ine).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Un apprenti porte déjà cet INE."))
        return ine


class ContractForm(ModelForm):
    class Meta:
        model = Contract
        fields = [
            "apprentice",
            "employer",
            "company_tutor",
            "school_tutor",
            "diploma",
            "option",
            "start_date",
            "planned_end_date",
            "status",
            "rupture_date",
            "rupture_cause",
            "hours_planned",
            "hours_done",
            "diploma_outcome",
            "diploma_outcome_date",
        ]
        widgets = {
            "start_date": DateInput(),
            "planned_end_date": DateInput(),
            "rupture_date": DateInput(),
            "diploma_outcome_date": DateInput(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        org = user.organisation_id
        self.fields["apprentice"].queryset = Apprentice.objects.filter(organisation_id=org)
        self.fields["employer"].queryset = Employer.objects.filter(organisation_id=org)
        self.fields["company_tutor"].queryset = CompanyTutor.objects.filter(
            employer__organisation_id=org
        ).select_related("employer")
        self.fields["school_tutor"].queryset = SchoolTutor.objects.filter(organisation_id=org).select_related(
            "user"
        )
        self.fields["diploma"].queryset = Diploma.objects.filter(organisation_id=org)
        self.fields["option"].queryset = DiplomaOption.objects.filter(
            diploma__organisation_id=org
        ).select_related("diploma")
        self.fields["company_tutor"].label_from_instance = lambda t: f"{t} ({t.employer})"
        self.fields["option"].label_from_instance = lambda o: f"{o.diploma.code} — {o.name}"
