"""Errors that lead to the field: the summary at the top of every form (components/form_errors.html),
its items (core.form_errors) and the pages where an error used to be out of sight."""

import datetime
import re

from django import forms
from django.template.loader import render_to_string
from django.urls import reverse

from core.form_errors import ErrorItem, error_items
from core.models import ActionLink
from core.workflow import links
from livret.forms.visits import NewActionFormSet
from tests.helpers import summary_links, text_of
from tests.livret.evaluation_pages_support import form_data
from tests.livret.factories import (
    EvaluationFactory,
    LiaisonSheetFactory,
    VisitReportFactory,
    competence_framework,
)
from tests.livret.test_visit_report_pages import log_data
from tests.livret.visits_support import TODAY


class Sample(forms.Form):
    name = forms.CharField(label="Nom")
    mode = forms.ChoiceField(label="Modalité", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    agree = forms.BooleanField(label="J'accepte")
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("Tout le formulaire est refusé.")


def test_each_error_has_its_label_its_anchor_and_its_message_in_the_fields_order():
    form = Sample(data={"name": ""})

    assert error_items([form]) == [
        ErrorItem("", "", "Tout le formulaire est refusé."),
        ErrorItem("Nom", "id_name", "Ce champ est obligatoire."),
        ErrorItem("Modalité", "id_mode_0", "Ce champ est obligatoire."),  # a radio group: its first choice
        ErrorItem("J'accepte", "id_agree", "Ce champ est obligatoire."),
        ErrorItem("", "", "Ce champ est obligatoire."),  # a hidden field: nowhere to go
    ]


def test_an_unbound_or_valid_form_has_no_error():
    class Valid(forms.Form):
        name = forms.CharField()

    assert error_items([Valid(), Valid(data={"name": "x"}), None]) == []


def test_a_formset_row_is_named_by_its_number_and_leads_to_its_field():
    data = {"actions-TOTAL_FORMS": "3", "actions-INITIAL_FORMS": "0", "actions-1-owner": "apprentice"}
    formset = NewActionFormSet(data, prefix="actions")

    items = error_items([formset], row_label="Action", extra=["Trop d'actions."], extra_anchor="actions")

    assert items == [
        ErrorItem("Action 2 — Action", "id_actions-1-description", "Décrivez l'action."),
        ErrorItem("Action 2 — Échéance", "id_actions-1-due_date", "Indiquez son échéance."),
        ErrorItem("", "actions", "Trop d'actions."),
    ]


def test_the_summary_counts_the_errors_in_french_takes_the_focus_and_links_each_one():
    html = render_to_string("components/form_errors.html", {"form": Sample(data={"name": ""})})

    assert "Il y a 5 erreurs" in html
    opening = re.search(r"<div[^>]*data-error-summary[^>]*>", html).group(0)
    assert 'tabindex="-1"' in opening and "autofocus" in opening and 'id="erreurs"' in opening
    assert summary_links(html) == [
        ("#id_name", "Nom : Ce champ est obligatoire."),
        ("#id_mode_0", "Modalité : Ce champ est obligatoire."),
        ("#id_agree", "J'accepte : Ce champ est obligatoire."),
    ]
    assert "Tout le formulaire est refusé." in html  # said, with no field to go to


def test_one_error_is_said_in_the_singular():
    class One(forms.Form):
        name = forms.CharField(label="Nom")

    html = render_to_string("components/form_errors.html", {"form": One(data={})})

    assert "Il y a 1 erreur<" in html


def test_no_summary_without_errors():
    assert "data-error-summary" not in render_to_string("components/form_errors.html", {"form": Sample()})


# The pages -------------------------------------------------------------------------------------------


SHEET_ERROR_QUERIES = 6  # as the page itself (tests/livret/test_pages.py): nothing more for the errors


def test_countersigning_without_the_box_comes_back_with_the_summary_and_the_field_marked(
    client, world, django_assert_num_queries
):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)
    client.force_login(world.users["company_tutor"])

    with django_assert_num_queries(SHEET_ERROR_QUERIES):
        response = client.post(
            reverse("livret:sheet_countersign", args=[sheet.pk]), {"tutor_assessment": "Bien."}
        )

    assert response.status_code == 400
    html = response.content.decode()
    assert summary_links(html) == [
        (
            "#id_confirm",
            "J'ai lu la fiche de l'apprenti et je la contresigne. : "
            "Cochez la case pour confirmer votre contresignature.",
        )
    ]
    box = re.search(r'<input[^>]*id="id_confirm"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in box and 'aria-describedby="id_confirm_error"' in box
    assert 'id="id_confirm_error"' in html
    assert response.context["countersign_form"]["tutor_assessment"].value() == "Bien."  # kept
    sheet.refresh_from_db()
    assert sheet.status == "submitted"


def test_a_return_without_a_reason_opens_its_disclosure_with_the_summary(client, world):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)
    client.force_login(world.users["company_tutor"])

    response = client.post(reverse("livret:sheet_return", args=[sheet.pk]), {"reason": ""})

    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r"<details class=\"card\" open>", html)
    assert [href for href, _text in summary_links(html)] == ["#id_reason"]


