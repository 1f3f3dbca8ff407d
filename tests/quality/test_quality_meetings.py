"""Recording a meeting through :mod:`quality.services.meetings`, with or without its minutes as
evidence, and the bad meetings refused without writing anything."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import AuditEvent
from core.workflow import Refusal
from quality.models import Evidence, Meeting
from quality.services import meetings
from tests.quality import quality_services_support
from tests.quality.quality_services_support import PDF, counts, pdf

# Shared fixtures: pytest finds a fixture by its name in the test module.
_media = quality_services_support._media


# Meetings ----------------------------------------------------------------------------------------


def test_a_meeting_is_recorded_with_its_minutes_as_evidence(world, settings):
    head, diploma, year = world.users["head_of_diploma"], world.mine.diploma, world.academic_year

    meeting = meetings.record_meeting(
        organisation_id=world.organisation.pk,
        kind=Meeting.Kind.STEERING,
        title="Copil de rentrée",
        held_on=year.start_date,
        diplomas=[diploma],
        attendance=14,
        attendees="Apprentis, branches, CFA",
        minutes=pdf(),
        by=head,
    )

    evidence = meeting.minutes
    assert (evidence.kind, evidence.diploma, evidence.academic_year) == ("copil_minutes", diploma, year)
    assert (evidence.valid_until, evidence.attested_on) == (year.end_date, year.start_date)
    assert evidence.title == "Compte rendu — Copil de rentrée"
    stored = settings.MEDIA_ROOT / evidence.file.name
    assert stored.read_bytes() == PDF
    assert "pv" not in evidence.file.name  # the stored name never comes from the upload
    assert list(meeting.diplomas.all()) == [diploma]
    assert set(AuditEvent.objects.filter(action__startswith="quality.").values_list("action", flat=True)) == {
        "quality.evidence.created",
        "quality.meeting.created",
    }


def test_a_meeting_is_recorded_without_minutes(world):
    meeting = meetings.record_meeting(
        organisation_id=world.organisation.pk,
        kind=Meeting.Kind.PEDAGOGICAL,
        title="",
        held_on=world.academic_year.start_date,
        diplomas=[world.mine.diploma],
        attendance=6,
        attendees="Équipe pédagogique",
        by=world.users["staff"],
    )

    assert (meeting.minutes, meeting.title) == (None, "Réunion pédagogique")
    assert not Evidence.objects.exists()
    assert AuditEvent.objects.filter(action="quality.meeting.created").count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param(
            {"held_on": timezone.localdate() + datetime.timedelta(days=1)},
            "ne peut être à venir",
            id="future",
        ),
        pytest.param({"attendance": 0}, "nombre de participants", id="no-attendance"),
        pytest.param({"diplomas": []}, "au moins une formation", id="no-diploma"),
        pytest.param({"kind": Meeting.Kind.DEBRIEF}, "choisissez-la", id="debrief-without-cohort"),
        pytest.param(
            {"minutes": SimpleUploadedFile("pv.pdf", b"not a pdf")},
            "n'est pas un document PDF",
            id="not-a-pdf",
        ),
    ],
)
def test_a_bad_meeting_is_refused_and_writes_nothing(world, settings, changes, message):
    arguments = {
        "organisation_id": world.organisation.pk,
        "kind": Meeting.Kind.STEERING,
        "title": "Copil",
        "held_on": world.academic_year.start_date,
        "diplomas": [world.mine.diploma],
        "attendance": 10,
        "attendees": "Tous",
        "minutes": pdf(),
        "by": world.users["head_of_diploma"],
        **changes,
    }
    before = counts()
    with pytest.raises(Refusal, match=message):
        meetings.record_meeting(**arguments)
    assert counts() == before
    assert not settings.MEDIA_ROOT.exists() or not any(p.is_file() for p in settings.MEDIA_ROOT.rglob("*"))
