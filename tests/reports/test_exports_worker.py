"""The establishment-wide compliance PDF of the demo data, asked for by an admin and produced by a
real Celery worker through Redis: it ends ready, and the file reads back with every diploma."""

from __future__ import annotations

import io
import time

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from apprentices.models import Diploma
from core.models import AcademicYear, User
from reports import services
from reports.models import Export

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def wait_for(export, timeout=180) -> Export:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if not export.is_active:
            return export
        time.sleep(0.3)
    pytest.fail(f"l'export n'a pas abouti en {timeout} s (statut : {export.status})")


def test_the_demo_establishment_pdf_is_produced_by_a_real_worker(real_worker):
    call_command("seed_demo", quiet=True)
    admin = User.objects.get(email="admin@demo.test")
    year = AcademicYear.objects.current()

    export = wait_for(services.request_compliance_export(by=admin, year=year))

    assert export.status == Export.Status.DONE, export.error
    assert export.done == export.total > 0
    with export.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for diploma in Diploma.objects.filter(organisation=admin.organisation):
        assert diploma.code in text
    assert year.label in text
