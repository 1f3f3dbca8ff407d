"""What CFA staff do every morning and what admins hand to auditors: staff filter the apprentice list,
export it as CSV, open the apprentices at risk and follow one; an admin exports the establishment's
compliance PDF and downloads it. axe-core checks each page."""

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from apprentices.models import Apprentice, Diploma
from tests.browser.conftest import assert_no_axe_violations, log_in
from tests.browser.test_livret_flows import shoot

pytestmark = pytest.mark.browser


@pytest.fixture
def desktop_page(browser, server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="fr-FR", accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def test_staff_filter_the_apprentices_export_them_and_follow_an_alert(phone_page, server, demo_data):
    page = phone_page
    diploma = Diploma.objects.get(code="BTS-CPRP")
    expected = Apprentice.objects.filter(cohort__diploma=diploma).count()
    log_in(page, server.url, "staff@demo.test")

    page.locator(".main-nav__toggle").click()
    page.get_by_role("link", name="Apprentis", exact=True).click()
    page.wait_for_url(re.compile(r"/apprentis/$"))
    page.get_by_text("Filtrer et trier").click()
    page.get_by_label("Formation", exact=True).select_option(str(diploma.pk))
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_url(re.compile(rf"diploma={diploma.pk}"))
    expect(page.locator(".list-summary")).to_contain_text(f"{expected} apprentis")
    assert_no_axe_violations(page)

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Exporter en CSV")).click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    assert len(text.strip().splitlines()) == expected + 1  # the header, then exactly the filtered rows
    assert all("BTS-CPRP" in line for line in text.strip().splitlines()[1:])

    page.locator(".main-nav__toggle").click()
    page.get_by_role("link", name="Tableau de bord", exact=True).click()
    page.wait_for_url(re.compile(r"/tableau-de-bord/$"))
    expect(page.get_by_role("heading", name="Apprentis en alerte")).to_be_visible()
    assert_no_axe_violations(page)
    shoot(page, "dashboard-staff")

    overdue = page.locator(
        "section.card", has=page.get_by_role("heading", name=re.compile("Fiches de liaison en retard"))
    )
    overdue.get_by_role("link", name=re.compile("Voir les \\d+ alertes")).click()
    page.wait_for_url(re.compile(r"/tableau-de-bord/alertes/fiches/"))
    assert_no_axe_violations(page)
    first = page.locator(".alerts .list__item").first
    name = first.locator("strong").inner_text()
    first.get_by_role("link", name=re.compile("Ouvrir la fiche")).click()
    page.wait_for_url(re.compile(r"/livret/fiches/\d+/$"))
    expect(page.locator("main")).to_contain_text(name.split()[0].capitalize())
    assert_no_axe_violations(page)


def test_admin_exports_the_establishment_compliance_pdf_and_downloads_it(desktop_page, server, demo_data):
    page = desktop_page
    log_in(page, server.url, "admin@demo.test")

    page.get_by_role("link", name="Tableau de bord", exact=True).click()
    # Without a broker the export runs inline before the redirect: the whole establishment takes a while.
    page.get_by_role("button", name=re.compile(r"Exporter la conformité \d{4}-\d{4} \(PDF\)")).click(
        timeout=180_000
    )
    page.wait_for_url(re.compile(r"/exports/\d+/$"), timeout=180_000)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Conformité à la charte")
    assert_no_axe_violations(page)
    shoot(page, "export-ready")

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Télécharger")).click()
    reader = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    for diploma in Diploma.objects.all():
        assert diploma.code in text

    page.get_by_role("link", name="Mes exports").click()
    expect(page.locator("table")).to_contain_text("Conformité à la charte")
    assert_no_axe_violations(page)


def test_the_kept_dashboard_follows_a_saved_change_and_recomputes_on_demand(
    desktop_page, server, demo_data, settings
):
    """The figures and alerts kept five minutes (as in production): a record saved (committed) shows at
    the next visit; a bulk update without signal waits for « Recalculer maintenant »."""
    from django.utils import timezone

    from tests.apprentices.factories import ApprenticeFactory, cohort_started

    settings.DASHBOARD_CACHE_SECONDS = 300
    page = desktop_page
    log_in(page, server.url, "staff@demo.test")
    page.goto(f"{server.url}/tableau-de-bord/")
    counts = page.locator(".alert-counts li", has_text="Apprentis sans contrat").locator("strong")
    before = int(counts.inner_text())
    expect(page.locator(".computed-at")).to_contain_text("Chiffres et alertes calculés à")

    diploma = Diploma.objects.get(code="BTS-CPRP")
    newcomer = ApprenticeFactory(
        organisation=diploma.organisation, cohort=cohort_started(diploma, 30), last_name="Nouvelle"
    )
    page.reload()
    expect(counts).to_have_text(str(before + 1))

    # Left the training, written in bulk (no signal): the kept dashboard does not know it yet …
    Apprentice.objects.filter(pk=newcomer.pk).update(training_exit_date=timezone.localdate())
    page.reload()
    expect(counts).to_have_text(str(before + 1))

    # … until asked: recomputed, and back on the page's own address.
    page.get_by_role("link", name="Recalculer maintenant").click()
    page.wait_for_url(f"{server.url}/tableau-de-bord/")
    expect(counts).to_have_text(str(before))
    assert_no_axe_violations(page)
