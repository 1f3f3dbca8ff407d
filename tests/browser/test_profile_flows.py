"""« Mon compte » and the thresholds page as people use them, with axe-core on every page: a company
tutor opens « Mon compte » from the account menu on a phone, is refused a phone number that is not one
(the summary takes the focus and leads to the field), corrects it, and their record in the CFA's register
follows; an apprentice is offered only their phone (their name is the contract's); the head of a diploma
sets a threshold below the charter's floor with the keyboard alone and is led by the summary to that row.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apprentices.models import Apprentice, Diploma
from core.models import AcademicYear
from demo.diplomas import ING
from quality.models import Requirement, Threshold
from tests.browser.conftest import assert_no_axe_violations, log_in
from tests.browser.test_form_errors import (
    active,
    assert_summary_has_the_focus,
    follow_summary_link,
    in_viewport,
    tab_to,
)
from tests.browser.test_link_flows import new_page
from tutors.models import CompanyTutor

pytestmark = pytest.mark.browser

TUTOR = "tuteur@demo.test"
APPRENTICE = "apprenti@demo.test"
HEAD = "responsable@demo.test"
SAVED = "Vos coordonnées sont enregistrées."
BAD_PHONE = "Saisissez un numéro de téléphone : des chiffres (6 à 15), avec espaces ou « + » au début."
BELOW_THE_FLOOR = "p2-missions-sous-une-semaine"  # the charter's floor is 90 %


def save_details(page, status):
    """Press « Enregistrer mes coordonnées » and check the answer: the page again with its errors (400), or
    back to « Mon compte » (302)."""
    with page.expect_response(lambda r: r.request.method == "POST" and "/compte/" in r.url) as sent:
        page.get_by_role("button", name="Enregistrer mes coordonnées").click()
    assert sent.value.status == status
    if status == 302:
        assert sent.value.headers["location"] == reverse("profile")
    page.wait_for_load_state()


def names_of(apprentice) -> tuple:
    """The apprentice's names, on their record and on their account."""
    user = apprentice.user
    return (apprentice.first_name, apprentice.last_name, user.first_name, user.last_name)


def test_a_company_tutor_corrects_their_phone_through_the_summary_on_a_phone(phone_page, server, demo_data):
    page = phone_page
    tutor = CompanyTutor.objects.select_related("user").get(user__email=TUTOR)
    before = tutor.phone
    new = "06 12 34 56 78" if before != "06 12 34 56 78" else "07 98 76 54 32"
    log_in(page, server.url, TUTOR)

    page.locator(".main-nav__toggle").click()
    page.locator(".main-nav__account > summary").click()
    page.get_by_role("link", name="Mon compte").click()
    page.wait_for_url(server.url + reverse("profile"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    expect(page.get_by_role("heading", name="Vos coordonnées")).to_be_visible()
    # A company tutor's name is theirs to correct: both fields are offered, filled with the account's.
    expect(page.locator("#id_first_name")).to_have_value(tutor.user.first_name)
    expect(page.locator("#id_last_name")).to_have_value(tutor.user.last_name)
    expect(page.get_by_label("Téléphone")).to_have_value(tutor.user.phone)
    assert_no_axe_violations(page)

    page.get_by_label("Téléphone").fill("appelez-moi")
    save_details(page, 400)

    assert_summary_has_the_focus(page, "Il y a 1 erreur")
    phone = page.locator("#id_phone")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_value("appelez-moi")
    expect(page.locator("#id_phone_error")).to_have_text(BAD_PHONE)
    expect(page.locator("#id_first_name")).not_to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page)
    follow_summary_link(page, f"Téléphone : {BAD_PHONE}", "id_phone")
    tutor.refresh_from_db()
    assert tutor.phone == before

    phone.fill(new)
    save_details(page, 302)

    expect(page.locator(".messages")).to_contain_text(SAVED)
    expect(page.locator("[data-error-summary]")).to_have_count(0)
    expect(phone).to_have_value(new)
    expect(phone).not_to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page)
    tutor.refresh_from_db()
    tutor.user.refresh_from_db()
    assert (tutor.phone, tutor.user.phone) == (new, new)
    assert page.js_errors == []


