"""Layout at a phone's width (390 px) and a desktop's (1280 px), measured in Chromium (issue 15, point 7):

- no page is wider than the window (``document.scrollWidth`` against the viewport);
- a list's table becomes a card per row on a phone, none of them scrolls sideways;
- the booklet's timeline fits a phone;
- the quality matrix shows its ten columns at 1280 px and, narrower, scrolls inside its box with its
  first column in view;
- every person's menu holds on one line at 1280 px, the rarer entries behind « Plus »; a company
  tutor's menu has no lists of employers and tutors (they would show their company and themself).

axe-core runs on every page visited.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apprentices.models import Apprentice
from tests.browser.conftest import PHONE, assert_no_axe_violations, log_in, watch_errors
from tests.browser.test_livret_flows import shoot

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}

LISTS = [
    "apprentices:contract_list",
    "apprentices:apprentice_list",
    "employers:employer_list",
    "tutors:tutor_list",
    "apprentices:diploma_list",
    "livret:visit_report_list",
    "quality:evidence_list",
    "interop:import_home",
    "interop:export_home",
    "surveys:campaign_list",
]
PAGES = [
    *LISTS,
    "home",
    "reports:dashboard",
    "livret:sheet_list",
    "livret:visit_list",
    "livret:mission_list",
    "quality:dashboard",
    "reports:export_list",
]

OVERFLOW = """() => {
  const root = document.documentElement;
  const wraps = [...document.querySelectorAll('.table-wrap')]
    .filter(w => w.querySelector('.table--cards') && w.scrollWidth > w.clientWidth + 1)
    .map(w => w.scrollWidth + ' dans ' + w.clientWidth);
  return {page: [root.scrollWidth, root.clientWidth], cardsScrolling: wraps};
}"""


@pytest.fixture
def open_page(browser, server):
    """``open_page(viewport)``: a new page at that size; script errors and policy refusals fail."""
    contexts = []

    def open_(viewport):
        phone = viewport["width"] < 600
        context = browser.new_context(
            viewport=viewport,
            is_mobile=phone,
            has_touch=phone,
            device_scale_factor=2 if phone else 1,
            locale="fr-FR",
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.js_errors = watch_errors(page)
        return page

    yield open_
    pages = [p for c in contexts for p in c.pages]
    for context in contexts:
        context.close()
    for page in pages:
        assert page.js_errors == [], page.js_errors


def measure(page) -> dict:
    return page.evaluate(OVERFLOW)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_no_list_page_or_dashboard_is_wider_than_the_window(open_page, server, demo_data, viewport):
    page = open_page(viewport)
    log_in(page, server.url, "staff@demo.test")
    for name in PAGES:
        page.goto(server.url + reverse(name))
        found = measure(page)
        assert found["page"][0] <= found["page"][1], f"{name} à {viewport['width']} px : {found['page']}"
        assert found["cardsScrolling"] == [], f"{name} à {viewport['width']} px"
        assert_no_axe_violations(page)


def test_a_list_is_a_card_per_row_on_a_phone_and_a_table_on_a_desktop(open_page, server, demo_data):
    page = open_page(PHONE)
    log_in(page, server.url, "staff@demo.test")
    url = server.url + reverse("apprentices:contract_list")
    page.goto(url)
    table = page.locator("table.table--cards")
    first_row = table.locator("tbody tr").first
    assert first_row.evaluate("tr => getComputedStyle(tr).display") == "block"
    assert table.locator("thead").evaluate("e => e.getBoundingClientRect().height") <= 1
    # Each value is labelled by its column's header, beside it.
    employer = first_row.locator('td[data-label="Employeur"]')
    label = employer.evaluate("td => getComputedStyle(td, '::before').content")
    assert "Employeur" in label
    box = first_row.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    shoot(page, "contracts-cards")

    page.set_viewport_size(DESKTOP)
    assert first_row.evaluate("tr => getComputedStyle(tr).display") == "table-row"
    assert table.locator("thead").evaluate("e => e.getBoundingClientRect().height") > 20


def test_the_booklet_timeline_fits_a_phone(open_page, server, demo_data):
    page = open_page(PHONE)
    log_in(page, server.url, "apprenti@demo.test")
    apprentice = Apprentice.objects.get(user__email="apprenti@demo.test")
    for url in (reverse("livret:booklet", args=[apprentice.pk]), reverse("home")):
        page.goto(server.url + url)
        found = measure(page)
        assert found["page"][0] <= found["page"][1], f"{url} : {found['page']}"
        assert_no_axe_violations(page)
    expect(page.locator(".timeline")).to_be_visible()
    page.goto(server.url + reverse("livret:booklet", args=[apprentice.pk]))
    widest = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('.booklet *')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= PHONE["width"]
    shoot(page, "booklet")


def test_the_quality_matrix_shows_every_column_at_1280_and_keeps_its_first_in_view(
    open_page, server, demo_data
):
    page = open_page(DESKTOP)
    log_in(page, server.url, "staff@demo.test")
    page.goto(server.url + reverse("quality:dashboard"))
    matrix = page.locator(".table-wrap", has=page.locator("table.quality-matrix"))
    scroll, width = matrix.evaluate("w => [w.scrollWidth, w.clientWidth]")
    assert scroll <= width, f"{scroll} px dans {width} px : des colonnes sont cachées"
    assert page.locator(".quality-matrix thead tr").nth(1).locator("th").count() == 11  # 10 périmètres
    assert_no_axe_violations(page)
    shoot(page, "quality-dashboard")

    # Narrower, it scrolls inside its box and the diploma stays in view.
    page.set_viewport_size(PHONE)
    assert measure(page)["page"][0] <= PHONE["width"]
    first = page.locator(".quality-matrix tbody th").first
    assert first.evaluate("th => getComputedStyle(th).position") == "sticky"
    before = first.bounding_box()["x"]
    matrix.evaluate("w => { w.scrollLeft = 400; }")
    page.wait_for_function("() => document.querySelector('.quality-matrix').parentElement.scrollLeft > 0")
    assert abs(first.bounding_box()["x"] - before) < 1
    cell = page.locator(".quality-matrix tbody tr").first.locator("td").first
    assert cell.bounding_box()["x"] < before  # the cells went under it


def top_level_items(page) -> list[dict]:
    """The menu's entries and where they stand (the drop-downs of « Plus » and the account closed)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.main-nav__list > li')].map(li => {
             const r = li.getBoundingClientRect();
             return {text: li.innerText.split('\\n')[0], top: r.top, bottom: r.bottom};
           })"""
    )


def on_one_line(items) -> bool:
    """Every entry beside the others: each starts above where every other one ends."""
    return max(item["top"] for item in items) < min(item["bottom"] for item in items)


@pytest.mark.parametrize(
    "email", ["staff@demo.test", "enseignant@demo.test", "responsable@demo.test", "admin@demo.test"]
)
def test_the_menu_holds_on_one_line_at_1280(open_page, server, demo_data, email):
    page = open_page(DESKTOP)
    log_in(page, server.url, email)
    items = top_level_items(page)
    assert len(items) >= 8
    assert on_one_line(items), items
    header = page.locator(".site-header").bounding_box()["height"]
    assert header < 70, f"en-tête de {header} px"
    brand = page.locator(".brand").bounding_box()
    first = page.locator(".main-nav__list > li").first.bounding_box()
    assert brand["x"] + brand["width"] <= first["x"], "le menu passe sous le nom de la plateforme"
    assert_no_axe_violations(page)

    more = page.locator(".main-nav__more > summary")
    more.click()
    expect(page.get_by_role("link", name="Formations", exact=True)).to_be_visible()
    assert_no_axe_violations(page)
    shoot(page, "menu-more")
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Formations", exact=True)).to_be_hidden()
    expect(more).to_be_focused()

    page.locator(".main-nav__account > summary").click()
    expect(page.get_by_role("link", name="Mon compte")).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    assert_no_axe_violations(page)


def test_a_company_tutors_menu_leads_only_to_pages_of_use_to_them(open_page, server, demo_data):
    page = open_page(DESKTOP)
    log_in(page, server.url, "tuteur@demo.test")
    items = top_level_items(page)
    assert on_one_line(items), items
    links = page.locator(".main-nav__list a").all_inner_texts()
    assert "Tuteurs" not in links and "Employeurs" not in links
    assert {"Accueil", "Fiches de liaison", "Missions", "Apprentis", "Contrats", "Formations"} <= set(links)
    assert page.locator(".main-nav__more").count() == 0
    assert_no_axe_violations(page)

    phone = open_page(PHONE)
    log_in(phone, server.url, "tuteur@demo.test")
    phone.locator(".main-nav__toggle").click()
    expect(phone.get_by_role("link", name="Formations", exact=True)).to_be_visible()
    assert measure(phone)["page"][0] <= PHONE["width"]
    assert_no_axe_violations(phone)
