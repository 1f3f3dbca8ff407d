"""Errors that lead to the field, in Chromium at phone and desktop widths: the error summary of a form
sent back takes the focus, is in view, and each of its links puts the focus on its field; axe-core
checks every page visited. Then the sheet and the countersignature done with the keyboard alone (Tab,
Enter, Space).

Set ``LIVRET_SHOTS`` to a folder to keep screenshots of the pages with their summary.
"""

import datetime
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.models import ActionLink
from core.workflow import links
from livret.models import LiaisonSheet
from tests.browser.conftest import PHONE, assert_no_axe_violations, log_in, watch_errors
from tests.core.factories import DEFAULT_PASSWORD
from tests.livret.factories import (
    EvaluationFactory,
    LiaisonSheetFactory,
    VisitReportFactory,
    competence_framework,
    small_world,
)

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}
CONSENT = "J'ai lu la fiche de l'apprenti et je la contresigne."


@pytest.fixture
def world(server):
    return small_world()


@pytest.fixture(params=list(WIDTHS))
def page(request, browser, server):
    width = request.param
    mobile = width == "phone"
    context = browser.new_context(
        viewport=WIDTHS[width], is_mobile=mobile, has_touch=mobile, locale="fr-FR", device_scale_factor=1
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.js_errors = watch_errors(page)
    page.width_name = width
    try:
        yield page
    finally:
        context.close()
    assert page.policy_violations == []
    assert page.js_errors == []


def shoot(page, name):
    folder = os.environ.get("LIVRET_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}-{page.width_name}.png"))


def active(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return {id: e.id, summary: e.hasAttribute('data-error-summary'), tag: e.tagName,
                           href: e.getAttribute('href') || ''}; }"""
    )


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] < size["height"] and box["x"] >= 0


def assert_summary_has_the_focus(page, count_text):
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text(count_text)
    assert active(page)["summary"], active(page)
    assert in_viewport(page, summary)


def follow_summary_link(page, text, field_id):
    page.locator("[data-error-summary]").get_by_role("link", name=text).click()
    field = page.locator(f"#{field_id}")
    expect(field).to_be_focused()
    assert in_viewport(page, field)


def link_to_countersign(sheet) -> str:
    tutor = sheet.contract.company_tutor
    _link, token = links.issue(
        document=sheet, action=ActionLink.Action.COUNTERSIGN, email=tutor.email, name=str(tutor)
    )
    return f"/livret/fiches/{sheet.pk}/lien/{token}/"


def submitted_sheet(world) -> LiaisonSheet:
    return LiaisonSheetFactory(contract=world.mine.contract, submitted=True)


def test_countersigning_without_the_box_shows_the_summary_which_leads_to_the_box(page, server, world):
    sheet = submitted_sheet(world)
    page.goto(server.url + link_to_countersign(sheet))
    assert_no_axe_violations(page)

    page.get_by_label("Votre appréciation de la période").fill("Bonne période.")
    page.get_by_role("button", name="Contresigner la fiche").click()
    page.wait_for_load_state()

    assert_summary_has_the_focus(page, "Il y a 1 erreur")
    shoot(page, "summary-countersign")
    assert_no_axe_violations(page)
    follow_summary_link(page, CONSENT, "id_confirm")
    expect(page.get_by_label("Votre appréciation de la période")).to_have_value("Bonne période.")
    sheet.refresh_from_db()
    assert sheet.status == LiaisonSheet.Status.SUBMITTED


def test_the_logged_in_countersignature_far_down_the_sheet_comes_back_with_its_summary(page, server, world):
    sheet = submitted_sheet(world)
    log_in(page, server.url, world.users["company_tutor"].email, DEFAULT_PASSWORD)
    page.goto(server.url + sheet.get_absolute_url())

    page.get_by_role("button", name="Contresigner la fiche").click()
    page.wait_for_load_state()

    assert_summary_has_the_focus(page, "Il y a 1 erreur")
    assert_no_axe_violations(page)
    follow_summary_link(page, CONSENT, "id_confirm")


def test_an_action_row_error_of_a_visit_report_is_in_the_summary(page, server, world):
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=datetime.date.today())
    log_in(page, server.url, world.users["school_tutor"].email, DEFAULT_PASSWORD)
    page.goto(f"{server.url}/livret/visites/{visit.pk}/compte-rendu/")
    page.wait_for_load_state()
    assert_no_axe_violations(page)

    page.locator("textarea").first.fill("Bonne intégration dans l'équipe.")
    for group in ("L'apprenti était-il présent ?", "Le maître d'apprentissage était-il présent ?"):
        page.get_by_role("group", name=group).get_by_label("Oui").check()
    # The form offers one empty action row; a second one is added, and only its description typed.
    page.get_by_role("button", name="Ajouter une action").click()
    page.locator("#id_actions-1-description").fill("Préparer la soutenance")
    page.get_by_role("button", name="Partager le compte rendu").click()
    page.wait_for_load_state()

    assert_summary_has_the_focus(page, "Il y a 2 erreurs")
    shoot(page, "summary-visit")
    assert_no_axe_violations(page)
    follow_summary_link(page, "Action 2 — Responsable : Choisissez son responsable.", "id_actions-1-owner")
    follow_summary_link(page, "Action 2 — Échéance : Indiquez son échéance.", "id_actions-1-due_date")


def test_the_evaluation_grid_names_each_competence_left_out(page, server, world):
    competences = competence_framework(world.mine.diploma, blocks=1, per_block=3)
    evaluation = EvaluationFactory(contract=world.mine.contract)
    log_in(page, server.url, world.users["apprentice"].email, DEFAULT_PASSWORD)
    page.goto(server.url + evaluation.get_absolute_url())
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Valider mon évaluation").click()
    page.wait_for_load_state()

    summary = page.locator("[data-error-summary]")
    assert_summary_has_the_focus(page, f"Il y a {summary.get_by_role('link').count()} erreurs")
    for competence in competences:
        expect(summary).to_contain_text(f"{competence.code} — {competence.title}")
    shoot(page, "summary-grid")
    assert_no_axe_violations(page)
    last = competences[-1]
    follow_summary_link(
        page, f"{last.code} — {last.title} : Choisissez un niveau pour cette compétence.", f"id_c{last.pk}_0"
    )


# The keyboard alone -------------------------------------------------------------------------------


def tab_to(page, selector, limit=80):
    """Tab until the element matching ``selector`` has the focus (no mouse, no click)."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f"{selector} jamais atteint au clavier")


