"""A used emailed link is no dead end: it shows the document read-only with the school tutor's name
and address, and a PDF receipt of what its holder signed (read back with pypdf). Links that were never
usable keep their messages, and name the school tutor only to the holder of a genuine link."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import ActionLink, Signature
from core.workflow import links
from core.workflow.signatures import signatures_of
from livret.models import LiaisonSheet
from tests.helpers import pdf_text, text_of
from tests.livret.evaluation_pages_support import form_data
from tests.livret.factories import (
    ActionItemFactory,
    EvaluationFactory,
    LiaisonSheetFactory,
    VisitReportFactory,
    competence_framework,
    small_world,
)

SIGN = {"tutor_assessment": "Très bonne période, autonomie en progrès.", "confirm": "on"}
# The sheet with its people and period, the link, the signatures.
USED_PAGE_QUERIES = 3


@pytest.fixture
def world(db):
    return small_world()


def issue(document, action, email):
    return links.issue(document=document, action=action, email=email, name="Quelqu'un")


@pytest.fixture
def countersigned(client, world):
    """A sheet countersigned from its link; the link's token."""
    sheet = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)
    _link, token = issue(sheet, ActionLink.Action.COUNTERSIGN, world.mine.company_tutor.email)
    response = client.post(reverse("livret:sheet_link", args=[sheet.pk, token]), SIGN)
    assert response.status_code == 200
    return sheet, token


def test_the_done_page_names_the_school_tutor_and_offers_the_receipt(client, world):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)
    _link, token = issue(sheet, ActionLink.Action.COUNTERSIGN, world.mine.company_tutor.email)

    response = client.post(reverse("livret:sheet_link", args=[sheet.pk, token]), SIGN)

    tutor = world.mine.school_tutor.user
    assert f"Contactez {tutor.get_full_name()}, tuteur pédagogique de l'apprenti" in text_of(response)
    assert f'href="mailto:{tutor.email}"' in response.content.decode()
    assert reverse("livret:sheet_link_receipt", args=[sheet.pk, token]) in response.content.decode()


def test_a_used_sheet_link_shows_the_sheet_read_only_with_the_school_tutor(
    client, world, countersigned, django_assert_num_queries
):
    sheet, token = countersigned

    with django_assert_num_queries(USED_PAGE_QUERIES):
        response = client.get(reverse("livret:sheet_link", args=[sheet.pk, token]))

    assert response.status_code == 200
    text = text_of(response)
    assert "Ce lien a déjà servi" in text
    assert sheet.activities in text
    assert SIGN["tutor_assessment"] in text
    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert "<form" not in main and "<textarea" not in main
    tutor = world.mine.school_tutor.user
    assert f"Contactez {tutor.get_full_name()}, tuteur pédagogique de l'apprenti" in text
    assert tutor.email in text
    assert "contactez le tuteur pédagogique de l'apprenti ou" not in text
    receipt = reverse("livret:sheet_link_receipt", args=[sheet.pk, token])
    assert f'href="{receipt}"' in response.content.decode()


def test_acting_again_on_a_used_link_is_gone_and_changes_nothing(client, countersigned):
    sheet, token = countersigned

    response = client.post(reverse("livret:sheet_link", args=[sheet.pk, token]), SIGN)

    assert response.status_code == 410
    assert signatures_of(sheet).filter(act=Signature.Act.COUNTERSIGN).count() == 1


def test_the_sheet_receipt_is_a_pdf_of_what_was_signed_with_date_signer_and_hash(
    client, world, countersigned
):
    sheet, token = countersigned
    signature = signatures_of(sheet).get(act=Signature.Act.COUNTERSIGN)

    response = client.get(reverse("livret:sheet_link_receipt", args=[sheet.pk, token]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="recu-sheet-')
    text = pdf_text(response.content).replace(" ", "")
    assert "Reçudecontresignature" in text
    assert str(world.mine.company_tutor).replace(" ", "") in text
    assert timezone.localtime(signature.signed_at).strftime("%Y").replace(" ", "") in text
    assert signature.content_sha256 in text
    assert "vérifiée" in text
    assert SIGN["tutor_assessment"].replace(" ", "") in text
    assert sheet.activities.replace(" ", "")[:40] in text


def test_the_receipt_of_a_link_not_yet_used_or_forged_or_of_another_sheet_is_a_404(client, world):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)
    _link, token = issue(sheet, ActionLink.Action.COUNTERSIGN, world.mine.company_tutor.email)
    other = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)

    assert client.get(reverse("livret:sheet_link_receipt", args=[sheet.pk, token])).status_code == 404
    assert client.get(reverse("livret:sheet_link_receipt", args=[sheet.pk, token + "x"])).status_code == 404
    assert client.get(reverse("livret:sheet_link_receipt", args=[other.pk, token])).status_code == 404


