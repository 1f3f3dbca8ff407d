"""The job offers as people live them, with axe-core on every page: a member of the CFA's team finds
« Offres d'emploi » behind the menu's « Plus », publishes an offer and is sent back the form's error
summary when the title is missing and the date is past; a former apprentice opens the link of their
weekly digest on a phone, reads the offer of their diploma and stops the digest (then takes it back);
the register of former employers holds on a phone.

Set ``LIVRET_SHOTS`` to a folder to keep screenshots of the pages at phone and desktop widths.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from jobs import links, services
from jobs.models import AlumniLink, ContractType, JobOffer, OfferPageVisit
from tests.browser.conftest import PHONE, assert_no_axe_violations, log_in
from tests.browser.test_link_flows import new_page
from tests.browser.test_livret_flows import shoot
from tests.core.factories import DEFAULT_PASSWORD
from tests.jobs.factories import JobOfferFactory, former_apprentice

pytestmark = pytest.mark.browser

TITLE = "Technicienne méthodes industrialisation"
DESCRIPTION = (
    "Au sein du bureau des méthodes, vous préparez l'industrialisation des nouvelles pièces.\n\n"
    "Profil : BTS ou licence professionnelle, une première expérience en alternance."
)
HOW_TO_APPLY = "recrutement@atelier-exemple.test"


def test_staff_publishes_an_offer_from_the_menu_and_the_form_sends_back_its_errors(browser, server, world):
    staff = world.users["staff"]
    diploma, employer = world.mine.diploma, world.mine.employer
    closes_on = timezone.localdate() + datetime.timedelta(days=45)
    context, page = new_page(browser, "desktop")
    try:
        log_in(page, server.url, staff.email, DEFAULT_PASSWORD)
        page.locator(".main-nav__more > summary").click()
        page.get_by_role("link", name="Offres d'emploi").click()
        page.wait_for_url(f"{server.url}/emplois/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Offres d'emploi")
        expect(page.get_by_text("Aucune offre dans cette liste.")).to_be_visible()
        states = page.get_by_role("navigation", name="État des offres")
        expect(states.get_by_role("link", name="Ouvertes")).to_have_attribute("aria-current", "page")
        assert_no_axe_violations(page)

        page.get_by_role("link", name="Publier une offre").click()
        page.wait_for_url(f"{server.url}/emplois/nouvelle/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Publier une offre d'emploi")
        assert_no_axe_violations(page)
        shoot(page, "job-offer-form")
        page.get_by_label("Intitulé du poste").fill(TITLE)
        page.get_by_label("Employeur").select_option(label=str(employer))
        page.get_by_label("Lieu").fill("Castres (Tarn)")
        page.get_by_label("Type de contrat").select_option(label="CDI")
        page.get_by_label(f"{diploma.code} — {diploma.title}").check()
        page.get_by_label("Description").fill(DESCRIPTION)
        page.get_by_label("Pour postuler").fill(HOW_TO_APPLY)
        page.get_by_label("Date limite de candidature").fill(closes_on.isoformat())
        page.get_by_role("button", name="Publier l'offre").click()

        page.wait_for_url(re.compile(r"/emplois/\d+/$"))
        offer = JobOffer.objects.get()
        assert page.url == server.url + offer.get_absolute_url()
        expect(page.locator(".messages")).to_contain_text("Offre publiée : les anciens apprentis")
        expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
        expect(page.get_by_role("link", name=HOW_TO_APPLY)).to_be_visible()
        expect(page.get_by_role("button", name="Retirer l'offre")).to_be_visible()
        assert_no_axe_violations(page)
        shoot(page, "job-offer-detail")
        assert (offer.employer, offer.contract_type, offer.closes_on, offer.posted_by) == (
            employer,
            ContractType.CDI,
            closes_on,
            staff,
        )
        assert list(offer.diplomas.all()) == [diploma]

        page.locator(".eyebrow").get_by_role("link", name="Offres d'emploi").click()
        page.wait_for_url(f"{server.url}/emplois/")
        expect(page.get_by_role("link", name=TITLE)).to_be_visible()
        assert_no_axe_violations(page)
        shoot(page, "job-offer-list")

        # No title and a past date: the summary takes the focus, and nothing is created.
        page.get_by_role("link", name="Publier une offre").click()
        page.get_by_label("Employeur").select_option(label=str(employer))
        page.get_by_label("Lieu").fill("Albi")
        page.get_by_label("Type de contrat").select_option(label="CDD")
        page.get_by_label(f"{diploma.code} — {diploma.title}").check()
        page.get_by_label("Description").fill(DESCRIPTION)
        page.get_by_label("Pour postuler").fill(HOW_TO_APPLY)
        past = timezone.localdate() - datetime.timedelta(days=3)
        page.get_by_label("Date limite de candidature").fill(past.isoformat())
        page.get_by_role("button", name="Publier l'offre").click()
        page.wait_for_load_state()
        summary = page.locator("[data-error-summary]")
        expect(summary.get_by_role("heading")).to_have_text("Il y a 2 erreurs")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text("Donnez l'intitulé du poste.")
        expect(summary).to_contain_text("La date limite de candidature est passée")
        expect(page.get_by_label("Lieu")).to_have_value("Albi")
        assert_no_axe_violations(page)
        shoot(page, "job-offer-form-errors")
        assert JobOffer.objects.count() == 1

        # Withdrawn once the box is ticked (the browser asks for it first).
        page.goto(server.url + offer.get_absolute_url())
        page.get_by_role("button", name="Retirer l'offre").click()
        offer.refresh_from_db()
        assert offer.withdrawn_at is None
        page.get_by_label("Je confirme : le poste est pourvu").check()
        page.get_by_role("button", name="Retirer l'offre").click()
        expect(page.locator(".messages")).to_contain_text("Offre retirée")
        offer.refresh_from_db()
        assert offer.withdrawn_at is not None
        assert_no_axe_violations(page)
        assert page.js_errors == []
    finally:
        context.close()


def test_a_former_apprentice_reads_the_offers_from_the_digest_link_and_stops_it_on_a_phone(
    phone_page, server, world
):
    alumna = former_apprentice(world.mine, first_name="Léa")
    mine = JobOfferFactory(
        employer=world.mine.employer,
        diplomas=[world.mine.diploma],
        title="Chargée d'affaires industrielles",
        how_to_apply="https://exemple.test/annonce/42",
    )
    other = JobOfferFactory(employer=world.other.employer, diplomas=[world.other.diploma])
    link = services.alumni_link(alumna.pk)
    url = links.url_for(link)
    assert url.startswith(settings.SITE_URL + "/")
    page = phone_page

    page.goto(server.url + url.removeprefix(settings.SITE_URL))
    expect(page.get_by_role("heading", level=1)).to_have_text("Offres d'emploi")
    expect(page.get_by_text("Bonjour Léa")).to_be_visible()
    expect(page.get_by_text("1 offre ouverte", exact=True)).to_be_visible()
    offer = page.get_by_role("article", name=mine.title)
    expect(offer).to_contain_text(str(world.mine.employer))
    expect(offer.get_by_role("link", name="https://exemple.test/annonce/42")).to_be_visible()
    expect(page.get_by_text(other.title)).to_have_count(0)
    assert_no_axe_violations(page)
    shoot(page, "job-alumni-offers")
    assert OfferPageVisit.objects.filter(apprentice=alumna, via=OfferPageVisit.Via.LINK).count() == 1

    page.get_by_role("button", name="Ne plus recevoir les offres").click()
    expect(page.locator(".messages")).to_contain_text("vous ne recevrez plus les offres par message")
    expect(page.get_by_text("Vous ne recevez plus les offres par message.")).to_be_visible()
    assert_no_axe_violations(page)
    shoot(page, "job-alumni-unsubscribed")
    link.refresh_from_db()
    assert link.unsubscribed_at is not None

    page.get_by_role("button", name="Recevoir de nouveau les offres chaque lundi").click()
    expect(page.locator(".messages")).to_contain_text("vous recevrez chaque lundi")
    expect(page.get_by_role("button", name="Ne plus recevoir les offres")).to_be_visible()
    assert AlumniLink.objects.get(pk=link.pk).unsubscribed_at is None
    assert page.js_errors == []


def test_the_register_of_former_employers_on_a_phone(phone_page, server, world):
    former_apprentice(world.mine)
    former_apprentice(world.other, ended_days_ago=200)
    JobOfferFactory(employer=world.mine.employer, diplomas=[world.mine.diploma])
    page = phone_page
    log_in(page, server.url, world.users["staff"].email, DEFAULT_PASSWORD)
    page.goto(f"{server.url}/emplois/ex-employeurs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Registre des ex-employeurs")
    expect(page.get_by_text("2 ex-employeurs")).to_be_visible()
    table = page.get_by_role("region", name="Ex-employeurs")
    expect(table.get_by_role("link", name=str(world.mine.employer))).to_be_visible()
    expect(table.get_by_role("link", name=str(world.other.employer))).to_be_visible()
    # A card per employer, each value with its column's label beside it, the last card's too.
    for row in (table.locator("tbody tr").first, table.locator("tbody tr").last):
        cell = row.locator('td[data-label="Formations"]')
        assert "Formations" in cell.evaluate("td => getComputedStyle(td, '::before').content")
        assert cell.evaluate("td => parseFloat(getComputedStyle(td).paddingLeft)") > 100
        box = row.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert_no_axe_violations(page)
    shoot(page, "job-former-employers")
    assert page.js_errors == []
