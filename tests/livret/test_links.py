"""The company tutor's emailed link: one person, one sheet, one action, once, before it expires.
It never logs anyone in."""

import datetime
import hashlib
import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import ActionLink, Signature
from core.workflow import links
from core.workflow.signatures import content_digest, signatures_of
from livret.models import LiaisonSheet
from livret.services import sheets as services
from livret.tasks import send_countersign_request
from tests.helpers import text_of
from tests.livret.factories import LiaisonSheetFactory, small_world, snapshot
from tests.tutors.factories import CompanyTutorFactory

SheetStatus = LiaisonSheet.Status
SIGN = {"tutor_assessment": "Très bonne période, autonomie en progrès.", "confirm": "on"}
# The sheet with its contract, people and period; the link; the content type is cached.
LINK_PAGE_QUERIES = 2


@pytest.fixture
def world(db):
    """Only one contract and its people: these tests never look at other contracts."""
    return small_world()


def issue_link(sheet, **kwargs):
    tutor = sheet.contract.company_tutor
    return links.issue(
        document=sheet, action=ActionLink.Action.COUNTERSIGN, email=tutor.email, name=str(tutor), **kwargs
    )


def link_url(sheet, token):
    return reverse("livret:sheet_link", args=[sheet.pk, token])


@pytest.fixture
def waiting(world):
    """A submitted sheet and a fresh link for its company tutor."""
    sheet = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)
    link, token = issue_link(sheet)
    return sheet, link, token


def assert_not_logged_in(client):
    assert "_auth_user_id" not in client.session
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# A valid link --------------------------------------------------------------------------------------------


def test_valid_link_shows_the_sheet_and_the_countersign_form(client, waiting):
    sheet, _link, token = waiting

    response = client.get(link_url(sheet, token))

    assert response.status_code == 200
    text = text_of(response)
    assert sheet.activities in text
    assert "Votre contresignature" in text
    assert set(response.context["form"].fields) == {"tutor_assessment", "confirm"}
    assert_not_logged_in(client)


@pytest.mark.parametrize("extra", [1, 5])
def test_link_page_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, extra):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)
    for _ in range(extra):
        issue_link(sheet)
        issue_link(LiaisonSheetFactory(contract=world.mine.contract, submitted=True))
    _link, token = issue_link(sheet)

    with django_assert_num_queries(LINK_PAGE_QUERIES):
        response = client.get(link_url(sheet, token))

    assert response.status_code == 200


def test_posting_the_link_countersigns_with_the_link_and_signs_the_stored_content(client, waiting):
    sheet, link, token = waiting

    response = client.post(link_url(sheet, token), SIGN)

    assert response.status_code == 200
    text = text_of(response)
    assert "Merci, la fiche est contresignée" in text
    sheet.refresh_from_db()
    link.refresh_from_db()
    assert sheet.status == SheetStatus.COUNTERSIGNED
    assert sheet.tutor_assessment == SIGN["tutor_assessment"]
    assert link.used_at is not None
    signature = signatures_of(sheet).get(act=Signature.Act.COUNTERSIGN)
    assert signature.via == "link"
    assert signature.signer_email == sheet.contract.company_tutor.email
    assert signature.content_sha256 == hashlib.sha256(signature.content.encode("utf-8")).hexdigest()
    assert (signature.content, signature.content_sha256) == content_digest(sheet.signable_content())
    assert signature.content_sha256 in text
    assert_not_logged_in(client)


def test_posting_the_link_without_ticking_the_box_shows_the_error_and_changes_nothing(client, waiting):
    sheet, _link, token = waiting
    before = snapshot(sheet)

    response = client.post(link_url(sheet, token), {"tutor_assessment": "Bien."})

    assert response.status_code == 200
    assert "Cochez la case pour confirmer votre contresignature." in text_of(response)
    assert snapshot(sheet) == before


# Links that cannot be used -----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_expired_link_is_refused_with_410_and_offers_a_fresh_link(client, waiting, method):
    sheet, link, token = waiting
    link.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    link.save(update_fields=["expires_at"])
    before = snapshot(sheet)

    response = getattr(client, method)(link_url(sheet, token), SIGN)

    assert response.status_code == 410
    assert "Ce lien a expiré." in text_of(response)
    assert (
        f'action="{reverse("livret:sheet_link_resend", args=[sheet.pk, token])}"' in response.content.decode()
    )
    assert snapshot(sheet) == before


def test_reused_link_says_it_has_already_served_and_changes_nothing(client, waiting):
    sheet, _link, token = waiting
    assert client.post(link_url(sheet, token), SIGN).status_code == 200
    before = snapshot(sheet)

    response = client.post(link_url(sheet, token), {**SIGN, "tutor_assessment": "Autre avis."})

    assert response.status_code == 410
    assert "Ce lien a déjà servi" in text_of(response)
    assert "M'envoyer un nouveau lien" not in text_of(response)
    assert snapshot(sheet) == before


def test_another_link_of_a_sheet_already_countersigned_says_it_has_served(client, waiting):
    sheet, _link, token = waiting
    _second, second_token = issue_link(sheet)
    client.post(link_url(sheet, token), SIGN)
    before = snapshot(sheet)

    response = client.post(link_url(sheet, second_token), SIGN)

    assert response.status_code == 410
    assert "Ce lien a déjà servi" in text_of(response)
    assert snapshot(sheet) == before


