"""Company visits as the school tutor lives them: from the list of the apprentices they follow, they log
a planned visit with two new actions, then find those actions again when planning and preparing the
next visit. axe-core checks each page visited.

Set ``LIVRET_SHOTS`` to a folder to keep screenshots of the visit form at phone and desktop widths.
"""

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from core.models import Signature
from demo.visits import seed_visits
from livret.models import ActionItem, VisitReport
from livret.tasks import send_visit_acknowledge_requests
from tests.browser.conftest import assert_no_axe_violations, log_in
from tests.browser.test_livret_flows import shoot

pytestmark = pytest.mark.browser

SCHOOL_TUTOR = "enseignant@demo.test"
DESKTOP = {"width": 1280, "height": 900}
ACTIONS = [
    ("Organiser une revue du chantier SMED avec l'équipe de production", "company_tutor", 21),
    ("Rédiger la fiche de poste du contrôle final", "apprentice", 35),
]


@pytest.fixture
def eager_tasks():
    """The acknowledgement links are mailed by a Celery task: run it in the live server's thread."""
    from config import celery_app

    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def desktop_page(browser, server):
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    try:
        yield page
    finally:
        context.close()


def ready_visit() -> VisitReport:
    """The demo's planned visit of enseignant@ that can be logged today (the demo makes one)."""
    today = timezone.localdate()
    seed_visits(today=today)
    return (
        VisitReport.objects.filter(
            status=VisitReport.Status.PLANNED,
            planned_date__lte=today,
            contract__school_tutor__user__email=SCHOOL_TUTOR,
            contract__status="active",
        )
        .select_related("contract__apprentice", "contract__company_tutor")
        .order_by("planned_date", "pk")
        .first()
    )


