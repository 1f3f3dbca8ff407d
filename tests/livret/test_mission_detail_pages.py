"""A mission description's page: what each role sees and may do in each state, at a fixed cost, and
someone else's description not found."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Signature
from livret.models import MissionDescription
from livret.services import missions as services
from tests.conftest import ORGANISATION_WIDE, ROLES
from tests.helpers import text_of
from tests.livret import mission_pages_support
from tests.livret.factories import MISSION_TEXT, mission_in, mission_snapshot
from tests.livret.missions_support import NEW_TEXT, MissionStatus, fresh

# Shared fixtures: pytest finds a fixture by its name in the test module.
_content_types_cached = mission_pages_support._content_types_cached


POST_VIEWS = ("mission_save", "mission_validate", "mission_return", "mission_correct")

# + the description with its contract and people, the diploma's heads, the versions, the decisions,
# the signatures
DETAIL_QUERIES = {role: 8 for role in ROLES} | {"staff": 9, "admin": 9}  # + the audit trail
NOT_FOUND_QUERIES = 4  # + the description, not found


# The description -------------------------------------------------------------------------------------


def with_history(world, extra) -> MissionDescription:
    """The current, submitted description of ``world.mine`` after ``extra`` corrected versions, each
    validated, and ``extra`` returns and resubmissions of its own."""
    apprentice, head = world.users["apprentice"], world.users["head_of_diploma"]
    mission = mission_in(world.mine.contract, MissionStatus.VALIDATED)
    for _ in range(extra - 1):
        mission = services.correct(mission=mission, by=head)
        mission = services.submit(mission=mission, by=apprentice)
        mission = services.validate(mission=mission, by=head)
    mission = services.correct(mission=mission, by=head)
    mission = services.submit(mission=mission, by=apprentice)
    for _ in range(extra):
        mission = services.return_mission(mission=mission, by=head, comment="Précisez.")
        mission = services.submit(mission=mission, by=apprentice)
    return mission


@pytest.mark.parametrize("extra", [1, 4])
@pytest.mark.parametrize("role", ROLES)
def test_mission_detail_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, role, extra):
    mission = with_history(world, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(DETAIL_QUERIES[role]):
        response = client.get(mission.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["versions"]) == extra + 1
    assert len(response.context["decisions"]) == extra
    assert [s.act for s in response.context["signatures"]] == ["submit"] * (extra + 1)
    assert MISSION_TEXT["project_subject"] in text_of(response)


@pytest.mark.parametrize("role", ROLES)
def test_mission_of_someone_else_is_not_found_on_get_and_post(client, world, django_assert_num_queries, role):
    chains = [world.foreign] + ([] if role in ORGANISATION_WIDE else [world.other])
    missions = [mission_in(chain.contract, MissionStatus.SUBMITTED) for chain in chains]
    before = mission_snapshot(*missions)
    client.force_login(world.users[role])

    for mission in missions:
        with django_assert_num_queries(NOT_FOUND_QUERIES):
            assert client.get(mission.get_absolute_url()).status_code == 404
        for view in POST_VIEWS:
            response = client.post(
                reverse(f"livret:{view}", args=[mission.pk]),
                {**NEW_TEXT, "revision": 1, "action": "submit", "comment": "x"},
            )
            assert response.status_code == 404, view

    assert mission_snapshot(*missions) == before


@pytest.mark.parametrize("view", ["mission_list", "mission_detail", "mission_create", *POST_VIEWS])
def test_pages_ask_anonymous_people_to_log_in(client, world, view):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    args = (
        [] if view == "mission_list" else [world.mine.contract.pk if view == "mission_create" else mission.pk]
    )
    url = reverse(f"livret:{view}", args=args)

    response = client.post(url) if view in {"mission_create", *POST_VIEWS} else client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("state", "key", "roles"),
    [
        (MissionStatus.DRAFT, "form", {"apprentice", "company_tutor"}),
        (MissionStatus.RETURNED, "form", {"apprentice", "company_tutor"}),
        (MissionStatus.SUBMITTED, "validate_form", {"head_of_diploma"}),
        (MissionStatus.SUBMITTED, "return_form", {"head_of_diploma"}),
        (MissionStatus.VALIDATED, "can_correct", {"head_of_diploma", "staff", "admin"}),
    ],
)
def test_the_form_of_the_next_step_is_offered_to_whom_it_falls(client, world, state, key, roles):
    mission = mission_in(world.mine.contract, state)

    for role in ROLES:
        client.force_login(world.users[role])
        context = client.get(mission.get_absolute_url()).context
        assert bool(context[key]) is (role in roles), role


def test_the_page_shows_the_decisions_with_their_delay_and_the_signatures_with_their_hash(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    MissionDescription.objects.filter(pk=mission.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=9)
    )
    services.return_mission(
        mission=fresh(mission), by=world.users["head_of_diploma"], comment="Précisez le sujet."
    )
    services.submit(mission=fresh(mission), by=world.users["apprentice"])
    MissionDescription.objects.filter(pk=mission.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=2)
    )
    services.validate(mission=fresh(mission), by=world.users["head_of_diploma"], comment="Bon projet.")
    client.force_login(world.users["apprentice"])

    response = client.get(mission.get_absolute_url())

    text = text_of(response)
    assert "Renvoyée" in text and "décidée en 9 jours hors délai Précisez le sujet." in text
    assert "décidée en 2 jours dans le délai d'une semaine Bon projet." in text
    for signature in Signature.objects.for_document(mission):
        assert signature.content_sha256 in text
    assert "Validation du responsable de formation" in text
    assert response.context["audit_events"] is None


@pytest.mark.parametrize(
    ("state", "role"),
    [
        (MissionStatus.DRAFT, "apprentice"),
        (MissionStatus.SUBMITTED, "head_of_diploma"),
        (MissionStatus.VALIDATED, "staff"),
        (MissionStatus.SUBMITTED, "staff"),
    ],
)
def test_every_id_on_the_page_is_unique(client, world, state, role):
    """Labels and landmarks point at ids: the head's two forms both have a comment field."""
    mission = mission_in(world.mine.contract, state)
    client.force_login(world.users[role])

    html = client.get(mission.get_absolute_url()).content.decode()

    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_a_submitted_description_says_how_long_it_has_waited(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    MissionDescription.objects.filter(pk=mission.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=8)
    )
    client.force_login(world.users["head_of_diploma"])

    text = text_of(client.get(mission.get_absolute_url()))

    assert "En attente de décision depuis 8 jours." in text
    assert "Le délai d'une semaine prévu par la charte est dépassé." in text
    assert "en retard" in text


def test_an_old_version_links_to_the_current_one_and_offers_nothing(client, world):
    old = mission_in(world.mine.contract, MissionStatus.VALIDATED)
    new = services.correct(mission=old, by=world.users["staff"])
    client.force_login(world.users["head_of_diploma"])

    response = client.get(old.get_absolute_url())

    assert "Cette version a été corrigée" in text_of(response)
    assert f'href="{new.get_absolute_url()}"' in response.content.decode()
    assert (response.context["can_correct"], response.context["form"]) == (False, None)


@pytest.mark.parametrize("role", ORGANISATION_WIDE)
def test_staff_see_the_audit_trail(client, world, role):
    mission = mission_in(world.mine.contract, MissionStatus.VALIDATED)
    client.force_login(world.users[role])

    events = client.get(mission.get_absolute_url()).context["audit_events"]

    assert [e.action.rsplit(".", 1)[-1] for e in events] == ["validated", "submitted", "changed", "created"]
