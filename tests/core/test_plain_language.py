"""Plain language: « Mon compte » is a profile page, signature fingerprints sit behind "Détails de la
signature", and the quality pages say which requirements are missing."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from core.models import Signature
from quality.services import computation
from quality.snapshot import explain
from tests.conftest import ORGANISATION_WIDE, ROLES
from tests.helpers import text_of
from tests.livret.factories import LiaisonSheetFactory

# The session's user, their roles (twice: the menu and the page), allauth's second factors, the
# apprentice's record behind "Mes données personnelles".
PROFILE_QUERIES = {"apprentice": 5, "company_tutor": 5, "school_tutor": 5, "head_of_diploma": 5}
PROFILE_QUERIES_STAFF = 5


@pytest.mark.parametrize("role", ROLES)
def test_mon_compte_is_a_profile_page_for_each_role(client, world, django_assert_num_queries, role):
    user = world.users[role]
    user.phone = "06 12 34 56 78"
    user.save(update_fields=["phone"])
    client.force_login(user)

    with django_assert_num_queries(PROFILE_QUERIES.get(role, PROFILE_QUERIES_STAFF)):
        response = client.get(reverse("profile"))

    assert response.status_code == 200
    text = text_of(response)
    html = response.content.decode()
    assert user.get_full_name() in text
    assert user.email in text
    assert "06 12 34 56 78" in text
    assert reverse("account_change_password") in html
    assert reverse("account_email") in html
    assert 'name="language"' in html and reverse("set_language") in html
    assert "Enlever" not in text
    assert (reverse("mfa_index") in re.sub(r'<nav class="subnav".*?</nav>', "", html, flags=re.S)) == (
        role in ORGANISATION_WIDE
    )
    # The menu's « Mon compte » leads here and says so.
    assert f'<a href="{reverse("profile")}" aria-current="page">Mon compte</a>' in html


def test_the_profile_page_is_for_people_logged_in(client):
    response = client.get(reverse("profile"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_signature_fingerprint_is_behind_signature_details(client, world):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, countersigned=True)
    client.force_login(world.users["apprentice"])

    html = client.get(sheet.get_absolute_url()).content.decode()

    digests = list(Signature.objects.for_document(sheet).values_list("content_sha256", flat=True))
    blocks = re.findall(r'<details class="signature-details">(.*?)</details>', html, re.S)
    outside = re.sub(r'<details class="signature-details">.*?</details>', "", html, flags=re.S)
    assert len(digests) == len(blocks) == 2
    assert all("<summary>Détails de la signature</summary>" in block for block in blocks)
    assert all(any(digest in block for block in blocks) for digest in digests)
    assert not any(digest in outside for digest in digests)


def test_pourquoi_names_the_missing_requirements(client_for, world):
    computation.compute_indicators(year=world.academic_year)
    url = reverse("quality:trajectory", args=[world.mine.diploma.pk, world.academic_year.label])

    response = client_for(world.users["staff"]).get(url)

    text = text_of(response)
    assert "exigence(s)" not in text
    assert "Sous le socle : il manque « " in text
    data = response.context["data"]
    perimeter = next(p for poste in data["postes"] for p in poste["perimeters"] if p["next"])
    for requirement in perimeter["next"]["missing"]:
        assert f"« {requirement['label']} »" in perimeter["explanation"]


def test_the_explanation_when_a_level_is_held_names_the_next_step_and_what_it_lacks():
    class State:
        def __init__(self, label):
            self.requirement = type("R", (), {"label": label})

    class Level:
        label = "Jalon 1"
        missing = [State("Deux rencontres par an"), State("Comité de pilotage tenu")]

    class Perimeter:
        level = 1
        label = "Socle"
        next_level = Level

    assert explain(Perimeter) == (
        "Socle atteint ; pour « Jalon 1 », il manque : « Deux rencontres par an », "
        "« Comité de pilotage tenu »."
    )


def test_the_only_address_offers_no_red_remove_button(client, world):
    user = world.users["apprentice"]
    client.force_login(user)

    html = client.get(reverse("account_email")).content.decode()
    assert 'name="action_remove"' not in html and 'name="action_primary"' not in html

    EmailAddress.objects.create(user=user, email="autre@exemple.test", verified=True)
    html = client.get(reverse("account_email")).content.decode()
    assert 'name="action_remove"' in html
