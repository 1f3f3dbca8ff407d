from django import forms

from employers.models import Employer


class EmployerForm(forms.ModelForm):
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
        self.fields["siret"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean_siret(self):
        return "".join(self.cleaned_data["siret"].split())
