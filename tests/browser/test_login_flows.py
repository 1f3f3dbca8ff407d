"""People log in on a phone-sized screen and find what is theirs; axe-core checks each page."""

import pytest

from apprentices.models import Contract
from tests.browser.conftest import assert_no_axe_violations, log_in

pytestmark = pytest.mark.browser


def test_login_page_has_no_accessibility_violation_on_a_phone(phone_page, server):
    phone_page.goto(f"{server.url}/accounts/login/")

    assert phone_page.locator('input[name="login"]').is_visible()
    assert_no_axe_violations(phone_page)
    assert phone_page.js_errors == []


def test_apprentice_logs_in_on_a_phone_and_finds_their_contract(phone_page, server, demo_data):
    contract = (
        Contract.objects.filter(apprentice__user__email="apprenti@demo.test", status=Contract.Status.ACTIVE)
        .select_related("employer", "diploma")
        .get()
    )

    log_in(phone_page, server.url, "apprenti@demo.test")

    contract_section = phone_page.locator("section", has=phone_page.locator("#mon-contrat"))
    assert contract_section.get_by_text(contract.employer.legal_name).is_visible()
    assert contract_section.get_by_text(contract.diploma.title).is_visible()
    no_horizontal_scroll = phone_page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert no_horizontal_scroll, "la page d'accueil déborde en largeur sur un téléphone"
    assert_no_axe_violations(phone_page)
    assert phone_page.js_errors == []

    phone_page.get_by_role("link", name="Voir le contrat").click()
    phone_page.wait_for_url(f"{server.url}{contract.get_absolute_url()}")
    assert phone_page.get_by_role("heading", level=1).inner_text().startswith(str(contract.apprentice))
    assert_no_axe_violations(phone_page)


def test_company_tutor_logs_in_on_a_phone_and_finds_their_apprentices(phone_page, server, demo_data):
    tutored = list(
        Contract.objects.filter(company_tutor__user__email="tuteur@demo.test").select_related("apprentice")
    )
    assert tutored, "le jeu de démonstration doit confier au moins un apprenti à tuteur@demo.test"

    log_in(phone_page, server.url, "tuteur@demo.test")

    section = phone_page.locator("section", has=phone_page.locator("#suivis-entreprise"))
    for contract in tutored:
        assert section.get_by_text(str(contract.apprentice), exact=True).first.is_visible()
    assert_no_axe_violations(phone_page)
    assert phone_page.js_errors == []


def test_wrong_password_keeps_the_person_on_the_login_page_with_an_error(phone_page, server, demo_data):
    phone_page.goto(f"{server.url}/accounts/login/")
    form = phone_page.locator("form", has=phone_page.locator('input[name="password"]'))
    form.locator('input[name="login"]').fill("apprenti@demo.test")
    form.locator('input[name="password"]').fill("mauvais-mot-de-passe")
    form.locator('button[type="submit"]').click()

    phone_page.wait_for_load_state()
    assert phone_page.url.startswith(f"{server.url}/accounts/login/")
    assert_no_axe_violations(phone_page)
