"""What the tests of the quality app's writes share: the rows a refusal must leave as they were (and
media in a temporary folder), an uploaded PDF, a requirement by its code, a checklist jalon, last
year, and the names of the writes that a closed year or a missing permission refuses."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import AuditEvent
from quality.models import (
    Attestation,
    Campaign,
    ComputationRun,
    Evidence,
    FollowedIndicator,
    IndicatorValue,
    Meeting,
    Milestone,
    Requirement,
    Threshold,
)
from tests.core.factories import AcademicYearFactory

PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
WRITTEN = (
    Threshold,
    Milestone,
    Requirement,
    Attestation,
    FollowedIndicator,
    Evidence,
    Meeting,
    ComputationRun,
    Campaign,
    IndicatorValue,
    AuditEvent,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WRITTEN}


def pdf(name="pv.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def requirement(code) -> Requirement:
    return Requirement.objects.get(code=code)


def checklist_jalon(label="Point tenu"):
    return [{"kind": "checklist", "label": label}]


def last_year(world):
    return AcademicYearFactory(start_year=world.academic_year.start_date.year - 1)


WRITES = [
    "set_threshold",
    "create_milestone",
    "delete_milestone",
    "attest",
    "withdraw_attestation",
    "set_followed_indicators",
    "add_evidence",
    "record_meeting",
    "request_computation",
]
