"""What the tests of the quality app's writes share: the rows a refusal must leave as they were (and
media in a temporary folder), an uploaded PDF, a requirement by its code, a checklist jalon, last
year, and the writes (by name, ready to call) that a closed year or a missing permission refuses."""

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
    Perimeter,
    Requirement,
    Threshold,
)
from quality.services import campaigns, computation, evidence, meetings, thresholds
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


def quality_writes(world, *, user, diploma, year):
    """Each write of the quality app by ``user`` on ``diploma`` and ``year``, ready to call by its name
    (:data:`WRITES`, and two that only some may do: establishment evidence, closing the campaign)."""
    milestone = Milestone.objects.create(
        diploma=diploma,
        academic_year=year,
        perimeter=Perimeter.objects.get(code="3.1"),
        rank=1,
        title="Palier",
    )
    attestation = Attestation.objects.create(
        requirement=requirement("p3-secretariat"), diploma=diploma, academic_year=year, statement="Oui"
    )
    return {
        "set_threshold": lambda: thresholds.set_threshold(
            requirement=requirement("p3-deux-rencontres"),
            diploma=diploma,
            year=year,
            value="95",
            reason="x",
            by=user,
        ),
        "create_milestone": lambda: thresholds.create_milestone(
            diploma=diploma,
            year=year,
            perimeter=milestone.perimeter,
            title="Autre",
            requirements=checklist_jalon(),
            by=user,
        ),
        "delete_milestone": lambda: thresholds.delete_milestone(milestone=milestone, by=user),
        "attest": lambda: evidence.attest(
            requirement=requirement("p3-moyens-employeur"),
            diploma=diploma,
            year=year,
            statement="Oui",
            by=user,
        ),
        "withdraw_attestation": lambda: evidence.withdraw_attestation(attestation=attestation, by=user),
        "set_followed_indicators": lambda: thresholds.set_followed_indicators(
            diploma=diploma, year=year, codes=["success_rate"], by=user
        ),
        "add_evidence": lambda: evidence.add_evidence(
            organisation_id=diploma.organisation_id,
            diploma=diploma,
            year=year,
            kind="alumni",
            title="Réseau",
            upload=pdf(),
            attested_on=year.start_date,
            by=user,
        ),
        "add_establishment_evidence": lambda: evidence.add_evidence(
            organisation_id=diploma.organisation_id,
            diploma=None,
            year=year,
            kind="alumni",
            title="Réseau",
            upload=pdf(),
            attested_on=year.start_date,
            by=user,
        ),
        "record_meeting": lambda: meetings.record_meeting(
            organisation_id=diploma.organisation_id,
            kind=Meeting.Kind.PEDAGOGICAL,
            title="Réunion",
            held_on=year.start_date,
            diplomas=[diploma],
            attendance=3,
            attendees="Équipe",
            by=user,
        ),
        "close_campaign": lambda: campaigns.close_campaign(
            organisation_id=diploma.organisation_id, year=last_year(world), by=user
        ),
        "request_computation": lambda: computation.request_computation(
            organisation_id=diploma.organisation_id, year=year
        ),
    }
