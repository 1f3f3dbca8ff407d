import datetime

import pytest
from django.urls import reverse

from apprentices.forms import ContractForm
from apprentices.models import Contract
from core.audit import acting_as
from core.models import AuditEvent
from tests.conftest import ORGANISATION_WIDE, ROLES
from tests.helpers import model_form_data, text_of

NOT_ORGANISATION_WIDE = [role for role in ROLES if role not in ORGANISATION_WIDE]
NOT_FOUND_QUERIES = 4

DETAIL_QUERIES = {
    # session, user, roles, the contract with its people, the current year and its mission descriptions,
    # its visits and its grid sharing
    "apprentice": 8,
    "company_tutor": 8,
    "school_tutor": 8,
    "head_of_diploma": 8,
    # + the audit trail
    "staff": 9,
    "admin": 9,
}
# session, user, roles, then the choices of apprentice, employer, company tutor, school tutor,
# diploma and option
FORM_QUERIES = 9


def add_changes(world, n):
    """``n`` audited changes of the world's contract."""
    contract = world.mine.contract
    with acting_as(world.users["staff"]):
        for i in range(n):
            contract.hours_done = 300 + i
            contract.save()


@pytest.mark.parametrize("extra", [1, 5])
@pytest.mark.parametrize("role", ROLES)
def test_contract_detail_runs_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, role, extra
):
    add_changes(world, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(DETAIL_QUERIES[role]):
        response = client.get(reverse("apprentices:contract_detail", args=[world.mine.contract.pk]))

    assert response.status_code == 200
    assert world.mine.employer.legal_name in text_of(response)


@pytest.mark.parametrize("role", ROLES)
def test_contract_detail_of_someone_else_is_not_found(client, world, django_assert_num_queries, role):
    client.force_login(world.users[role])
    others = [world.foreign.contract] + ([] if role in ORGANISATION_WIDE else [world.other.contract])

    for contract in others:
        with django_assert_num_queries(NOT_FOUND_QUERIES):
            response = client.get(reverse("apprentices:contract_detail", args=[contract.pk]))
        assert response.status_code == 404


def test_contract_detail_shows_staff_who_changed_what(client, world):
    add_changes(world, 1)
    client.force_login(world.users["staff"])

    response = client.get(reverse("apprentices:contract_detail", args=[world.mine.contract.pk]))

    events = list(response.context["audit_events"])
    assert events[0].actor == world.users["staff"]
    assert events[0].data["changes"]["hours_done"] == [250, 300]


@pytest.mark.parametrize("role", ORGANISATION_WIDE)
def test_contract_create_page_opens_for_staff(client, world, django_assert_num_queries, role):
    client.force_login(world.users[role])

    with django_assert_num_queries(FORM_QUERIES):
        response = client.get(
            reverse("apprentices:contract_create"), {"apprentice": world.mine.apprentice.pk}
        )

    assert response.status_code == 200
    assert response.context["form"].initial["apprentice"] == str(world.mine.apprentice.pk)


@pytest.mark.parametrize("role", NOT_ORGANISATION_WIDE)
def test_contract_create_page_is_not_found_for_others(client, world, django_assert_num_queries, role):
    client.force_login(world.users[role])

    with django_assert_num_queries(3):
        response = client.get(reverse("apprentices:contract_create"))

    assert response.status_code == 404


def new_contract_data(world, **overrides):
    chain = world.other
    start = datetime.date.today() - datetime.timedelta(days=30)
    data = {
        "apprentice": chain.apprentice.pk,
        "employer": world.mine.employer.pk,
        "company_tutor": world.mine.company_tutor.pk,
        "school_tutor": chain.school_tutor.pk,
        "diploma": chain.diploma.pk,
        "option": "",
        "start_date": start.isoformat(),
        "planned_end_date": (start + datetime.timedelta(days=730)).isoformat(),
        "status": Contract.Status.ACTIVE,
        "rupture_date": "",
        "rupture_cause": "",
        "hours_planned": 800,
        "hours_done": 0,
        "diploma_outcome": Contract.Outcome.UNKNOWN,
        "diploma_outcome_date": "",
    }
    data.update(overrides)
    return data


def test_staff_records_a_contract(client, world):
    client.force_login(world.users["staff"])

    response = client.post(reverse("apprentices:contract_create"), new_contract_data(world))

    contract = Contract.objects.get(apprentice=world.other.apprentice, employer=world.mine.employer)
    assert response.status_code == 302
    assert response["Location"] == contract.get_absolute_url()


def test_contract_form_with_the_end_before_the_start_shows_the_french_error_and_writes_nothing(client, world):
    client.force_login(world.users["staff"])
    before = Contract.objects.count()

    response = client.post(
        reverse("apprentices:contract_create"),
        new_contract_data(
            world, planned_end_date=(datetime.date.today() - datetime.timedelta(days=60)).isoformat()
        ),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["planned_end_date"] == [
        "La date de fin prévue doit suivre la date de début."
    ]
    assert "La date de fin prévue doit suivre la date de début." in text_of(response)
    assert Contract.objects.count() == before


def test_duplicate_contract_is_a_form_error_not_a_server_error(client, world):
    client.force_login(world.users["staff"])
    chain = world.mine
    data = new_contract_data(
        world,
        apprentice=chain.apprentice.pk,
        employer=chain.employer.pk,
        diploma=chain.diploma.pk,
        school_tutor=chain.school_tutor.pk,
        start_date=chain.contract.start_date.isoformat(),
    )

    response = client.post(reverse("apprentices:contract_create"), data)

    assert response.status_code == 200
    assert "Ce contrat existe déjà" in text_of(response)
    assert Contract.objects.filter(apprentice=chain.apprentice).count() == 1


@pytest.mark.parametrize("role", ORGANISATION_WIDE)
def test_contract_update_page_opens_for_staff(client, world, django_assert_num_queries, role):
    client.force_login(world.users[role])

    with django_assert_num_queries(FORM_QUERIES + 1):  # + the contract
        response = client.get(reverse("apprentices:contract_update", args=[world.other.contract.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("role", NOT_ORGANISATION_WIDE)
def test_contract_update_is_not_found_for_others_even_on_a_contract_they_follow(
    client, world, django_assert_num_queries, role
):
    contract = world.mine.contract
    client.force_login(world.users[role])
    url = reverse("apprentices:contract_update", args=[contract.pk])
    data = model_form_data(ContractForm, contract, user=world.users["staff"], hours_done=9)

    with django_assert_num_queries(NOT_FOUND_QUERIES):
        response = client.get(url)
    post = client.post(url, data)

    assert (response.status_code, post.status_code) == (404, 404)
    contract.refresh_from_db()
    assert contract.hours_done == 250


def test_staff_cannot_update_another_organisations_contract(client, world):
    client.force_login(world.users["staff"])

    response = client.get(reverse("apprentices:contract_update", args=[world.foreign.contract.pk]))

    assert response.status_code == 404


def test_status_change_through_the_update_page_is_audited_with_the_staff_member_and_old_and_new_values(
    client, world
):
    contract = world.mine.contract
    staff = world.users["staff"]
    client.force_login(staff)
    rupture = datetime.date.today() - datetime.timedelta(days=3)
    data = model_form_data(
        ContractForm,
        contract,
        user=staff,
        status=Contract.Status.RUPTURED,
        rupture_date=rupture,
        rupture_cause=Contract.RuptureCause.APPRENTICE,
    )

    response = client.post(reverse("apprentices:contract_update", args=[contract.pk]), data)

    assert response.status_code == 302
    event = AuditEvent.for_object(contract).first()
    assert event.action == "apprentices.contract.changed"
    assert event.actor == staff
    assert event.data["via"] == "session"
    assert event.data["changes"]["status"] == ["active", "ruptured"]
    assert event.data["changes"]["rupture_date"] == [None, rupture.isoformat()]
    assert event.data["changes"]["rupture_cause"] == ["", "apprentice"]
    assert set(event.data["changes"]) == {"status", "rupture_date", "rupture_cause"}


def test_rupture_date_without_the_ruptured_status_through_the_update_page_is_refused_in_french(client, world):
    contract = world.mine.contract
    staff = world.users["staff"]
    client.force_login(staff)
    events_before = AuditEvent.objects.count()
    data = model_form_data(ContractForm, contract, user=staff, rupture_date=datetime.date.today())

    response = client.post(reverse("apprentices:contract_update", args=[contract.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].errors["rupture_date"] == [
        "Seul un contrat rompu a une date de rupture : choisissez le statut « Rompu »."
    ]
    contract.refresh_from_db()
    assert contract.rupture_date is None
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize(
    ("role", "may_start"),
    [("apprentice", True), ("company_tutor", True), ("staff", True), ("school_tutor", False)],
)
def test_contract_page_links_the_booklet_and_offers_to_start_the_mission_description(
    client, world, role, may_start
):
    from tests.livret.factories import MissionDescriptionFactory

    contract = world.mine.contract
    client.force_login(world.users[role])

    response = client.get(contract.get_absolute_url())

    html = response.content.decode()
    for name in ("livret:contract_visits", "livret:contract_evaluations"):
        assert f'href="{reverse(name, args=[contract.pk])}"' in html
    assert (reverse("livret:mission_create", args=[contract.pk]) in html) is may_start

    mission = MissionDescriptionFactory(contract=contract, academic_year=world.academic_year)
    html = client.get(contract.get_absolute_url()).content.decode()
    assert f'href="{mission.get_absolute_url()}"' in html
    assert reverse("livret:mission_create", args=[contract.pk]) not in html


def test_contract_page_sums_up_the_visits_and_the_grid(client, world):
    import datetime

    from django.utils import timezone

    from tests.helpers import text_of
    from tests.livret.factories import GridSharingFactory, VisitReportFactory

    contract = world.mine.contract
    client.force_login(world.users["school_tutor"])

    before = text_of(client.get(contract.get_absolute_url()))
    assert "0 rencontre" in before
    assert "pas encore partagée" in before

    held = contract.start_date + datetime.timedelta(days=20)
    VisitReportFactory(contract=contract, reported=True, planned_date=held)
    VisitReportFactory(contract=contract, planned_date=timezone.localdate() + datetime.timedelta(days=9))
    GridSharingFactory(contract=contract, shared_on=contract.start_date + datetime.timedelta(days=5))

    after = text_of(client.get(contract.get_absolute_url()))
    assert "1 rencontre tenue" in after
    assert "prochaine visite prévue le" in after
    assert "partagée le" in after and "pas encore partagée" not in after
