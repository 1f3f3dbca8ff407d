"""The visit report form: the open actions at a fixed cost, who may log, a minor's legal
representative, logging from the form, and bad or oversized reports."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from tests.helpers import messages_of, text_of
from tests.livret.factories import ActionItemFactory, VisitReportFactory
from tests.livret.visit_pages_support import PLANNERS, add_history
from tests.livret.visits_support import REPORT, TODAY, VisitStatus, snapshot

LOG_QUERIES = 5  # + the visit with its contract and people, the contract's open actions


# The report form --------------------------------------------------------------------------------------------


def log_data(**overrides):
    data = {
        "held_on": TODAY().isoformat(),
        "mode": "on_site",
        "revision": "0",
        "apprentice_present": "oui",
        "company_tutor_present": "oui",
        "other_participants": "",
        **REPORT,
        "actions-TOTAL_FORMS": "3",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "30",
    }
    for index in range(3):
        data.update(
            {
                f"actions-{index}-description": "",
                f"actions-{index}-owner": "",
                f"actions-{index}-due_date": "",
            }
        )
    data.update(overrides)
    return data


@pytest.mark.parametrize("extra", [1, 4])
@pytest.mark.parametrize("role", PLANNERS)
def test_log_form_offers_every_open_action_at_a_fixed_cost(
    client, world, django_assert_num_queries, role, extra
):
    add_history(world.mine.contract, extra)
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY())
    client.force_login(world.users[role])

    with django_assert_num_queries(LOG_QUERIES):
        response = client.get(reverse("livret:visit_log", args=[visit.pk]))

    assert response.status_code == 200
    assert len(response.context["close_choices"]) == 2 * extra
    assert "legal_representative_present" not in response.context["form"].fields
    assert text_of(response).count("Faite :") == 2 * extra


@pytest.mark.parametrize("role", ["apprentice", "company_tutor", "head_of_diploma"])
def test_log_form_is_not_found_for_who_may_not_log(client, world, role):
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY())
    before = snapshot(visit)
    client.force_login(world.users[role])

    assert client.get(reverse("livret:visit_log", args=[visit.pk])).status_code == 404
    assert client.post(reverse("livret:visit_log", args=[visit.pk]), log_data()).status_code == 404
    assert snapshot(visit) == before


def test_log_form_of_a_minor_asks_about_the_legal_representative(client, world):
    apprentice = world.mine.apprentice
    apprentice.birth_date = TODAY().replace(year=TODAY().year - 16)
    apprentice.save()
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY())
    client.force_login(world.users["school_tutor"])

    response = client.get(reverse("livret:visit_log", args=[visit.pk]))

    assert "legal_representative_present" in response.context["form"].fields
    assert "Le représentant légal" in text_of(response)


def test_log_form_of_a_visit_already_reported_goes_back_to_the_visit(client, world):
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), reported=True)
    client.force_login(world.users["school_tutor"])

    response = client.get(reverse("livret:visit_log", args=[visit.pk]))

    assert response["Location"] == visit.get_absolute_url()
    assert messages_of(response) == [
        "Le compte rendu de cette visite est déjà partagé : il se corrige par une nouvelle version."
    ]


def test_logging_from_the_form_closes_the_ticked_actions_and_opens_the_new_ones(
    client, world, django_capture_on_commit_callbacks
):
    earlier = VisitReportFactory(
        contract=world.mine.contract, planned_date=TODAY() - datetime.timedelta(days=60), reported=True
    )
    done, kept = ActionItemFactory(opened_in=earlier), ActionItemFactory(opened_in=earlier)
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY())
    client.force_login(world.users["school_tutor"])
    due = (TODAY() + datetime.timedelta(days=20)).isoformat()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("livret:visit_log", args=[visit.pk]),
            log_data(
                close_actions=[done.pk],
                **{
                    "actions-0-description": "Préciser le sujet du projet",
                    "actions-0-owner": "company_tutor",
                    "actions-0-due_date": due,
                    "actions-2-description": "Suivre la formation ERP",
                    "actions-2-owner": "apprentice",
                    "actions-2-due_date": due,
                },
            ),
        )

    assert response["Location"] == visit.get_absolute_url()
    visit.refresh_from_db()
    done.refresh_from_db()
    kept.refresh_from_db()
    assert visit.status == VisitStatus.REPORTED
    assert (done.closed_in, done.done_on, kept.done_on) == (visit, TODAY(), None)
    assert sorted(visit.actions_opened.values_list("description", flat=True)) == [
        "Préciser le sujet du projet",
        "Suivre la formation ERP",
    ]
    assert [m.to for m in mail.outbox] == [[world.mine.company_tutor.email.lower()]]
    page = text_of(client.get(visit.get_absolute_url()))
    assert "Préciser le sujet du projet" in page
    # The next visit's form offers what is still open, the two new actions and the one kept.
    following = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY())
    choices = client.get(reverse("livret:visit_log", args=[following.pk])).context["close_choices"]
    assert sorted(c["action"].description for c in choices) == sorted(
        ["Préciser le sujet du projet", "Suivre la formation ERP", kept.description]
    )


BAD_LOGS = [
    (
        {"integration": "", "missions_adequacy": "", "progress": "", "difficulties": ""},
        "Remplissez au moins une rubrique du compte rendu",
    ),
    ({"progress": "x" * 5001}, "Ce texte dépasse 5000 caractères."),
    ({"held_on": "2026-13-45"}, "Saisissez une date valide (jj/mm/aaaa)."),
    ({"held_on": "tomorrow"}, "La rencontre ne peut pas être dans le futur : planifiez-la plutôt."),
    ({"mode": "pigeon"}, "Choisissez une modalité de la liste."),
    ({"actions-0-description": "Faire le point"}, "Choisissez son responsable."),
    (
        {"actions-0-owner": "nobody", "actions-0-description": "Faire le point"},
        "Sélectionnez un choix valide.",
    ),
    ({"close_actions": ["999999"]}, "Une action cochée n'est plus ouverte : rechargez la page."),
    ({"actions-TOTAL_FORMS": "50"}, "Veuillez soumettre au plus 30 formulaires."),
    (
        {"actions-TOTAL_FORMS": "abc"},
        "Des données du formulaire ManagementForm sont manquantes ou ont été manipulées.",
    ),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_LOGS, ids=[f"bad-{i}" for i in range(len(BAD_LOGS))])
def test_a_bad_or_malformed_report_is_shown_again_with_a_french_message_and_changes_nothing(
    client, world, overrides, message
):
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY())
    before = snapshot(visit)
    client.force_login(world.users["school_tutor"])
    overrides = dict(overrides)
    if overrides.get("held_on") == "tomorrow":
        overrides["held_on"] = (TODAY() + datetime.timedelta(days=1)).isoformat()

    response = client.post(reverse("livret:visit_log", args=[visit.pk]), log_data(**overrides))

    assert response.status_code == 200
    assert message in text_of(response), text_of(response)[:3000]
    assert snapshot(visit) == before


def test_an_oversized_submission_is_refused(client, world):
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY())
    before = snapshot(visit)
    client.force_login(world.users["school_tutor"])

    response = client.post(
        reverse("livret:visit_log", args=[visit.pk]),
        log_data(progress="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)),
    )

    assert response.status_code == 400
    assert snapshot(visit) == before
