"""Transmitting a sheet while the broker is unreachable: the sheet is transmitted at once, the page
says the tutor's mail will follow, and the mail waits in the outbox."""

import pytest
from django.core import mail
from django.urls import reverse

from livret.models import LiaisonSheet
from tests.helpers import messages_of
from tests.livret.factories import APPRENTICE_TEXT, LiaisonSheetFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_transmitting_a_sheet_with_the_broker_unreachable_succeeds_and_says_the_mail_will_follow(
    client, world, broker_at
):
    broker_at("redis://127.0.0.1:1/0")
    sheet = LiaisonSheetFactory(contract=world.mine.contract)
    client.force_login(world.users["apprentice"])

    response = client.post(
        reverse("livret:sheet_save", args=[sheet.pk]), {**APPRENTICE_TEXT, "revision": 0, "action": "submit"}
    )

    sheet.refresh_from_db()
    assert response.status_code == 302
    assert sheet.status == LiaisonSheet.Status.SUBMITTED
    assert messages_of(response) == [
        "Fiche transmise. Le service d'envoi ne répond pas pour l'instant : votre maître d'apprentissage "
        "recevra le message électronique pour la contresigner dès son retour."
    ]
    assert mail.outbox == []