def test_a_used_link_past_its_reading_time_says_it_served_and_names_the_school_tutor(
    client, world, countersigned, settings
):
    sheet, token = countersigned
    ActionLink.objects.for_document(sheet).update(
        used_at=timezone.now() - datetime.timedelta(days=settings.LIVRET_LINK_VALID_DAYS + 1)
    )

    response = client.get(reverse("livret:sheet_link", args=[sheet.pk, token]))

    assert response.status_code == 410
    text = text_of(response)
    assert "Ce lien a déjà servi : l'action a été faite." in text
    assert sheet.activities not in text
    assert world.mine.school_tutor.user.get_full_name() in text
    assert client.get(reverse("livret:sheet_link_receipt", args=[sheet.pk, token])).status_code == 404


def test_an_expired_link_keeps_its_message_and_names_the_school_tutor(client, world):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)
    _link, token = issue(sheet, ActionLink.Action.COUNTERSIGN, world.mine.company_tutor.email)
    ActionLink.objects.for_document(sheet).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    response = client.get(reverse("livret:sheet_link", args=[sheet.pk, token]))

    assert response.status_code == 410
    text = text_of(response)
    assert "Ce lien a expiré." in text
    assert sheet.activities not in text


def test_an_altered_link_keeps_its_message_and_names_no_one(client, world):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)
    _link, token = issue(sheet, ActionLink.Action.COUNTERSIGN, world.mine.company_tutor.email)

    response = client.get(reverse("livret:sheet_link", args=[sheet.pk, token[:-2] + "zz"]))

    assert response.status_code == 400
    text = text_of(response)
    assert "Ce lien est incomplet ou a été modifié" in text
    tutor = world.mine.school_tutor.user
    assert tutor.email not in text and tutor.get_full_name() not in text


def test_a_used_visit_link_shows_the_report_and_its_receipt(client, world):
    visit = VisitReportFactory(contract=world.mine.contract, reported=True)
    ActionItemFactory(opened_in=visit, description="Préciser le sujet du projet")
    _link, token = issue(visit, ActionLink.Action.ACKNOWLEDGE, world.mine.company_tutor.email)
    url = reverse("livret:visit_link", args=[visit.pk, token])
    assert client.post(url).status_code == 200

    response = client.get(url)

    assert response.status_code == 200
    text = text_of(response)
    assert visit.integration in text and "Préciser le sujet du projet" in text
    assert world.mine.school_tutor.user.email in text
    receipt = client.get(reverse("livret:visit_link_receipt", args=[visit.pk, token]))
    assert receipt.status_code == 200
    pdf = pdf_text(receipt.content).replace(" ", "")
    signature = signatures_of(visit).get(act=Signature.Act.ACKNOWLEDGE)
    assert "Reçudepriseconnaissance".replace("priseconnaissance", "prisedeconnaissance") in pdf
    assert signature.content_sha256 in pdf
    assert visit.integration.replace(" ", "")[:40] in pdf


def test_a_used_evaluation_link_shows_the_grid_and_its_receipt(client, world):
    competences = competence_framework(world.mine.diploma)
    evaluation = EvaluationFactory(contract=world.mine.contract)
    _link, token = issue(evaluation, ActionLink.Action.EVALUATE, world.mine.company_tutor.email)
    url = reverse("livret:evaluation_link", args=[evaluation.pk, token])
    assert client.post(url, form_data(competences, level=3, action="submit")).status_code == 200

    response = client.get(url)

    assert response.status_code == 200
    text = text_of(response)
    assert competences[0].title in text
    assert 'name="action"' not in response.content.decode()
    receipt = client.get(reverse("livret:evaluation_link_receipt", args=[evaluation.pk, token]))
    pdf = pdf_text(receipt.content).replace(" ", "")
    signature = signatures_of(evaluation).get(act=Signature.Act.EVALUATE)
    assert "Reçud'évaluation" in pdf
    assert signature.content_sha256 in pdf
    assert competences[0].code in pdf


def test_a_sheet_countersigned_from_the_platform_offers_no_receipt_on_an_old_link(client, world):
    """The link was never used: the page says the sheet no longer waits, and no receipt is offered."""
    sheet = LiaisonSheetFactory(contract=world.mine.contract, countersigned=True)
    _link, token = issue(sheet, ActionLink.Action.COUNTERSIGN, world.mine.company_tutor.email)

    response = client.get(reverse("livret:sheet_link", args=[sheet.pk, token]))

    assert response.status_code == 410
    assert "recu.pdf" not in response.content.decode()
    assert LiaisonSheet.objects.get(pk=sheet.pk).status == LiaisonSheet.Status.COUNTERSIGNED
