"""« Mon compte »: each person corrects their own name and phone. The records that keep a copy (the
company tutor's, the apprentice's phone) follow in the same transaction; an apprentice's name is the
contract's and is not offered; bad input is refused at its field and changes nothing."""

import re

import pytest
from django.urls import reverse

from apprentices.models import Apprentice
from core import services
from core.models import AuditEvent, User
from core.signals import contact_details_changed
from tests.conftest import ROLES
from tests.helpers import messages_of, summary_links
from tutors.models import CompanyTutor

NAMED_ROLES = [role for role in ROLES if role != "apprentice"]


def post(client, user, **data):
    client.force_login(user)
    return client.post(reverse("profile"), data)


def state(user) -> tuple:
    user = User.objects.get(pk=user.pk)
    return (
        user.first_name,
        user.last_name,
        user.phone,
        list(CompanyTutor.objects.filter(user=user).values_list("first_name", "last_name", "phone")),
        list(Apprentice.objects.filter(user=user).values_list("first_name", "last_name", "phone")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("role", NAMED_ROLES)
def test_a_person_corrects_their_name_and_phone(client, world, role):
    user = world.users[role]

    response = post(
        client, user, first_name="  Anne-Lise ", last_name="Morel  Dupont", phone="+33 6 12 34 56 78"
    )

    assert response.status_code == 302 and response["Location"] == reverse("profile")
    assert messages_of(response) == ["Vos coordonnées sont enregistrées."]
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.phone) == ("Anne-Lise", "Morel Dupont", "+33 6 12 34 56 78")
    event = AuditEvent.objects.filter(action="core.user.contact_details_changed", target_id=user.pk).get()
    assert event.actor == user
    assert event.data["changes"]["phone"][1] == "+33 6 12 34 56 78"
    page = client.get(reverse("profile")).content.decode()
    assert 'value="Anne-Lise"' in page and 'value="+33 6 12 34 56 78"' in page


def test_the_company_tutor_record_follows_the_account(client, world):
    tutor = world.mine.company_tutor

    post(client, tutor.user, first_name="Paul", last_name="Durand", phone="01 23 45 67 89")

    tutor.refresh_from_db()
    assert (tutor.first_name, tutor.last_name, tutor.phone) == ("Paul", "Durand", "01 23 45 67 89")
    # The register's record is audited as every change of it is.
    assert AuditEvent.objects.filter(action="tutors.companytutor.changed", target_id=tutor.pk).exists()


def test_an_apprentice_corrects_their_phone_but_not_the_name_of_their_contract(client, world):
    apprentice = world.mine.apprentice
    user = apprentice.user
    client.force_login(user)
    page = client.get(reverse("profile")).content.decode()
    assert 'name="first_name"' not in page and 'name="last_name"' not in page
    assert "Votre nom est celui de votre contrat" in page

    response = post(client, user, first_name="Autre", last_name="Nom", phone="07 00 00 00 01")

    assert response.status_code == 302
    user.refresh_from_db()
    apprentice.refresh_from_db()
    assert user.phone == apprentice.phone == "07 00 00 00 01"
    assert (user.first_name, apprentice.first_name) != ("Autre", "Autre")
    assert apprentice.last_name != "Nom"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"first_name": "", "last_name": "Martin", "phone": ""}, "first_name", "Ce champ est obligatoire."),
        ({"first_name": "Léa", "last_name": "  ", "phone": ""}, "last_name", "Ce champ est obligatoire."),
        (
            {"first_name": "Léa", "last_name": "Martin", "phone": "appelez-moi"},
            "phone",
            "numéro de téléphone",
        ),
        ({"first_name": "Léa", "last_name": "Martin", "phone": "12"}, "phone", "numéro de téléphone"),
        (
            {"first_name": "Léa", "last_name": "Martin", "phone": "+33 6 12 34 56 78 90 12 34"},
            "phone",
            "6 à 15",
        ),
        ({"first_name": "Léa\r\nBcc: x@y.z", "last_name": "Martin", "phone": ""}, "first_name", "retour"),
        ({"first_name": "L" * 151, "last_name": "Martin", "phone": ""}, "first_name", "150 caractères"),
    ],
    ids=["no-first-name", "blank-last-name", "words-for-phone", "short-phone", "long-phone", "crlf", "long"],
)
def test_bad_input_is_refused_at_its_field_and_changes_nothing(client, world, data, field, message):
    tutor = world.mine.company_tutor
    before = state(tutor.user)

    response = post(client, tutor.user, **data)

    assert response.status_code == 400
    html = response.content.decode()
    [(href, text)] = summary_links(html)
    assert href == f"#id_{field}" and message in text
    assert 'aria-invalid="true"' in re.search(rf'<input[^>]*id="id_{field}"[^>]*>', html).group(0)
    assert state(tutor.user) == before
    # The page beside the form still shows the saved account, not the refused input.
    assert tutor.user.email in html


def test_sending_the_same_details_changes_nothing_and_says_so(client, world):
    user = world.users["staff"]
    before = state(user)

    response = post(client, user, first_name=user.first_name, last_name=user.last_name, phone=user.phone)

    assert response.status_code == 302
    assert messages_of(response) == ["Rien n'a changé : vos coordonnées étaient déjà celles-ci."]
    assert state(user) == before


def test_a_copy_that_cannot_follow_undoes_the_whole_change(client, world):
    """All or nothing: a receiver that fails leaves the account and every copy as they were."""
    tutor = world.mine.company_tutor
    before = state(tutor.user)

    def broken(**kwargs):
        raise RuntimeError("the copy failed")

    contact_details_changed.connect(broken, dispatch_uid="test.broken")
    try:
        with pytest.raises(RuntimeError):
            services.update_contact_details(
                user=tutor.user, by=tutor.user, first_name="X", phone="0612345678"
            )
    finally:
        contact_details_changed.disconnect(dispatch_uid="test.broken")
    assert state(tutor.user) == before


def test_nobody_corrects_someone_else(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.update_contact_details(
            user=world.users["apprentice"], by=world.users["staff"], phone="0600000000"
        )
