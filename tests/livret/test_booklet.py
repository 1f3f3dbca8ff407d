"""The apprentice's booklet page: a timeline of their documents, for whoever may see the apprentice."""

import pytest
from django.urls import reverse

from tests.conftest import ORGANISATION_WIDE, ROLES
from tests.livret.factories import LiaisonSheetFactory

# The session, the user, the roles, the apprentice, the sheets with their contract, people and period.
BOOKLET_QUERIES = 5
NOT_FOUND_QUERIES = 4


@pytest.mark.parametrize("extra", [1, 5])
@pytest.mark.parametrize("role", ROLES)
def test_booklet_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, role, extra):
    states = [{}, {"submitted": True}, {"countersigned": True}, {"reviewed": True}, {"returned": True}]
    for index in range(extra):
        LiaisonSheetFactory(contract=world.mine.contract, **states[index % len(states)])
    client.force_login(world.users[role])

    with django_assert_num_queries(BOOKLET_QUERIES):
        response = client.get(reverse("livret:booklet", args=[world.mine.apprentice.pk]))

    assert response.status_code == 200
    assert len(response.context["entries"]) == extra


def test_booklet_lists_newest_period_first_and_only_current_versions(client, world):
    first = LiaisonSheetFactory(contract=world.mine.contract, countersigned=True, is_current=False)
    correction = LiaisonSheetFactory(
        contract=world.mine.contract, period=first.period, version=2, previous=first
    )
    later = LiaisonSheetFactory(contract=world.mine.contract)
    client.force_login(world.users["apprentice"])

    response = client.get(reverse("livret:booklet", args=[world.mine.apprentice.pk]))

    assert [entry["sheet"] for entry in response.context["entries"]] == [later, correction]


@pytest.mark.parametrize("role", ROLES)
def test_booklet_of_someone_else_is_not_found(client, world, django_assert_num_queries, role):
    client.force_login(world.users[role])
    others = [world.foreign.apprentice] + ([] if role in ORGANISATION_WIDE else [world.other.apprentice])

    for apprentice in others:
        with django_assert_num_queries(NOT_FOUND_QUERIES):
            response = client.get(reverse("livret:booklet", args=[apprentice.pk]))
        assert response.status_code == 404


def test_booklet_needs_a_login(client, world):
    response = client.get(reverse("livret:booklet", args=[world.mine.apprentice.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
