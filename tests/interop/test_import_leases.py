"""An import being applied is claimed with a lease: one whose worker died (its transaction rolled
back, nothing written) is applied by the minute's resume once the lease has expired, exactly once."""

import datetime

import pytest
from django.utils import timezone

from apprentices.models import Apprentice
from core import jobs
from interop.models import ImportReport
from interop.services import planning, writing
from tests.interop.factories import csv_bytes, row

TODAY = datetime.date(2026, 1, 15)


@pytest.fixture
def confirmed(organisation, staff, diploma):
    """A confirmed import whose worker was killed while applying it: still "applying", nothing written."""
    report = planning.preview_import(
        organisation=organisation, data=csv_bytes([row(1), row(2)]), file_name="e.csv", by=staff, today=TODAY
    )
    ImportReport.objects.filter(pk=report.pk).update(
        status=ImportReport.Status.APPLYING,
        applied_by=staff,
        applied_at=timezone.now() - datetime.timedelta(minutes=10),
    )
    return report


def test_the_minutes_resume_applies_an_import_whose_worker_died(
    confirmed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        jobs.resume()

    confirmed.refresh_from_db()
    assert confirmed.status == ImportReport.Status.DONE
    assert Apprentice.objects.count() == 2


def test_a_redelivered_message_leaves_an_import_held_by_a_live_lease(confirmed):
    token = jobs.claim(ImportReport, confirmed.pk)

    report = writing.apply_import(confirmed.pk)

    assert (report.status, report.lease_token) == (ImportReport.Status.APPLYING, token)
    assert not Apprentice.objects.exists()


def test_an_import_whose_lease_expired_is_applied_once(confirmed):
    jobs.claim(ImportReport, confirmed.pk)
    ImportReport.objects.filter(pk=confirmed.pk).update(lease_expires_at=timezone.now())

    first = writing.apply_import(confirmed.pk)
    second = writing.apply_import(confirmed.pk)

    assert first.status == second.status == ImportReport.Status.DONE
    assert (first.attempts, first.lease_token) == (2, "")
    assert Apprentice.objects.count() == 2
