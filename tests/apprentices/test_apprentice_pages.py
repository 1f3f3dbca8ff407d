import datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from apprentices.forms import ApprenticeForm
from apprentices.models import Apprentice
from core.audit import acting_as
from core.models import AuditEvent
from tests.apprentices.factories import LegalRepresentativeFactory, years_ago
from tests.conftest import ORGANISATION_WIDE, ROLES, grow
from tests.helpers import model_form_data, text_of

NOT_ORGANISATION_WIDE = [role for role in ROLES if role not in ORGANISATION_WIDE]
# session, user, roles, then the scoped fetch that finds nothing
NOT_FOUND_QUERIES = 4

LIST_QUERIES = {
    # + count, keys and rows of the page (core.viewutils.NarrowPaginator), the choices of the filters
    # (diplomas, cohorts, employers, school tutors)
    "apprentice": 10,
    "company_tutor": 10,
    "school_tutor": 10,
    "head_of_diploma": 10,
    "staff": 10,
    "admin": 10,
}
DETAIL_QUERIES = {
    # + apprentice, contracts, current year, calendar and periods, legal representatives
    "apprentice": 9,
    "company_tutor": 9,
    "school_tutor": 9,
    "head_of_diploma": 9,
    # + the audit trail
    "staff": 10,
    "admin": 10,
}


def add_history(world, n):
    """``n`` more contracts, legal representatives and audit events on the world's apprentice."""
    apprentice = world.mine.apprentice
    grow(world, "apprentice", n)
    for i in range(n):
        LegalRepresentativeFactory(apprentice=apprentice)
        with acting_as(world.users["staff"]):
            apprentice.phone = f"06 00 00 00 0{i}"
            apprentice.save()