def test_an_apprentice_is_offered_only_their_phone_on_a_desktop(browser, server, demo_data):
    apprentice = Apprentice.objects.select_related("user").get(user__email=APPRENTICE)
    names = names_of(apprentice)
    new = "+33 6 11 22 33 44"
    assert apprentice.phone != new
    context, page = new_page(browser, "desktop")
    try:
        log_in(page, server.url, APPRENTICE)
        page.locator(".main-nav__account > summary").click()
        page.get_by_role("link", name="Mon compte").click()
        page.wait_for_url(server.url + reverse("profile"))

        form = page.locator("form", has=page.get_by_role("button", name="Enregistrer mes coordonnées"))
        expect(page.locator("#id_first_name")).to_have_count(0)
        expect(page.locator("#id_last_name")).to_have_count(0)
        expect(form.locator("input:not([type=hidden]), select, textarea")).to_have_count(1)
        expect(form.get_by_label("Téléphone")).to_have_attribute("id", "id_phone")
        expect(page.get_by_text("Votre nom est celui de votre contrat d'apprentissage")).to_be_visible()
        assert_no_axe_violations(page)

        form.get_by_label("Téléphone").fill(new)
        save_details(page, 302)

        expect(page.locator(".messages")).to_contain_text(SAVED)
        expect(page.locator("#id_phone")).to_have_value(new)
        assert_no_axe_violations(page)
        apprentice.refresh_from_db()
        apprentice.user.refresh_from_db()
        assert (apprentice.phone, apprentice.user.phone) == (new, new)
        assert names_of(apprentice) == names
        assert page.js_errors == []
    finally:
        context.close()


def test_the_head_is_led_back_to_a_refused_threshold_with_the_keyboard(browser, server, demo_data):
    year = AcademicYear.objects.current()
    diploma = Diploma.objects.get(code=ING, heads__email=HEAD)
    requirement = Requirement.objects.get(code=BELOW_THE_FLOOR)
    value_id, reason_id = f"seuil-{requirement.pk}-value", f"seuil-{requirement.pk}-reason"
    versions = Threshold.objects.count()
    context, page = new_page(browser, "desktop")
    try:
        log_in(page, server.url, HEAD)
        page.goto(server.url + reverse("quality:thresholds", args=[diploma.pk, year.label]))
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Seuils {year.label}")
        assert_no_axe_violations(page)

        tab_to(page, f"#{value_id}", limit=400)
        page.keyboard.type("80")
        page.keyboard.press("Tab")
        assert active(page)["id"] == reason_id
        page.keyboard.type("Trop exigeant pour cette promotion")
        with page.expect_response(lambda r: r.request.method == "POST") as sent:
            page.keyboard.press("Enter")
        assert sent.value.status == 400
        page.wait_for_load_state()

        assert_summary_has_the_focus(page, "Il y a 1 erreur")
        expect(page.locator("[data-error-summary]")).to_contain_text("pas l'abaisser")
        field = page.locator(f"#{value_id}")
        expect(field).to_have_value("80")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#{value_id}_error")).to_contain_text("pas l'abaisser")
        assert_no_axe_violations(page)

        page.keyboard.press("Tab")
        assert active(page)["href"] == f"#{value_id}"
        page.keyboard.press("Enter")
        expect(field).to_be_focused()
        assert page.evaluate("document.activeElement.id") == value_id
        assert Threshold.objects.count() == versions
        assert page.js_errors == []
    finally:
        context.close()


def test_a_refused_attestation_in_a_folded_level_is_unfolded_and_reached_from_the_summary(
    browser, server, demo_data
):
    """A point to attest sits in a level folded away (<details>): refused by the server (the browser's
    own check taken off, as a script or an old page would send it), its level opens on the page that
    comes back, and the summary's link brings the field into view with the focus."""
    diploma = Diploma.objects.get(code=ING)
    year = AcademicYear.objects.order_by("-start_date").first()
    context, page = new_page(browser, "phone")
    log_in(page, server.url, HEAD)
    page.goto(server.url + reverse("quality:trajectory", args=[diploma.pk, year.label]))
    folded = page.locator("details:not([open]) input[id$='-statement']").first
    field_id = folded.get_attribute("id")
    assert not folded.is_visible()
    page.evaluate(
        """(id) => { const field = document.getElementById(id); field.removeAttribute('required');
        field.closest('details').open = true; field.value = '   '; field.form.requestSubmit(); }""",
        field_id,
    )
    page.wait_for_load_state()

    assert_summary_has_the_focus(page, "Il y a 1 erreur")
    refused = page.locator(f'[id="{field_id}"]')  # the id holds the périmètre's code, « 3.2 »
    expect(refused).to_have_attribute("aria-invalid", "true")
    expect(refused).to_be_visible()  # its level is open
    page.locator("[data-error-summary]").get_by_role("link", name="Ce champ est obligatoire").click()
    expect(refused).to_be_focused()
    assert in_viewport(page, refused)
    assert_no_axe_violations(page)
    context.close()
