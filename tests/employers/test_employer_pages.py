import datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from core.audit import acting_as
from employers.forms import EmployerForm
from employers.models import Employer
from tests.apprentices.factories import ApprenticeFactory, ContractFactory
from tests.conftest import ORGANISATION_WIDE, ROLES, grow
from tests.employers.factories import valid_siret
from tests.helpers import model_form_data, text_of
from tests.tutors.factories import CompanyTutorFactory

NOT_ORGANISATION_WIDE = [role for role in ROLES if role not in ORGANISATION_WIDE]
NOT_FOUND_QUERIES = 4
# session, user, roles, count, keys and rows of the scoped page (core.viewutils.NarrowPaginator), the
# diplomas of the filter
LIST_QUERIES = 7
DETAIL_QUERIES = {
    # session, user, roles, the employer, its visible contracts, its tutors
    "apprentice": 6,
    "company_tutor": 6,
    "school_tutor": 6,
    "head_of_diploma": 6,
    # + the audit trail
    "staff": 7,
    "admin": 7,
}
SIRET_CHECKSUM_ERROR = "Le SIRET « 73282932000075 » n'est pas valide : sa clé de contrôle (Luhn) est fausse."


def add_activity(world, n):
    """``n`` more tutors, contracts that each role-holder follows, and audited changes at the
    world's employer."""
    chain = world.mine
    for i in range(n):
        CompanyTutorFactory(employer=chain.employer)
        ContractFactory(
            apprentice=ApprenticeFactory(organisation=world.organisation, cohort=chain.apprentice.cohort),
            employer=chain.employer,
            company_tutor=chain.company_tutor,
            school_tutor=chain.school_tutor,
            diploma=chain.diploma,
        )
        ContractFactory(
            apprentice=chain.apprentice,
            employer=chain.employer,
            diploma=chain.diploma,
            company_tutor=chain.company_tutor,
            start_date=chain.contract.start_date - datetime.timedelta(days=100 * (i + 1)),
            ruptured=True,
        )
        with acting_as(world.users["staff"]):
            chain.employer.hr_contact_phone = f"01 00 00 00 0{i}"
            chain.employer.save()


@pytest.mark.parametrize("extra", [1, 5])
@pytest.mark.parametrize("role", ROLES)
def test_employer_list_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, role, extra):
    grow(world, role, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("employers:employer_list"))

    assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_employer_list_shows_the_employers_each_role_reaches(client, world, role):
    client.force_login(world.users[role])

    response = client.get(reverse("employers:employer_list"))

    listed = set(response.context["page"].object_list)
    expected = (
        {world.mine.employer, world.other.employer} if role in ORGANISATION_WIDE else {world.mine.employer}
    )
    assert listed == expected
    assert world.foreign.employer.legal_name not in text_of(response)


def test_employer_list_counts_active_contracts(client, world):
    ContractFactory(
        apprentice=ApprenticeFactory(organisation=world.organisation),
        employer=world.mine.employer,
        ruptured=True,
    )
    client.force_login(world.users["staff"])

    response = client.get(reverse("employers:employer_list"), {"q": world.mine.employer.legal_name})

    [employer] = response.context["page"].object_list
    assert employer.active_contracts == 1


