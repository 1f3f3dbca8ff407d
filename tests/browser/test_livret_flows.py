"""The liaison sheet as people live it: the apprentice fills it on a phone and transmits it, the
company tutor countersigns it from the emailed link without an account session. axe-core checks
each page they visit.

Set ``LIVRET_SHOTS`` to a folder to keep screenshots of the pages at phone and desktop widths.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from apprentices.models import Contract
from core.models import Signature, User
from core.workflow.signatures import signatures_of
from livret.models import LiaisonSheet
from livret.services import sheets as services
from tests.browser.conftest import PHONE, assert_no_axe_violations, log_in
from tests.livret.factories import LiaisonSheetFactory

pytestmark = pytest.mark.browser

APPRENTICE = "apprenti@demo.test"
TUTOR = "tuteur@demo.test"
TEXT = {
    "activities": "Mise en place d'un suivi des rebuts sur la ligne 2 avec l'équipe qualité.",
    "competences_used": "Statistiques de production, animation d'une réunion d'équipe.",
    "difficulties": "Trouver du temps avec les opérateurs de nuit.",
    "school_company_gap": "Le cours de maîtrise statistique des procédés m'a servi directement.",
}
WIDTHS = {"phone": PHONE, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def eager_tasks():
    """The countersign request is a Celery task: run it in the live server's thread, so that its mail
    lands in this process's outbox, even where REDIS_URL would send it to a broker with no worker."""
    from config import celery_app

    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def apprentice_draft() -> LiaisonSheet:
    """The apprentice's first draft in the demo. The demo opens sheets from today's calendar, which
    leaves a few days a year with none: then one is opened here, as the hourly job would."""
    drafts = LiaisonSheet.objects.filter(
        contract__apprentice__user__email=APPRENTICE, is_current=True, status=LiaisonSheet.Status.DRAFT
    ).select_related("contract__company_tutor", "contract__school_tutor__user")
    sheet = drafts.order_by("due_date", "pk").first()
    if sheet is None:
        contract = Contract.objects.get(apprentice__user__email=APPRENTICE, status=Contract.Status.ACTIVE)
        sheet = drafts.get(pk=LiaisonSheetFactory(contract=contract).pk)
    return sheet


