"""The nightly task that closes contracts past their planned end, inline and on a real worker."""

import datetime

import pytest
from django.utils import timezone

from apprentices import tasks
from apprentices.models import Contract
from core.models import AuditEvent
from tests.apprentices.factories import ApprenticeFactory, ContractFactory


def finished_contract(**kwargs):
    today = timezone.localdate()
    return ContractFactory(
        start_date=today - datetime.timedelta(days=800),
        planned_end_date=today - datetime.timedelta(days=1),
        **kwargs,
    )


@pytest.mark.django_db
def test_task_completes_active_contracts_past_their_planned_end_and_audits_it():
    finished = finished_contract()
    running = ContractFactory()
    ruptured = finished_contract(ruptured=True)

    closed = tasks.close_finished_contracts.delay().get()

    assert closed == 1
    finished.refresh_from_db()
    running.refresh_from_db()
    ruptured.refresh_from_db()
    assert finished.status == Contract.Status.COMPLETED
    assert running.status == Contract.Status.ACTIVE
    assert ruptured.status == Contract.Status.RUPTURED
    event = AuditEvent.for_object(finished).first()
    assert event.action == "apprentices.contract.changed"
    assert event.actor is None
    assert event.data == {"changes": {"status": ["active", "completed"]}, "via": "task"}


@pytest.mark.django_db
def test_task_is_idempotent():
    finished_contract()

    assert tasks.close_finished_contracts.delay().get() == 1
    events = AuditEvent.objects.count()
    assert tasks.close_finished_contracts.delay().get() == 0
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_task_takes_the_day_to_close_at():
    contract = ContractFactory()
    day_after_end = contract.planned_end_date + datetime.timedelta(days=1)

    assert tasks.close_finished_contracts.delay(contract.planned_end_date.isoformat()).get() == 0
    assert tasks.close_finished_contracts.delay(day_after_end.isoformat()).get() == 1


@pytest.mark.django_db
def test_task_is_scheduled_by_beat(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["close-finished-contracts"]
    assert schedule["task"] == tasks.close_finished_contracts.name


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_task_runs_on_a_real_worker_through_redis(real_worker):
    finished = finished_contract(apprentice=ApprenticeFactory())

    result = tasks.close_finished_contracts.delay(timezone.localdate().isoformat())

    assert result.get(timeout=30) == 1
    finished.refresh_from_db()
    assert finished.status == Contract.Status.COMPLETED
    event = AuditEvent.for_object(finished).first()
    assert event.action == "apprentices.contract.changed"
    assert event.data["changes"] == {"status": ["active", "completed"]}
    assert event.data["via"] == "task"
