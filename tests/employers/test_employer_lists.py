"""The filtered list of employers and its CSV export."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.apprentices.factories import ContractFactory
from tests.conftest import ORGANISATION_WIDE, ROLES, grow
from tests.employers.factories import EmployerFactory
from tests.helpers import assert_marked_in_error, csv_of, listed

# session, user, roles, count, keys and rows of the page (core.viewutils.NarrowPaginator), the diplomas
# of the filter
LIST_QUERIES = 7
EXPORT_QUERIES = 4
EMPLOYERS = reverse("employers:employer_list")
EMPLOYERS_CSV = reverse("employers:employer_export")


@pytest.mark.parametrize("extra", [3, 10])
def test_employer_list_and_export_run_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, extra
):
    grow(world, "staff", extra)
    client.force_login(world.users["staff"])
    query = {"has_active_contract": "yes", "order": "-contracts"}

    with django_assert_num_queries(LIST_QUERIES):
        page = client.get(EMPLOYERS, query)
    with django_assert_num_queries(EXPORT_QUERIES):
        rows = csv_of(client.get(EMPLOYERS_CSV, query))

    assert len(listed(page)) == 2 + extra
    assert len(rows) == 3 + extra


@pytest.mark.parametrize("role", ROLES)
def test_employer_list_and_export_hold_only_the_employers_the_role_reaches(client, world, role):
    client.force_login(world.users[role])
    expected = {world.mine.employer} | ({world.other.employer} if role in ORGANISATION_WIDE else set())

    page = client.get(EMPLOYERS)
    rows = csv_of(client.get(EMPLOYERS_CSV))

    assert set(listed(page)) == expected
    assert sorted(row[0] for row in rows[1:]) == sorted(e.legal_name for e in expected)


@pytest.fixture
def employers(world):
    """``mine`` (two active contracts), ``other`` (one), and a new employer in Toulouse with none."""
    ContractFactory(
        apprentice=world.mine.apprentice,
        employer=world.mine.employer,
        diploma=world.mine.diploma,
        start_date=world.mine.contract.start_date - timezone.timedelta(days=1),
    )
    idle = EmployerFactory(organisation=world.organisation, city="Toulouse", postal_code="31000")
    return {"mine": world.mine.employer, "other": world.other.employer, "idle": idle}


EMPLOYER_FILTERS = {
    "q on the city": ({"q": "toulouse"}, {"idle"}),
    "diploma": (lambda w: {"diploma": w.other.diploma.pk}, {"other"}),
    "department": ({"postal_code": "31"}, {"idle"}),
    "with an active contract": ({"has_active_contract": "yes"}, {"mine", "other"}),
    "without an active contract": ({"has_active_contract": "no"}, {"idle"}),
}


@pytest.mark.parametrize("case", EMPLOYER_FILTERS, ids=list(EMPLOYER_FILTERS))
def test_each_employer_filter_narrows_the_list_and_its_export_alike(client, world, employers, case):
    params, expected_keys = EMPLOYER_FILTERS[case]
    query = params(world) if callable(params) else params
    client.force_login(world.users["staff"])

    page = client.get(EMPLOYERS, query)
    rows = csv_of(client.get(EMPLOYERS_CSV, query))

    assert set(listed(page)) == {employers[key] for key in expected_keys}
    assert len(rows) == 1 + len(expected_keys)


def test_employers_with_the_most_active_contracts_come_first_when_asked(client, world, employers):
    client.force_login(world.users["staff"])

    ordered = listed(client.get(EMPLOYERS, {"order": "-contracts"}))

    assert ordered[0] == employers["mine"] and ordered[-1] == employers["idle"]
    assert [e.active_contracts for e in ordered] == [2, 1, 0]


def test_the_employer_export_follows_the_list_and_counts_the_active_contracts(client, world, employers):
    client.force_login(world.users["staff"])

    response = client.get(EMPLOYERS_CSV, {"order": "-contracts"})
    rows = csv_of(response)

    assert response["Content-Disposition"].startswith('attachment; filename="employeurs-')
    assert rows[0][:2] == ["Raison sociale", "SIRET"] and rows[0][-1] == "Contrats en cours"
    assert [(row[0], row[-1]) for row in rows[1:]] == [
        (employers["mine"].legal_name, "2"),
        (employers["other"].legal_name, "1"),
        (employers["idle"].legal_name, "0"),
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("diploma", "foreign"),
        ("has_active_contract", "sometimes"),
        ("order", "siret;drop"),
        ("postal_code", "123456"),
    ],
)
def test_an_invalid_employer_filter_shows_no_rows_and_marks_the_field(client, world, field, value):
    client.force_login(world.users["staff"])
    query = {field: world.foreign.diploma.pk if value == "foreign" else value}

    page = client.get(EMPLOYERS, query)

    assert_marked_in_error(page, field)
    assert len(csv_of(client.get(EMPLOYERS_CSV, query))) == 1