def shoot(page, name):
    """Full-page screenshots at phone and desktop widths, when LIVRET_SHOTS names a folder."""
    folder = os.environ.get("LIVRET_SHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for label, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=str(Path(folder) / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(size)


def link_in_mail_to(email, base_url) -> str:
    (message,) = [m for m in mail.outbox if m.to == [email]]
    url = re.search(r"https?://\S+", message.body).group(0)
    assert url.startswith(settings.SITE_URL + "/")
    return base_url + url.removeprefix(settings.SITE_URL)


def test_apprentice_fills_and_transmits_their_sheet_on_a_phone(phone_page, server, demo_data, eager_tasks):
    sheet = apprentice_draft()
    assert sheet.contract.company_tutor.email == TUTOR
    page = phone_page

    log_in(page, server.url, APPRENTICE)
    assert_no_axe_violations(page)
    inbox = page.locator("section", has=page.locator("#a-faire"))
    inbox.locator(f'a[href="{sheet.get_absolute_url()}"]').click()
    page.wait_for_url(server.url + sheet.get_absolute_url())
    assert_no_axe_violations(page)

    for name, text in TEXT.items():
        page.locator(f'textarea[name="{name}"]').fill(text)
    expect(page.locator("[data-draft-status]")).to_contain_text("Enregistré", timeout=10_000)
    shoot(page, "apprentice-sheet")
    # What comes back after a reload is what the server kept, not this browser's copy.
    page.evaluate("localStorage.clear()")
    page.reload()
    for name, text in TEXT.items():
        expect(page.locator(f'textarea[name="{name}"]')).to_have_value(text)

    page.get_by_role("button", name="Transmettre à mon maître d'apprentissage").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text(
        "Fiche transmise : votre maître d'apprentissage la reçoit par message électronique "
        "pour la contresigner."
    )
    expect(page.locator(".badge--sheet-submitted")).to_contain_text("Transmise")
    assert page.js_errors == []
    sheet.refresh_from_db()
    assert (sheet.status, sheet.apprentice_content()) == (LiaisonSheet.Status.SUBMITTED, TEXT)
    assert link_in_mail_to(TUTOR, server.url).startswith(f"{server.url}/livret/fiches/{sheet.pk}/lien/")


def test_company_tutor_countersigns_from_the_emailed_link_without_logging_in(
    browser, server, demo_data, eager_tasks
):
    sheet = apprentice_draft()
    apprentice = User.objects.get(email=APPRENTICE)
    services.save_draft(sheet=sheet, by=apprentice, values=TEXT, revision=sheet.revision)
    services.submit(sheet=sheet, by=apprentice)
    url = link_in_mail_to(TUTOR, server.url)

    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="fr-FR"
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(str(sheet.contract.apprentice))
        expect(page.get_by_text(TEXT["activities"])).to_be_visible()
        assert_no_axe_violations(page)
        shoot(page, "tutor-link")

        page.get_by_label("Votre appréciation de la période").fill(
            "Très bonne période, autonomie en progrès."
        )
        page.get_by_label("J'ai lu la fiche de l'apprenti et je la contresigne.").check()
        page.get_by_role("button", name="Contresigner la fiche").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Merci, la fiche est contresignée")
        signature = signatures_of(sheet).get(act=Signature.Act.COUNTERSIGN)
        assert signature.via == "link"
        expect(page.locator(".hash code").last).to_have_text(signature.content_sha256)
        assert re.fullmatch(r"[0-9a-f]{64}", signature.content_sha256)
        assert_no_axe_violations(page)
        shoot(page, "tutor-done")
        assert errors == []

        # The link signed the sheet; it opened no session.
        assert settings.SESSION_COOKIE_NAME not in {cookie["name"] for cookie in context.cookies()}
        page.goto(f"{server.url}/")
        assert page.url.startswith(f"{server.url}/accounts/login/")
    finally:
        context.close()
    sheet.refresh_from_db()
    assert sheet.status == LiaisonSheet.Status.COUNTERSIGNED


def test_a_copy_left_on_the_phone_never_overwrites_newer_text_saved_elsewhere(
    phone_page, server, demo_data, eager_tasks
):
    sheet = apprentice_draft()
    apprentice = User.objects.get(email=APPRENTICE)
    page = phone_page
    log_in(page, server.url, APPRENTICE)
    page.goto(server.url + sheet.get_absolute_url())
    page.locator('textarea[name="activities"]').fill(TEXT["activities"])
    expect(page.locator("[data-draft-status]")).to_contain_text("Enregistré", timeout=10_000)
    page.get_by_role("button", name="Transmettre à mon maître d'apprentissage").click()
    expect(page.locator(".badge--sheet-submitted")).to_be_visible()
    # Returned, then completed on a computer.
    school_tutor = sheet.contract.school_tutor.user
    services.return_to_apprentice(sheet=sheet, by=school_tutor, reason="Détaillez.")
    sheet.refresh_from_db()
    newer = {**TEXT, "activities": "Texte repris sur l'ordinateur, plus détaillé."}
    services.save_draft(sheet=sheet, by=apprentice, values=newer, revision=sheet.revision)

    page.goto(server.url + sheet.get_absolute_url())
    # The phone's copy went with the transmission: the newer text is shown, and nothing is sent over it.
    expect(page.locator('textarea[name="activities"]')).to_have_value(newer["activities"])
    expect(page.locator("form[data-draft]")).to_have_attribute("data-draft-state", "saved")

    sheet.refresh_from_db()
    assert sheet.activities == newer["activities"]
