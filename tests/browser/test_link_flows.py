"""Emailed links that lead somewhere, and « Mon agenda », at phone and desktop widths with axe-core on
every page: the company tutor returns a sheet from its link with a reason; another sheet countersigned
from its link is read again, with the school tutor named and the receipt downloaded (a PDF); a person
creates, copies and revokes their calendar address.

Set ``LIVRET_SHOTS`` to a folder to keep screenshots of these pages.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from core import feeds
from core.models import ActionLink
from core.workflow import links
from livret.models import LiaisonSheet
from tests.browser.conftest import PHONE, assert_no_axe_violations, log_in, watch_errors
from tests.browser.test_livret_flows import shoot
from tests.helpers import pdf_text

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}
REASON = "Détaillez les compétences mobilisées sur le poste client."


@pytest.fixture
def eager_tasks():
    from config import celery_app

    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def new_page(browser, width):
    context = browser.new_context(viewport=WIDTHS[width], locale="fr-FR", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.js_errors = watch_errors(page)
    return context, page


def submitted_sheets(count):
    sheets = list(
        LiaisonSheet.objects.filter(
            status=LiaisonSheet.Status.SUBMITTED, is_current=True, contract__company_tutor__isnull=False
        )
        .select_related(
            "contract__company_tutor", "contract__school_tutor__user", "contract__apprentice__user"
        )
        .order_by("pk")[:count]
    )
    assert len(sheets) == count, "the demo has submitted sheets waiting for their company tutor"
    return sheets


def token_for(sheet):
    tutor = sheet.contract.company_tutor
    return links.issue(
        document=sheet, action=ActionLink.Action.COUNTERSIGN, email=tutor.email, name=str(tutor)
    )[1]


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_a_tutor_returns_a_sheet_then_reads_a_countersigned_one_and_downloads_its_receipt(
    browser, server, demo_data, eager_tasks, width
):
    returned, signed = submitted_sheets(2)
    context, page = new_page(browser, width)
    try:
        # The return, with its reason, from the link's page.
        page.goto(server.url + reverse("livret:sheet_link", args=[returned.pk, token_for(returned)]))
        expect(page.get_by_role("heading", name="Renvoyer la fiche à l'apprenti")).to_be_visible()
        assert_no_axe_violations(page)
        shoot(page, f"link-return-form-{width}")
        mail.outbox.clear()
        page.get_by_label("Ce que l'apprenti doit reprendre").fill(REASON)
        page.get_by_role("button", name="Renvoyer la fiche à l'apprenti").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("La fiche est renvoyée à l'apprenti")
        assert_no_axe_violations(page)
        returned.refresh_from_db()
        assert (returned.status, returned.return_reason) == (LiaisonSheet.Status.RETURNED, REASON)
        assert any(REASON in m.body for m in mail.outbox)

        # A countersignature, then the used link: the sheet read-only, the school tutor, the receipt.
        url = server.url + reverse("livret:sheet_link", args=[signed.pk, token_for(signed)])
        page.goto(url)
        page.locator('input[name="confirm"]').check()
        page.get_by_role("button", name="Contresigner la fiche").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Merci, la fiche est contresignée")
        page.goto(url)
        expect(page.get_by_text("Ce lien a déjà servi")).to_be_visible()
        school_tutor = signed.contract.school_tutor.user
        expect(page.get_by_role("link", name=school_tutor.email)).to_be_visible()
        expect(page.get_by_text(f"Contactez {school_tutor.get_full_name()}")).to_be_visible()
        assert_no_axe_violations(page)
        shoot(page, f"link-used-{width}")
        receipt = page.get_by_role("link", name="Télécharger le reçu de ce que vous avez signé (PDF)")
        with page.expect_download() as download:
            receipt.click()
        with open(download.value.path(), "rb") as pdf:
            data = pdf.read()
        text = pdf_text(data).replace(" ", "")
        assert "Reçudecontresignature" in text
        assert str(signed.contract.company_tutor).replace(" ", "") in text
        assert page.js_errors == []
    finally:
        context.close()


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_a_person_creates_copies_and_revokes_their_calendar_address(browser, server, demo_data, width):
    context, page = new_page(browser, width)
    try:
        log_in(page, server.url, "tuteur@demo.test")
        if width == "phone":
            page.get_by_text("Menu").click()
        # The personal pages are under the account's name, at the end of the menu.
        page.locator(".main-nav__account > summary").click()
        page.get_by_role("link", name="Mon agenda").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Mon agenda")
        assert_no_axe_violations(page)
        page.get_by_role("button", name="Créer mon adresse privée").click()
        address = page.get_by_label("Adresse de l'agenda (iCal)").input_value()
        assert address.endswith(".ics")
        assert_no_axe_violations(page)
        shoot(page, f"my-calendar-{width}")
        feed = page.request.get(address)
        assert feed.status == 200 and b"BEGIN:VCALENDAR" in feed.body()
        token = address.rsplit("/", 1)[1].removesuffix(".ics")
        page.get_by_role("button", name="Révoquer l'adresse").click()
        expect(page.get_by_text("Adresse révoquée")).to_be_visible()
        assert_no_axe_violations(page)
        assert feeds.user_for(token) is None
        assert page.request.get(address).status == 404
        assert page.js_errors == []
    finally:
        context.close()
