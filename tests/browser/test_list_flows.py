"""A staff member, on a phone, narrows the list of contracts to the ruptured ones, sorts it and takes
the same rows away as a CSV file. axe-core checks the list closed, open and with a wrong filter."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apprentices.models import Contract
from tests.browser.conftest import assert_no_axe_violations, log_in

pytestmark = pytest.mark.browser

STAFF = "staff@demo.test"


def test_staff_filter_the_contracts_on_a_phone_and_export_the_same_rows(phone_page, server, demo_data):
    page = phone_page
    log_in(page, server.url, STAFF)
    page.goto(server.url + reverse("apprentices:contract_list"))
    assert_no_axe_violations(page)

    page.get_by_text("Filtrer et trier").click()
    page.get_by_label("Statut").select_option(label="Rompu")
    page.get_by_label("Trier par").select_option(label="Apprenti (A → Z)")
    page.get_by_role("button", name="Appliquer").click()

    expect(page).to_have_url(re.compile(r"status=ruptured.*order=apprentice"))
    ruptured = Contract.objects.filter(status=Contract.Status.RUPTURED).count()
    expect(page.get_by_text(f"{ruptured} contrats", exact=True)).to_be_visible()
    expect(page.locator("details.list-filters__panel")).to_have_attribute("open", "")
    assert_no_axe_violations(page)
    names = page.locator("tbody th").all_inner_texts()

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Exporter en CSV")).click()
    download = download_info.value
    content = Path(download.path()).read_bytes()

    assert re.fullmatch(r"contrats-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    assert content.startswith(b"\xef\xbb\xbfNom de l'apprenti;")
    rows = [line.split(";") for line in content.decode("utf-8-sig").splitlines()[1:]]
    # The page shows "NOM Prénom": the file has the same people, in the same order.
    assert [f"{row[0].upper()} {row[1]}" for row in rows] == names
    assert len(rows) == ruptured


def test_a_wrong_date_in_the_url_is_shown_on_the_open_panel_without_rows(phone_page, server, demo_data):
    page = phone_page
    log_in(page, server.url, STAFF)

    page.goto(server.url + reverse("apprentices:contract_list") + "?start_after=2025-13-45")

    expect(page.get_by_role("alert")).to_contain_text("Un filtre n'est pas valide")
    field = page.get_by_label("Début à partir du")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_start_after_error")).to_have_text("Saisissez une date valide.")
    expect(page.get_by_text("Aucun contrat ne correspond.")).to_be_visible()
    assert_no_axe_violations(page)


def test_staff_of_a_large_network_find_an_employer_by_typing_its_name(
    phone_page, server, demo_data, monkeypatch
):
    # Beyond a few employers the filter is a search field: its suggestions come as one types, the
    # chosen name filters the list to that employer's contracts.
    from core import filters
    from employers.models import Employer

    monkeypatch.setattr(filters, "SEARCHABLE_ABOVE", 3)
    employer = Employer.objects.filter(contracts__isnull=False).distinct().order_by("legal_name").first()
    contracts = Contract.objects.filter(employer=employer).count()
    page = phone_page
    log_in(page, server.url, STAFF)
    page.goto(server.url + reverse("apprentices:contract_list"))
    page.get_by_text("Filtrer et trier").click()

    field = page.get_by_role("combobox", name="Employeur")
    expect(field).to_have_attribute("type", "search")
    field.press_sequentially(employer.legal_name[:4].lower(), delay=30)
    suggestions = page.locator("#id_employer_suggestions option")
    expect(suggestions.first).to_be_attached()
    assert employer.legal_name in [option.get_attribute("value") for option in suggestions.all()]
    assert_no_axe_violations(page)

    field.fill(employer.legal_name)
    page.get_by_role("button", name="Appliquer").click()

    expect(page).to_have_url(re.compile(r"employer=" + re.escape(employer.legal_name.split()[0])))
    label = f"{contracts} contrat" if contracts == 1 else f"{contracts} contrats"
    expect(page.get_by_text(label, exact=True)).to_be_visible()
    expect(field).to_have_value(employer.legal_name)

    field.fill("Aucune entreprise de ce nom")
    page.get_by_role("button", name="Appliquer").click()
    expect(page.locator("#id_employer_error")).to_have_text(
        "Aucun employeur ne correspond à « Aucune entreprise de ce nom »."
    )
    expect(page.get_by_text("Aucun contrat ne correspond.")).to_be_visible()
    assert_no_axe_violations(page)
    assert page.js_errors == []
