"""Staff on a phone and on a laptop: the legal delays on the dashboard, the apprentice behind an alert,
the list filtered on a status of the Tableau de bord, and the home's figure leading to that same list
with the same number. axe-core checks each page."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apprentices.models import Contract, Diploma
from tests.apprentices.factories import ApprenticeFactory, ContractFactory, cohort_started
from tests.browser.conftest import assert_no_axe_violations, log_in
from tests.browser.test_livret_flows import shoot

pytestmark = pytest.mark.browser
DAY = datetime.timedelta(days=1)


@pytest.fixture
def delays(demo_data):
    """Whatever the day, one apprentice whose three months without a contract end within 30 days and
    one whose six months after a rupture do."""
    diploma = Diploma.objects.get(code="BTS-CPRP")
    organisation = diploma.organisation
    enrolled = ApprenticeFactory(
        organisation=organisation,
        cohort=cohort_started(diploma, 70),
        first_name="Inès",
        last_name="Attente",
    )
    ruptured = ApprenticeFactory(
        organisation=organisation, cohort=enrolled.cohort, first_name="Rémi", last_name="Rompu"
    )
    today = timezone.localdate()
    ContractFactory(
        apprentice=ruptured,
        start_date=today - 300 * DAY,
        status=Contract.Status.RUPTURED,
        rupture_date=today - 170 * DAY,
        rupture_cause=Contract.RuptureCause.EMPLOYER,
    )
    return enrolled, ruptured


@pytest.fixture(
    params=[{"width": 390, "height": 844}, {"width": 1280, "height": 900}], ids=["phone", "desktop"]
)
def page(request, browser, server):
    context = browser.new_context(viewport=request.param, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def test_staff_see_the_legal_delays_and_filter_the_apprentices_on_their_status(page, server, delays):
    enrolled, ruptured = delays
    log_in(page, server.url, "staff@demo.test")

    page.goto(f"{server.url}/tableau-de-bord/")
    section = page.locator("section.card", has=page.get_by_role("heading", name=re.compile("Délais légaux")))
    expect(section).to_contain_text("L6222-12-1")
    assert_no_axe_violations(page)
    shoot(page, "dashboard-legal-delays")
    more = section.get_by_role("link", name=re.compile(r"Voir les \d+ alertes"))
    if more.count():  # the demo's own delays come first (the most overdue): the kind's page has all
        more.click()
        page.wait_for_url(re.compile(r"/tableau-de-bord/alertes/delais/"))
        assert_no_axe_violations(page)
        section = page.locator("main")
    expect(section).to_contain_text("ATTENTE Inès")
    expect(section).to_contain_text("trois mois au plus")
    expect(section).to_contain_text("ROMPU Rémi")
    expect(section).to_contain_text("six mois pour un nouvel employeur")
    expect(section).to_contain_text(re.compile(r"\(\d+ jours? restants?\)"))

    section.get_by_role("link", name="ROMPU Rémi").click()
    page.wait_for_url(re.compile(rf"/apprentis/{ruptured.pk}/$"))
    expect(page.locator(".badge--training-rupturant").first).to_have_text("Rupturant")
    expect(page.locator("main")).to_contain_text("Six mois pour trouver un nouvel employeur")
    assert_no_axe_violations(page)

    page.goto(f"{server.url}/apprentis/")
    page.get_by_text("Filtrer et trier").click()
    page.get_by_label("Statut", exact=True).select_option("inscrit")
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_url(re.compile(r"status=inscrit"))
    rows = page.locator("table tbody tr")
    expect(rows.filter(has_text="ATTENTE Inès")).to_have_count(1)
    expect(rows.filter(has_text="ROMPU Rémi")).to_have_count(0)
    for badge in page.locator("table tbody .badge--training-inscrit").all():
        expect(badge).to_have_text("Inscrit sans contrat")
    listed = rows.count()
    assert_no_axe_violations(page)
    shoot(page, "apprentices-enrolled")

    page.goto(f"{server.url}/")
    figure = page.locator("#chiffre-enrolled")
    expect(figure).to_contain_text("Apprentis sans contrat")
    expect(figure).to_contain_text("L6222-12-1")
    assert int(figure.locator(".key-figure__value").inner_text()) == listed
    assert_no_axe_violations(page)
    figure.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/apprentis/\?status=inscrit$"))
    expect(page.locator("table tbody tr")).to_have_count(listed)
