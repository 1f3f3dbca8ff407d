from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import Form
from livret.models import LiaisonSheet

MAX = LiaisonSheet.MAX_TEXT


def _text(label, help_text="", required=False):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=MAX,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX}),
        error_messages={"max_length": _("Ce texte dépasse %(limit_value)s caractères.")},
    )


class ApprenticePartForm(Form):
    activities = _text(
        _("Ce que j'ai fait en entreprise"),
        _("Missions, tâches, projets de la période. Obligatoire pour transmettre la fiche."),
    )
    competences_used = _text(_("Compétences mobilisées"), _("Ce que vous avez appris ou mis en pratique."))
    difficulties = _text(
        _("Difficultés rencontrées"), _("Ce qui a été difficile, et l'aide dont vous auriez besoin.")
    )
    school_company_gap = _text(
        _("Écarts entre l'école et l'entreprise"), _("Ce qui, à l'école, vous a servi ou vous a manqué.")
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class CountersignForm(Form):
    tutor_assessment = _text(
        _("Votre appréciation de la période"),
        _("Progrès, points forts, points à travailler. Elle est signée avec la fiche."),
    )
    confirm = forms.BooleanField(
        label=_("J'ai lu la fiche de l'apprenti et je la contresigne."),
        error_messages={"required": _("Cochez la case pour confirmer votre contresignature.")},
    )


class ReturnForm(Form):
    reason = _text(_("Ce que l'apprenti doit reprendre"), required=True)


class ReviewForm(Form):
    comment = _text(_("Commentaire du tuteur pédagogique"))
