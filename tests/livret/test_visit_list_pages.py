"""The visit list and a contract's visits page: what each role sees at a fixed cost, late actions and
window states, closing an action from the contract page, and someone else's pages not found."""

import datetime
import re

import pytest
from django.urls import reverse

from apprentices.models import Contract
from tests.conftest import ORGANISATION_WIDE, ROLES, grow
from tests.helpers import messages_of, text_of
from tests.livret.factories import ActionItemFactory, VisitReportFactory
from tests.livret.visit_pages_support import PLANNERS, add_history
from tests.livret.visits_support import REPORT, TODAY, snapshot

# Every page starts with 3 queries: the session, the user, the user's roles.
LIST_QUERIES = 8  # + the count, the page's keys and contracts, their visits, their open actions
CONTRACT_QUERIES = 6  # + the contract with its people, its visits, its actions

NOT_FOUND_QUERIES = 4  # + the object, not found


def add_contracts(world, role, n):
    """``n`` more contracts that ``role`` sees, each with a visit history."""
    visible = Contract.objects.visible_to(world.users[role])
    before = set(visible.values_list("pk", flat=True))
    grow(world, role, n)
    for contract in visible.exclude(pk__in=before).order_by("pk")[:n]:
        add_history(contract, 2)
        VisitReportFactory(contract=contract)


# The list --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [1, 4])
@pytest.mark.parametrize("role", ROLES)
def test_visit_list_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, role, extra):
    add_history(world.mine.contract, 2)
    add_contracts(world, role, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("livret:visit_list"))

    assert response.status_code == 200
    contracts = [entry["contract"] for entry in response.context["entries"]]
    assert world.mine.contract in contracts
    assert all(c.status == Contract.Status.ACTIVE for c in contracts)


@pytest.mark.parametrize("role", ROLES)
def test_visit_list_shows_only_the_contracts_the_role_sees_with_what_is_due(client, world, role):
    VisitReportFactory(contract=world.mine.contract, planned_date=TODAY() + datetime.timedelta(days=5))
    client.force_login(world.users[role])

    response = client.get(reverse("livret:visit_list"))

    contracts = {entry["contract"] for entry in response.context["entries"]}
    expected = (
        {world.mine.contract, world.other.contract} if role in ORGANISATION_WIDE else {world.mine.contract}
    )
    assert contracts == expected
    text = text_of(response)
    assert "Visite planifiée le" in text
    # The state of the next window is written, not only coloured.
    assert re.search(r"(En cours|À venir|Respectée|Manquée) Au moins 2 rencontres dans l'année", text)


