"""How the erasure runs: the command (and its dry run), the nightly job, the staff's page, and two runs
at the same moment (PostgreSQL)."""

from __future__ import annotations

import io
import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apprentices.models import Apprentice
from config import celery_app
from core.models import AuditEvent
from privacy import services
from privacy.models import Erasure
from privacy.tasks import erase_expired_personal_data
from tests.conftest import ROLES, build_chain
from tests.core.factories import AcademicYearFactory, OrganisationFactory
from tests.helpers import messages_of, text_of
from tests.privacy.conftest import end_contract, outside_window

ERASURE_URL = reverse("privacy:erasure")


@pytest.fixture
def expired(world):
    end_contract(world.mine.contract, outside_window())
    return world.mine.apprentice


def command(*args) -> str:
    out = io.StringIO()
    call_command("erase_expired_personal_data", *args, stdout=out)
    return out.getvalue()


# The command and the nightly job ------------------------------------------------------------------


def test_the_dry_run_lists_the_counts_and_changes_nothing(world, expired):
    output = command("--dry-run")
    assert "Apprentis à anonymiser : 1" in output
    assert "Comptes à désactiver : 1" in output
    assert "Simulation : rien n'a été modifié." in output
    assert not Erasure.objects.exists()
    assert Apprentice.objects.get(pk=expired.pk).last_name == expired.last_name


def test_the_command_erases_then_finds_nothing_more(world, expired):
    output = command()
    assert "Durée de conservation : 5 ans" in output and "Apprentis anonymisés : 1" in output
    assert Erasure.objects.get().apprentice_id == expired.pk
    assert "Apprentis anonymisés : 0" in command()
    assert Erasure.objects.count() == 1


def test_the_nightly_job_is_scheduled():
    entry = settings.CELERY_BEAT_SCHEDULE["erase-expired-personal-data"]
    assert entry["task"] == "privacy.tasks.erase_expired_personal_data"
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"].hour == {3}


def test_the_nightly_job_erases_once(world, expired):
    assert erase_expired_personal_data.delay().get() == 1
    assert erase_expired_personal_data.delay().get() == 0
    event = AuditEvent.for_object(expired).get(action="privacy.apprentice.erased")
    assert event.actor is None


# The staff's page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_erasure_page_answers_the_cfa_team_and_is_a_404_for_the_others(client_for, world, expired, role):
    response = client_for(world.users[role]).get(ERASURE_URL)
    assert response.status_code == (200 if role in {"staff", "admin"} else 404)
    if response.status_code == 200:
        assert "1 apprenti 0 représentant légal 1 compte à désactiver" in text_of(response)


@pytest.mark.parametrize("role", ["apprentice", "company_tutor", "head_of_diploma"])
def test_a_refused_post_erases_nothing(client_for, world, expired, role):
    assert client_for(world.users[role]).post(ERASURE_URL, {"confirm": "1"}).status_code == 404
    assert not Erasure.objects.exists()


def test_the_anonymous_visitor_is_sent_to_the_login_page(client, world, expired):
    for response in (client.get(ERASURE_URL), client.post(ERASURE_URL, {"confirm": "1"})):
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert not Erasure.objects.exists()


def test_the_erasure_page_runs_a_fixed_number_of_queries(
    client_for, world, expired, django_assert_num_queries
):
    client = client_for(world.users["staff"])
    client.get(ERASURE_URL)
    # session, user, roles, the three counts, the last erasures.
    with django_assert_num_queries(7):
        client.get(ERASURE_URL)


def test_without_confirmation_nothing_is_erased(client_for, world, expired):
    response = client_for(world.users["staff"]).post(ERASURE_URL, {})
    assert response.status_code == 302
    assert messages_of(response) == ["Cochez la case de confirmation pour anonymiser ces données."]
    assert not Erasure.objects.exists()


def test_the_staff_erases_their_organisations_expired_data(client_for, world, expired):
    end_contract(world.foreign.contract, outside_window())
    staff = world.users["staff"]
    assert ERASURE_URL in client_for(staff).get(reverse("home")).content.decode()
    response = client_for(staff).post(ERASURE_URL, {"confirm": "1"})
    assert response.status_code == 302 and response.url == ERASURE_URL
    assert messages_of(response) == ["1 apprenti anonymisé."]
    assert list(Erasure.objects.values_list("apprentice_id", flat=True)) == [expired.pk]
    assert AuditEvent.for_object(expired).get(action="privacy.apprentice.erased").actor == staff
    page = client_for(staff).get(ERASURE_URL)
    assert f"Apprenti anonymisé n° {expired.pk}" in text_of(page)
    again = client_for(staff).post(ERASURE_URL, {"confirm": "1"})
    assert messages_of(again) == ["Aucune donnée à anonymiser aujourd'hui."]


# Two runs at once ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="les verrous de ligne demandent PostgreSQL")
def test_two_runs_at_the_same_moment_erase_each_apprentice_once():
    organisation = OrganisationFactory(name="CFA des Tests")
    year = AcademicYearFactory()
    chains = [build_chain(organisation, year, with_accounts=True) for _ in range(4)]
    for chain in chains:
        end_contract(chain.contract, outside_window())
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def run(index):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = services.erase_expired(timezone.localdate())
        except Exception as error:  # noqa: BLE001 (the outcome is what the test looks at)
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    assert sum(outcome.apprentices for outcome in outcomes) == 4
    assert Erasure.objects.count() == 4
    assert AuditEvent.objects.filter(action="privacy.apprentice.erased").count() == 4
    assert services.erase_expired(timezone.localdate()).apprentices == 0
