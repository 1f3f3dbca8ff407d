"""The head's decision on a mission description from its page (validation, return) and the
correction by a new version, with the posts that are refused."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from livret.models import MissionDecision, MissionDescription
from tests.helpers import messages_of
from tests.livret import mission_pages_support
from tests.livret.factories import mission_in, mission_snapshot
from tests.livret.mission_pages_support import save
from tests.livret.missions_support import NEW_TEXT, MissionStatus, fresh

# Shared fixtures: pytest finds a fixture by its name in the test module.
_content_types_cached = mission_pages_support._content_types_cached


# Decisions and correction ----------------------------------------------------------------------------


def test_head_validates_with_an_optional_comment(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    client.force_login(world.users["head_of_diploma"])

    response = client.post(reverse("livret:mission_validate", args=[mission.pk]), {"comment": ""})

    assert response["Location"] == reverse("livret:mission_list")
    assert messages_of(response) == [
        "Description validée : l'apprenti et son maître d'apprentissage en sont avertis par message "
        "électronique et la retrouvent dans le livret.",
        "Plus aucune description n'attend votre décision.",
    ]
    assert fresh(mission).status == MissionStatus.VALIDATED
    assert MissionDecision.objects.get(mission=mission).comment == ""


def test_head_returns_with_a_comment(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    client.force_login(world.users["head_of_diploma"])

    response = client.post(reverse("livret:mission_return", args=[mission.pk]), {"comment": "Précisez."})

    assert messages_of(response) == [
        "Description renvoyée avec votre commentaire : l'apprenti et son maître d'apprentissage le "
        "reçoivent par message électronique.",
        "Plus aucune description n'attend votre décision.",
    ]
    assert (fresh(mission).status, fresh(mission).return_comment) == (MissionStatus.RETURNED, "Précisez.")


@pytest.mark.parametrize("role", ["head_of_diploma", "staff", "admin"])
def test_correction_from_the_page_opens_the_new_version(client, world, role):
    mission = mission_in(world.mine.contract, MissionStatus.VALIDATED)
    client.force_login(world.users[role])

    response = client.post(reverse("livret:mission_correct", args=[mission.pk]))

    new = MissionDescription.objects.get(previous=mission)
    assert response["Location"] == new.get_absolute_url()
    assert messages_of(response) == ["Nouvelle version ouverte ; la version validée reste consultable."]


REFUSED_POSTS = [
    # (state, role, view, data, message)
    (
        MissionStatus.DRAFT,
        "school_tutor",
        "mission_save",
        {"action": "save"},
        "Cette description n'est pas modifiable par vous.",
    ),
    (
        MissionStatus.DRAFT,
        "head_of_diploma",
        "mission_save",
        {"action": "submit"},
        "Cette description n'est pas modifiable par vous.",
    ),
    (
        MissionStatus.SUBMITTED,
        "apprentice",
        "mission_save",
        {"action": "save"},
        "Cette description a été soumise : elle n'est plus modifiable.",
    ),
    (
        MissionStatus.SUBMITTED,
        "staff",
        "mission_save",
        {"action": "save", "missions": "x" * 9000},
        "Cette description a été soumise : elle n'est plus modifiable.",
    ),
    (
        MissionStatus.SUBMITTED,
        "school_tutor",
        "mission_validate",
        {},
        "Seul un responsable de la formation de l'apprenti décide de cette description.",
    ),
    (
        MissionStatus.SUBMITTED,
        "staff",
        "mission_return",
        {"comment": "Non."},
        "Seul un responsable de la formation de l'apprenti décide de cette description.",
    ),
    (
        MissionStatus.SUBMITTED,
        "head_of_diploma",
        "mission_return",
        {"comment": " "},
        "Indiquez ce qui doit être repris dans la description.",
    ),
    (
        MissionStatus.DRAFT,
        "head_of_diploma",
        "mission_validate",
        {},
        "Cette description n'attend pas de décision du responsable de formation.",
    ),
    (
        MissionStatus.VALIDATED,
        "head_of_diploma",
        "mission_return",
        {"comment": "Non."},
        "Cette description n'attend pas de décision du responsable de formation.",
    ),
    (
        MissionStatus.VALIDATED,
        "apprentice",
        "mission_correct",
        {},
        "Vous ne pouvez pas corriger cette description.",
    ),
    (
        MissionStatus.VALIDATED,
        "company_tutor",
        "mission_correct",
        {},
        "Vous ne pouvez pas corriger cette description.",
    ),
    (
        MissionStatus.SUBMITTED,
        "staff",
        "mission_correct",
        {},
        "Seule une description validée se corrige par une nouvelle version.",
    ),
]


@pytest.mark.parametrize(
    ("state", "role", "view", "data", "message"),
    REFUSED_POSTS,
    ids=[f"{view}-{state}-{role}-{i}" for i, (state, role, view, _d, _m) in enumerate(REFUSED_POSTS)],
)
def test_refused_post_redirects_to_the_description_with_a_french_message_and_changes_nothing(
    client, world, state, role, view, data, message
):
    mission = mission_in(world.mine.contract, state)
    before = mission_snapshot(mission)
    client.force_login(world.users[role])

    response = client.post(reverse(f"livret:{view}", args=[mission.pk]), {**NEW_TEXT, "revision": 1, **data})

    assert response.status_code == 302
    assert response["Location"] == mission.get_absolute_url()
    assert messages_of(response) == [message]
    assert mission_snapshot(mission) == before


def test_a_refused_autosave_answers_in_json_and_changes_nothing(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    before = mission_snapshot(mission)
    client.force_login(world.users["apprentice"])

    response = save(client, mission, json_=True)

    assert response.status_code == 403
    assert response.json() == {"error": "Cette description a été soumise : elle n'est plus modifiable."}
    assert mission_snapshot(mission) == before


def test_the_audit_trail_names_each_step(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.RETURNED)
    client.force_login(world.users["staff"])

    events = client.get(mission.get_absolute_url()).context["audit_events"]

    assert all(event.actor is not None for event in events)
    assert AuditEvent.for_object(mission).count() == len(events) == 4
