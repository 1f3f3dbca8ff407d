import pytest
from django.urls import reverse

from tests.conftest import ROLES, grow
from tests.core.factories import UserFactory
from tests.helpers import text_of

# Queries of the home page per role, whatever the amount of data.
# Every page starts with 3: the session, the user, the user's roles.
HOME_QUERIES = {
    # + "À faire" (sheets, visit reports, missions, the current year and contracts without a mission,
    # evaluations), apprentice, contracts, current year, calendar and its periods
    "apprentice": 14,
    # + "À faire" (sheets, visit reports, missions, the current year and contracts without a mission,
    # evaluations), the tutored contracts with their people
    "company_tutor": 10,
    # + "À faire" (sheets, visits to report, grids to share, contracts and their visits for the charter
    # windows), the tutored contracts
    "school_tutor": 9,
    "head_of_diploma": 5,  # + "À faire" (missions to decide), the headed diplomas with their counts
    # + "À faire" (missions past the week, employers and contracts to complete), the organisation's figures
    "staff": 11,
    "admin": 10,
}


@pytest.mark.parametrize("extra", [1, 5])
@pytest.mark.parametrize("role", ROLES)
def test_home_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, role, extra):
    grow(world, role, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(HOME_QUERIES[role]):
        response = client.get(reverse("home"))

    assert response.status_code == 200


@pytest.mark.parametrize("role", ["apprentice", "company_tutor"])
def test_home_with_a_mission_description_to_write_runs_the_same_queries(
    client, world, django_assert_num_queries, role
):
    """The description waiting in the inbox is shown with its year and apprentice, without the
    diploma's heads: only the rules that name them (to decide, past the week) prefetch them."""
    from tests.livret.factories import MissionDescriptionFactory

    MissionDescriptionFactory(contract=world.mine.contract)
    client.force_login(world.users[role])

    with django_assert_num_queries(HOME_QUERIES[role]):
        response = client.get(reverse("home"))

    assert "Rédiger et soumettre" in text_of(response)


def test_home_of_an_apprentice_shows_their_contract_and_calendar(client, world):
    client.force_login(world.users["apprentice"])

    text = text_of(client.get(reverse("home")))

    assert world.mine.employer.legal_name in text
    assert world.mine.diploma.title in text
    assert world.mine.company_tutor.email in text
    assert world.other.employer.legal_name not in text
    assert world.foreign.employer.legal_name not in text


@pytest.mark.parametrize("role", ["company_tutor", "school_tutor"])
def test_home_of_a_tutor_lists_only_their_apprentices(client, world, role):
    client.force_login(world.users[role])

    text = text_of(client.get(reverse("home")))

    assert str(world.mine.apprentice) in text
    assert str(world.other.apprentice) not in text
    assert str(world.foreign.apprentice) not in text


def test_home_of_a_head_of_diploma_lists_their_diplomas(client, world):
    client.force_login(world.users["head_of_diploma"])

    text = text_of(client.get(reverse("home")))

    assert world.mine.diploma.title in text
    assert world.other.diploma.title not in text


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_home_of_staff_shows_their_organisations_figures(client, world, role):
    client.force_login(world.users[role])

    response = client.get(reverse("home"))

    home = response.context["staff_home"]
    figures = {figure.key: figure.value for figure in home["figures"]}
    assert figures["apprentices"] == "2"
    assert figures["running"] == "2"
    assert home["employers"] == 2
    assert home["diplomas"] == 2


def test_home_of_a_person_without_role_says_their_space_is_ready(client, db, django_assert_num_queries):
    client.force_login(UserFactory())

    with django_assert_num_queries(3):
        response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "Aucun rôle ne vous est encore attribué" in text_of(response)


def test_home_sends_anonymous_visitors_to_the_login_page(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
