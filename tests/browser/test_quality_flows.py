"""The trajectoire qualité as people use it: the head of diploma reads the dashboard, follows a
périmètre to its missing requirements and the records behind a figure, then raises a threshold (and
is refused lowering one); CFA staff record a comité de pilotage with its minutes on a phone and
recompute the indicators. axe-core checks each page.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.models import AcademicYear
from quality.models import IndicatorValue, Meeting, Threshold
from tests.browser.conftest import assert_no_axe_violations, log_in
from tests.browser.test_livret_flows import shoot

pytestmark = pytest.mark.browser

HEAD = "responsable@demo.test"
STAFF = "staff@demo.test"
MINUTES = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def desktop_page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def change_threshold(page, label, value, reason):
    page.get_by_label(f"Nouveau seuil — {label}", exact=True).fill(value)
    page.get_by_label(f"Motif — {label}", exact=True).fill(reason)
    page.get_by_role("button", name=f"Enregistrer — {label}", exact=True).click()


def test_head_follows_a_perimeter_to_its_records_and_raises_a_threshold(desktop_page, server, demo_data):
    page = desktop_page
    log_in(page, server.url, HEAD)
    page.get_by_role("link", name="Qualité").click()
    page.wait_for_url(re.compile(r"/qualite/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trajectoire qualité")
    matrix = page.locator(".quality-matrix")
    expect(matrix.get_by_role("link", name="ING-ALB", exact=True)).to_be_visible()
    expect(matrix.get_by_role("link", name="BTS-CPRP", exact=True)).to_have_count(0)
    assert_no_axe_violations(page)
    shoot(page, "quality-dashboard-head")

    matrix.get_by_role("link", name=re.compile("ING-ALB, périmètre 3.2")).click()
    page.wait_for_url(re.compile(r"/qualite/formations/\d+/\d{4}-\d{4}/#p-3.2$"))
    perimeter = page.locator("#p-3\\.2")
    expect(perimeter.get_by_role("heading", level=4).first).to_contain_text("Prochaine étape")
    expect(perimeter).to_contain_text("Contrats qui respectent la règle des deux rencontres annuelles")
    assert_no_axe_violations(page)
    shoot(page, "quality-trajectory-head")

    perimeter.get_by_role("link", name=re.compile("Contrats qui respectent la règle")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Règle des deux rencontres annuelles")
    year = re.search(r"/(\d{4}-\d{4})/", page.url).group(1)
    stored = IndicatorValue.objects.get(
        diploma__code="ING-ALB", academic_year__label=year, indicator="two_meetings_rule"
    )
    expect(page.locator("tbody tr")).to_have_count(stored.denominator)
    assert_no_axe_violations(page)

    page.go_back()
    page.get_by_role("link", name="Seuils", exact=True).click()
    change_threshold(page, "Descriptions des missions décidées sous une semaine", "80", "Trop exigeant")
    # Refused at the row's field, with the summary at the top leading there.
    expect(page.locator("[data-error-summary]")).to_contain_text("pas l'abaisser")
    expect(page.locator("input[aria-invalid='true']")).to_have_value("80")
    before = Threshold.objects.count()
    change_threshold(
        page, "Délai médian de décision sur les missions", "6", "Décider plus vite, vu au comité"
    )
    expect(page.locator(".messages")).to_contain_text("Seuil enregistré")
    assert Threshold.objects.count() == before + 1
    assert_no_axe_violations(page)
    shoot(page, "quality-thresholds-head")


def test_staff_record_a_steering_committee_with_its_minutes_on_a_phone(
    phone_page, server, demo_data, tmp_path
):
    page = phone_page
    log_in(page, server.url, STAFF)
    page.goto(f"{server.url}/qualite/reunions/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Enregistrer une réunion").click()
    page.locator("#id_kind").select_option("steering")
    page.locator("#id_title").fill("Comité de pilotage extraordinaire")
    held = timezone.localdate() - datetime.timedelta(days=7)
    page.locator("#id_held_on").fill(held.isoformat())
    page.get_by_label(re.compile("BTS Conception")).check()
    page.locator("#id_attendance").fill("11")
    page.locator("#id_attendees").fill("Délégués apprentis, trois maîtres d'apprentissage, CFA")
    minutes = tmp_path / "pv.pdf"
    minutes.write_bytes(MINUTES)
    page.locator("#id_minutes").set_input_files(str(minutes))
    assert_no_axe_violations(page)
    shoot(page, "quality-meeting-form-staff")
    page.get_by_role("button", name="Enregistrer", exact=True).click()

    expect(page.locator(".messages")).to_contain_text("Réunion enregistrée")
    meeting = Meeting.objects.get(title="Comité de pilotage extraordinaire")
    assert meeting.minutes is not None and meeting.minutes.sha256
    expect(page.get_by_role("link", name=re.compile("Compte rendu"))).to_be_visible()
    assert_no_axe_violations(page)

    page.goto(f"{server.url}/qualite/")
    page.get_by_role("button", name="Recalculer").click()
    expect(page.locator(".messages")).to_contain_text(re.compile("recalculés|lancé"))
    assert (
        IndicatorValue.objects.filter(
            diploma__code="BTS-CPRP",
            indicator="steering_committee",
            academic_year=AcademicYear.objects.current(),
        )
        .get()
        .value
        >= 1
    )
    assert_no_axe_violations(page)
    shoot(page, "quality-dashboard-staff")
