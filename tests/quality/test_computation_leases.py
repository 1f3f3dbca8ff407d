"""A computation of the indicators is claimed with a lease: a worker killed in the middle leaves it to
the redelivered message once the lease has expired, and "Recalculer" no longer waits for a dead run."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core import jobs, queue
from core.workflow import Refusal
from quality.indicators import INDICATORS
from quality.models import ComputationRun
from quality.services import computation
from tests.helpers import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(world):
    return computation.request_computation(organisation_id=world.organisation.pk, year=world.academic_year)


def killed_while_running(run, **lease):
    """As a worker killed in the middle leaves it: running, its lease (if any) no longer renewed."""
    ComputationRun.objects.filter(pk=run.pk).update(
        status=ComputationRun.Status.RUNNING,
        started_at=timezone.now() - datetime.timedelta(minutes=5),
        **lease,
    )


def expired_lease():
    past = timezone.now() - datetime.timedelta(seconds=1)
    return {"lease_token": "mort", "lease_expires_at": past, "attempts": 1}


def test_a_run_left_running_by_a_killed_worker_is_finished_by_the_redelivered_message(queued):
    killed_while_running(queued, **expired_lease())

    run = computation.run_computation(queued.pk)

    assert (run.status, run.done, run.lease_token) == (ComputationRun.Status.DONE, len(INDICATORS), "")
    assert run.rows > 0


def test_a_redelivered_message_leaves_a_run_held_by_a_live_lease(queued):
    token = jobs.claim(ComputationRun, queued.pk)

    run = computation.run_computation(queued.pk)

    assert (run.status, run.lease_token, run.rows) == (ComputationRun.Status.RUNNING, token, 0)


def test_recalculer_after_a_worker_died_mid_run_starts_a_new_run(world, queued):
    killed_while_running(queued, **expired_lease())

    run = computation.request_computation(organisation_id=world.organisation.pk, year=world.academic_year)

    queued.refresh_from_db()
    assert (queued.status, queued.error) == ("failed", "Interrompu (le calcul ne répondait plus).")
    assert run.status == "queued" and run.pk != queued.pk


def test_recalculer_while_a_run_holds_a_live_lease_is_refused(world, queued):
    jobs.claim(ComputationRun, queued.pk)

    with pytest.raises(Refusal, match="déjà en cours"):
        computation.request_computation(organisation_id=world.organisation.pk, year=world.academic_year)


def test_recalculer_with_the_broker_unreachable_is_queued_and_the_dashboard_says_it_will_follow(
    world, client_for, broker_at, django_capture_on_commit_callbacks
):
    broker_at("redis://127.0.0.1:1/0")
    client = client_for(world.users["staff"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("quality:recompute"), {"annee": world.academic_year.label})

    assert response.status_code == 302
    run = ComputationRun.objects.get()
    assert run.status == ComputationRun.Status.QUEUED
    assert queue.waiting_for_broker("quality.tasks.run_computation", run.pk)
    page = client.get(response["Location"])
    assert "la tâche partira dès son retour" in text_of(page)
