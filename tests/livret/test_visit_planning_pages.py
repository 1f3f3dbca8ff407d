"""Planning a company visit from its page: the open actions at a fixed cost, who may plan, one start
meeting, and a malformed plan shown again in French."""

import datetime

import pytest
from django.urls import reverse

from livret.models import VisitReport
from tests.helpers import messages_of, text_of
from tests.livret.factories import VisitReportFactory
from tests.livret.visit_pages_support import PLANNERS, add_history
from tests.livret.visits_support import TODAY

PLAN_QUERIES = 6  # + the contract, its visits, its open actions


# Planning ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [1, 4])
@pytest.mark.parametrize("role", PLANNERS)
def test_plan_page_lists_the_open_actions_at_a_fixed_cost(
    client, world, django_assert_num_queries, role, extra
):
    add_history(world.mine.contract, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(PLAN_QUERIES):
        response = client.get(reverse("livret:visit_plan", args=[world.mine.contract.pk]))

    assert response.status_code == 200
    assert len(response.context["open_actions"]) == 2 * extra
    assert "is_start_meeting" in response.context["form"].fields


@pytest.mark.parametrize("role", ["apprentice", "company_tutor", "head_of_diploma"])
def test_plan_page_is_not_found_for_who_may_not_plan(client, world, role):
    client.force_login(world.users[role])

    assert client.get(reverse("livret:visit_plan", args=[world.mine.contract.pk])).status_code == 404
    response = client.post(
        reverse("livret:visit_plan", args=[world.mine.contract.pk]),
        {"planned_date": TODAY(), "mode": "on_site"},
    )
    assert response.status_code == 404
    assert not VisitReport.objects.exists()


def test_planning_from_the_page_opens_the_visit(client, world):
    client.force_login(world.users["school_tutor"])
    day = TODAY() + datetime.timedelta(days=7)

    response = client.post(
        reverse("livret:visit_plan", args=[world.mine.contract.pk]),
        {"planned_date": day.isoformat(), "mode": "video", "is_start_meeting": "on"},
    )

    visit = VisitReport.objects.get()
    assert response["Location"] == visit.get_absolute_url()
    assert (visit.planned_date, visit.mode, visit.is_start_meeting) == (day, "video", True)
    assert messages_of(response) == [
        f"Visite planifiée le {day:%d/%m/%Y} : l'apprenti et le maître d'apprentissage reçoivent "
        "l'invitation par message électronique. Après la rencontre, rédigez son compte rendu ici."
    ]


def test_plan_page_no_longer_offers_a_second_start_meeting_and_the_service_refuses_it(client, world):
    VisitReportFactory(contract=world.mine.contract, is_start_meeting=True)
    client.force_login(world.users["school_tutor"])
    url = reverse("livret:visit_plan", args=[world.mine.contract.pk])

    assert "is_start_meeting" not in client.get(url).context["form"].fields
    response = client.post(
        url, {"planned_date": TODAY().isoformat(), "mode": "on_site", "is_start_meeting": "on"}
    )
    assert response.status_code == 302
    assert (
        not VisitReport.objects.filter(is_start_meeting=True)
        .exclude(pk=VisitReport.objects.order_by("pk").first().pk)
        .exists()
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"planned_date": "", "mode": "on_site"}, "Ce champ est obligatoire."),
        ({"planned_date": "31/02/2026", "mode": "on_site"}, "Saisissez une date valide (jj/mm/aaaa)."),
        ({"planned_date": "today", "mode": "bicyclette"}, "Choisissez une modalité de la liste."),
        ({"planned_date": "long_ago", "mode": "on_site"}, "Le contrat commence le"),
    ],
)
def test_a_malformed_plan_is_shown_again_with_a_french_message(client, world, data, message):
    client.force_login(world.users["school_tutor"])
    data = dict(data)
    if data["planned_date"] == "today":
        data["planned_date"] = TODAY().isoformat()
    elif data["planned_date"] == "long_ago":
        data["planned_date"] = (world.mine.contract.start_date - datetime.timedelta(days=1)).isoformat()

    response = client.post(reverse("livret:visit_plan", args=[world.mine.contract.pk]), data)

    assert response.status_code == 200
    assert message in text_of(response)
    assert not VisitReport.objects.exists()
