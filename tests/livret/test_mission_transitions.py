"""The mission description's workflow through the services, move by move: who may move a description
from which state to which, what each allowed move records, and who and which states are refused."""

import pytest
from django.core.exceptions import PermissionDenied

from core.models import AuditEvent
from core.workflow import Refusal
from livret.services import missions as services
from tests.conftest import ROLES, build_chain
from tests.livret import missions_support
from tests.livret.factories import mission_in, mission_snapshot
from tests.livret.missions_support import NEW_TEXT, MissionStatus, fresh

# Shared fixtures: pytest finds a fixture by its name in the test module.
world = missions_support.world

# Every role of the world, and a head of another diploma of the same organisation.
PEOPLE = (*ROLES, "other_head")

# (action, source state) -> who may do it; every other person is refused, every other state too.
ALLOWED = {
    ("save", MissionStatus.DRAFT): {"apprentice", "company_tutor"},
    ("save", MissionStatus.RETURNED): {"apprentice", "company_tutor"},
    ("submit", MissionStatus.DRAFT): {"apprentice", "company_tutor"},
    ("submit", MissionStatus.RETURNED): {"apprentice", "company_tutor"},
    ("validate", MissionStatus.SUBMITTED): {"head_of_diploma"},
    ("return", MissionStatus.SUBMITTED): {"head_of_diploma"},
    ("correct", MissionStatus.VALIDATED): {"head_of_diploma", "staff", "admin"},
}
ACTIONS = ("save", "submit", "validate", "return", "correct")
STATES = (
    MissionStatus.DRAFT,
    MissionStatus.SUBMITTED,
    MissionStatus.VALIDATED,
    MissionStatus.RETURNED,
    "superseded",
)
TARGET = {
    "submit": MissionStatus.SUBMITTED,
    "validate": MissionStatus.VALIDATED,
    "return": MissionStatus.RETURNED,
    "save": None,
}
EVENT = {
    "save": "livret.missiondescription.changed",
    "submit": "livret.missiondescription.submitted",
    "validate": "livret.missiondescription.validated",
    "return": "livret.missiondescription.returned",
    "correct": "livret.missiondescription.corrected",
}
WRONG_STATE_MESSAGE = {
    "save": "Cette description a été soumise : elle n'est plus modifiable.",
    "submit": "Cette description a déjà été soumise au responsable de formation.",
    "validate": "Cette description n'attend pas de décision du responsable de formation.",
    "return": "Cette description n'attend pas de décision du responsable de formation.",
    "correct": "Seule une description validée se corrige par une nouvelle version.",
}
FORBIDDEN_MESSAGE = {
    "save": "Cette description n'est pas modifiable par vous.",
    "submit": "Seuls l'apprenti et son maître d'apprentissage peuvent soumettre cette description.",
    "validate": "Seul un responsable de la formation de l'apprenti décide de cette description.",
    "return": "Seul un responsable de la formation de l'apprenti décide de cette description.",
    "correct": "Vous ne pouvez pas corriger cette description.",
}


def act(action, mission, user):
    if action == "save":
        return services.save_draft(mission=mission, by=user, values=NEW_TEXT, revision=mission.revision)
    if action == "submit":
        return services.submit(mission=mission, by=user)
    if action == "validate":
        return services.validate(mission=mission, by=user, comment="Très bon projet.")
    if action == "return":
        return services.return_mission(mission=mission, by=user, comment="Précisez les livrables.")
    return services.correct(mission=mission, by=user)


def mission_in_state(world, state):
    if state == "superseded":
        old = mission_in(world.mine.contract, MissionStatus.VALIDATED)
        services.correct(mission=old, by=world.users["staff"])
        old.refresh_from_db()
        return old
    return mission_in(world.mine.contract, state)


# Allowed and forbidden transitions ------------------------------------------------------------------


ALLOWED_CASES = [(a, source, role) for (a, source), roles in ALLOWED.items() for role in sorted(roles)]


@pytest.mark.parametrize(("action", "source", "role"), ALLOWED_CASES)
def test_allowed_transition_moves_the_description_and_records_who_did_it(world, action, source, role):
    user = world.users[role]
    mission = mission_in_state(world, source)

    result = act(action, mission, user)

    event = AuditEvent.objects.filter(action=EVENT[action], target_id=result.pk).latest("pk")
    assert event.actor == user
    if action == "correct":
        assert (result.version, result.previous_id, result.status, result.is_current) == (
            2,
            mission.pk,
            MissionStatus.DRAFT,
            True,
        )
        assert result.content() == mission.content()
    elif action == "save":
        assert (fresh(mission).missions, fresh(mission).last_edited_by) == (NEW_TEXT["missions"], user)
    else:
        assert fresh(mission).status == TARGET[action]


@pytest.mark.parametrize(("action", "source"), list(ALLOWED))
def test_people_not_allowed_are_refused_with_a_french_message_and_nothing_changes(world, action, source):
    mission = mission_in_state(world, source)
    before = mission_snapshot(mission)
    refused = [person for person in PEOPLE if person not in ALLOWED[(action, source)]]
    assert "other_head" in refused

    for person in refused:
        with pytest.raises(PermissionDenied) as error:
            act(action, fresh(mission), world.users[person])
        assert str(error.value) == FORBIDDEN_MESSAGE[action], person
        assert mission_snapshot(mission) == before, person


WRONG_STATE_CASES = [(a, state) for a in ACTIONS for state in STATES if (a, state) not in ALLOWED]


@pytest.mark.parametrize(("action", "state"), WRONG_STATE_CASES)
def test_transition_from_a_wrong_state_is_refused_for_everyone_and_nothing_changes(world, action, state):
    mission = mission_in_state(world, state)
    before = mission_snapshot(mission)

    for person in PEOPLE:
        with pytest.raises(Refusal) as refused:
            act(action, fresh(mission), world.users[person])
        assert refused.value.message == WRONG_STATE_MESSAGE[action], person
        assert mission_snapshot(mission) == before, person


@pytest.mark.parametrize(
    ("action", "state", "role"),
    [
        ("save", MissionStatus.DRAFT, "apprentice"),
        ("save", MissionStatus.DRAFT, "company_tutor"),
        ("submit", MissionStatus.DRAFT, "apprentice"),
        ("submit", MissionStatus.DRAFT, "company_tutor"),
        ("validate", MissionStatus.SUBMITTED, "head_of_diploma"),
        ("return", MissionStatus.SUBMITTED, "head_of_diploma"),
    ],
)
def test_the_same_role_on_another_contract_is_refused(world, action, state, role):
    """The apprentice, the tutor and the head of another contract (another diploma) hold the role, not
    this description."""
    mission = mission_in_state(world, state)
    other = build_chain(world.organisation, world.academic_year, with_accounts=True)
    someone_else = other.diploma.heads.get() if role == "head_of_diploma" else getattr(other, role).user
    before = mission_snapshot(mission)

    with pytest.raises(PermissionDenied):
        act(action, fresh(mission), someone_else)
    assert mission_snapshot(mission) == before