def tamper(token: str) -> str:
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("position", ["first", "middle", "last"])
def test_tampered_link_is_refused_with_400_and_changes_nothing(client, waiting, method, position):
    sheet, _link, token = waiting
    index = {"first": 1, "middle": len(token) // 2, "last": len(token) - 1}[position]
    replacement = "x" if token[index] != "x" else "y"
    altered = token[:index] + replacement + token[index + 1 :]
    before = snapshot(sheet)

    response = getattr(client, method)(link_url(sheet, altered), SIGN)

    assert response.status_code == 400
    assert "Ce lien est incomplet ou a été modifié : il ne peut pas être utilisé." in text_of(response)
    assert snapshot(sheet) == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_link_of_another_sheet_is_refused_and_changes_neither(client, world, waiting, method):
    sheet_a, _link, token_a = waiting
    sheet_b = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)
    before = snapshot(sheet_a, sheet_b)

    response = getattr(client, method)(link_url(sheet_b, token_a), SIGN)

    assert response.status_code == 400
    assert "Ce lien ne correspond pas à ce document ou à son destinataire actuel." in text_of(response)
    assert snapshot(sheet_a, sheet_b) == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_link_of_a_tutor_who_was_replaced_is_refused(client, world, waiting, method):
    sheet, _link, token = waiting
    contract = sheet.contract
    contract.company_tutor = CompanyTutorFactory(employer=contract.employer)
    contract.save()
    before = snapshot(sheet)

    response = getattr(client, method)(link_url(sheet, token), SIGN)

    assert response.status_code == 400
    assert "Ce lien ne correspond pas à ce document ou à son destinataire actuel." in text_of(response)
    assert snapshot(sheet) == before


def test_link_of_a_sheet_returned_to_the_apprentice_is_refused(client, world, waiting):
    sheet, _link, token = waiting
    services.return_to_apprentice(sheet=sheet, by=world.users["school_tutor"], reason="Détaillez.")
    before = snapshot(sheet)

    response = client.post(link_url(sheet, token), SIGN)

    assert response.status_code == 410
    assert "M'envoyer un nouveau lien" not in text_of(response)
    assert snapshot(sheet) == before


def test_link_to_an_unknown_sheet_is_not_found(client, waiting):
    sheet, _link, token = waiting

    assert client.get(link_url(sheet, token).replace(f"/{sheet.pk}/", "/999999/")).status_code == 404


# A fresh link -------------------------------------------------------------------------------------------


def resend_url(sheet, token):
    return reverse("livret:sheet_link_resend", args=[sheet.pk, token])


def test_fresh_link_is_mailed_once_to_the_tutor_on_file_when_the_sheet_still_waits(
    client, waiting, django_capture_on_commit_callbacks
):
    sheet, link, token = waiting
    link.expires_at = timezone.now() - datetime.timedelta(days=1)
    link.save(update_fields=["expires_at"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url(sheet, token))

    assert response.status_code == 200
    assert "Demande enregistrée" in text_of(response)
    (message,) = mail.outbox
    assert message.to == [sheet.contract.company_tutor.email]
    fresh_url = re.search(r"https?://\S+", message.body).group(0)
    assert fresh_url.startswith(settings.SITE_URL + reverse("livret:sheet_link", args=[sheet.pk, "x"])[:-2])
    fresh = client.get(fresh_url.removeprefix(settings.SITE_URL))
    assert fresh.status_code == 200
    assert_not_logged_in(client)


def test_fresh_link_goes_to_the_tutor_now_on_file_not_to_the_one_who_clicked(
    client, waiting, django_capture_on_commit_callbacks
):
    sheet, _link, token = waiting
    contract = sheet.contract
    contract.company_tutor = CompanyTutorFactory(employer=contract.employer, email="nouvelle@entreprise.test")
    contract.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url(sheet, token))

    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [["nouvelle@entreprise.test"]]


@pytest.mark.parametrize("state", ["countersigned", "returned", "draft"])
def test_fresh_link_is_not_mailed_when_the_sheet_no_longer_waits_with_the_same_answer(
    client, world, django_capture_on_commit_callbacks, state
):
    waiting_sheet = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)
    _link, waiting_token = issue_link(waiting_sheet)
    sheet = LiaisonSheetFactory(contract=world.mine.contract, **({state: True} if state != "draft" else {}))
    _link, token = issue_link(sheet)
    with django_capture_on_commit_callbacks(execute=True):
        answer_when_waiting = text_of(client.post(resend_url(waiting_sheet, waiting_token)))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url(sheet, token))

    assert response.status_code == 200
    assert mail.outbox == []
    assert text_of(response) == answer_when_waiting


def test_countersign_request_mails_a_link_that_works_until_used(client, waiting):
    sheet, _link, _token = waiting

    assert send_countersign_request(sheet.pk) is True

    (message,) = mail.outbox
    assert message.to == [sheet.contract.company_tutor.email]
    assert str(sheet.contract.apprentice) in message.subject
    url = re.search(r"https?://\S+", message.body).group(0).removeprefix(settings.SITE_URL)
    assert client.post(url, SIGN).status_code == 200
    assert client.post(url, SIGN).status_code == 410


def test_countersign_request_is_not_sent_for_a_sheet_that_does_not_wait(world):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, countersigned=True)

    assert send_countersign_request(sheet.pk) is False
    assert mail.outbox == []


def test_fresh_link_needs_a_genuine_link_of_this_sheet(client, waiting, django_capture_on_commit_callbacks):
    sheet, _link, token = waiting

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url(sheet, token[:-3] + "xyz"))

    assert response.status_code == 200
    assert "Demande enregistrée" in text_of(response)
    assert mail.outbox == []


def test_fresh_link_is_not_sent_twice_within_ten_minutes(client, waiting, django_capture_on_commit_callbacks):
    sheet, _link, token = waiting

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(resend_url(sheet, token))

    assert len(mail.outbox) == 1
