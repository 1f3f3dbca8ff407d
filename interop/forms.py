from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import Form


class ImportForm(Form):
    file = forms.FileField(
        label=_("Fichier d'effectifs"),
        help_text=_(
            "CSV (UTF-8 ou Windows-1252, séparé par des points-virgules ou des virgules) "
            "ou classeur Excel .xlsx."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
