"""The filtered list of company tutors (maîtres d'apprentissage) and its CSV export."""

import datetime

import pytest
from django.urls import reverse

from tests.apprentices.factories import ContractFactory
from tests.conftest import ORGANISATION_WIDE, ROLES, grow
from tests.core.factories import UserFactory
from tests.helpers import assert_marked_in_error, csv_of, listed, text_of
from tests.tutors.factories import CompanyTutorFactory

# session, user, roles, count, keys and rows of the page (core.viewutils.NarrowPaginator), the choices
# of its filters (employers, diplomas)
LIST_QUERIES = 8
EXPORT_QUERIES = 4
TUTORS = reverse("tutors:tutor_list")
TUTORS_CSV = reverse("tutors:tutor_export")
TRAINED_ON = datetime.date(2024, 11, 5)


@pytest.mark.parametrize("extra", [3, 10])
def test_tutor_list_and_export_run_a_fixed_number_of_queries(client, world, django_assert_num_queries, extra):
    grow(world, "staff", extra)
    client.force_login(world.users["staff"])
    query = {"trained": "no", "order": "employer"}

    with django_assert_num_queries(LIST_QUERIES):
        page = client.get(TUTORS, query)
    with django_assert_num_queries(EXPORT_QUERIES):
        rows = csv_of(client.get(TUTORS_CSV, query))

    assert len(listed(page)) == 2 + extra
    assert len(rows) == 3 + extra


@pytest.mark.parametrize("role", ROLES)
def test_tutor_list_and_export_hold_only_the_tutors_the_role_reaches(client, world, role):
    client.force_login(world.users[role])
    expected = {world.mine.company_tutor} | (
        {world.other.company_tutor} if role in ORGANISATION_WIDE else set()
    )

    page = client.get(TUTORS)
    rows = csv_of(client.get(TUTORS_CSV))

    assert page.status_code == 200
    assert set(listed(page)) == expected
    assert sorted(row[0] for row in rows[1:]) == sorted(t.last_name for t in expected)
    assert world.foreign.company_tutor.last_name not in page.content.decode()


def test_a_person_without_a_role_sees_no_tutor(client, world):
    client.force_login(UserFactory(organisation=world.organisation))

    assert listed(client.get(TUTORS)) == []


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    assert client.get(TUTORS).status_code == 302
    assert client.get(TUTORS_CSV).status_code == 302


@pytest.fixture
def tutors(world):
    """``mine`` (trained, one active contract), ``other`` (not trained, one active contract) and a
    colleague of ``mine`` at the same employer, trained, who follows only a ruptured contract."""
    mine = world.mine.company_tutor
    mine.training_date = TRAINED_ON
    mine.save()
    colleague = CompanyTutorFactory(
        employer=world.mine.employer, training_date=datetime.date(2021, 3, 1), last_name="Collègue"
    )
    ContractFactory(
        apprentice=world.mine.apprentice,
        employer=world.mine.employer,
        company_tutor=colleague,
        diploma=world.mine.diploma,
        start_date=world.mine.contract.start_date - datetime.timedelta(days=400),
        ruptured=True,
    )
    return {"mine": mine, "other": world.other.company_tutor, "colleague": colleague}


TUTOR_FILTERS = {
    "q on the employer": (lambda w: {"q": w.mine.employer.legal_name}, {"mine", "colleague"}),
    "employer": (lambda w: {"employer": w.other.employer.pk}, {"other"}),
    "diploma": (lambda w: {"diploma": w.mine.diploma.pk}, {"mine", "colleague"}),
    "trained": (lambda w: {"trained": "yes"}, {"mine", "colleague"}),
    "not trained": (lambda w: {"trained": "no"}, {"other"}),
    "trained after": (lambda w: {"trained_after": "2024-01-01"}, {"mine"}),
    "trained before": (lambda w: {"trained_before": "2024-01-01"}, {"colleague"}),
    "with an active contract": (lambda w: {"has_active_contract": "yes"}, {"mine", "other"}),
    "without an active contract": (lambda w: {"has_active_contract": "no"}, {"colleague"}),
}


@pytest.mark.parametrize("case", TUTOR_FILTERS, ids=list(TUTOR_FILTERS))
def test_each_tutor_filter_narrows_the_list_and_its_export_alike(client, world, tutors, case):
    params, expected_keys = TUTOR_FILTERS[case]
    client.force_login(world.users["staff"])
    query = params(world)

    page = client.get(TUTORS, query)
    rows = csv_of(client.get(TUTORS_CSV, query))

    assert set(listed(page)) == {tutors[key] for key in expected_keys}
    assert len(rows) == 1 + len(expected_keys)


def test_the_list_tells_who_is_trained_and_counts_their_active_contracts(client, world, tutors):
    client.force_login(world.users["staff"])

    response = client.get(TUTORS, {"order": "training"})

    assert listed(response)[:2] == [tutors["colleague"], tutors["mine"]]
    assert [t.active_contracts for t in listed(response)] == [0, 1, 1]
    text = text_of(response)
    assert "formé le 05/11/2024" in text
    assert "non formé" in text


def test_the_tutor_export_follows_the_list_with_the_training_date(client, world, tutors):
    client.force_login(world.users["staff"])

    response = client.get(TUTORS_CSV, {"order": "training"})
    rows = csv_of(response)

    assert response["Content-Disposition"].startswith('attachment; filename="maitres-apprentissage-')
    header = rows[0]
    assert header[:3] == ["Nom", "Prénom", "Employeur"]
    mine = rows[2]
    assert mine[0] == tutors["mine"].last_name
    assert mine[header.index("Formé au tutorat")] == "Oui"
    assert mine[header.index("Formation de tuteur suivie le")] == "05/11/2024"
    assert rows[3][header.index("Formé au tutorat")] == "Non"


@pytest.mark.parametrize(
    ("field", "value"),
    [("employer", "foreign"), ("trained_after", "2025-13-45"), ("trained", "maybe"), ("order", "email")],
)
def test_an_invalid_tutor_filter_shows_no_rows_and_marks_the_field(client, world, field, value):
    client.force_login(world.users["staff"])
    query = {field: world.foreign.employer.pk if value == "foreign" else value}

    assert_marked_in_error(client.get(TUTORS, query), field)
    assert len(csv_of(client.get(TUTORS_CSV, query))) == 1
