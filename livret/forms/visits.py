from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apprentices.forms import DateInput
from core.forms import Form
from livret.models import ActionItem, VisitReport
from livret.services.visits import MAX_ACTION, MAX_NEW_ACTIONS, MAX_PARTICIPANTS, MAX_REASON

MAX = VisitReport.MAX_TEXT
TOO_LONG = _("Ce texte dépasse %(limit_value)s caractères.")


def _text(label, help_text=""):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX}),
        error_messages={"max_length": TOO_LONG},
    )


def _date(label, *, required_message=None, **kwargs):
    messages = {"invalid": _("Saisissez une date valide (jj/mm/aaaa).")}
    if required_message:
        messages["required"] = required_message
    return forms.DateField(label=label, widget=DateInput(), error_messages=messages, **kwargs)


def _mode():
    return forms.ChoiceField(
        label=_("Modalité"),
        choices=VisitReport.Mode.choices,
        widget=forms.RadioSelect,
        initial=VisitReport.Mode.ON_SITE,
        error_messages={"invalid_choice": _("Choisissez une modalité de la liste.")},
    )


def _time():
    return forms.TimeField(
        label=_("Heure prévue"),
        help_text=_(
            "Facultative. Elle figure dans l'invitation envoyée à l'apprenti et au maître d'apprentissage."
        ),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Saisissez une heure valide (hh:mm).")},
    )


class PlanForm(Form):
    planned_date = _date(_("Date prévue"))
    planned_time = _time()
    mode = _mode()
    is_start_meeting = forms.BooleanField(
        label=_("C'est l'entretien tripartite de démarrage"),
        help_text=_(
            "Avec l'apprenti, le maître d'apprentissage et vous (et le représentant légal d'un mineur)."
        ),
        required=False,
    )

    def __init__(self, *args, start_meeting_allowed=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not start_meeting_allowed:
            del self.fields["is_start_meeting"]


class MoveForm(Form):
    """Another day, time or mode for a planned visit (its invitation is mailed again)."""

    planned_date = _date(_("Nouvelle date"))
    planned_time = _time()
    mode = _mode()


PRESENCE_CHOICES = [("oui", _("Oui")), ("non", _("Non"))]


def _presence(label, required_message):
    """Asked, with no answer ticked beforehand: a report never says by default that someone was absent."""
    return forms.TypedChoiceField(
        label=label,
        choices=PRESENCE_CHOICES,
        coerce=lambda value: value == "oui",
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": required_message,
            "invalid_choice": _("Répondez par oui ou par non."),
        },
    )


