from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ModelForm
from core.validators import normalize_siret, validate_siret
from employers.models import Employer


class EmployerForm(ModelForm):
    class Meta:
        model = Employer
        fields = [
            "legal_name",
            "siret",
            "naf_code",
            "address",
            "postal_code",
            "city",
            "hr_contact_name",
            "hr_contact_email",
            "hr_contact_phone",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation_id = user.organisation_id
        # Accept the SIRET as people copy it ("732 829 320 00074"); it is stored without spaces.
        self.fields["siret"] = forms.CharField(
            label=_("SIRET"), max_length=20, help_text=_("14 chiffres ; les espaces sont acceptés.")
        )
        self.fields["siret"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean_siret(self):
        siret = normalize_siret(self.cleaned_data["siret"])
        validate_siret(siret)
        duplicates = Employer.objects.filter(organisation_id=self.instance.organisation_id, siret=siret)
        if duplicates.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Un employeur avec ce SIRET existe déjà."))
        return siret

    def save(self, commit=True):
        # Saved by a person through this form: the employer created from its SIRET alone is now known.
        self.instance.to_complete = False
        return super().save(commit)
