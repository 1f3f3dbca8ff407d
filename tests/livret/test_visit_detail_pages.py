"""A company visit's page: its cost in queries, a minor's legal representatives, the next step offered
to whom it falls, acknowledging and cancelling from the page, and the posts that are refused."""

import pytest
from django.urls import reverse

from livret.models import ActionItem
from tests.apprentices.factories import LegalRepresentativeFactory
from tests.conftest import ROLES
from tests.helpers import messages_of, text_of
from tests.livret.factories import ActionItemFactory, VisitReportFactory
from tests.livret.visit_pages_support import PLANNERS, add_history
from tests.livret.visits_support import TODAY, VisitStatus, snapshot

DETAIL_QUERIES = {
    # + the visit with its contract and people, its signatures, its actions, its replaced versions
    **{role: 7 for role in ROLES},
    # + the audit trail
    "staff": 8,
    "admin": 8,
}


# The visit --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [1, 4])
@pytest.mark.parametrize("role", ROLES)
def test_visit_detail_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, role, extra):
    earlier = add_history(world.mine.contract, extra)
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), reported=True)
    ActionItem.objects.filter(opened_in=earlier[0]).update(closed_in=visit, done_on=TODAY())
    ActionItemFactory(opened_in=visit)
    client.force_login(world.users[role])

    with django_assert_num_queries(DETAIL_QUERIES[role]):
        response = client.get(visit.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["opened_here"]) == 1
    assert len(response.context["closed_here"]) == 2
    assert len(response.context["carried"]) == 2 * (extra - 1)
    assert "Missions en phase avec le bloc" in text_of(response)
    assert [s.act for s in response.context["signatures"]] == ["report"]


def test_visit_detail_of_a_minor_asks_their_legal_representatives_too(
    client, world, django_assert_num_queries
):
    apprentice = world.mine.apprentice
    apprentice.birth_date = TODAY().replace(year=TODAY().year - 16)
    apprentice.save()
    parent = LegalRepresentativeFactory(apprentice=apprentice)
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), reported=True)
    client.force_login(world.users["apprentice"])

    with django_assert_num_queries(DETAIL_QUERIES["apprentice"] + 1):  # + the legal representatives
        response = client.get(visit.get_absolute_url())

    assert [item["reader"].email for item in response.context["reading"]][-1] == parent.email.lower()
    assert f"{parent} (représentant légal) : pas encore" in text_of(response)


@pytest.mark.parametrize(
    ("status", "role", "offer"),
    [
        (VisitStatus.PLANNED, "school_tutor", "can_log"),
        (VisitStatus.PLANNED, "staff", "cancel_form"),
        (VisitStatus.REPORTED, "apprentice", "can_acknowledge"),
        (VisitStatus.REPORTED, "company_tutor", "can_acknowledge"),
    ],
)
def test_visit_detail_offers_the_next_step_to_whom_it_falls(client, world, status, role, offer):
    traits = {VisitStatus.PLANNED: {}, VisitStatus.REPORTED: {"reported": True}}[status]
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), **traits)
    allowed = PLANNERS if status == VisitStatus.PLANNED else ("apprentice", "company_tutor")

    for other in ROLES:
        client.force_login(world.users[other])
        assert bool(client.get(visit.get_absolute_url()).context[offer]) is (other in allowed), other
    client.force_login(world.users[role])
    assert client.get(visit.get_absolute_url()).context[offer]


def test_who_has_acknowledged_is_no_longer_offered_to_and_a_second_post_changes_nothing(client, world):
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), reported=True)
    client.force_login(world.users["apprentice"])
    url = reverse("livret:visit_acknowledge", args=[visit.pk])

    first = client.post(url)
    assert messages_of(first) == ["Merci : votre prise de connaissance du compte rendu est enregistrée."]
    assert client.get(visit.get_absolute_url()).context["can_acknowledge"] is False
    before = snapshot(visit)
    second = client.post(url)

    assert messages_of(second) == ["Vous avez déjà pris connaissance de ce compte rendu."]
    assert snapshot(visit) == before


REFUSED_POSTS = [
    # (state, role, view, data, message)
    (
        VisitStatus.PLANNED,
        "apprentice",
        "visit_cancel",
        {"reason": "Non."},
        "Seuls le tuteur pédagogique de l'apprenti et l'équipe du CFA annulent ses visites.",
    ),
    (
        VisitStatus.PLANNED,
        "school_tutor",
        "visit_cancel",
        {"reason": ""},
        "Indiquez pourquoi la visite est annulée.",
    ),
    (
        VisitStatus.PLANNED,
        "school_tutor",
        "visit_cancel",
        {"reason": "x" * 301},
        "Ce texte dépasse 300 caractères.",
    ),
    (
        VisitStatus.REPORTED,
        "school_tutor",
        "visit_cancel",
        {"reason": "Trop tard."},
        "Seule une visite planifiée peut être annulée.",
    ),
    (
        VisitStatus.REPORTED,
        "school_tutor",
        "visit_acknowledge",
        {},
        "Seuls l'apprenti et son maître d'apprentissage prennent connaissance du compte rendu.",
    ),
    (
        VisitStatus.REPORTED,
        "head_of_diploma",
        "visit_acknowledge",
        {},
        "Seuls l'apprenti et son maître d'apprentissage prennent connaissance du compte rendu.",
    ),
    (
        VisitStatus.PLANNED,
        "apprentice",
        "visit_acknowledge",
        {},
        "Le compte rendu de cette visite n'est pas encore rédigé.",
    ),
]


@pytest.mark.parametrize(
    ("state", "role", "view", "data", "message"),
    REFUSED_POSTS,
    ids=[f"{v}-{s}-{r}-{i}" for i, (s, r, v, _d, _m) in enumerate(REFUSED_POSTS)],
)
def test_refused_post_redirects_to_the_visit_with_a_french_message_and_changes_nothing(
    client, world, state, role, view, data, message
):
    traits = {VisitStatus.PLANNED: {}, VisitStatus.REPORTED: {"reported": True}}[state]
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), **traits)
    before = snapshot(visit)
    client.force_login(world.users[role])

    response = client.post(reverse(f"livret:{view}", args=[visit.pk]), data)

    assert response.status_code == 302
    assert response["Location"] == visit.get_absolute_url()
    assert messages_of(response) == [message]
    assert snapshot(visit) == before


def test_cancelling_from_the_page_keeps_the_reason(client, world):
    visit = VisitReportFactory(contract=world.mine.contract)
    client.force_login(world.users["school_tutor"])

    response = client.post(reverse("livret:visit_cancel", args=[visit.pk]), {"reason": "Entreprise fermée."})

    visit.refresh_from_db()
    assert messages_of(response) == ["Visite annulée."]
    assert (visit.status, visit.cancel_reason) == (VisitStatus.CANCELLED, "Entreprise fermée.")
    assert "Visite annulée : Entreprise fermée." in text_of(client.get(visit.get_absolute_url()))