@pytest.mark.parametrize("extra", [1, 5])
@pytest.mark.parametrize("role", ROLES)
def test_apprentice_list_runs_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, role, extra
):
    grow(world, role, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(LIST_QUERIES[role]):
        response = client.get(reverse("apprentices:apprentice_list"))

    assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_apprentice_list_shows_whom_each_role_follows(client, world, role):
    client.force_login(world.users[role])

    response = client.get(reverse("apprentices:apprentice_list"))

    listed = set(response.context["page"].object_list)
    if role in ORGANISATION_WIDE:
        assert listed == {world.mine.apprentice, world.other.apprentice}
    else:
        assert listed == {world.mine.apprentice}
    assert world.foreign.apprentice.last_name.upper() not in text_of(response)


def test_apprentice_list_searches_by_name(client, world):
    client.force_login(world.users["staff"])

    response = client.get(reverse("apprentices:apprentice_list"), {"q": world.other.apprentice.last_name})

    assert list(response.context["page"].object_list) == [world.other.apprentice]


@pytest.mark.parametrize("extra", [1, 5])
@pytest.mark.parametrize("role", ROLES)
def test_apprentice_detail_runs_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, role, extra
):
    add_history(world, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(DETAIL_QUERIES[role]):
        response = client.get(reverse("apprentices:apprentice_detail", args=[world.mine.apprentice.pk]))

    assert response.status_code == 200
    # The apprentice's earlier contracts were with other employers and tutors: a tutor sees only
    # the contracts they follow, everyone else sees the whole history.
    tutors_only_theirs = role in {"company_tutor", "school_tutor"}
    assert len(response.context["other_contracts"]) == (0 if tutors_only_theirs else extra)


@pytest.mark.parametrize("role", ROLES)
def test_apprentice_detail_of_someone_else_is_not_found(client, world, django_assert_num_queries, role):
    client.force_login(world.users[role])
    others = [world.foreign.apprentice] + ([] if role in ORGANISATION_WIDE else [world.other.apprentice])

    for apprentice in others:
        with django_assert_num_queries(NOT_FOUND_QUERIES):
            response = client.get(reverse("apprentices:apprentice_detail", args=[apprentice.pk]))
        assert response.status_code == 404


@pytest.mark.parametrize("role", ORGANISATION_WIDE)
def test_apprentice_detail_shows_staff_the_audit_trail(client, world, role):
    client.force_login(world.users[role])

    response = client.get(reverse("apprentices:apprentice_detail", args=[world.mine.apprentice.pk]))

    assert response.context["can_edit"] is True
    assert list(response.context["audit_events"]) == list(AuditEvent.for_object(world.mine.apprentice))


@pytest.mark.parametrize("role", NOT_ORGANISATION_WIDE)
def test_apprentice_detail_hides_the_audit_trail_from_others(client, world, role):
    client.force_login(world.users[role])

    response = client.get(reverse("apprentices:apprentice_detail", args=[world.mine.apprentice.pk]))

    assert response.context["can_edit"] is False
    assert response.context.get("audit_events") is None


def test_apprentice_detail_warns_when_a_minor_has_no_legal_representative(client, world):
    Apprentice.objects.filter(pk=world.mine.apprentice.pk).update(birth_date=years_ago(16))
    client.force_login(world.users["staff"])

    response = client.get(reverse("apprentices:apprentice_detail", args=[world.mine.apprentice.pk]))

    assert "Apprenti mineur sans représentant légal enregistré." in text_of(response)


@pytest.mark.parametrize("role", ORGANISATION_WIDE)
def test_apprentice_create_page_opens_for_staff(client, world, django_assert_num_queries, role):
    client.force_login(world.users[role])

    with django_assert_num_queries(5):  # + the cohorts and options offered
        response = client.get(reverse("apprentices:apprentice_create"))

    assert response.status_code == 200


@pytest.mark.parametrize("role", NOT_ORGANISATION_WIDE)
def test_apprentice_create_page_is_not_found_for_others(client, world, django_assert_num_queries, role):
    client.force_login(world.users[role])

    with django_assert_num_queries(3):
        get = client.get(reverse("apprentices:apprentice_create"))
    post = client.post(reverse("apprentices:apprentice_create"), {"first_name": "Intrus"})

    assert (get.status_code, post.status_code) == (404, 404)
    assert not Apprentice.objects.filter(first_name="Intrus").exists()


def new_apprentice_data(world, **overrides):
    data = {
        "first_name": "Inès",
        "last_name": "Martin",
        "birth_date": years_ago(17).isoformat(),
        "sex": "F",
        "ine": "1234567890A",
        "email": "ines.martin@exemple.test",
        "postal_code": "75011",
        "city": "Paris",
        "cohort": world.mine.apprentice.cohort_id,
    }
    data.update(overrides)
    return data


def test_staff_creates_an_apprentice_in_their_organisation(client, world):
    client.force_login(world.users["staff"])

    response = client.post(reverse("apprentices:apprentice_create"), new_apprentice_data(world))

    apprentice = Apprentice.objects.get(email="ines.martin@exemple.test")
    assert response.status_code == 302
    assert response["Location"] == apprentice.get_absolute_url()
    assert apprentice.organisation == world.organisation
    assert apprentice.is_minor


def test_apprentice_form_with_a_bad_ine_shows_the_french_error_and_writes_nothing(
    client, world, django_assert_num_queries
):
    client.force_login(world.users["staff"])
    before = Apprentice.objects.count()

    with django_assert_num_queries(7):  # + the cohort checked, the INE uniqueness, cohorts and options
        response = client.post(
            reverse("apprentices:apprentice_create"), new_apprentice_data(world, ine="12345")
        )

    assert response.status_code == 200
    assert response.context["form"].errors["ine"] == [
        "L'INE doit comporter 11 caractères (reçu : « 12345 », 5 caractères)."
    ]
    assert escape("L'INE doit comporter 11 caractères") in response.content.decode()
    assert Apprentice.objects.count() == before


def test_apprentice_form_refuses_a_future_birth_date_in_french(client, world):
    client.force_login(world.users["staff"])
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()

    response = client.post(
        reverse("apprentices:apprentice_create"), new_apprentice_data(world, birth_date=tomorrow)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["birth_date"] == ["La date de naissance doit être dans le passé."]
    assert not Apprentice.objects.filter(email="ines.martin@exemple.test").exists()


def test_apprentice_form_requires_the_names_in_french(client, world):
    client.force_login(world.users["staff"])

    response = client.post(reverse("apprentices:apprentice_create"), new_apprentice_data(world, last_name=""))

    assert response.context["form"].errors["last_name"] == ["Ce champ est obligatoire."]


def test_apprentice_form_refuses_a_cohort_of_another_organisation(client, world):
    client.force_login(world.users["staff"])

    response = client.post(
        reverse("apprentices:apprentice_create"),
        new_apprentice_data(world, cohort=world.foreign.apprentice.cohort_id),
    )

    assert response.status_code == 200
    assert "cohort" in response.context["form"].errors
    assert not Apprentice.objects.filter(email="ines.martin@exemple.test").exists()


def test_duplicate_ine_is_a_form_error_not_a_server_error(client, world):
    Apprentice.objects.filter(pk=world.other.apprentice.pk).update(ine="1234567890A")
    client.force_login(world.users["staff"])

    response = client.post(reverse("apprentices:apprentice_create"), new_apprentice_data(world))

    assert response.status_code == 200
    assert response.context["form"].errors["ine"] == ["Un apprenti porte déjà cet INE."]
    assert not Apprentice.objects.filter(email="ines.martin@exemple.test").exists()


@pytest.mark.parametrize("role", ORGANISATION_WIDE)
def test_apprentice_update_page_opens_for_staff(client, world, django_assert_num_queries, role):
    client.force_login(world.users[role])

    with django_assert_num_queries(6):  # + the apprentice, cohorts and options
        response = client.get(reverse("apprentices:apprentice_update", args=[world.other.apprentice.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("role", NOT_ORGANISATION_WIDE)
def test_apprentice_update_page_is_not_found_for_others_even_on_their_own_apprentice(
    client, world, django_assert_num_queries, role
):
    client.force_login(world.users[role])
    url = reverse("apprentices:apprentice_update", args=[world.mine.apprentice.pk])

    with django_assert_num_queries(NOT_FOUND_QUERIES):
        response = client.get(url)
    data = model_form_data(
        ApprenticeForm, world.mine.apprentice, user=world.users["staff"], last_name="Pirate"
    )
    post = client.post(url, data)

    assert (response.status_code, post.status_code) == (404, 404)
    world.mine.apprentice.refresh_from_db()
    assert world.mine.apprentice.last_name != "Pirate"


def test_staff_cannot_open_the_update_page_of_another_organisations_apprentice(client, world):
    client.force_login(world.users["staff"])

    response = client.get(reverse("apprentices:apprentice_update", args=[world.foreign.apprentice.pk]))

    assert response.status_code == 404


def test_staff_updates_an_apprentice_and_is_sent_back_to_its_page(client, world):
    apprentice = world.mine.apprentice
    staff = world.users["staff"]
    client.force_login(staff)
    data = model_form_data(ApprenticeForm, apprentice, user=staff, city="Lyon", postal_code="69003")

    response = client.post(reverse("apprentices:apprentice_update", args=[apprentice.pk]), data)

    assert response.status_code == 302
    assert response["Location"] == apprentice.get_absolute_url()
    apprentice.refresh_from_db()
    assert apprentice.city == "Lyon"
