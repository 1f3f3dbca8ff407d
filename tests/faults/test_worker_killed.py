"""A worker killed (SIGKILL) in the middle of a compliance export: once the job's lease has expired, the
minute's resume gives it to a new worker, and it ends once, with the same document as a clean run."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from pypdf import PdfReader

from core import jobs, queue
from core.models import AcademicYear, User
from reports import services
from reports.models import Export
from tests.faults.conftest import worker_database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

LEASE_SECONDS = 3


class Worker:
    """``celery -A config worker`` in a process of its own (one task at a time), on the test database."""

    def __init__(self, broker_url: str):
        env = {
            **os.environ,
            # Static files (the PDF's stylesheet) read from the checkout, as the test process does.
            "DEBUG": "1",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "x"),
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": broker_url,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "JOB_LEASE_SECONDS": str(LEASE_SECONDS),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING"],
            cwd=Path(settings.BASE_DIR),
            env=env,
            start_new_session=True,
        )

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def workers(private_redis):
    started = []

    def start() -> Worker:
        worker = Worker(private_redis.url)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_for(check, timeout=180, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(step)
    pytest.fail(f"rien en {timeout} s")


def pdf_text(export: Export) -> str:
    """The document's text, less the minute it was generated at (« … 2026 à 17:16 »): the resumed run
    and the clean one may straddle a minute (CI failed once on it)."""
    with export.file.open("rb") as handle:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    return re.sub(r" à \d{1,2}:\d{2}\b", " à HH:MM", text)


def test_a_compliance_export_killed_mid_run_ends_once_with_the_same_document(
    postgresql, private_redis, broker_at, workers, settings
):
    call_command("seed_demo", quiet=True)
    admin = User.objects.get(email="admin@demo.test")
    year = AcademicYear.objects.current()
    settings.JOB_LEASE_SECONDS = LEASE_SECONDS
    broker_at(private_redis.url)

    first = workers()
    export = services.request_compliance_export(by=admin, year=year)
    wait_for(lambda: Export.objects.filter(pk=export.pk, status=Export.Status.RUNNING, done__gt=0).exists())
    os.killpg(first.process.pid, signal.SIGSTOP)  # frozen while running: nothing changes any more
    export.refresh_from_db()
    assert export.status == Export.Status.RUNNING, "l'export a fini avant d'être interrompu"
    first.kill()

    workers()
    wait_for(lambda: Export.objects.get(pk=export.pk).lease_expired, timeout=30)
    assert jobs.resume()["reports.Export"] == 1  # the beat's pass of the minute
    assert not queue.waiting_for_broker("reports.tasks.run_export", export.pk)
    resumed = wait_for(lambda: Export.objects.filter(pk=export.pk).exclude(status__in=Export.ACTIVE).first())

    assert (resumed.status, resumed.attempts, resumed.lease_token) == (Export.Status.DONE, 2, "")
    assert Export.objects.count() == 1
    broker_at("memory://")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    clean = services.run_export(
        Export.objects.create(
            organisation=admin.organisation,
            requested_by=admin,
            kind=Export.Kind.COMPLIANCE,
            params={"year": year.label},
            title="Témoin",
            filename="temoin.pdf",
        ).pk
    )
    assert clean.status == Export.Status.DONE
    assert pdf_text(resumed) == pdf_text(clean)
