"""Where mission descriptions are found and opened: the list (what each role sees, at a fixed cost),
opening a description from the list or the contract page, and the contract page's part on
descriptions."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apprentices.models import Contract
from livret import selectors
from livret.models import MissionDescription
from tests.conftest import ORGANISATION_WIDE, ROLES, grow
from tests.helpers import messages_of, text_of
from tests.livret import mission_pages_support
from tests.livret.factories import MissionDescriptionFactory, mission_in, mission_snapshot
from tests.livret.missions_support import MissionStatus

# Shared fixtures: pytest finds a fixture by its name in the test module.
_content_types_cached = mission_pages_support._content_types_cached


# Every page starts with 3 queries: the session, the user, the user's roles.
LIST_QUERIES = {
    # + the count, the page's keys and the page of descriptions (core.viewutils.NarrowPaginator), the
    # choices of the filters (diplomas, cohorts, employers, school tutors, academic years)
    "school_tutor": 11,
    "staff": 11,
    "admin": 11,
    # + the descriptions waiting for the head
    "head_of_diploma": 12,
    # + the academic year, the contracts still to describe
    "apprentice": 13,
    "company_tutor": 13,
}


def add_missions(world, role, n):
    """``n`` more descriptions that ``role`` sees, in every state (those of a head's diplomas
    submitted, so that the head's waiting list grows too)."""
    visible = Contract.objects.visible_to(world.users[role])
    before = set(visible.values_list("pk", flat=True))
    grow(world, role, n)
    states = [{"submitted": True}, {}, {"validated": True}, {"returned": True}]
    for index, contract in enumerate(visible.exclude(pk__in=before).order_by("pk")[:n]):
        trait = {"submitted": True} if role == "head_of_diploma" else states[index % len(states)]
        MissionDescriptionFactory(contract=contract, **trait)


# The list --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [1, 5])
@pytest.mark.parametrize("role", ROLES)
def test_mission_list_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, role, extra):
    # The head's own grows in their waiting list: theirs here is decided, so that both lists have rows.
    mine = mission_in(
        world.mine.contract, MissionStatus.VALIDATED if role == "head_of_diploma" else MissionStatus.SUBMITTED
    )
    add_missions(world, role, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(LIST_QUERIES[role]):
        response = client.get(reverse("livret:mission_list"))

    assert response.status_code == 200
    listed = list(response.context["waiting"]) + list(response.context["page"].object_list)
    assert mine in listed
    assert len(listed) == 1 + extra


@pytest.mark.parametrize("role", ROLES)
def test_mission_list_shows_only_what_the_role_sees(client, world, role):
    mine = mission_in(world.mine.contract, MissionStatus.DRAFT)
    other = mission_in(world.other.contract, MissionStatus.DRAFT)
    foreign = mission_in(world.foreign.contract, MissionStatus.DRAFT)
    client.force_login(world.users[role])

    response = client.get(reverse("livret:mission_list"))

    listed = set(response.context["page"].object_list)
    assert listed == ({mine, other} if role in ORGANISATION_WIDE else {mine})
    assert foreign not in listed


def test_head_sees_what_waits_for_them_first_oldest_first_with_the_days_and_a_late_badge(client, world):
    head = world.users["head_of_diploma"]
    late = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    MissionDescription.objects.filter(pk=late.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=9)
    )
    add_missions(world, "head_of_diploma", 1)
    recent = MissionDescription.objects.exclude(pk=late.pk).get(status=MissionStatus.SUBMITTED)
    validated = mission_in(world.other.contract, MissionStatus.VALIDATED)  # another head's diploma
    client.force_login(head)

    response = client.get(reverse("livret:mission_list"))

    assert response.context["waiting"] == [late, recent]
    assert validated not in response.context["page"].object_list
    text = text_of(response)
    assert text.index("À valider") < text.index("Autres descriptions")
    assert "en attente depuis 9 jours en retard Lire et décider" in text
    assert "en attente depuis aujourd'hui Lire et décider" in text
    html = response.content.decode()
    assert html.index(f'href="{late.get_absolute_url()}"') < html.index(f'href="{recent.get_absolute_url()}"')


def test_a_head_with_nothing_to_decide_is_told_so(client, world):
    mission_in(world.mine.contract, MissionStatus.DRAFT)
    client.force_login(world.users["head_of_diploma"])

    assert "Aucune description n'attend votre décision." in text_of(
        client.get(reverse("livret:mission_list"))
    )


def test_staff_filter_the_list_by_state_and_an_unknown_state_shows_nothing_but_the_error(client, world):
    submitted = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    mission_in(world.other.contract, MissionStatus.DRAFT)
    client.force_login(world.users["staff"])
    url = reverse("livret:mission_list")

    assert list(client.get(url, {"status": "submitted"}).context["page"].object_list) == [submitted]
    assert list(client.get(url, {"status": "validated"}).context["page"].object_list) == []
    none_left = client.get(url, {"status": "validated"})
    assert "Aucune description ne correspond à ces filtres." in text_of(none_left)
    unknown = client.get(url, {"status": "n'importe quoi"})
    assert unknown.status_code == 200
    assert list(unknown.context["page"].object_list) == []
    assert "Un filtre n'est pas valide" in text_of(unknown)


