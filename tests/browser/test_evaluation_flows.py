"""The grille d'évaluation as people live it: the apprentice self-assesses on a phone, the company
tutor rates the same period from the emailed link without logging in. axe-core checks each page.

Set ``LIVRET_SHOTS`` to a folder to keep screenshots of the pages at phone and desktop widths.
"""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from core.models import Signature
from demo.evaluations import seed_evaluations
from livret import selectors
from livret.models import Evaluation
from livret.tasks import send_evaluation_request
from tests.browser.conftest import PHONE, assert_no_axe_violations, log_in
from tests.browser.test_livret_flows import shoot

pytestmark = pytest.mark.browser

APPRENTICE = "apprenti@demo.test"
TUTOR = "tuteur@demo.test"


@pytest.fixture
def open_evaluation(demo_data):
    """apprenti@'s latest evaluation, still open (the demo leaves it so; seeding again creates nothing)."""
    seed_evaluations(today=timezone.localdate())
    return (
        Evaluation.objects.filter(contract__apprentice__user__email=APPRENTICE, status=Evaluation.Status.OPEN)
        .select_related("contract__company_tutor", "period")
        .latest("period__start_date")
    )


def choose_levels(page, competences, label_for):
    for competence in competences:
        group = page.get_by_role("group", name=f"{competence.code} — {competence.title}")
        group.get_by_text(label_for(competence), exact=True).click()


def test_apprentice_self_assesses_on_a_phone(phone_page, server, open_evaluation):
    evaluation = open_evaluation
    competences = selectors.competences_of(evaluation.contract.diploma_id)
    page = phone_page

    log_in(page, server.url, APPRENTICE)
    page.goto(server.url + reverse("livret:contract_evaluations", args=[evaluation.contract_id]))
    expect(page.get_by_role("heading", name="Progression")).to_be_visible()
    chart = page.get_by_role("img", name=f"Progression des compétences de {evaluation.contract.apprentice}")
    expect(chart).to_be_visible()
    assert_no_axe_violations(page)
    shoot(page, "evaluation-contract")

    page.locator(f'a[href="{evaluation.get_absolute_url()}"]').click()
    page.wait_for_url(server.url + evaluation.get_absolute_url())
    expect(page.get_by_role("heading", name="Mon auto-évaluation")).to_be_visible()
    assert_no_axe_violations(page)

    # Half now, saved; the rest later, then validated.
    half = len(competences) // 2
    choose_levels(page, competences[:half], lambda c: "Acquis")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Évaluation enregistrée.")
    page.get_by_role("button", name="Valider mon évaluation").click()
    expect(page.locator(".field__error").first).to_have_text("Choisissez un niveau pour cette compétence.")
    assert_no_axe_violations(page)
    choose_levels(page, competences[half:], lambda c: "En cours d'acquisition")
    page.get_by_label("Mon commentaire sur cette période").fill("J'ai progressé sur la planification.")
    shoot(page, "evaluation-self-assessment")
    page.get_by_role("button", name="Valider mon évaluation").click()

    expect(page.locator(".messages")).to_contain_text("Auto-évaluation validée et signée.")
    expect(page.locator(".badge--evaluation-self_done")).to_have_text("Auto-évaluée par l'apprenti")
    assert_no_axe_violations(page)
    shoot(page, "evaluation-self-done")
    assert page.js_errors == []
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.SELF_DONE
    levels = dict(evaluation.ratings.filter(rater="apprentice").values_list("competence_id", "level"))
    assert levels == {c.pk: (3 if i < half else 2) for i, c in enumerate(competences)}


def test_company_tutor_rates_from_the_emailed_link_without_logging_in(browser, server, open_evaluation):
    evaluation = open_evaluation
    assert evaluation.contract.company_tutor.email == TUTOR
    competences = selectors.competences_of(evaluation.contract.diploma_id)
    mail.outbox.clear()
    assert send_evaluation_request(evaluation.pk)
    (message,) = mail.outbox
    url = server.url + re.search(r"https?://\S+", message.body).group(0).removeprefix(settings.SITE_URL)

    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="fr-FR"
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(str(evaluation.contract.apprentice))
        expect(page.get_by_role("heading", name="Votre évaluation")).to_be_visible()
        assert_no_axe_violations(page)
        shoot(page, "evaluation-tutor-link")

        choose_levels(page, competences, lambda c: "Maîtrisé" if c.pk % 2 else "Acquis")
        page.get_by_label("Votre appréciation d'ensemble").fill("Très bonne période.")
        page.get_by_role("button", name="Valider mon évaluation").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Merci, votre évaluation est validée")
        signature = Signature.objects.for_document(evaluation).get(act=Signature.Act.EVALUATE)
        assert signature.via == "link"
        expect(page.locator(".hash code").last).to_have_text(signature.content_sha256)
        assert_no_axe_violations(page)
        shoot(page, "evaluation-tutor-done")
        assert errors == []

        # The link signed the grid; it opened no session.
        assert settings.SESSION_COOKIE_NAME not in {cookie["name"] for cookie in context.cookies()}
        page.goto(url)
        # Used, the link shows the grid read-only and the receipt of what was signed.
        expect(page.get_by_text("Ce lien a déjà servi")).to_be_visible()
        expect(
            page.get_by_role("link", name="Télécharger le reçu de ce que vous avez signé (PDF)")
        ).to_be_visible()
        assert_no_axe_violations(page)
    finally:
        context.close()
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.TUTOR_DONE
    assert evaluation.tutor_comment == "Très bonne période."
