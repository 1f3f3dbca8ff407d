"""The insertion survey as people live it: six months after the end of their contract, a leaver gets
the link by mail, answers on a phone without an account, and the staff see the response rate change.
axe-core checks every page of the questionnaire.

Set ``LIVRET_SHOTS`` to a folder to keep screenshots at phone and desktop widths.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from surveys import tasks
from surveys.models import Campaign, Response
from surveys.populations import add_months
from tests.browser.conftest import PHONE, assert_no_axe_violations
from tests.conftest import build_world
from tests.core.factories import DEFAULT_PASSWORD, AcademicYearFactory
from tests.surveys.factories import LINK, ensure_templates, leaver

pytestmark = pytest.mark.browser


@pytest.fixture
def eager_tasks():
    """The invitations are mailed by a Celery task: run it in this process, so that its mail lands in
    the outbox even where REDIS_URL would send it to a broker with no worker."""
    from config import celery_app

    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def shoot(page, name):
    folder = os.environ.get("LIVRET_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def staff_page(browser, base_url, email):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator("form", has=page.locator('input[name="password"]'))
    form.locator('input[name="login"]').fill(email)
    form.locator('input[name="password"]').fill(DEFAULT_PASSWORD)
    form.locator('button[type="submit"]').click()
    page.wait_for_url(f"{base_url}/")
    return context, page


def test_a_leaver_answers_the_six_month_survey_on_a_phone_and_staff_see_the_rate(
    browser, server, eager_tasks
):
    ensure_templates()
    world = build_world()
    today = timezone.localdate()
    ended = add_months(today, -6) - datetime.timedelta(days=2)
    AcademicYearFactory(start_year=ended.year if ended.month >= 9 else ended.year - 1)
    contract = leaver(world.mine, ended_on=ended, first_name="Inès", last_name="Sortante")

    tasks.daily_surveys(today.isoformat())
    campaign = Campaign.objects.get(organisation=world.organisation)
    [message] = mail.outbox
    assert message.to == [contract.apprentice.email]
    match = LINK.search(message.body)
    url = server.url + match.group(0)[match.group(0).index("/enquetes/") :]

    staff_context, staff = staff_page(browser, server.url, world.users["staff"].email)
    try:
        staff.goto(f"{server.url}/enquetes/campagnes/{campaign.pk}/")
        expect(staff.get_by_test_id("response-rate")).to_have_text("0 %")

        context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="fr-FR"
        )
        context.set_default_timeout(15_000)
        try:
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(url)
            expect(page.get_by_role("heading", level=1)).to_have_text("Enquête d'insertion à 6 mois")
            assert_no_axe_violations(page)
            shoot(page, "survey-phone")
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

            # Sent empty: the required situation is asked for, nothing is recorded.
            page.get_by_role("button", name="Envoyer mes réponses").click()
            expect(page.locator(".field__error").first).to_be_visible()
            assert_no_axe_violations(page)
            assert not Response.objects.exists()

            page.get_by_role("group", name="Quelle est votre situation aujourd'hui ?").get_by_label(
                "En emploi"
            ).check()
            page.get_by_role("group", name="Quel est votre type de contrat ?").get_by_label("CDI").check()
            page.get_by_role("group", name="Travaillez-vous à temps plein ou à temps partiel ?").get_by_label(
                "Temps plein"
            ).check()
            page.get_by_label("Souhaitez-vous ajouter quelque chose ?").fill("Embauchée par mon entreprise.")
            page.get_by_role("button", name="Envoyer mes réponses").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Merci, vos réponses sont enregistrées")
            assert_no_axe_violations(page)
            shoot(page, "survey-done")

            page.goto(url)
            expect(page.get_by_text("Vous avez déjà répondu à cette enquête")).to_be_visible()
            assert_no_axe_violations(page)
            assert errors == []
        finally:
            context.close()

        response = Response.objects.get()
        assert response.situation == "employed" and response.diploma == world.mine.diploma
        staff.reload()
        expect(staff.get_by_test_id("response-rate")).to_have_text("100 %")
        expect(staff.get_by_text("Embauchée par mon entreprise.")).to_be_visible()
        assert_no_axe_violations(staff)
        shoot(staff, "survey-results")
    finally:
        staff_context.close()
