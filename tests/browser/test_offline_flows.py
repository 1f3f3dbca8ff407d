"""Without network, as a school tutor in a company's basement or an apprentice on a train: the visit
report (and the liaison sheet) is written offline, the page is closed and opened again (the service
worker serves the copy it kept), and when the network returns the draft reaches the server, once. A
keyboard-only visit report. Each waits on the page's own state (the form's data-draft-state, the
service worker's cache), never on a delay; axe-core checks every page visited, at 390 and 1280 px.

Set ``LIVRET_SHOTS`` to a folder to keep screenshots of the pages at phone and desktop widths.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from livret.models import ActionItem, LiaisonSheet, VisitReport
from tests.browser.conftest import PHONE, assert_no_axe_violations, log_in, watch_errors
from tests.browser.test_livret_flows import APPRENTICE, apprentice_draft, shoot
from tests.browser.test_visit_flows import SCHOOL_TUTOR, ready_visit

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
REPORT = {
    "Intégration dans l'entreprise": "Accueil soigné, poste de travail au bureau des méthodes.",
    "Progression de l'apprenti": "Autonome sur les relevés de temps, écrit sans réseau au sous-sol.",
}
KEPT = "caches.match(location.href, {cacheName: 'pages'}).then(Boolean)"


@pytest.fixture
def context_for(browser, server):
    """A browser context at a width, whose pages are watched for script errors and policy refusals."""
    contexts, pages = [], []

    def make(viewport):
        phone = viewport == PHONE
        context = browser.new_context(
            viewport=viewport,
            locale="fr-FR",
            device_scale_factor=2 if phone else 1,
            is_mobile=phone,
            has_touch=phone,
            service_workers="allow",
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        original = context.new_page

        def new_page():
            page = original()
            page.js_errors = watch_errors(page)
            pages.append(page)
            return page

        context.open = new_page
        return context

    yield make
    for context in contexts:
        context.close()
    for page in pages:
        assert page.policy_violations == [], page.policy_violations


def kept_for_offline(page):
    """The service worker runs the page, and keeps the copy that opens it without network."""
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function(KEPT, polling=100)


def waiting_copies(page) -> list[dict]:
    return page.evaluate(
        """Object.keys(localStorage).filter(k => k.startsWith('livret-brouillon:'))
             .map(k => JSON.parse(localStorage.getItem(k)))"""
    )


@pytest.mark.parametrize("width", VIEWPORTS)
def test_a_visit_report_written_offline_reaches_the_server_once_the_network_returns(
    context_for, server, demo_data, width
):
    visit = ready_visit()
    url = server.url + reverse("livret:visit_log", args=[visit.pk])
    context = context_for(VIEWPORTS[width])
    page = context.open()
    log_in(page, server.url, SCHOOL_TUTOR)
    page.goto(url)
    kept_for_offline(page)
    assert_no_axe_violations(page)

    # In the basement: no network.
    context.set_offline(True)
    banner = page.locator("[data-offline-banner]")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Vous êtes hors connexion")
    page.locator("fieldset", has_text="L'apprenti était-il présent ?").get_by_label("Oui").check()
    page.locator("fieldset", has_text="Le maître d'apprentissage était-il présent ?").get_by_label(
        "Non"
    ).check()
    for label, text in REPORT.items():
        page.get_by_label(label).fill(text)
    page.get_by_role("button", name="Ajouter une action").click()
    second = page.locator("fieldset.action-row").nth(1)
    expect(second.get_by_label("Action", exact=True)).to_be_focused()
    second.get_by_label("Action", exact=True).fill("Rappeler le responsable RH")
    second.get_by_label("Responsable").select_option("school_tutor")
    second.get_by_label("Échéance").fill((timezone.localdate() + datetime.timedelta(days=15)).isoformat())
    form = page.locator("form[data-draft]")
    expect(form).to_have_attribute("data-draft-state", "offline")
    expect(page.locator("[data-draft-status]")).to_contain_text("Hors connexion")
    expect(banner).to_contain_text("en attente d'envoi")
    (copy,) = waiting_copies(page)
    assert copy["key"] == f"visite-{visit.pk}" and copy["revision"] == "0"
    shoot(page, f"visit-offline-{width}")
    assert_no_axe_violations(page)
    page.close()

    # Opened again, still without network: the service worker's copy, and the text kept here.
    page = context.open()
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(str(visit.contract.apprentice))
    expect(page.get_by_label("Progression de l'apprenti")).to_have_value(REPORT["Progression de l'apprenti"])
    expect(page.locator("fieldset.action-row")).to_have_count(2)
    expect(page.locator("fieldset.action-row").nth(1).get_by_label("Action", exact=True)).to_have_value(
        "Rappeler le responsable RH"
    )
    expect(page.locator("[data-offline-banner]")).to_contain_text("Compte rendu de visite")
    expect(page.locator("form[data-draft]")).to_have_attribute("data-draft-state", "offline")
    assert VisitReport.objects.get(pk=visit.pk).revision == 0
    assert_no_axe_violations(page)

    # Any other page asked without network: the offline page, which lists what waits.
    page.goto(server.url + reverse("livret:visit_list"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Vous êtes hors connexion")
    expect(page.locator("[data-offline-waiting]")).to_contain_text("Compte rendu de visite")
    shoot(page, f"offline-page-{width}")
    assert_no_axe_violations(page)
    page.go_back()
    expect(page.locator("form[data-draft]")).to_be_visible()

    # The network returns: the draft is sent, once, and nothing waits any more.
    context.set_offline(False)
    expect(page.locator("form[data-draft]")).to_have_attribute("data-draft-state", "saved")
    expect(page.locator("[data-draft-status]")).to_contain_text("Enregistré à")
    expect(page.locator("[data-offline-banner]")).to_be_hidden()
    assert waiting_copies(page) == []
    visit.refresh_from_db()
    assert (visit.status, visit.revision) == (VisitReport.Status.PLANNED, 1)
    assert visit.draft["progress"] == REPORT["Progression de l'apprenti"]
    assert (visit.draft["apprentice_present"], visit.draft["company_tutor_present"]) == ("oui", "non")
    assert [row["description"] for row in visit.draft["actions"]] == ["Rappeler le responsable RH"]

    # Shared online: the report is on the server once, with its one action.
    page.get_by_role("button", name="Partager le compte rendu").click()
    page.wait_for_url(server.url + visit.get_absolute_url())
    expect(page.locator(".messages")).to_contain_text("Compte rendu partagé")
    assert_no_axe_violations(page)
    visit.refresh_from_db()
    assert (visit.status, visit.company_tutor_present, visit.draft) == (
        VisitReport.Status.REPORTED,
        False,
        None,
    )
    assert list(ActionItem.objects.filter(opened_in=visit).values_list("description", flat=True)) == [
        "Rappeler le responsable RH"
    ]
    assert page.js_errors == []


def test_a_sheet_draft_written_offline_reaches_the_server_once_the_network_returns(
    context_for, server, demo_data
):
    sheet = apprentice_draft()
    revision = sheet.revision
    url = server.url + sheet.get_absolute_url()
    context = context_for(PHONE)
    page = context.open()
    log_in(page, server.url, APPRENTICE)
    page.goto(url)
    kept_for_offline(page)

    context.set_offline(True)
    text = "Écrit dans le train, sans réseau : préparation de l'audit 5S de l'atelier."
    page.locator('textarea[name="activities"]').fill(text)
    expect(page.locator("form[data-draft]")).to_have_attribute("data-draft-state", "offline")
    page.close()

    page = context.open()
    page.goto(url)
    expect(page.locator('textarea[name="activities"]')).to_have_value(text)
    expect(page.locator("[data-offline-banner]")).to_contain_text("Fiche de liaison")
    shoot(page, "sheet-offline")
    assert_no_axe_violations(page)

    context.set_offline(False)
    expect(page.locator("form[data-draft]")).to_have_attribute("data-draft-state", "saved")
    assert waiting_copies(page) == []
    sheet.refresh_from_db()
    assert (sheet.activities, sheet.revision, sheet.status) == (text, revision + 1, LiaisonSheet.Status.DRAFT)
    assert page.js_errors == []


def test_a_sheet_draft_changed_elsewhere_meanwhile_is_a_conflict_never_overwritten(
    context_for, server, demo_data
):
    from core.models import User
    from livret.services import sheets as services

    sheet = apprentice_draft()
    url = server.url + sheet.get_absolute_url()
    context = context_for(PHONE)
    page = context.open()
    log_in(page, server.url, APPRENTICE)
    page.goto(url)
    kept_for_offline(page)
    context.set_offline(True)
    page.locator('textarea[name="activities"]').fill("Texte du téléphone, hors connexion.")
    expect(page.locator("form[data-draft]")).to_have_attribute("data-draft-state", "offline")
    # Meanwhile, on the computer.
    newer = {**sheet.apprentice_content(), "activities": "Texte plus récent, saisi sur l'ordinateur."}
    services.save_draft(
        sheet=sheet, by=User.objects.get(email=APPRENTICE), values=newer, revision=sheet.revision
    )

    context.set_offline(False)

    expect(page.locator("form[data-draft]")).to_have_attribute("data-draft-state", "conflict")
    expect(page.locator("[data-draft-conflict]")).to_be_visible()
    sheet.refresh_from_db()
    assert sheet.activities == newer["activities"]
    (copy,) = waiting_copies(page)
    assert copy["state"] == "conflict"
    assert_no_axe_violations(page)


def same_day_and_month_after(day: datetime.date) -> datetime.date:
    """A date typed the same whether the date field reads day/month or month/day (the browser's own
    language decides, not the page's)."""
    while True:
        day += datetime.timedelta(days=1)
        if day.day == day.month:
            return day


def tab_to(page, selector: str, limit: int = 80):
    """Press Tab until the focus is on ``selector`` (as a keyboard user would, one field at a time)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} n'est pas atteint au clavier")


@pytest.mark.parametrize("width", VIEWPORTS)
def test_a_visit_report_is_written_and_shared_with_the_keyboard_only(context_for, server, demo_data, width):
    visit = ready_visit()
    context = context_for(VIEWPORTS[width])
    page = context.open()
    log_in(page, server.url, SCHOOL_TUTOR)
    page.goto(server.url + visit.get_absolute_url())
    assert_no_axe_violations(page)

    tab_to(page, f'a[href="{reverse("livret:visit_log", args=[visit.pk])}"]')
    page.keyboard.press("Enter")
    page.wait_for_url(server.url + reverse("livret:visit_log", args=[visit.pk]))
    expect(page.locator("form[data-draft]")).to_have_attribute("data-draft-state", "saved")
    # The first radio of a group with no answer takes the focus; Space answers "Oui".
    tab_to(page, "input[name=apprentice_present]")
    page.keyboard.press("Space")
    tab_to(page, "input[name=company_tutor_present]")
    page.keyboard.press("Space")
    tab_to(page, "textarea[name=integration]")
    page.keyboard.type("Accueil soigné par l'équipe.")
    tab_to(page, "textarea[name=progress]")
    page.keyboard.type("Autonome sur les relevés.")
    # Enter in a one-line field neither adds a row nor shares: it saves the draft.
    tab_to(page, "input[name='actions-0-description']")
    page.keyboard.type("Préparer la soutenance")
    page.keyboard.press("Enter")
    expect(page.locator("form[data-draft]")).to_have_attribute("data-draft-state", "saved")
    assert VisitReport.objects.get(pk=visit.pk).status == VisitReport.Status.PLANNED
    page.keyboard.press("Tab")
    page.keyboard.type("Apprenti")  # the select's options answer to typing
    tab_to(page, "input[name='actions-0-due_date']", limit=3)
    due = same_day_and_month_after(timezone.localdate())
    page.keyboard.type(due.strftime("%d%m%Y"))
    tab_to(page, "[data-draft-add-row]")
    page.keyboard.press("Enter")
    expect(page.locator("input[name='actions-1-description']")).to_be_focused()
    page.keyboard.type("Relire la fiche de poste")
    page.keyboard.press("Tab")
    page.keyboard.type("Ma")  # typed as keys (a non-ASCII letter would be inserted as text)
    page.keyboard.press("Tab")
    page.keyboard.type(due.strftime("%d%m%Y"))
    expect(page.locator("form[data-draft]")).to_have_attribute("data-draft-state", "saved")
    assert_no_axe_violations(page)
    shoot(page, f"visit-keyboard-{width}")
    tab_to(page, "button[value=share]")
    page.keyboard.press("Enter")

    page.wait_for_url(server.url + visit.get_absolute_url())
    expect(page.locator(".messages")).to_contain_text("Compte rendu partagé")
    assert_no_axe_violations(page)
    visit.refresh_from_db()
    assert (visit.status, visit.apprentice_present, visit.company_tutor_present) == (
        VisitReport.Status.REPORTED,
        True,
        True,
    )
    assert visit.integration == "Accueil soigné par l'équipe."
    assert sorted(
        ActionItem.objects.filter(opened_in=visit).values_list("description", "owner", "due_date")
    ) == [
        ("Préparer la soutenance", "apprentice", due),
        ("Relire la fiche de poste", "company_tutor", due),
    ]
    assert page.js_errors == []