# A contract's visits ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [1, 4])
@pytest.mark.parametrize("role", ROLES)
def test_contract_visits_runs_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, role, extra
):
    add_history(world.mine.contract, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(CONTRACT_QUERIES):
        response = client.get(reverse("livret:contract_visits", args=[world.mine.contract.pk]))

    assert response.status_code == 200
    assert len(response.context["visits"]) == extra + 1
    assert len(response.context["open_actions"]) == 2 * extra
    assert response.context["can_plan"] is (role in PLANNERS)
    assert ("Planifier une visite" in text_of(response)) is (role in PLANNERS)


def test_contract_visits_marks_late_actions_and_names_each_window_state(client, world):
    visit = VisitReportFactory(
        contract=world.mine.contract, planned_date=TODAY() - datetime.timedelta(days=40), reported=True
    )
    ActionItemFactory(
        opened_in=visit, description="Action en retard", due_date=TODAY() - datetime.timedelta(days=1)
    )
    ActionItemFactory(
        opened_in=visit, description="Action à venir", due_date=TODAY() + datetime.timedelta(days=1)
    )
    client.force_login(world.users["school_tutor"])

    text = text_of(client.get(reverse("livret:contract_visits", args=[world.mine.contract.pk])))

    assert "Action en retard Apprenti" in text
    assert re.search(r"Action en retard .*? en retard Marquer comme faite", text)
    assert re.search(r"Action à venir .*? à faire Marquer comme faite", text)
    assert "Rencontre dans les deux mois suivant le début" in text
    assert "Manquée" in text  # the start window of a contract begun seven months ago, unmet


# Pages of someone else's contract or visit are not found ----------------------------------------------------

POST_VIEWS = ("visit_log", "visit_cancel", "visit_acknowledge")


@pytest.mark.parametrize("role", ROLES)
def test_someone_elses_contract_and_visit_are_not_found_on_get_and_post(
    client, world, django_assert_num_queries, role
):
    chains = [world.foreign] + ([] if role in ORGANISATION_WIDE else [world.other])
    visits = [VisitReportFactory(contract=chain.contract) for chain in chains]
    reported = [
        VisitReportFactory(contract=chain.contract, reported=True, planned_date=TODAY()) for chain in chains
    ]
    actions = [ActionItemFactory(opened_in=visit) for visit in reported]
    before = snapshot(*visits, *reported)
    client.force_login(world.users[role])

    for chain, visit, done, action in zip(chains, visits, reported, actions, strict=True):
        for name in ("contract_visits", "visit_plan"):
            with django_assert_num_queries(NOT_FOUND_QUERIES):
                assert client.get(reverse(f"livret:{name}", args=[chain.contract.pk])).status_code == 404
        with django_assert_num_queries(NOT_FOUND_QUERIES):
            assert client.get(visit.get_absolute_url()).status_code == 404
        assert client.get(reverse("livret:visit_log", args=[visit.pk])).status_code == 404
        assert (
            client.post(
                reverse("livret:visit_plan", args=[chain.contract.pk]),
                {"planned_date": TODAY(), "mode": "on_site"},
            ).status_code
            == 404
        )
        for name in POST_VIEWS:
            target = done if name == "visit_acknowledge" else visit
            response = client.post(
                reverse(f"livret:{name}", args=[target.pk]),
                {**REPORT, "reason": "x", "held_on": TODAY(), "mode": "on_site"},
            )
            assert response.status_code == 404, name
        assert (
            client.post(reverse("livret:action_close", args=[action.pk]), {"done_on": TODAY()}).status_code
            == 404
        )

    assert snapshot(*visits, *reported) == before


@pytest.mark.parametrize(
    "view",
    ["visit_list", "contract_visits", "visit_plan", "visit_detail", "visit_log", *POST_VIEWS, "action_close"],
)
def test_pages_ask_anonymous_people_to_log_in(client, world, view):
    visit = VisitReportFactory(contract=world.mine.contract)
    args = {
        "visit_list": [],
        "contract_visits": [world.mine.contract.pk],
        "visit_plan": [world.mine.contract.pk],
        "action_close": [
            ActionItemFactory(opened_in=VisitReportFactory(contract=world.mine.contract, reported=True)).pk
        ],
    }.get(view, [visit.pk])

    response = (
        client.post(reverse(f"livret:{view}", args=args))
        if view in (*POST_VIEWS, "action_close")
        else client.get(reverse(f"livret:{view}", args=args))
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# Closing an action ------------------------------------------------------------------------------------------


def test_closing_an_action_from_the_contract_page(client, world):
    action = ActionItemFactory(
        opened_in=VisitReportFactory(
            contract=world.mine.contract, planned_date=TODAY() - datetime.timedelta(days=5), reported=True
        )
    )
    client.force_login(world.users["school_tutor"])

    response = client.post(reverse("livret:action_close", args=[action.pk]), {"done_on": TODAY().isoformat()})

    assert response["Location"] == reverse("livret:contract_visits", args=[world.mine.contract.pk])
    assert messages_of(response) == [f"Action close : « {action.description} »."]
    action.refresh_from_db()
    assert action.done_on == TODAY()


@pytest.mark.parametrize(
    ("role", "data", "message"),
    [
        (
            "apprentice",
            {"done_on": "today"},
            "Seuls le tuteur pédagogique de l'apprenti et l'équipe du CFA closent ses actions.",
        ),
        ("school_tutor", {"done_on": "demain"}, "Saisissez une date valide (jj/mm/aaaa)."),
        ("school_tutor", {"done_on": "tomorrow"}, "Une action ne peut être faite dans le futur."),
    ],
)
def test_closing_an_action_is_refused_with_a_french_message(client, world, role, data, message):
    visit = VisitReportFactory(
        contract=world.mine.contract, planned_date=TODAY() - datetime.timedelta(days=5), reported=True
    )
    action = ActionItemFactory(opened_in=visit)
    before = snapshot(visit)
    client.force_login(world.users[role])
    day = {"today": TODAY(), "tomorrow": TODAY() + datetime.timedelta(days=1)}.get(data["done_on"])

    response = client.post(
        reverse("livret:action_close", args=[action.pk]),
        {"done_on": day.isoformat() if day else data["done_on"]},
    )

    assert messages_of(response) == [message]
    assert snapshot(visit) == before