def test_the_list_is_paginated_and_keeps_the_filter_across_pages(client, world):
    grow(world, "staff", 26)
    for contract in Contract.objects.filter(diploma__organisation=world.organisation).exclude(
        pk__in=[world.mine.contract.pk, world.other.contract.pk]
    ):
        MissionDescriptionFactory(contract=contract)
    client.force_login(world.users["staff"])

    first = client.get(reverse("livret:mission_list"), {"status": "draft"})
    second = client.get(reverse("livret:mission_list"), {"status": "draft", "page": 2})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 1
    assert 'href="?status=draft&amp;page=2"' in first.content.decode()


@pytest.mark.parametrize("role", ["apprentice", "company_tutor"])
def test_writers_are_offered_to_open_the_description_of_a_contract_that_has_none(client, world, role):
    client.force_login(world.users[role])

    response = client.get(reverse("livret:mission_list"))

    assert response.context["to_describe"] == [world.mine.contract]
    assert (
        f'action="{reverse("livret:mission_create", args=[world.mine.contract.pk])}"'
        in response.content.decode()
    )
    mission_in(world.mine.contract, MissionStatus.DRAFT, empty=True)
    assert client.get(reverse("livret:mission_list")).context["to_describe"] == []


# Opening from the contract page or the list ----------------------------------------------------------


@pytest.mark.parametrize("role", ["apprentice", "company_tutor", "staff"])
def test_opening_the_description_leads_to_it(client, world, role):
    client.force_login(world.users[role])

    response = client.post(reverse("livret:mission_create", args=[world.mine.contract.pk]))

    mission = MissionDescription.objects.get()
    assert response["Location"] == mission.get_absolute_url()
    assert (mission.contract, mission.academic_year) == (world.mine.contract, world.academic_year)
    assert messages_of(response) == [
        f"Description des missions {world.academic_year} ouverte : rédigez-la puis soumettez-la au "
        "responsable de formation."
    ]


def test_opening_it_twice_leads_to_the_existing_one(client, world):
    existing = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    before = mission_snapshot(existing)
    client.force_login(world.users["company_tutor"])

    response = client.post(reverse("livret:mission_create", args=[world.mine.contract.pk]))

    assert response["Location"] == existing.get_absolute_url()
    assert messages_of(response) == [
        f"Ce contrat a déjà une description des missions pour l'année {world.academic_year}."
    ]
    assert mission_snapshot(existing) == before


@pytest.mark.parametrize("role", ["school_tutor", "head_of_diploma"])
def test_opening_is_refused_to_who_does_not_write_it(client, world, role):
    client.force_login(world.users[role])

    response = client.post(
        reverse("livret:mission_create", args=[world.mine.contract.pk]), {"next": "https://ailleurs.test/"}
    )

    assert response["Location"] == world.mine.contract.get_absolute_url()
    assert messages_of(response) == [
        "Seuls l'apprenti, son maître d'apprentissage et l'équipe du CFA ouvrent cette description."
    ]
    assert not MissionDescription.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_opening_on_someone_elses_contract_is_not_found(client, world, role):
    client.force_login(world.users[role])
    chains = [world.foreign] + ([] if role in ORGANISATION_WIDE else [world.other])

    for chain in chains:
        assert client.post(reverse("livret:mission_create", args=[chain.contract.pk])).status_code == 404
    assert client.get(reverse("livret:mission_create", args=[world.mine.contract.pk])).status_code == 405
    assert not MissionDescription.objects.exists()


# The part of the contract page on descriptions ---------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "may_open"),
    [
        ("apprentice", True),
        ("company_tutor", True),
        ("staff", True),
        ("admin", True),
        ("school_tutor", False),
        ("head_of_diploma", False),
    ],
)
def test_contract_page_part_offers_to_open_this_years_description_to_who_may(
    rf, world, django_assert_num_queries, role, may_open
):
    contract = (
        Contract.objects.with_people().select_related("apprentice__user").get(pk=world.mine.contract.pk)
    )
    user = world.users[role]
    request = rf.get(contract.get_absolute_url())
    request.user = user

    with django_assert_num_queries(2 + 1):  # the year, the descriptions; the user's roles
        context = selectors.contract_missions(contract, user)
    html = render_to_string(
        "livret/missions/_contract_missions.html", {**context, "contract": contract}, request
    )

    assert context["can_open_mission"] is may_open
    create = f'action="{reverse("livret:mission_create", args=[contract.pk])}"'
    assert (create in html) is may_open
    if not may_open:
        assert "Pas encore de description des missions pour ce contrat." in html


def test_contract_page_part_lists_each_years_description_and_no_longer_offers_to_open(rf, world):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    contract = Contract.objects.with_people().get(pk=world.mine.contract.pk)
    user = world.users["apprentice"]
    request = rf.get(contract.get_absolute_url())
    request.user = user

    context = selectors.contract_missions(contract, user)
    html = render_to_string(
        "livret/missions/_contract_missions.html", {**context, "contract": contract}, request
    )

    assert (context["missions"], context["can_open_mission"]) == ([mission], False)
    assert f'href="{mission.get_absolute_url()}"' in html
    assert "Soumise au responsable de formation" in html
