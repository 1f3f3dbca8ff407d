"""Saving and submitting a mission description from its page: the draft's autosave and its stale copy,
the submission, and the posts that are refused."""

import json

import pytest
from django.utils.html import escape

from livret.models import MissionDescription
from livret.services import missions as services
from tests.helpers import messages_of, text_of
from tests.livret import mission_pages_support
from tests.livret.factories import MISSION_TEXT, mission_in, mission_snapshot
from tests.livret.mission_pages_support import save
from tests.livret.missions_support import NEW_TEXT, MissionStatus, fresh

# Shared fixtures: pytest finds a fixture by its name in the test module.
_content_types_cached = mission_pages_support._content_types_cached


# Saving and submitting -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["apprentice", "company_tutor"])
def test_writers_save_a_draft_from_the_form(client, world, role):
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT)
    client.force_login(world.users[role])

    response = save(client, mission)

    assert response["Location"] == mission.get_absolute_url()
    assert messages_of(response) == ["Brouillon enregistré."]
    assert (fresh(mission).content(), fresh(mission).revision) == (NEW_TEXT, 2)


def test_the_autosave_gets_the_new_revision_in_json(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT)
    client.force_login(world.users["apprentice"])

    response = save(client, mission, json_=True)

    assert response.status_code == 200
    assert response.json()["revision"] == 2
    assert fresh(mission).missions == NEW_TEXT["missions"]


def test_writers_submit_from_the_form_and_the_text_is_saved_first(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT, empty=True)
    client.force_login(world.users["company_tutor"])

    response = save(client, mission, action="submit")

    mission = fresh(mission)
    assert messages_of(response) == [
        "Description soumise au responsable de formation : il la valide ou la renvoie sous une semaine."
    ]
    assert (mission.status, mission.content(), mission.submitted_by) == (
        MissionStatus.SUBMITTED,
        NEW_TEXT,
        world.users["company_tutor"],
    )


def test_submitting_without_the_project_subject_keeps_the_text_and_says_what_is_missing(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT, empty=True)
    client.force_login(world.users["apprentice"])

    response = save(client, mission, action="submit", project_subject="")

    assert messages_of(response) == ["Indiquez le sujet du projet entreprise de l'année."]
    assert (fresh(mission).status, fresh(mission).missions) == (MissionStatus.DRAFT, NEW_TEXT["missions"])


def test_a_save_from_a_stale_tab_shows_both_texts_and_overwrites_nothing(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT)  # revision 1
    client.force_login(world.users["apprentice"])
    stale_revision = mission.revision
    services.save_draft(
        mission=mission,
        by=world.users["company_tutor"],
        values={**MISSION_TEXT, "missions": "Texte du tuteur"},
        revision=1,
    )
    before = mission_snapshot(mission)

    response = save(client, mission, revision=stale_revision)

    assert response.status_code == 409
    assert messages_of(response)[0].startswith("La description a été modifiée ailleurs")
    html = response.content.decode()
    assert f"{escape(NEW_TEXT['missions'])}</textarea>" in html  # what this tab typed is still in the form
    assert "Texte du tuteur" in text_of(response)  # next to the text saved elsewhere
    assert response.context["form"]["revision"].value() == 2  # saving again replaces it, knowingly
    assert mission_snapshot(mission) == before


def test_the_autosave_from_a_stale_tab_gets_a_conflict_with_the_current_text(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT)
    client.force_login(world.users["apprentice"])
    services.save_draft(mission=mission, by=world.users["company_tutor"], values=NEW_TEXT, revision=1)
    before = mission_snapshot(mission)

    response = save(client, mission, json_=True, revision=1, missions="Autre onglet")

    assert response.status_code == 409
    assert response.json() == {"conflict": True, "current": NEW_TEXT, "revision": 2}
    assert mission_snapshot(mission) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"missions": "x" * (MissionDescription.MAX_TEXT + 1)}, "Ce texte dépasse 8000 caractères."),
        ({"project_subject": "x" * 301}, "Ce texte dépasse 300 caractères."),
        ({"revision": "abc"}, "La page est incomplète : rechargez-la avant d'enregistrer."),
        ({"revision": ""}, "La page est incomplète : rechargez-la avant d'enregistrer."),
    ],
)
def test_an_oversized_or_malformed_save_is_refused_with_a_message_and_keeps_the_text(
    client, world, data, message
):
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT)
    before = mission_snapshot(mission)
    client.force_login(world.users["apprentice"])

    response = save(client, mission, **data)

    assert response.status_code == 400
    assert messages_of(response) == ["Rien n'a été enregistré : corrigez les champs signalés."]
    assert message in text_of(response)
    assert f"{escape(NEW_TEXT['expected_progression'])}</textarea>" in response.content.decode()
    assert mission_snapshot(mission) == before
    json_response = save(client, mission, json_=True, **data)
    assert json_response.status_code == 400
    assert message in json.dumps(json_response.json(), ensure_ascii=False)
    assert mission_snapshot(mission) == before
