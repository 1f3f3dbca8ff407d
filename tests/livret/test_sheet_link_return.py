"""The company tutor sends a sheet back to the apprentice from the emailed link, with a reason that is
mailed to the apprentice; the link is then spent, and shows the sheet with its reason."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from core.models import ActionLink, AuditEvent
from core.workflow import links
from livret.models import LiaisonSheet
from livret.services import sheets as services
from tests.helpers import text_of
from tests.livret.factories import LiaisonSheetFactory, small_world, snapshot

REASON = "Détaillez la mise en service du poste client, et les difficultés rencontrées."


@pytest.fixture
def world(db):
    return small_world()


@pytest.fixture
def waiting(world):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)
    tutor = world.mine.company_tutor
    link, token = links.issue(
        document=sheet, action=ActionLink.Action.COUNTERSIGN, email=tutor.email, name=str(tutor)
    )
    return sheet, link, token


def url(sheet, token):
    return reverse("livret:sheet_link", args=[sheet.pk, token])


def test_the_link_page_offers_to_return_the_sheet_with_a_reason(client, waiting):
    sheet, _link, token = waiting

    response = client.get(url(sheet, token))

    html = response.content.decode()
    assert "Renvoyer la fiche à l'apprenti" in text_of(response)
    assert 'name="action" value="return"' in html
    assert 'id="return_reason"' in html and 'id="id_tutor_assessment"' in html


def test_returning_from_the_link_sends_the_sheet_back_and_mails_the_reason_to_the_apprentice(
    client, world, waiting, django_capture_on_commit_callbacks
):
    sheet, link, token = waiting
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(sheet, token), {"action": "return", "reason": REASON})

    assert response.status_code == 200
    assert "La fiche est renvoyée à l'apprenti" in text_of(response)
    sheet.refresh_from_db()
    link.refresh_from_db()
    assert (sheet.status, sheet.return_reason) == (LiaisonSheet.Status.RETURNED, REASON)
    assert link.used_at is not None
    event = AuditEvent.objects.get(action="livret.liaisonsheet.returned")
    assert event.actor is None and event.data["via"] == "link"
    assert event.data["by"] == world.mine.company_tutor.email
    [message] = mail.outbox
    assert message.to == [world.mine.apprentice.user.email]
    assert "renvoyée" in message.subject
    assert REASON in message.body
    assert sheet.get_absolute_url() in message.body
    assert REASON in message.alternatives[0][0]


def test_the_spent_link_then_shows_the_sheet_with_its_reason_and_no_receipt(client, waiting):
    sheet, _link, token = waiting
    client.post(url(sheet, token), {"action": "return", "reason": REASON})

    response = client.get(url(sheet, token))

    assert response.status_code == 200
    text = text_of(response)
    assert f"Motif : {REASON}" in text
    assert "recu.pdf" not in response.content.decode()
    assert client.post(url(sheet, token), {"action": "return", "reason": "Encore."}).status_code == 410


def test_returning_without_a_reason_shows_the_error_and_changes_nothing(client, waiting):
    sheet, _link, token = waiting
    before = snapshot(sheet)
    mail.outbox.clear()

    response = client.post(url(sheet, token), {"action": "return", "reason": "  "})

    assert response.status_code == 200
    assert "Ce champ est obligatoire." in text_of(response) or "obligatoire" in text_of(response)
    assert snapshot(sheet) == before
    assert mail.outbox == []


def test_a_tampered_link_cannot_return_the_sheet(client, waiting):
    sheet, _link, token = waiting
    before = snapshot(sheet)

    response = client.post(url(sheet, token[:-2] + "zz"), {"action": "return", "reason": REASON})

    assert response.status_code == 400
    assert snapshot(sheet) == before


def test_the_school_tutor_returning_from_the_platform_also_mails_the_apprentice(
    world, django_capture_on_commit_callbacks
):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.return_to_apprentice(sheet=sheet, by=world.users["school_tutor"], reason=REASON)

    [message] = mail.outbox
    assert message.to == [world.mine.apprentice.user.email] and REASON in message.body


def test_the_service_refuses_a_return_without_session_or_link(world):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)

    with pytest.raises(services.PermissionDenied):
        services.return_to_apprentice(sheet=sheet, reason=REASON)
