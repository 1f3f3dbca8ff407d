from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import human_date
from core.forms import Form
from livret.models import GridSharing, Rating
from livret.services.evaluations import MAX_COMMENT


def period_label(period) -> str:
    return _("du %(start)s au %(end)s") % {
        "start": human_date(period.start_date, "j M"),
        "end": human_date(period.end_date, "j M Y"),
    }


class EvaluationForm(Form):
    """One side of the grid: a radio group per competence (``c<id>``), then a comment.

    Levels are optional for a save and required to validate (``require_all``): what is missing is
    said on its own group.
    """

    def __init__(self, *args, competences, rater, require_all=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.competences = competences
        for competence in competences:
            self.fields[self.name_of(competence)] = forms.TypedChoiceField(
                label=f"{competence.code} — {competence.title}",
                choices=Rating.Level.choices,
                coerce=int,
                widget=forms.RadioSelect,
                required=require_all,
                error_messages={
                    "required": _("Choisissez un niveau pour cette compétence."),
                    "invalid_choice": _("Le niveau va de 1 (non acquis) à 4 (maîtrisé)."),
                },
            )
        self.fields["comment"] = forms.CharField(
            label=_("Votre appréciation d'ensemble")
            if rater == Rating.Rater.TUTOR
            else _("Mon commentaire sur cette période"),
            help_text=_("Facultatif. Points forts, points à travailler."),
            required=False,
            max_length=MAX_COMMENT,
            widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_COMMENT}),
            error_messages={"max_length": _("Ce texte dépasse %(limit_value)s caractères.")},
        )

    @staticmethod
    def name_of(competence) -> str:
        return f"c{competence.pk}"

    @classmethod
    def initial_for(cls, ratings, comment: str) -> dict:
        return {**{f"c{r.competence_id}": r.level for r in ratings}, "comment": comment}

    def levels(self) -> dict[int, int]:
        return {
            competence.pk: self.cleaned_data[self.name_of(competence)]
            for competence in self.competences
            if self.cleaned_data.get(self.name_of(competence)) not in (None, "")
        }

    def field_for(self, competence):
        return self[self.name_of(competence)]


class GridSharingForm(Form):
    shared_on = forms.DateField(
        label=_("Date du partage"),
        help_text=_("Le jour où la grille a été présentée à l'apprenti et au maître d'apprentissage."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Indiquez la date du partage."),
            "invalid": _("Saisissez une date valide."),
        },
    )
    means = forms.ChoiceField(
        label=_("Moyen du partage"),
        choices=GridSharing.Means.choices,
        initial=GridSharing.Means.MEETING,
        error_messages={"invalid_choice": _("Choisissez comment la grille a été partagée.")},
    )


class OpenEvaluationForm(Form):
    period = forms.TypedChoiceField(
        label=_("Période en entreprise"),
        coerce=int,
        error_messages={
            "required": _("Choisissez la période à évaluer."),
            "invalid_choice": _("Cette période ne peut pas être évaluée."),
        },
    )

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {p.pk: p for p in periods}
        self.fields["period"].choices = [(p.pk, period_label(p)) for p in reversed(periods)]


def grid(evaluation, competences, ratings, form=None) -> list[dict]:
    """The grid by block: each competence with the levels of the sides already validated (a draft is
    seen by its author only, in the form) and, when the person fills a side, its radio group."""
    shown = {
        Rating.Rater.TUTOR: evaluation.tutor_submitted_at is not None,
        Rating.Rater.APPRENTICE: evaluation.apprentice_submitted_at is not None,
    }
    levels = {(r.competence_id, r.rater): r.get_level_display() for r in ratings if shown[r.rater]}
    blocks = []
    for competence in competences:
        if not blocks or blocks[-1]["block"].pk != competence.block_id:
            blocks.append({"block": competence.block, "rows": []})
        blocks[-1]["rows"].append(
            {
                "competence": competence,
                "tutor": levels.get((competence.pk, Rating.Rater.TUTOR)),
                "apprentice": levels.get((competence.pk, Rating.Rater.APPRENTICE)),
                "field": form.field_for(competence) if form is not None else None,
            }
        )
    return blocks
