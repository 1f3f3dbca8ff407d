"""Every change of a person or a contract leaves an audit event with its author and changed fields."""

import json

import pytest
from django.urls import reverse

from apprentices.models import Apprentice, Contract
from core.audit import acting_as
from core.models import AuditEvent, User
from tests.apprentices.factories import ApprenticeFactory, ContractFactory, years_ago
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def last_event(obj) -> AuditEvent:
    return AuditEvent.for_object(obj).first()


def test_apprentice_creation_is_audited_with_its_author_and_fields(world):
    staff = world.users["staff"]

    with acting_as(staff, via="session"):
        apprentice = ApprenticeFactory(organisation=world.organisation, last_name="Moreau")

    event = last_event(apprentice)
    assert event.action == "apprentices.apprentice.created"
    assert event.actor == staff
    assert event.data["via"] == "session"
    assert event.data["fields"]["last_name"] == "Moreau"
    assert event.data["fields"]["birth_date"] == apprentice.birth_date.isoformat()
    assert event.target_repr == str(apprentice)


def test_apprentice_creation_through_the_page_is_audited_as_the_staff_member(client, world):
    staff = world.users["staff"]
    client.force_login(staff)

    client.post(
        reverse("apprentices:apprentice_create"),
        {
            "first_name": "Jade",
            "last_name": "Roux",
            "birth_date": years_ago(19).isoformat(),
            "email": "jade.roux@exemple.test",
        },
    )

    apprentice = Apprentice.objects.get(email="jade.roux@exemple.test")
    event = last_event(apprentice)
    assert (event.action, event.actor) == ("apprentices.apprentice.created", staff)


def test_apprentice_change_records_old_and_new_values_of_the_changed_fields_only(world):
    apprentice = Apprentice.objects.get(pk=world.mine.apprentice.pk)
    old_city = apprentice.city

    with acting_as(world.users["admin"]):
        apprentice.city = "Rennes"
        apprentice.save()

    event = last_event(apprentice)
    assert event.action == "apprentices.apprentice.changed"
    assert event.actor == world.users["admin"]
    assert event.data["changes"] == {"city": [old_city, "Rennes"]}


def test_saving_without_a_change_writes_no_event(world):
    apprentice = Apprentice.objects.get(pk=world.mine.apprentice.pk)
    before = AuditEvent.objects.count()

    apprentice.save()

    assert AuditEvent.objects.count() == before


def test_contract_status_change_by_a_task_is_audited_without_a_person(world):
    contract = Contract.objects.get(pk=world.mine.contract.pk)

    with acting_as(None, via="task"):
        contract.status = Contract.Status.COMPLETED
        contract.save(update_fields=["status"])

    event = last_event(contract)
    assert event.actor is None
    assert event.data == {"changes": {"status": ["active", "completed"]}, "via": "task"}


def test_contract_deletion_is_audited(world):
    contract = ContractFactory(apprentice=ApprenticeFactory(organisation=world.organisation))
    pk = contract.pk

    with acting_as(world.users["staff"]):
        contract.delete()

    event = AuditEvent.objects.filter(action="apprentices.contract.deleted", target_id=pk).get()
    assert event.actor == world.users["staff"]


def test_user_change_is_audited_with_the_changed_fields(world):
    user = User.objects.get(pk=world.users["apprentice"].pk)
    old_name = user.last_name

    with acting_as(world.users["staff"]):
        user.last_name = "Nouveau-Nom"
        user.save()

    event = last_event(user)
    assert event.action == "core.user.changed"
    assert event.actor == world.users["staff"]
    assert event.data["changes"] == {"last_name": [old_name, "Nouveau-Nom"]}


def test_password_change_is_named_but_its_value_is_never_stored(db):
    user = User.objects.get(pk=UserFactory().pk)
    user.set_password("Secret-tres-secret-99")
    user.save()

    event = last_event(user)
    assert event.data["changes"]["password"] == "modifié"
    stored = json.dumps([e.data for e in AuditEvent.for_object(user)])
    assert "Secret-tres-secret-99" not in stored
    assert user.password not in stored
    assert user.password.split("$")[-1] not in stored


def test_user_creation_event_does_not_hold_the_password_hash(db):
    user = UserFactory()

    created = AuditEvent.for_object(user).get(action="core.user.created")
    assert created.data["fields"]["password"] == "modifié"
    assert user.password not in json.dumps(created.data)


def test_last_login_is_not_an_audited_change(client, db):
    user = UserFactory()
    before = AuditEvent.for_object(user).count()

    client.force_login(user)

    assert AuditEvent.for_object(user).count() == before


def test_changes_made_during_a_request_are_attributed_to_the_logged_in_person(client, world):
    staff = world.users["staff"]
    employer = world.mine.employer
    client.force_login(staff)
    data = {
        "legal_name": "Nouvelle raison sociale",
        "siret": employer.siret,
        "naf_code": employer.naf_code,
        "address": employer.address,
        "postal_code": employer.postal_code,
        "city": employer.city,
        "hr_contact_name": employer.hr_contact_name,
        "hr_contact_email": employer.hr_contact_email,
        "hr_contact_phone": employer.hr_contact_phone,
    }

    client.post(reverse("employers:employer_update", args=[employer.pk]), data)

    event = last_event(employer)
    assert event.actor == staff
    assert event.data["changes"] == {"legal_name": [employer.legal_name, "Nouvelle raison sociale"]}