def test_the_apprentice_fills_and_transmits_the_sheet_with_the_keyboard(page, server, world):
    sheet = LiaisonSheetFactory(contract=world.mine.contract)
    log_in(page, server.url, world.users["apprentice"].email, DEFAULT_PASSWORD)
    page.goto(server.url + sheet.get_absolute_url())

    tab_to(page, "#id_activities")
    page.keyboard.type("Suivi des rebuts de la ligne 2.")
    tab_to(page, "button[value=submit]")
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    expect(page.locator(".badge--sheet-submitted")).to_be_visible()
    sheet.refresh_from_db()
    assert (sheet.status, sheet.activities) == (
        LiaisonSheet.Status.SUBMITTED,
        "Suivi des rebuts de la ligne 2.",
    )


def test_the_tutor_countersigns_with_the_keyboard_through_the_summary(page, server, world):
    sheet = submitted_sheet(world)
    page.goto(server.url + link_to_countersign(sheet))

    tab_to(page, "#id_tutor_assessment")
    page.keyboard.type("Autonome et rigoureux.")
    tab_to(page, "form:has(#id_confirm) button[type=submit]")
    page.keyboard.press("Enter")  # the box left unticked
    page.wait_for_load_state()

    assert_summary_has_the_focus(page, "Il y a 1 erreur")
    page.keyboard.press("Tab")
    assert active(page)["href"] == "#id_confirm"
    page.keyboard.press("Enter")
    expect(page.locator("#id_confirm")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#id_confirm")).to_be_checked()
    tab_to(page, "form:has(#id_confirm) button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Merci, la fiche est contresignée")
    sheet.refresh_from_db()
    assert (sheet.status, sheet.tutor_assessment) == (
        LiaisonSheet.Status.COUNTERSIGNED,
        "Autonome et rigoureux.",
    )