@pytest.mark.parametrize("extra", [1, 5])
@pytest.mark.parametrize("role", ROLES)
def test_employer_detail_runs_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, role, extra
):
    add_activity(world, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(DETAIL_QUERIES[role]):
        response = client.get(reverse("employers:employer_detail", args=[world.mine.employer.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_employer_detail_of_someone_else_is_not_found(client, world, django_assert_num_queries, role):
    client.force_login(world.users[role])
    others = [world.foreign.employer] + ([] if role in ORGANISATION_WIDE else [world.other.employer])

    for employer in others:
        with django_assert_num_queries(NOT_FOUND_QUERIES):
            response = client.get(reverse("employers:employer_detail", args=[employer.pk]))
        assert response.status_code == 404


def test_employer_detail_lists_only_the_contracts_the_person_may_see(client, world):
    ContractFactory(
        apprentice=ApprenticeFactory(organisation=world.organisation), employer=world.mine.employer
    )
    client.force_login(world.users["school_tutor"])

    response = client.get(reverse("employers:employer_detail", args=[world.mine.employer.pk]))

    assert list(response.context["contracts"]) == [world.mine.contract]


@pytest.mark.parametrize("role", ORGANISATION_WIDE)
def test_employer_create_page_opens_for_staff(client, world, django_assert_num_queries, role):
    client.force_login(world.users[role])

    with django_assert_num_queries(3):
        response = client.get(reverse("employers:employer_create"))

    assert response.status_code == 200


@pytest.mark.parametrize("role", NOT_ORGANISATION_WIDE)
def test_employer_create_page_is_not_found_for_others(client, world, django_assert_num_queries, role):
    client.force_login(world.users[role])

    with django_assert_num_queries(3):
        response = client.get(reverse("employers:employer_create"))
    post = client.post(reverse("employers:employer_create"), new_employer_data())

    assert (response.status_code, post.status_code) == (404, 404)
    assert not Employer.objects.filter(legal_name="Boulangerie Dupont").exists()


def new_employer_data(**overrides):
    data = {
        "legal_name": "Boulangerie Dupont",
        "siret": "732 829 320 00074",
        "naf_code": "1071C",
        "address": "3 rue du Four",
        "postal_code": "75006",
        "city": "Paris",
        "hr_contact_name": "",
        "hr_contact_email": "",
        "hr_contact_phone": "",
    }
    data.update(overrides)
    return data


def test_staff_adds_an_employer_with_a_spaced_siret_stored_without_spaces(client, world):
    client.force_login(world.users["staff"])

    response = client.post(reverse("employers:employer_create"), new_employer_data())

    employer = Employer.objects.get(legal_name="Boulangerie Dupont")
    assert response.status_code == 302
    assert response["Location"] == employer.get_absolute_url()
    assert employer.siret == "73282932000074"
    assert employer.organisation == world.organisation


def test_employer_form_with_a_bad_siret_shows_the_french_error_and_writes_nothing(
    client, world, django_assert_num_queries
):
    client.force_login(world.users["staff"])
    before = Employer.objects.count()

    with django_assert_num_queries(3):
        response = client.post(
            reverse("employers:employer_create"), new_employer_data(siret="73282932000075")
        )

    assert response.status_code == 200
    assert response.context["form"].errors["siret"] == [SIRET_CHECKSUM_ERROR]
    assert escape(SIRET_CHECKSUM_ERROR) in response.content.decode()
    assert Employer.objects.count() == before


def test_employer_form_with_a_short_siret_says_fourteen_digits(client, world):
    client.force_login(world.users["staff"])

    response = client.post(reverse("employers:employer_create"), new_employer_data(siret="1234"))

    assert response.status_code == 200
    assert "Le SIRET doit comporter exactement 14 chiffres" in response.context["form"].errors["siret"][0]


def test_duplicate_siret_in_the_same_organisation_is_a_friendly_error_not_a_server_error(client, world):
    client.force_login(world.users["staff"])
    before = Employer.objects.count()

    response = client.post(
        reverse("employers:employer_create"), new_employer_data(siret=world.other.employer.siret)
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert Employer.objects.count() == before


def test_duplicate_siret_in_the_same_organisation_is_reported_on_the_siret_field(client, world):
    """Forms give the friendly, precise error before the database refuses (house style)."""
    client.force_login(world.users["staff"])

    response = client.post(
        reverse("employers:employer_create"), new_employer_data(siret=world.other.employer.siret)
    )

    assert response.context["form"].errors.get("siret") == ["Un employeur avec ce SIRET existe déjà."]


def test_same_siret_in_another_organisation_is_allowed(client, world):
    client.force_login(world.users["staff"])

    response = client.post(
        reverse("employers:employer_create"), new_employer_data(siret=world.foreign.employer.siret)
    )

    assert response.status_code == 302
    assert Employer.objects.filter(siret=world.foreign.employer.siret).count() == 2


@pytest.mark.parametrize("role", ORGANISATION_WIDE)
def test_employer_update_page_opens_for_staff(client, world, django_assert_num_queries, role):
    client.force_login(world.users[role])

    with django_assert_num_queries(4):  # + the employer
        response = client.get(reverse("employers:employer_update", args=[world.other.employer.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("role", NOT_ORGANISATION_WIDE)
def test_employer_update_is_not_found_for_others_even_on_their_employer(
    client, world, django_assert_num_queries, role
):
    employer = world.mine.employer
    client.force_login(world.users[role])
    url = reverse("employers:employer_update", args=[employer.pk])

    with django_assert_num_queries(NOT_FOUND_QUERIES):
        response = client.get(url)
    post = client.post(
        url, model_form_data(EmployerForm, employer, user=world.users["staff"], city="Nulle-part")
    )

    assert (response.status_code, post.status_code) == (404, 404)
    employer.refresh_from_db()
    assert employer.city == "Paris"


def test_staff_updates_an_employer(client, world):
    employer = world.mine.employer
    staff = world.users["staff"]
    client.force_login(staff)
    data = model_form_data(EmployerForm, employer, user=staff, siret=valid_siret(999_999))

    response = client.post(reverse("employers:employer_update", args=[employer.pk]), data)

    assert response.status_code == 302
    employer.refresh_from_db()
    assert employer.siret == valid_siret(999_999)
