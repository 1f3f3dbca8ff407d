"""The writes of the quality app (:mod:`quality.services`): each refusal is a French message and writes
nothing (no row, no audit event); each accepted write leaves its rows and its audit event."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from apprentices.models import Diploma
from core.models import AuditEvent
from core.workflow import Refusal
from quality.indicators import INDICATORS
from quality.levels import evaluate
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


def close(world, year):
    return Campaign.objects.create(
        organisation=world.organisation, academic_year=year, snapshot={"diplomas": []}, sha256="0" * 64
    )


# Thresholds --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "reason", "message"),
    [
        pytest.param(
            "p2-missions-sous-une-semaine",
            "80",
            "Moins exigeant",
            r"au moins 90.*pas l'abaisser",
            id="below-floor",
        ),
        pytest.param(
            "p2-delai-median", "10", "Plus de temps", r"au plus 7.*pas l'abaisser", id="above-at-most"
        ),
        pytest.param("p3-deux-rencontres", "beaucoup", "Motif", "doit être un nombre", id="not-a-number"),
        pytest.param("p3-deux-rencontres", "-5", "Motif", "nombre positif", id="negative"),
        pytest.param("p3-deux-rencontres", "95", "   ", "Dites pourquoi le seuil change", id="no-reason"),
        pytest.param("p3-deux-rencontres", "90", "Inchangé", "déjà de 90", id="same-value"),
        pytest.param("p4-taux-rupture", "10", "Motif", "n'a pas de seuil", id="figure-to-produce"),
        pytest.param("p3-secretariat", "10", "Motif", "n'a pas de seuil", id="checklist"),
    ],
)
def test_a_bad_threshold_is_refused_in_french_and_writes_nothing(world, code, value, reason, message):
    before = counts()
    with pytest.raises(Refusal, match=message):
        thresholds.set_threshold(
            requirement=requirement(code),
            diploma=world.mine.diploma,
            year=world.academic_year,
            value=value,
            reason=reason,
            by=world.users["head_of_diploma"],
        )
    assert counts() == before


def test_a_threshold_change_is_versioned_with_its_previous_value_and_audited(world):
    diploma, year, head = world.mine.diploma, world.academic_year, world.users["head_of_diploma"]
    rule = requirement("p3-deux-rencontres")
    events = AuditEvent.objects.count()

    first = thresholds.set_threshold(
        requirement=rule, diploma=diploma, year=year, value="92", reason="Objectif de l'équipe", by=head
    )
    second = thresholds.set_threshold(
        requirement=rule, diploma=diploma, year=year, value="95,0", reason="Relevé au copil", by=head
    )

    assert (first.version, first.value, first.previous_value) == (1, Decimal("92.0"), Decimal("90.0"))
    assert (second.version, second.value, second.previous_value) == (2, Decimal("95.0"), Decimal("92.0"))
    assert (second.changed_by, second.reason) == (head, "Relevé au copil")
    audit = list(AuditEvent.objects.order_by("pk")[events:])
    assert [e.action for e in audit] == ["quality.threshold.changed"] * 2
    assert audit[-1].actor == head
    assert audit[-1].data["reason"] == "Relevé au copil"
    assert thresholds.current_threshold(rule, diploma, year) == Decimal("95.0")


# Jalons ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requirements", "message"),
    [
        pytest.param([], "au moins une exigence", id="none"),
        pytest.param([{"kind": "checklist", "label": "   "}], "au moins une exigence", id="blank-rows"),
        pytest.param(
            [
                {
                    "kind": "computed",
                    "label": "Missions",
                    "indicator": "mission_decided_on_time",
                    "comparison": ">=",
                    "threshold": "80",
                }
            ],
            r"au moins 90.*pas l'abaisser",
            id="under-the-floor",
        ),
        pytest.param(
            [
                {
                    "kind": "computed",
                    "label": "Délai",
                    "indicator": "mission_median_delay",
                    "comparison": "<=",
                    "threshold": "10",
                }
            ],
            r"au plus 7.*pas l'abaisser",
            id="above-an-at-most-floor",
        ),
        pytest.param(
            [
                {
                    "kind": "computed",
                    "label": "Inconnu",
                    "indicator": "nope",
                    "comparison": ">=",
                    "threshold": "1",
                }
            ],
            "choisissez un indicateur",
            id="unknown-indicator",
        ),
        pytest.param(
            [{"kind": "evidence", "label": "Document", "evidence_kind": "nope"}],
            "type de document",
            id="unknown-evidence-kind",
        ),
        pytest.param(
            checklist_jalon()
            + [
                {"kind": "computed", "label": "Sans seuil", "indicator": "tutors_trained", "comparison": ">="}
            ],
            "Exigence 2 : indiquez le seuil",
            id="second-requirement-without-threshold",
        ),
    ],
)
def test_a_bad_jalon_is_refused_in_french_and_writes_nothing(world, requirements, message):
    before = counts()
    with pytest.raises(Refusal, match=message):
        thresholds.create_milestone(
            diploma=world.mine.diploma,
            year=world.academic_year,
            perimeter=Perimeter.objects.get(code="2.2"),
            title="Palier",
            requirements=requirements,
            by=world.users["head_of_diploma"],
        )
    assert counts() == before


def test_jalons_are_ranked_after_the_existing_ones_and_audited(world):
    head, perimeter = world.users["head_of_diploma"], Perimeter.objects.get(code="3.1")

    first, second = (
        thresholds.create_milestone(
            diploma=world.mine.diploma,
            year=world.academic_year,
            perimeter=perimeter,
            title=title,
            requirements=[
                {"kind": "checklist", "label": "Point tenu"},
                {
                    "kind": "computed",
                    "label": "Tuteurs",
                    "indicator": "tutors_trained",
                    "comparison": ">=",
                    "threshold": "50",
                },
                {"kind": "evidence", "label": "Programme", "evidence_kind": "tutor_training"},
            ],
            by=head,
        )
        for title in ("Premier palier", "Second palier")
    )

    assert (first.rank, second.rank) == (1, 2)
    assert list(second.requirements.values_list("kind", "order", "threshold")) == [
        ("checklist", 1, None),
        ("computed", 2, Decimal("50.0")),
        ("evidence", 3, None),
    ]
    assert AuditEvent.objects.filter(action="quality.milestone.created").count() == 2


def test_deleting_a_jalon_moves_the_ones_above_it_down(world):
    head, perimeter = world.users["head_of_diploma"], Perimeter.objects.get(code="3.1")
    milestones = [
        thresholds.create_milestone(
            diploma=world.mine.diploma,
            year=world.academic_year,
            perimeter=perimeter,
            title=title,
            requirements=checklist_jalon(),
            by=head,
        )
        for title in ("A", "B", "C")
    ]

    deleted = milestones[0].pk
    thresholds.delete_milestone(milestone=milestones[0], by=head)

    assert list(Milestone.objects.order_by("rank").values_list("rank", "title")) == [(1, "B"), (2, "C")]
    assert not Requirement.objects.filter(milestone_id=deleted).exists()
    assert AuditEvent.objects.filter(action="quality.milestone.deleted").count() == 1


# Attestations and followed indicators ------------------------------------------------------------


def test_a_point_is_attested_then_withdrawn(world):
    head, diploma, year = world.users["head_of_diploma"], world.mine.diploma, world.academic_year
    point = requirement("p3-secretariat")

    attestation = evidence.attest(
        requirement=point, diploma=diploma, year=year, statement="Un secrétariat dédié.", by=head
    )
    assert (attestation.attested_by, attestation.withdrawn_at) == (head, None)
    with pytest.raises(Refusal, match="déjà attesté"):
        evidence.attest(requirement=point, diploma=diploma, year=year, statement="Encore.", by=head)

    evidence.withdraw_attestation(attestation=attestation, by=head)

    attestation.refresh_from_db()
    assert attestation.withdrawn_at is not None and attestation.withdrawn_by == head
    with pytest.raises(Refusal, match="déjà retirée"):
        evidence.withdraw_attestation(attestation=attestation, by=head)
    assert list(
        AuditEvent.objects.filter(action__startswith="quality.attestation")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["quality.attestation.created", "quality.attestation.withdrawn"]
    again = evidence.attest(requirement=point, diploma=diploma, year=year, statement="De nouveau.", by=head)
    assert again.pk != attestation.pk


@pytest.mark.parametrize(
    ("code", "statement", "message"),
    [("p3-deux-rencontres", "Oui", "ne s'atteste pas"), ("p3-secretariat", "  ", "Dites en une phrase")],
)
def test_a_bad_attestation_is_refused_and_writes_nothing(world, code, statement, message):
    before = counts()
    with pytest.raises(Refusal, match=message):
        evidence.attest(
            requirement=requirement(code),
            diploma=world.mine.diploma,
            year=world.academic_year,
            statement=statement,
            by=world.users["head_of_diploma"],
        )
    assert counts() == before


def test_followed_indicators_are_added_and_removed(world):
    head, diploma, year = world.users["head_of_diploma"], world.mine.diploma, world.academic_year

    def followed():
        return set(
            FollowedIndicator.objects.filter(diploma=diploma, academic_year=year).values_list(
                "indicator", flat=True
            )
        )

    assert (
        thresholds.set_followed_indicators(
            diploma=diploma, year=year, codes=["rupture_rate", "success_rate"], by=head
        )
        == 2
    )
    assert followed() == {"rupture_rate", "success_rate"}
    thresholds.set_followed_indicators(
        diploma=diploma, year=year, codes=["success_rate", "sheets_on_time"], by=head
    )
    assert followed() == {"success_rate", "sheets_on_time"}
    events = AuditEvent.objects.filter(action="quality.followed_indicators.changed").order_by("pk")
    assert [(e.data["added"], e.data["removed"]) for e in events] == [
        (["rupture_rate", "success_rate"], []),
        (["sheets_on_time"], ["rupture_rate"]),
    ]
    thresholds.set_followed_indicators(
        diploma=diploma, year=year, codes=["sheets_on_time", "success_rate"], by=head
    )
    assert events.count() == 2  # nothing changed, nothing audited


def test_an_unknown_followed_indicator_is_refused_and_writes_nothing(world):
    before = counts()
    with pytest.raises(Refusal, match="Indicateur inconnu : nope"):
        thresholds.set_followed_indicators(
            diploma=world.mine.diploma,
            year=world.academic_year,
            codes=["success_rate", "nope"],
            by=world.users["head_of_diploma"],
        )
    assert counts() == before


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


# Computations ------------------------------------------------------------------------------------


def value_rows():
    return sorted(
        IndicatorValue.objects.values_list(
            "pk", "diploma", "academic_year", "indicator", "numerator", "denominator", "value"
        )
    )


def test_computing_twice_gives_the_same_rows_with_the_same_ids(world):
    computation.compute_indicators(year=world.academic_year)
    first = value_rows()

    computation.compute_indicators(year=world.academic_year)

    assert value_rows() == first
    assert len(first) == Diploma.objects.count() * len(INDICATORS)


def test_a_requested_computation_runs_on_commit_and_is_done(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = computation.request_computation(
            organisation_id=world.organisation.pk, year=world.academic_year, by=world.users["staff"]
        )

    run.refresh_from_db()
    assert (run.status, run.done, run.total, run.error) == ("done", len(INDICATORS), len(INDICATORS), "")
    organisation_diplomas = Diploma.objects.filter(organisation=world.organisation).count()
    assert run.rows == organisation_diplomas * len(INDICATORS)
    assert not IndicatorValue.objects.filter(diploma=world.foreign.diploma).exists()


def test_a_second_computation_while_one_runs_is_refused(world):
    organisation, year = world.organisation.pk, world.academic_year
    first = computation.request_computation(organisation_id=organisation, year=year)  # queued, not run

    with pytest.raises(Refusal, match="déjà en cours"):
        computation.request_computation(organisation_id=organisation, year=year)

    assert list(ComputationRun.objects.values_list("pk", "status")) == [(first.pk, "queued")]


def test_a_stale_run_is_marked_failed_and_a_new_one_is_accepted(world, settings):
    organisation, year = world.organisation.pk, world.academic_year
    stale = ComputationRun.objects.create(
        organisation_id=organisation,
        academic_year=year,
        status=ComputationRun.Status.RUNNING,
        requested_at=timezone.now() - datetime.timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT + 60),
    )

    run = computation.request_computation(organisation_id=organisation, year=year)

    stale.refresh_from_db()
    assert (stale.status, stale.error) == ("failed", "Interrompu (le calcul ne répondait plus).")
    assert run.status == "queued" and run.pk != stale.pk


def test_a_recent_running_run_is_not_taken_for_stale(world, settings):
    organisation, year = world.organisation.pk, world.academic_year
    ComputationRun.objects.create(
        organisation_id=organisation,
        academic_year=year,
        status=ComputationRun.Status.RUNNING,
        requested_at=timezone.now() - datetime.timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT - 60),
    )
    with pytest.raises(Refusal, match="déjà en cours"):
        computation.request_computation(organisation_id=organisation, year=year)


def test_a_failing_computation_keeps_the_previous_values_and_says_why(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    computation.compute_indicators(year=world.academic_year)
    before = sorted(IndicatorValue.objects.values_list("pk", "indicator", "value", "computed_at"))

    def broken(*args, **kwargs):
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(INDICATORS["rupture_rate"], "compute", broken)
    with django_capture_on_commit_callbacks(execute=True):
        run = computation.request_computation(organisation_id=world.organisation.pk, year=world.academic_year)

    run.refresh_from_db()
    assert run.status == ComputationRun.Status.FAILED
    assert run.error == "Le calcul a échoué (RuntimeError) : les valeurs précédentes sont conservées."
    assert run.finished_at is not None
    assert sorted(IndicatorValue.objects.values_list("pk", "indicator", "value", "computed_at")) == before
    monkeypatch.undo()
    computation.request_computation(organisation_id=world.organisation.pk, year=world.academic_year)


def test_the_command_computes_one_year_and_one_diploma(world, capsys):
    call_command("compute_indicators", year=world.academic_year.label, diploma=world.mine.diploma.code)

    assert set(IndicatorValue.objects.values_list("diploma", "academic_year").distinct()) == {
        (world.mine.diploma.pk, world.academic_year.pk)
    }
    assert IndicatorValue.objects.count() == len(INDICATORS)
    assert f"{len(INDICATORS)} valeurs calculées pour 1 formation(s)" in capsys.readouterr().out


def test_the_command_without_arguments_computes_the_running_year_for_every_diploma(world):
    call_command("compute_indicators", quiet=True)
    assert IndicatorValue.objects.filter(academic_year=world.academic_year).count() == 3 * len(INDICATORS)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"year": "1999-2000"}, "Année scolaire inconnue : 1999-2000"),
        ({"diploma": "NOPE"}, "Formation inconnue : NOPE"),
    ],
)
def test_the_command_refuses_an_unknown_year_or_diploma(world, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("compute_indicators", **options)
    assert not IndicatorValue.objects.exists()


# Campaigns ---------------------------------------------------------------------------------------


def levels(trajectory_data) -> list:
    return [
        (
            poste["number"],
            poste["label"],
            [(p["code"], p["reached"], p["label"]) for p in poste["perimeters"]],
        )
        for poste in trajectory_data["postes"]
    ]


def test_closing_a_campaign_snapshots_every_diploma_with_evaluates_levels(world):
    year = last_year(world)
    admin = world.users["admin"]
    evidence.attest(
        requirement=requirement("p3-secretariat"),
        diploma=world.mine.diploma,
        year=year,
        statement="Oui",
        by=admin,
    )

    campaign = campaigns.close_campaign(organisation_id=world.organisation.pk, year=year, by=admin)

    diplomas = list(Diploma.objects.filter(organisation=world.organisation).order_by("code"))
    assert [d["diploma"]["code"] for d in campaign.snapshot["diplomas"]] == [d.code for d in diplomas]
    trajectories = evaluate(diplomas, year)
    for diploma, frozen in zip(diplomas, campaign.snapshot["diplomas"], strict=True):
        live = trajectories[diploma.pk]
        assert levels(frozen) == [
            (p.poste.number, p.label, [(s.perimeter.code, s.reached, s.label) for s in p.perimeters])
            for p in live.postes
        ]
    assert campaign.snapshot["year"] == year.label and len(campaign.sha256) == 64
    assert AuditEvent.objects.filter(action="quality.campaign.closed").count() == 1


def test_closing_a_year_that_is_not_over_is_refused(world):
    before = counts()
    with pytest.raises(Refusal, match="n'est pas terminée"):
        campaigns.close_campaign(
            organisation_id=world.organisation.pk, year=world.academic_year, by=world.users["admin"]
        )
    assert counts() == before


def test_closing_a_year_twice_is_refused(world):
    year = last_year(world)
    campaigns.close_campaign(organisation_id=world.organisation.pk, year=year, by=world.users["admin"])
    before = counts()

    with pytest.raises(Refusal, match="est close"):
        campaigns.close_campaign(organisation_id=world.organisation.pk, year=year, by=world.users["admin"])

    assert counts() == before


def test_closing_while_a_computation_runs_is_refused(world):
    year = last_year(world)
    computation.request_computation(organisation_id=world.organisation.pk, year=year)
    before = counts()
    with pytest.raises(Refusal, match="calcul des indicateurs est en cours"):
        campaigns.close_campaign(organisation_id=world.organisation.pk, year=year, by=world.users["admin"])
    assert counts() == before


def test_a_closed_campaign_can_be_neither_saved_again_nor_deleted(world):
    campaign = close(world, last_year(world))

    campaign.snapshot = {"diplomas": ["changé"]}
    with pytest.raises(ValidationError, match="ne se modifie pas"):
        campaign.save()
    with pytest.raises(ValidationError, match="ne se supprime pas"):
        campaign.delete()

    assert Campaign.objects.get().snapshot == {"diplomas": []}


def closed_year_writes(world, year):
    head, diploma = world.users["head_of_diploma"], world.mine.diploma
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
            by=head,
        ),
        "create_milestone": lambda: thresholds.create_milestone(
            diploma=diploma,
            year=year,
            perimeter=milestone.perimeter,
            title="Autre",
            requirements=checklist_jalon(),
            by=head,
        ),
        "delete_milestone": lambda: thresholds.delete_milestone(milestone=milestone, by=head),
        "attest": lambda: evidence.attest(
            requirement=requirement("p3-moyens-employeur"),
            diploma=diploma,
            year=year,
            statement="Oui",
            by=head,
        ),
        "withdraw_attestation": lambda: evidence.withdraw_attestation(attestation=attestation, by=head),
        "set_followed_indicators": lambda: thresholds.set_followed_indicators(
            diploma=diploma, year=year, codes=["success_rate"], by=head
        ),
        "add_evidence": lambda: evidence.add_evidence(
            organisation_id=world.organisation.pk,
            diploma=diploma,
            year=year,
            kind="alumni",
            title="Réseau",
            upload=pdf(),
            attested_on=year.start_date,
            by=head,
        ),
        "record_meeting": lambda: meetings.record_meeting(
            organisation_id=world.organisation.pk,
            kind=Meeting.Kind.PEDAGOGICAL,
            title="Réunion",
            held_on=year.start_date,
            diplomas=[diploma],
            attendance=3,
            attendees="Équipe",
            by=head,
        ),
        "request_computation": lambda: computation.request_computation(
            organisation_id=world.organisation.pk, year=year
        ),
    }


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


@pytest.mark.parametrize("write", WRITES)
def test_writes_in_a_closed_campaigns_year_are_refused(world, write):
    year = last_year(world)
    close(world, year)
    writes = closed_year_writes(world, year)
    before = counts()

    with pytest.raises(Refusal, match=f"La campagne {year.label} est close"):
        writes[write]()

    assert counts() == before


def test_a_closed_campaign_leaves_the_other_organisations_year_open(world):
    year = last_year(world)
    close(world, year)
    run = computation.request_computation(organisation_id=world.other_organisation.pk, year=year)
    assert run.status == "queued"


def test_the_command_refuses_a_closed_year(world):
    year = last_year(world)
    close(world, year)
    with pytest.raises(CommandError, match="est close"):
        call_command("compute_indicators", year=year.label, diploma=world.mine.diploma.code)


# Permissions -------------------------------------------------------------------------------------


def forbidden_writes(world, user, diploma):
    year = world.academic_year
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
    }


@pytest.mark.parametrize(
    "who", ["company_tutor_of_the_diploma", "head_of_another_diploma", "staff_of_another_organisation"]
)
@pytest.mark.parametrize(
    "write",
    [w for w in WRITES if w != "request_computation"] + ["add_establishment_evidence", "close_campaign"],
)
def test_a_write_by_someone_who_may_not_edit_the_diploma_is_denied_and_writes_nothing(world, who, write):
    from core.models import Role
    from tests.core.factories import UserFactory

    user, diploma = {
        "company_tutor_of_the_diploma": (world.users["company_tutor"], world.mine.diploma),
        "head_of_another_diploma": (world.users["head_of_diploma"], world.other.diploma),
        "staff_of_another_organisation": (
            UserFactory(organisation=world.other_organisation, roles=[Role.STAFF], is_staff=True),
            world.mine.diploma,
        ),
    }[who]
    writes = forbidden_writes(world, user, diploma)
    before = counts()

    with pytest.raises(PermissionDenied):
        writes[write]()

    assert counts() == before


@pytest.mark.parametrize("role", ["head_of_diploma", "staff"])
def test_a_head_or_staff_may_not_close_a_campaign(world, role):
    before = counts()
    with pytest.raises(PermissionDenied, match="administrateur"):
        campaigns.close_campaign(
            organisation_id=world.organisation.pk, year=last_year(world), by=world.users[role]
        )
    assert counts() == before


def test_a_jalon_requirement_of_another_diploma_cannot_be_attested(world):
    from quality.models import Attestation, Milestone, Perimeter, Requirement

    other = Milestone.objects.create(
        diploma=world.other.diploma,
        academic_year=world.academic_year,
        perimeter=Perimeter.objects.get(code="2.1"),
        rank=1,
        title="Palier d'une autre formation",
    )
    requirement = Requirement.objects.create(
        milestone=other, kind="checklist", label="Point de l'autre formation"
    )
    with pytest.raises(Refusal, match="autre formation"):
        evidence.attest(
            requirement=requirement,
            diploma=world.mine.diploma,
            year=world.academic_year,
            statement="Fait.",
            by=world.users["head_of_diploma"],
        )
    assert not Attestation.objects.exists()


@pytest.mark.parametrize("role", ["company_tutor", "apprentice", "school_tutor"])
def test_only_the_quality_team_and_heads_may_request_a_recomputation(world, role):
    from django.core.exceptions import PermissionDenied

    from quality.models import ComputationRun

    with pytest.raises(PermissionDenied):
        computation.request_computation(
            organisation_id=world.organisation.pk, year=world.academic_year, by=world.users[role]
        )
    assert not ComputationRun.objects.exists()
    run = computation.request_computation(
        organisation_id=world.organisation.pk, year=world.academic_year, by=world.users["head_of_diploma"]
    )
    assert run.requested_by == world.users["head_of_diploma"]


def test_the_command_leaves_out_an_organisation_whose_year_is_closed(world):
    from io import StringIO

    from quality.models import Campaign, IndicatorValue

    Campaign.objects.create(
        organisation=world.organisation,
        academic_year=world.academic_year,
        snapshot={"diplomas": []},
        sha256="0" * 64,
    )
    out = StringIO()
    call_command("compute_indicators", year=world.academic_year.label, stdout=out)
    computed = set(IndicatorValue.objects.values_list("diploma__organisation", flat=True))
    assert computed == {world.other_organisation.pk}
    assert "laissée(s) de côté" in out.getvalue()
