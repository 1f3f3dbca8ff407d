"""Redis stopped: every role logs in and opens its home, the actions that queue work succeed at once
with their data saved and their work in the outbox; Redis back, the hand-over gives the work to a real
worker and it is done exactly once."""

import datetime
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from config import celery_app
from core.models import OutboxMessage
from core.tasks import hand_over_outbox
from livret.models import LiaisonSheet
from quality.models import ComputationRun
from reports.models import Export
from tests.core.factories import DEFAULT_PASSWORD
from tests.livret.factories import APPRENTICE_TEXT, LiaisonSheetFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROLES = ["apprentice", "company_tutor", "school_tutor", "head_of_diploma", "staff", "admin"]


def wait_until(check, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    pytest.fail("le travail n'a pas été fait à temps")


def test_with_redis_stopped_people_log_in_and_act_and_the_work_is_done_once_redis_is_back(
    postgresql, private_redis, cache_at, broker_at, world, client, mailoutbox
):
    cache_at(private_redis.url)
    broker_at(private_redis.url)
    private_redis.stop()

    for role in ROLES:
        client.logout()
        response = client.post(
            reverse("account_login"), {"login": world.users[role].email, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 302, role
        assert client.get(response["Location"]).status_code == 200, role

    sheet = LiaisonSheetFactory(contract=world.mine.contract)
    client.force_login(world.users["apprentice"])
    response = client.post(
        reverse("livret:sheet_save", args=[sheet.pk]), {**APPRENTICE_TEXT, "revision": 0, "action": "submit"}
    )
    assert response.status_code == 302
    client.force_login(world.users["staff"])
    response = client.post(reverse("quality:recompute"), {"annee": world.academic_year.label})
    assert response.status_code == 302
    response = client.post(reverse("reports:compliance_export"), {"year": world.academic_year.label})
    assert response.status_code == 302
    assert "la tâche partira dès son retour" in client.get(response["Location"]).content.decode()

    sheet.refresh_from_db()
    run, export = ComputationRun.objects.get(), Export.objects.get()
    assert sheet.status == LiaisonSheet.Status.SUBMITTED
    assert (run.status, export.status) == (ComputationRun.Status.QUEUED, Export.Status.QUEUED)
    assert sorted(OutboxMessage.objects.values_list("task", flat=True)) == [
        "livret.tasks.send_countersign_request",
        "quality.tasks.run_computation",
        "reports.tasks.run_export",
    ]
    assert mailoutbox == []

    private_redis.start()
    # The beat's next pass, 30 s at most after the last failed hand-over.
    OutboxMessage.objects.update(available_at=timezone.now() - datetime.timedelta(seconds=1))
    assert hand_over_outbox() == 3
    try:
        with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30):
            wait_until(
                lambda: (
                    Export.objects.filter(status=Export.Status.DONE).exists()
                    and ComputationRun.objects.filter(status=ComputationRun.Status.DONE).exists()
                    and len(mailoutbox) == 1
                )
            )
            assert hand_over_outbox() == 0
    finally:
        connections.close_all()

    assert not OutboxMessage.objects.exists()
    assert [message.to for message in mailoutbox] == [[world.mine.company_tutor.email]]
    assert list(Export.objects.values_list("status", "attempts")) == [(Export.Status.DONE, 1)]
    assert list(ComputationRun.objects.values_list("status", "attempts")) == [(ComputationRun.Status.DONE, 1)]