def test_school_tutor_logs_a_visit_with_two_actions_and_finds_them_for_the_next_visit(
    desktop_page, server, demo_data, eager_tasks
):
    visit = ready_visit()
    contract = visit.contract
    contract_url = reverse("livret:contract_visits", args=[contract.pk])
    page = desktop_page

    log_in(page, server.url, SCHOOL_TUTOR)
    page.goto(server.url + reverse("livret:visit_list"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Visites en entreprise")
    assert_no_axe_violations(page)

    page.locator(f'a[href="{contract_url}"]').click()
    page.wait_for_url(server.url + contract_url)
    expect(page.get_by_role("heading", name="Échéances de la charte")).to_be_visible()
    assert_no_axe_violations(page)

    page.locator(f'a[href="{visit.get_absolute_url()}"]').first.click()
    page.wait_for_url(server.url + visit.get_absolute_url())
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Rédiger le compte rendu").click()
    page.wait_for_url(server.url + reverse("livret:visit_log", args=[visit.pk]))
    assert_no_axe_violations(page)
    shoot(page, "visit-log")

    page.locator("fieldset", has_text="L'apprenti était-il présent ?").get_by_label("Oui").check()
    page.locator("fieldset", has_text="Le maître d'apprentissage était-il présent ?").get_by_label(
        "Oui"
    ).check()
    page.get_by_label("Intégration dans l'entreprise").fill("Bien intégré à l'équipe méthodes.")
    page.get_by_label("Progression de l'apprenti").fill("Autonome sur le suivi des indicateurs.")
    today = timezone.localdate()
    for index, (description, owner, days) in enumerate(ACTIONS):
        if index:
            page.get_by_role("button", name="Ajouter une action").click()
        row = page.locator("fieldset.action-row").nth(index)
        row.get_by_label("Action", exact=True).fill(description)
        row.get_by_label("Responsable").select_option(owner)
        row.get_by_label("Échéance").fill((today + datetime.timedelta(days=days)).isoformat())
    shoot(page, "visit-log-filled")
    page.get_by_role("button", name="Partager le compte rendu").click()

    page.wait_for_url(server.url + visit.get_absolute_url())
    expect(page.locator(".messages")).to_contain_text("Compte rendu partagé")
    decided = page.locator(
        "section", has=page.get_by_role("heading", name="Actions décidées lors de cette visite")
    )
    for description, _owner, _days in ACTIONS:
        expect(decided).to_contain_text(description)
    assert_no_axe_violations(page)
    visit.refresh_from_db()
    assert visit.status == VisitReport.Status.REPORTED
    assert sorted(ActionItem.objects.filter(opened_in=visit).values_list("description", flat=True)) == sorted(
        description for description, _owner, _days in ACTIONS
    )
    assert [m.to for m in mail.outbox if "compte rendu de visite" in m.subject] == [
        [contract.company_tutor.email.lower()]
    ]

    # Planning the next visit: the two actions are listed as still open.
    page.get_by_role("link", name="Toutes les visites du contrat").click()
    page.wait_for_url(server.url + contract_url)
    page.get_by_role("link", name="Planifier une visite").click()
    page.wait_for_url(server.url + reverse("livret:visit_plan", args=[contract.pk]))
    to_review = page.locator("section", has=page.get_by_role("heading", name="Actions en cours à revoir"))
    for description, _owner, _days in ACTIONS:
        expect(to_review).to_contain_text(description)
    assert_no_axe_violations(page)

    next_day = today + datetime.timedelta(days=14)
    page.get_by_label("Date prévue").fill(next_day.isoformat())
    page.get_by_role("button", name="Planifier la visite").click()
    expect(page.locator(".messages")).to_contain_text("Visite planifiée")
    following = VisitReport.objects.get(
        contract=contract, status=VisitReport.Status.PLANNED, planned_date=next_day
    )
    assert page.url == server.url + following.get_absolute_url()
    assert_no_axe_violations(page)

    # Its report form offers each of them with a box to tick when done.
    page.get_by_role("link", name="Rédiger le compte rendu").click()
    page.wait_for_url(server.url + reverse("livret:visit_log", args=[following.pk]))
    for description, _owner, _days in ACTIONS:
        expect(page.get_by_label(f"Faite : {description}")).not_to_be_checked()
    assert_no_axe_violations(page)
    assert page.js_errors == []


def test_company_tutor_acknowledges_the_report_from_the_emailed_link_on_a_phone(
    phone_page, server, demo_data, eager_tasks
):
    seed_visits(today=timezone.localdate())
    # The first shared report that its company tutor has not acknowledged yet.
    visit = next(
        visit
        for visit in VisitReport.objects.filter(
            status=VisitReport.Status.REPORTED, contract__company_tutor__isnull=False
        )
        .select_related("contract__apprentice", "contract__company_tutor")
        .order_by("pk")
        if not Signature.objects.for_document(visit)
        .filter(act=Signature.Act.ACKNOWLEDGE, signer_email__iexact=visit.contract.company_tutor.email)
        .exists()
    )
    tutor = visit.contract.company_tutor
    mail.outbox.clear()
    send_visit_acknowledge_requests(visit.pk)
    (message,) = [m for m in mail.outbox if m.to == [tutor.email.lower()]]
    url = server.url + re.search(r"https?://\S+", message.body).group(0).removeprefix(settings.SITE_URL)
    page = phone_page

    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(str(visit.contract.apprentice))
    expect(page.get_by_text(visit.missions_adequacy)).to_be_visible()
    assert_no_axe_violations(page)
    shoot(page, "visit-link")
    page.get_by_role("button", name="J'ai pris connaissance du compte rendu").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Merci, votre prise de connaissance est enregistrée"
    )
    assert_no_axe_violations(page)
    page.goto(url)
    # Used, the link shows the report read-only and the receipt of what was signed.
    expect(page.get_by_role("heading", level=1)).to_have_text(str(visit.contract.apprentice))
    expect(page.get_by_text("Ce lien a déjà servi")).to_be_visible()
    expect(
        page.get_by_role("link", name="Télécharger le reçu de ce que vous avez signé (PDF)")
    ).to_be_visible()
    assert_no_axe_violations(page)
    assert page.js_errors == []
    # The link signed; it opened no session.
    assert settings.SESSION_COOKIE_NAME not in {cookie["name"] for cookie in page.context.cookies()}
    acknowledgement = Signature.objects.for_document(visit).get(act=Signature.Act.ACKNOWLEDGE, via="link")
    assert acknowledgement.signer_email == tutor.email.lower()