def test_someone_who_may_not_countersign_gets_the_refusal_not_the_form(client, world):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)
    client.force_login(world.users["school_tutor"])

    response = client.post(reverse("livret:sheet_countersign", args=[sheet.pk]), {})

    assert response.status_code == 302


def test_the_emailed_link_shows_the_summary_too(client, world):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)
    tutor = sheet.contract.company_tutor
    _link, token = links.issue(
        document=sheet, action=ActionLink.Action.COUNTERSIGN, email=tutor.email, name=str(tutor)
    )

    response = client.post(reverse("livret:sheet_link", args=[sheet.pk, token]), {"tutor_assessment": ""})

    assert [href for href, _text in summary_links(response.content.decode())] == ["#id_confirm"]


def test_an_action_row_error_is_in_the_summary_with_a_link_to_its_field(client, world):
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY())
    client.force_login(world.users["school_tutor"])

    response = client.post(
        reverse("livret:visit_log", args=[visit.pk]),
        log_data(**{"actions-2-description": "Préparer la soutenance", "actions-2-owner": "apprentice"}),
    )

    html = response.content.decode()
    assert "Il y a 1 erreur" in text_of(response)
    assert summary_links(html) == [("#id_actions-2-due_date", "Action 3 — Échéance : Indiquez son échéance.")]
    assert 'aria-describedby="id_actions-2-due_date_error"' in html


def test_an_action_due_before_the_meeting_is_marked_on_its_row(client, world):
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY())
    client.force_login(world.users["school_tutor"])
    before = (TODAY() - datetime.timedelta(days=3)).isoformat()

    response = client.post(
        reverse("livret:visit_log", args=[visit.pk]),
        log_data(
            **{
                "actions-1-description": "Rappeler le tuteur",
                "actions-1-owner": "school_tutor",
                "actions-1-due_date": before,
            }
        ),
    )

    assert summary_links(response.content.decode()) == [
        ("#id_actions-1-due_date", "Action 2 — Échéance : L'échéance ne peut précéder la rencontre.")
    ]
    visit.refresh_from_db()
    assert visit.held_on is None


def test_the_evaluation_grid_names_each_competence_left_out(client, world):
    competences = competence_framework(world.mine.diploma, blocks=1, per_block=3)
    evaluation = EvaluationFactory(contract=world.mine.contract)
    client.force_login(world.users["apprentice"])

    response = client.post(
        reverse("livret:evaluation_save", args=[evaluation.pk]),
        form_data(competences, action="submit", skip=2),
    )

    assert response.status_code == 400
    assert "Il y a 2 erreurs" in text_of(response)
    assert summary_links(response.content.decode()) == [
        (f"#id_c{c.pk}_0", f"{c.code} — {c.title} : Choisissez un niveau pour cette compétence.")
        for c in competences[:2]
    ]
