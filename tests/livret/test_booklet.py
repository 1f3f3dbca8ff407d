"""The apprentice's booklet page: a timeline of their documents, for whoever may see the apprentice."""

import pytest
from django.urls import reverse

from tests.conftest import ORGANISATION_WIDE, ROLES
from tests.livret.factories import (
    EvaluationFactory,
    LiaisonSheetFactory,
    MissionDescriptionFactory,
    VisitReportFactory,
)

# The session, the user, the roles, the apprentice, then one query per kind of document: sheets,
# visits, missions, evaluations (each with its contract, people and period).
BOOKLET_QUERIES = 8
NOT_FOUND_QUERIES = 4


@pytest.mark.parametrize("extra", [1, 5])
@pytest.mark.parametrize("role", ROLES)
def test_booklet_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, role, extra):
    states = [{}, {"submitted": True}, {"countersigned": True}, {"reviewed": True}, {"returned": True}]
    contract = world.mine.contract
    for index in range(extra):
        LiaisonSheetFactory(contract=contract, **states[index % len(states)])
        VisitReportFactory(contract=contract, acknowledged=index % 2 == 0)
        EvaluationFactory(contract=contract)
    MissionDescriptionFactory(contract=contract, submitted=True)
    client.force_login(world.users[role])

    # A head of diploma: one more, whether they may export the booklet (a head of one of its diplomas).
    with django_assert_num_queries(BOOKLET_QUERIES + (role == "head_of_diploma")):
        response = client.get(reverse("livret:booklet", args=[world.mine.apprentice.pk]))

    assert response.status_code == 200
    kinds = [entry["kind"] for entry in response.context["entries"]]
    assert (kinds.count("sheet"), kinds.count("visit"), kinds.count("evaluation")) == (extra, extra, extra)
    assert kinds.count("mission") == 1


def test_booklet_lists_newest_period_first_and_only_current_versions(client, world):
    first = LiaisonSheetFactory(contract=world.mine.contract, countersigned=True, is_current=False)
    correction = LiaisonSheetFactory(
        contract=world.mine.contract, period=first.period, version=2, previous=first
    )
    later = LiaisonSheetFactory(contract=world.mine.contract)
    client.force_login(world.users["apprentice"])

    response = client.get(reverse("livret:booklet", args=[world.mine.apprentice.pk]))

    assert [entry["document"] for entry in response.context["entries"]] == [later, correction]


def test_booklet_places_every_kind_of_document_at_its_date(client, world):
    contract = world.mine.contract
    sheet = LiaisonSheetFactory(contract=contract, countersigned=True)
    visit = VisitReportFactory(contract=contract, reported=True, planned_date=sheet.period.end_date)
    evaluation = EvaluationFactory(contract=contract, period=sheet.period)
    mission = MissionDescriptionFactory(contract=contract, validated=True)
    client.force_login(world.users["company_tutor"])

    response = client.get(reverse("livret:booklet", args=[world.mine.apprentice.pk]))

    entries = {entry["kind"]: entry for entry in response.context["entries"]}
    assert entries["visit"]["date"] == entries["sheet"]["date"] == entries["evaluation"]["date"]
    html = response.content.decode()
    for document in (sheet, visit, evaluation, mission):
        assert f'href="{document.get_absolute_url()}"' in html
    assert "Description des missions" in html and "Entretien" not in html


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
