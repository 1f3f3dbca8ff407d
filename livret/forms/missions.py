from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import Form
from livret.models import MissionDescription
from livret.services.missions import SUBJECT_MAX

MAX = MissionDescription.MAX_TEXT
TOO_LONG = {"max_length": _("Ce texte dépasse %(limit_value)s caractères.")}


def _text(label, help_text="", *, required=False, rows=5, max_length=MAX, css_class=""):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=max_length,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": rows, "maxlength": max_length, **({"class": css_class} if css_class else {})}
        ),
        error_messages=TOO_LONG,
    )


class MissionForm(Form):
    """The description's text, as its writers edit it. Every field is a textarea so that the
    autosave script (static/js/autosave.js) sends and keeps all of them."""

    missions = _text(
        _("Missions confiées"),
        _(
            "Les activités et responsabilités de l'apprenti dans l'entreprise cette année. "
            "Obligatoire pour soumettre."
        ),
        rows=7,
    )
    expected_progression = _text(
        _("Progression attendue"), _("Ce que l'apprenti saura faire seul d'ici la fin de l'année.")
    )
    project_subject = _text(
        _("Sujet du projet entreprise de l'année"),
        rows=2,
        max_length=SUBJECT_MAX,
        css_class="textarea--line",
    )
    project_description = _text(
        _("Description du projet"), _("Contexte, objectifs, livrables attendus, personnes associées.")
    )
    revision = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={
            "required": _("La page est incomplète : rechargez-la avant d'enregistrer."),
            "invalid": _("La page est incomplète : rechargez-la avant d'enregistrer."),
            "min_value": _("La page est incomplète : rechargez-la avant d'enregistrer."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Interpolated here, in the language of the request, not once at import.
        self.fields["project_subject"].help_text = _(
            "Une phrase, %(max)s caractères au plus. Obligatoire pour soumettre."
        ) % {"max": SUBJECT_MAX}


class ValidateForm(Form):
    comment = _text(
        _("Commentaire (facultatif)"),
        _("Il est joint à la décision et visible de l'apprenti et de son maître d'apprentissage."),
        rows=3,
    )


class ReturnForm(Form):
    comment = forms.CharField(
        label=_("Ce qui doit être repris"),
        help_text=_("L'apprenti et son maître d'apprentissage le lisent avec la description renvoyée."),
        max_length=MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX}),
        error_messages={**TOO_LONG, "required": _("Indiquez ce qui doit être repris dans la description.")},
    )