class LogForm(Form):
    """The report. ``open_actions``: the contract's actions still open, offered to be ticked "faite";
    ``correction``: the report is a new version of a shared one (the actions done are not asked again)."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    held_on = _date(_("Date de la rencontre"), required_message=_("Indiquez la date de la rencontre."))
    mode = _mode()
    apprentice_present = _presence(
        _("L'apprenti était-il présent ?"), _("Indiquez si l'apprenti était présent.")
    )
    company_tutor_present = _presence(
        _("Le maître d'apprentissage était-il présent ?"),
        _("Indiquez si le maître d'apprentissage était présent."),
    )
    legal_representative_present = _presence(
        _("Le représentant légal était-il présent ?"), _("Indiquez si le représentant légal était présent.")
    )
    other_participants = forms.CharField(
        label=_("Autres participants"),
        help_text=_("Noms et fonctions, par exemple « Mme Roux, responsable RH »."),
        required=False,
        max_length=MAX_PARTICIPANTS,
        error_messages={"max_length": TOO_LONG},
    )
    integration = _text(_("Intégration dans l'entreprise"), _("Accueil, équipe, conditions de travail."))
    missions_adequacy = _text(
        _("Adéquation des missions avec la formation"),
        _("Les missions correspondent-elles au diplôme préparé ?"),
    )
    progress = _text(_("Progression de l'apprenti"), _("Compétences acquises, autonomie, points forts."))
    difficulties = _text(_("Difficultés"), _("Ce qui freine, et l'aide envisagée."))
    close_actions = forms.TypedMultipleChoiceField(
        label=_("Actions faites"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Une action cochée n'est plus ouverte : rechargez la page.")},
    )

    PARTICIPANTS = ("apprentice_present", "company_tutor_present", "legal_representative_present")
    TEXTS = VisitReport.REPORT_FIELDS

    def __init__(self, *args, open_actions=(), minor=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["close_actions"].choices = [(action.pk, action.description) for action in open_actions]
        if not minor:
            del self.fields["legal_representative_present"]

    def report_values(self, new_actions) -> dict:
        """What the school tutor wrote, as ``services.visits.Report.clean`` takes it."""
        data = self.cleaned_data
        return {
            "held_on": data["held_on"],
            "mode": data["mode"],
            "other_participants": data["other_participants"],
            **{name: data.get(name, False) for name in self.PARTICIPANTS},
            **{name: data[name] for name in self.TEXTS},
            "close_action_ids": data["close_actions"],
            "new_actions": new_actions,
        }

    def participant_fields(self):
        return [self[name] for name in self.PARTICIPANTS if name in self.fields]

    def text_fields(self):
        return [self[name] for name in self.TEXTS]


class NewActionForm(Form):
    """One row of new action: optional as a whole, but a row begun must be complete."""

    description = forms.CharField(
        label=_("Action"), required=False, max_length=MAX_ACTION, error_messages={"max_length": TOO_LONG}
    )
    owner = forms.ChoiceField(
        label=_("Responsable"), required=False, choices=[("", _("Choisir…")), *ActionItem.Owner.choices]
    )
    due_date = _date(_("Échéance"), required=False)

    def clean(self):
        data = super().clean()
        if any(data.get(name) for name in ("description", "owner", "due_date")):
            for name, message in (
                ("description", _("Décrivez l'action.")),
                ("owner", _("Choisissez son responsable.")),
                ("due_date", _("Indiquez son échéance.")),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return data


class BaseNewActionFormSet(forms.BaseFormSet):
    def due_dates_follow(self, held_on) -> bool:
        """Whether each action is due on or after the meeting; otherwise its row's due date says so (the
        service refuses it too, but with no row to point to)."""
        ok = True
        for form in self.forms:
            data = form.cleaned_data or {}
            if held_on and data.get("description") and data.get("due_date") and data["due_date"] < held_on:
                form.add_error("due_date", _("L'échéance ne peut précéder la rencontre."))
                ok = False
        return ok

    def actions(self) -> list[dict]:
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and form.cleaned_data.get("description")
        ]


NewActionFormSet = forms.formset_factory(
    NewActionForm,
    formset=BaseNewActionFormSet,
    extra=1,
    max_num=MAX_NEW_ACTIONS,
    absolute_max=MAX_NEW_ACTIONS,
    validate_max=True,
)


ACTIONS_PREFIX = "actions"


def draft_values(data) -> dict:
    """The report's draft as the form sends it (``data``: the POST), for ``services.visits.clean_draft``:
    the draft is kept as typed, complete or not; only its sharing is checked as a report."""
    values = {name: data.get(name, "") for name in DRAFT_FIELDS}
    values["close_actions"] = data.getlist("close_actions")
    try:
        rows = int(data.get(f"{ACTIONS_PREFIX}-TOTAL_FORMS", 0))
    except (TypeError, ValueError):
        rows = 0
    # Rows past the limit are read, to be refused (not dropped silently) if something is typed in them.
    values["actions"] = [
        {key: data.get(f"{ACTIONS_PREFIX}-{index}-{key}", "") for key in ("description", "owner", "due_date")}
        for index in range(min(max(rows, 0), MAX_NEW_ACTIONS + 5))
    ]
    return values


DRAFT_FIELDS = (
    "held_on",
    "mode",
    *LogForm.PARTICIPANTS,
    "other_participants",
    *VisitReport.REPORT_FIELDS,
)


class CancelForm(Form):
    reason = forms.CharField(
        label=_("Motif de l'annulation"),
        max_length=MAX_REASON,
        error_messages={"max_length": TOO_LONG, "required": _("Indiquez pourquoi la visite est annulée.")},
    )


class CloseActionForm(Form):
    done_on = _date(_("Faite le"), initial=timezone.localdate)
