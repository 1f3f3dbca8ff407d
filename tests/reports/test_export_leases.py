"""An export is claimed with a lease: a worker killed in the middle leaves it to the next message (or to
the minute's resume) once the lease has expired, and the result is written once, by the lease holder."""

import datetime

import pytest
from django.utils import timezone

from core import jobs, queue
from core.models import OutboxMessage
from reports import services
from reports.models import Export
from tests.helpers import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(world):
    """An export asked for whose message has not been run yet."""
    return services.request_compliance_export(by=world.users["staff"], year=world.academic_year)


def killed_while_running(export, **lease):
    """As a worker killed in the middle leaves it: running, its lease (if any) no longer renewed."""
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.RUNNING, started_at=timezone.now() - datetime.timedelta(minutes=10), **lease
    )


def expired_lease():
    return {
        "lease_token": "mort",
        "lease_expires_at": timezone.now() - datetime.timedelta(seconds=1),
        "attempts": 1,
    }


def test_an_export_left_running_by_a_killed_worker_is_finished_by_the_redelivered_message(
    queued, fake_writer
):
    killed_while_running(queued)

    export = services.run_export(queued.pk)

    assert export.status == Export.Status.DONE
    assert fake_writer == [queued.pk]
    assert (export.lease_token, export.lease_expires_at) == ("", None)


def test_an_export_whose_lease_has_expired_is_taken_over_once(queued, fake_writer):
    killed_while_running(queued, **expired_lease())

    first = services.run_export(queued.pk)
    second = services.run_export(queued.pk)

    assert first.status == second.status == Export.Status.DONE
    assert fake_writer == [queued.pk]
    assert first.attempts == 2


def test_a_redelivered_message_leaves_an_export_held_by_a_live_lease(queued, fake_writer):
    token = jobs.claim(Export, queued.pk)

    export = services.run_export(queued.pk)

    assert export.status == Export.Status.RUNNING
    assert export.lease_token == token
    assert fake_writer == []


def test_the_result_of_a_worker_whose_job_was_taken_over_is_dropped(queued, monkeypatch):
    def write(export, handle, progress):
        # Meanwhile the lease expired and another worker took the export over.
        Export.objects.filter(pk=export.pk).update(lease_token="autre")
        handle.write(b"%PDF-1.7 contenu")

    monkeypatch.setattr(services, "_write", write)

    export = services.run_export(queued.pk)

    assert (export.status, export.lease_token, export.file.name) == (Export.Status.RUNNING, "autre", "")


def test_the_minutes_resume_runs_an_export_whose_worker_died(queued, fake_writer, committed):
    killed_while_running(queued, **expired_lease())

    with committed():
        jobs.resume()

    queued.refresh_from_db()
    assert queued.status == Export.Status.DONE
    assert fake_writer == [queued.pk]


def test_the_minutes_resume_runs_an_export_whose_message_was_lost(queued, fake_writer, committed, settings):
    later = timezone.now() + datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS + 1)

    with committed():
        jobs.resume(now=later)

    queued.refresh_from_db()
    assert queued.status == Export.Status.DONE


def test_the_minutes_resume_leaves_a_running_export_with_a_live_lease(queued, fake_writer, committed):
    jobs.claim(Export, queued.pk)

    with committed():
        jobs.resume()

    queued.refresh_from_db()
    assert queued.status == Export.Status.RUNNING
    assert fake_writer == []


def test_an_export_interrupted_too_many_times_is_failed_with_a_message(queued, fake_writer, settings):
    killed_while_running(queued, **{**expired_lease(), "attempts": settings.JOB_MAX_ATTEMPTS})

    jobs.resume()

    queued.refresh_from_db()
    assert queued.status == Export.Status.FAILED
    assert queued.error.startswith(f"Interrompu {settings.JOB_MAX_ATTEMPTS} fois")
    assert services.run_export(queued.pk).status == Export.Status.FAILED
    assert fake_writer == []


def test_an_export_waiting_for_the_broker_says_it_will_follow(world, client_for, broker_at):
    broker_at("redis://127.0.0.1:1/0")
    export = services.request_compliance_export(by=world.users["staff"], year=world.academic_year)
    queue.hand_over()  # what the commit does: the broker does not answer

    response = client_for(world.users["staff"]).get(export.get_absolute_url())

    assert "la tâche partira dès son retour" in text_of(response)


def test_the_minutes_resume_requeues_a_lost_export_once_then_waits(queued, settings):
    later = timezone.now() + datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS + 1)

    first = jobs.resume(now=later)
    OutboxMessage.objects.all().delete()  # handed over to the broker, where it waits for a worker
    second = jobs.resume(now=later + datetime.timedelta(seconds=60))

    assert (first["reports.Export"], second["reports.Export"]) == (1, 0)
    queued.refresh_from_db()
    assert queued.status == Export.Status.QUEUED


def test_the_hourly_purge_leaves_a_long_export_that_holds_a_live_lease(queued, settings):
    jobs.claim(Export, queued.pk)
    Export.objects.filter(pk=queued.pk).update(requested_at=timezone.now() - datetime.timedelta(hours=3))

    services.purge_exports()

    queued.refresh_from_db()
    assert queued.status == Export.Status.RUNNING


def test_the_hourly_purge_leaves_an_export_whose_message_waits_for_the_broker(queued):
    OutboxMessage.objects.filter(task=Export.JOB_TASK).delete()
    OutboxMessage.objects.create(task=Export.JOB_TASK, args=[queued.pk], attempts=40, last_error="refusé")
    Export.objects.filter(pk=queued.pk).update(requested_at=timezone.now() - datetime.timedelta(hours=3))

    services.purge_exports()

    queued.refresh_from_db()
    assert queued.status == Export.Status.QUEUED


def test_the_hourly_purge_fails_an_export_lost_without_a_waiting_message(queued):
    OutboxMessage.objects.filter(task=Export.JOB_TASK).delete()
    Export.objects.filter(pk=queued.pk).update(requested_at=timezone.now() - datetime.timedelta(hours=3))

    services.purge_exports()

    queued.refresh_from_db()
    assert queued.status == Export.Status.FAILED
