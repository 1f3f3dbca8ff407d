"""htmx at work: staff narrow the list of apprentices and only its results change, the address bar
following (back brings the previous results); a background export's progress bar moves in place and
the page shows the file once it is ready. Without JavaScript the same list is a plain GET form.
axe-core checks each state."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apprentices.models import Apprentice, Diploma
from core.models import User
from reports import services as exports
from reports.models import Export
from tests.browser.conftest import assert_no_axe_violations, log_in, watch_errors
from tests.browser.test_livret_flows import WIDTHS, shoot

pytestmark = pytest.mark.browser

STAFF = "staff@demo.test"
# Set on the page by the test: still there after a change, the page was not loaded again.
MARK = "window.sameDocument"


@pytest.fixture
def desktop_page(browser, server):
    context = browser.new_context(viewport=WIDTHS["desktop"], locale="fr-FR", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.js_errors = watch_errors(page)
    try:
        yield page
    finally:
        context.close()
    assert page.policy_violations == []


def settled(page):
    """The results region once htmx has swapped it (it is busy while a request runs)."""
    region = page.locator("#resultats")
    expect(region).not_to_have_attribute("aria-busy", "true")
    expect(region).not_to_have_class(re.compile(r"htmx-(request|settling|swapping)"))
    return region


def assert_no_inline_style(page):
    """Nothing that a Content-Security-Policy without ``unsafe-inline`` would block, htmx's updates
    included: its indicator styles are off."""
    assert page.locator("style, [style]").count() == 0
    assert page.locator("script:not([src])").count() == 0


def row_names(page) -> list[str]:
    return settled(page).locator("tbody th").all_inner_texts()


def test_staff_filter_the_apprentices_and_only_the_results_change(desktop_page, server, demo_data):
    page = desktop_page
    staff = User.objects.get(email=STAFF)
    diploma = Diploma.objects.filter(organisation=staff.organisation).order_by("code").first()
    everyone = Apprentice.objects.filter(organisation=staff.organisation).count()
    in_diploma = Apprentice.objects.filter(organisation=staff.organisation, cohort__diploma=diploma).count()
    assert 0 < in_diploma < everyone
    log_in(page, server.url, STAFF)
    page.goto(server.url + reverse("apprentices:apprentice_list"))
    expect(page.locator(".list-summary")).to_contain_text(f"{everyone} apprentis")
    before = row_names(page)
    page.get_by_text("Filtrer et trier").click()
    shoot(page, "htmx-list-before")
    page.evaluate(f"{MARK} = 'oui'")

    field = page.get_by_label("Formation", exact=True)
    field.focus()
    field.select_option(str(diploma.pk))
    page.wait_for_url(re.compile(rf"/apprentis/\?.*diploma={diploma.pk}"))
    settled(page)
    # The control keeps the focus: a keyboard user goes on with the next filter.
    expect(field).to_be_focused()
    # The same query again, from the button: one step in the history all the same.
    page.get_by_role("button", name="Appliquer").click()

    expect(page.locator("#resultats-annonce")).to_have_text(f"Liste mise à jour : {in_diploma} apprentis")
    expect(page.locator(".list-summary")).to_contain_text(f"{in_diploma} apprentis")
    expect(page.locator("#filtres-actifs")).to_have_text("1 filtre actif")
    assert page.evaluate(MARK) == "oui", "the page was not loaded again"
    after = row_names(page)
    assert after != before and len(after) == min(in_diploma, 25)
    expect(page.get_by_role("link", name=re.compile("Exporter en CSV"))).to_have_attribute(
        "href", re.compile(rf"diploma={diploma.pk}")
    )
    expect(page.get_by_role("button", name="Appliquer")).to_be_focused()
    assert_no_inline_style(page)
    assert_no_axe_violations(page)
    shoot(page, "htmx-list-after")

    page.go_back()

    page.wait_for_url(re.compile(r"/apprentis/$"))
    expect(page.locator(".list-summary")).to_contain_text(f"{everyone} apprentis")
    assert row_names(page) == before
    expect(page.get_by_label("Formation", exact=True)).to_have_value("")
    assert_no_axe_violations(page)

    page.go_forward()

    page.wait_for_url(re.compile(rf"diploma={diploma.pk}"))
    assert row_names(page) == after
    assert page.js_errors == []


def test_the_next_page_of_results_comes_in_place_and_takes_the_focus(desktop_page, server, demo_data):
    page = desktop_page
    staff = User.objects.get(email=STAFF)
    everyone = Apprentice.objects.filter(organisation=staff.organisation).count()
    assert everyone > 25
    log_in(page, server.url, STAFF)
    page.goto(server.url + reverse("apprentices:apprentice_list") + "?order=-name")
    first = row_names(page)
    page.evaluate(f"{MARK} = 'oui'")

    page.get_by_role("link", name="Suivante").click()

    page.wait_for_url(re.compile(r"order=-name&page=2"))
    expect(page.locator("#resultats-annonce")).to_have_text(re.compile(r"Page 2 sur"))
    second = row_names(page)
    assert second and not set(second) & set(first)
    assert page.evaluate(MARK) == "oui"
    expect(page.locator("#resultats")).to_be_focused()
    assert_no_axe_violations(page)


def test_without_javascript_the_filters_are_a_plain_form(browser, server, demo_data):
    context = browser.new_context(viewport=WIDTHS["phone"], locale="fr-FR", java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        staff = User.objects.get(email=STAFF)
        diploma = Diploma.objects.filter(organisation=staff.organisation).order_by("code").first()
        in_diploma = Apprentice.objects.filter(
            organisation=staff.organisation, cohort__diploma=diploma
        ).count()
        log_in(page, server.url, STAFF)
        page.goto(server.url + reverse("apprentices:apprentice_list"))
        page.get_by_text("Filtrer et trier").click()
        page.get_by_label("Formation", exact=True).select_option(str(diploma.pk))

        with page.expect_navigation():
            page.get_by_role("button", name="Appliquer").click()

        assert f"diploma={diploma.pk}" in page.url
        expect(page.locator(".list-summary")).to_contain_text(f"{in_diploma} apprentis")
    finally:
        context.close()


def test_the_progress_bar_of_an_export_moves_then_the_file_is_offered(desktop_page, server, demo_data):
    page = desktop_page
    staff = User.objects.get(email=STAFF)
    # As staff's request leaves it before the task runs.
    export = Export.objects.create(
        organisation=staff.organisation,
        requested_by=staff,
        kind=Export.Kind.CSV,
        params={"list": "apprentices", "query": ""},
        title="Liste « Apprentis » en CSV",
        filename="apprentis.csv",
    )
    log_in(page, server.url, STAFF)
    page.goto(server.url + export.get_absolute_url())
    bar = page.get_by_label("Préparation en cours")
    expect(bar).to_be_visible()
    page.evaluate(f"{MARK} = 'oui'")
    assert_no_axe_violations(page)

    Export.objects.filter(pk=export.pk).update(done=3, total=8)

    expect(page.locator(".progress__text")).to_have_text("3 / 8 — En attente")
    expect(bar).to_have_attribute("value", "3")
    assert page.evaluate(MARK) == "oui", "the bar moved in place"
    assert_no_inline_style(page)

    exports.run_export(export.pk)

    expect(page.get_by_role("link", name=re.compile("Télécharger"))).to_be_visible()
    assert page.evaluate(MARK) is None, "the page was loaded again to show the result"
    expect(page.get_by_label("Préparation en cours")).to_have_count(0)
    assert_no_axe_violations(page)
    assert page.js_errors == []


def test_a_change_after_the_session_ran_out_loads_the_login_page_whole(desktop_page, server, demo_data):
    page = desktop_page
    log_in(page, server.url, STAFF)
    page.goto(server.url + reverse("apprentices:apprentice_list"))
    page.context.clear_cookies()

    page.get_by_role("searchbox").fill("Martin")
    page.get_by_role("button", name="Rechercher").click()

    page.wait_for_url(re.compile(r"/accounts/login/"))
    expect(page.locator("#resultats")).to_have_count(0)
    expect(page.locator('input[name="password"]')).to_be_visible()
