"""The mission description as people live it, on a phone: the head of diploma validates a description
from their list, the apprentice completes the one their tutor started and submits it. axe-core checks
each page they visit.

Set ``LIVRET_SHOTS`` to a folder to keep screenshots of the pages at phone and desktop widths.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.models import Signature
from demo.missions import seed_missions
from livret.models import MissionDecision, MissionDescription
from tests.browser.conftest import assert_no_axe_violations, log_in
from tests.browser.test_livret_flows import shoot

pytestmark = pytest.mark.browser

HEAD = "responsable@demo.test"
APPRENTICE = "apprenti@demo.test"


@pytest.fixture
def demo_missions(demo_data):
    """The demo's descriptions (the demo seeds them once wired; seeding again creates nothing)."""
    seed_missions(today=timezone.localdate())


def test_head_validates_a_description_from_the_list_on_a_phone(phone_page, server, demo_missions):
    page = phone_page
    log_in(page, server.url, HEAD)
    page.goto(f"{server.url}/livret/missions/")
    assert_no_axe_violations(page)
    shoot(page, "mission-list-head")

    waiting = page.locator("section", has=page.locator("#a-valider"))
    expect(waiting.locator(".badge--overdue").first).to_have_text("en retard")
    first = waiting.get_by_role("link", name=re.compile("^Lire et décider")).first
    first.click()
    page.wait_for_url(re.compile(r"/livret/missions/\d+/$"))
    mission = MissionDescription.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[-1]))
    assert mission.status == MissionDescription.Status.SUBMITTED
    assert mission.contract.diploma.heads.filter(email=HEAD).exists()
    expect(page.get_by_role("heading", level=1)).to_have_text(str(mission.contract.apprentice))
    expect(page.get_by_text(mission.project_subject)).to_be_visible()
    expect(page.get_by_text("Le délai d'une semaine prévu par la charte est dépassé.")).to_be_visible()
    assert_no_axe_violations(page)
    shoot(page, "mission-detail-head")

    page.get_by_label("Commentaire (facultatif)").fill("Projet clair et bien dimensionné.")
    page.get_by_role("button", name="Valider la description").click()

    expect(page.locator(".messages")).to_contain_text(
        "Description validée : l'apprenti et son maître d'apprentissage en sont avertis"
    )
    # The head is taken on to the next description waiting for them (or the list); the one decided
    # shows its decision on its page.
    assert page.url.rstrip("/") != (server.url + mission.get_absolute_url()).rstrip("/")
    page.goto(server.url + mission.get_absolute_url())
    expect(page.locator(".badge--mission-validated").first).to_have_text("Validée")
    mission.refresh_from_db()
    signature = Signature.objects.for_document(mission).get(act=Signature.Act.VALIDATE)
    expect(page.locator(".hash code").last).to_have_text(signature.content_sha256)
    expect(page.get_by_text("Projet clair et bien dimensionné.")).to_be_visible()
    expect(page.get_by_text("hors délai")).to_be_visible()
    assert page.get_by_role("button", name="Valider la description").count() == 0
    assert_no_axe_violations(page)
    shoot(page, "mission-validated")
    assert page.js_errors == []
    assert mission.status == MissionDescription.Status.VALIDATED
    decision = MissionDecision.objects.get(mission=mission)
    assert (decision.decided_by.email, decision.within_deadline) == (HEAD, False)

    page.goto(f"{server.url}/livret/missions/")
    expect(waiting.locator(f'a[href="{mission.get_absolute_url()}"]')).to_have_count(0)
    assert_no_axe_violations(page)


def test_apprentice_completes_the_description_started_by_the_tutor_and_submits_it(
    phone_page, server, demo_missions
):
    mission = MissionDescription.objects.get(contract__apprentice__user__email=APPRENTICE, is_current=True)
    assert mission.status == MissionDescription.Status.DRAFT
    page = phone_page
    log_in(page, server.url, APPRENTICE)
    page.goto(f"{server.url}/livret/missions/")
    assert_no_axe_violations(page)
    page.locator(f'a[href="{mission.get_absolute_url()}"]').click()
    page.wait_for_url(server.url + mission.get_absolute_url())
    expect(page.get_by_text("Dernière modification par Sébastien Marty")).to_be_visible()
    assert_no_axe_violations(page)

    progression = "Autonome sur l'analyse des temps de cycle au second semestre."
    page.get_by_label("Progression attendue").fill(progression)
    expect(page.locator("[data-draft-status]")).to_contain_text("Enregistré", timeout=10_000)
    page.evaluate("localStorage.clear()")
    page.reload()
    expect(page.get_by_label("Progression attendue")).to_have_value(progression)
    shoot(page, "mission-draft-apprentice")

    page.get_by_role("button", name="Soumettre au responsable").click()
    expect(page.locator(".messages")).to_contain_text("Description soumise au responsable de formation")
    expect(page.locator(".badge--mission-submitted")).to_have_text("Soumise au responsable de formation")
    assert_no_axe_violations(page)
    assert page.js_errors == []
    mission.refresh_from_db()
    assert (mission.status, mission.expected_progression) == (
        MissionDescription.Status.SUBMITTED,
        progression,
    )
    assert mission.submitted_by.email == APPRENTICE
