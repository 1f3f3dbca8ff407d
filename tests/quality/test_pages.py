"""The quality pages, for every role: who sees what (someone else's diploma is a 404), what each form
writes and refuses, and query counts that do not grow with the data."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, Role
from quality.models import (
    Attestation,
    Campaign,
    ComputationRun,
    Evidence,
    IndicatorValue,
    Meeting,
    Milestone,
    Requirement,
    Threshold,
)
from quality.services import campaigns, computation
from tests.apprentices.factories import ContractFactory, DiplomaFactory
from tests.conftest import ROLES
from tests.core.factories import AcademicYearFactory, UserFactory
from tests.helpers import summary_links, text_of
from tests.quality.test_trajectory_rules import meet

PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
QUALITY_ROLES = {"head_of_diploma", "staff", "admin"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def url(name, world, *extra, year=None):
    return reverse(
        f"quality:{name}", args=[world.mine.diploma.pk, (year or world.academic_year).label, *extra]
    )


def close_file_response(response):
    """Close a streamed file response (its file handle) without the request_finished signal closing the
    test's database connection, as Django's test client does for the responses it returns."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def pdf(name="pv.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_referential_is_loaded_by_migrate(db):
    assert Requirement.objects.filter(code="p3-deux-rencontres", indicator="two_meetings_rule").exists()


# Who sees what -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_answers_quality_roles_and_hides_from_the_others(client_for, world, role):
    response = client_for(world.users[role]).get(reverse("quality:dashboard"))
    assert response.status_code == (200 if role in QUALITY_ROLES else 404)
    if role in QUALITY_ROLES:
        page = text_of(response)
        assert world.mine.diploma.code in page
        assert world.foreign.diploma.code not in page
        assert (world.other.diploma.code in page) is (role != "head_of_diploma")


def test_dashboard_sends_an_anonymous_visitor_to_the_login(client, world):
    response = client.get(reverse("quality:dashboard"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_networks_dashboard_shows_its_diplomas_a_page_at_a_time_with_the_same_levels(
    client_for, world, monkeypatch
):
    from quality.views import dashboard as view

    client = client_for(world.users["staff"])
    for _ in range(3):
        diploma = DiplomaFactory(organisation=world.organisation)
        ContractFactory(diploma=diploma, apprentice__organisation=world.organisation)
    computation.compute_indicators(year=world.academic_year)
    url = reverse("quality:dashboard")
    whole = client.get(url, {"annee": world.academic_year.label}).context["rows"]
    count = len(whole)
    assert count >= 5  # the world's and three more, on one page

    monkeypatch.setattr(view, "DASHBOARD_PAGE_SIZE", 2)
    shown, pages = [], []
    for number in range(1, (count + 1) // 2 + 1):
        response = client.get(url, {"annee": world.academic_year.label, "page": number})
        shown += response.context["rows"]
        pages.append(text_of(response))
    assert shown == whole  # the same diplomas in the same order, with the same levels
    assert f"Formations 1 à 2 sur {count}" in pages[0] and f"Page 1 sur {len(pages)}" in pages[0]
    assert f"sur {count}, par code" in pages[-1]
    # The year is kept from page to page.
    assert (
        f"annee={world.academic_year.label}"
        in client.get(url, {"annee": world.academic_year.label}).content.decode()
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("chain", ["mine", "other", "foreign"])
def test_trajectory_pages_are_a_404_outside_ones_diplomas(client_for, world, role, chain):
    diploma = getattr(world, chain).diploma
    client = client_for(world.users[role])
    visible = role in QUALITY_ROLES and (chain == "mine" or (chain == "other" and role != "head_of_diploma"))
    for name, extra in (
        ("trajectory", []),
        ("thresholds", []),
        ("followed_indicators", []),
        ("milestone_create", []),
        ("indicator_records", ["rupture_rate"]),
    ):
        response = client.get(
            reverse(f"quality:{name}", args=[diploma.pk, world.academic_year.label, *extra])
        )
        assert response.status_code == (200 if visible else 404), (name, role, chain)


def test_an_unknown_indicator_or_year_is_a_404(client_for, world):
    client = client_for(world.users["staff"])
    assert client.get(url("indicator_records", world, "nope")).status_code == 404
    response = client.get(reverse("quality:trajectory", args=[world.mine.diploma.pk, "1999-2000"]))
    assert response.status_code == 404


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_dashboard_queries_do_not_grow_with_diplomas_and_contracts(client_for, world):
    client = client_for(world.users["staff"])
    computation.compute_indicators(year=world.academic_year)
    few = _queries(client, reverse("quality:dashboard"))
    for _ in range(3):
        diploma = DiplomaFactory(organisation=world.organisation)
        ContractFactory(diploma=diploma, apprentice__organisation=world.organisation)
    computation.compute_indicators(year=world.academic_year)
    assert _queries(client, reverse("quality:dashboard")) == few
    assert few <= 20


def test_trajectory_queries_do_not_grow_with_contracts(client_for, world):
    client = client_for(world.users["staff"])
    computation.compute_indicators(year=world.academic_year)
    few = _queries(client, url("trajectory", world))
    for _ in range(4):
        ContractFactory(diploma=world.mine.diploma, apprentice__organisation=world.organisation)
    computation.compute_indicators(year=world.academic_year)
    assert _queries(client, url("trajectory", world)) == few


def test_the_trajectorys_history_reads_every_year_in_the_queries_of_one(client_for, world):
    """Each year of the history as the trajectory of that year reads, frozen for a closed year; the
    page's queries do not grow with the years (they are evaluated together)."""
    client = client_for(world.users["admin"])
    this_year = world.academic_year
    computation.compute_indicators(year=this_year)
    few = _queries(client, url("trajectory", world))
    last_year = AcademicYearFactory(start_year=this_year.start_date.year - 1)
    closed_year = AcademicYearFactory(start_year=this_year.start_date.year - 2)
    for year in (last_year, closed_year):
        ContractFactory(
            diploma=world.mine.diploma,
            apprentice__organisation=world.organisation,
            start_date=year.start_date,
            planned_end_date=year.end_date,
        )
        computation.compute_indicators(year=year)
    meet(world.mine.diploma, last_year, "3.3")
    campaigns.close_campaign(organisation_id=world.organisation.pk, year=closed_year, by=world.users["admin"])

    assert _queries(client, url("trajectory", world)) == few
    response = client.get(url("trajectory", world))
    history = response.context["history"]
    assert [(row["year"], row["closed"]) for row in history] == [
        (closed_year, True),
        (last_year, False),
        (this_year, False),
    ]
    for row in history:
        shown = client.get(url("trajectory", world, year=row["year"])).context["data"]
        assert row["perimeters"] == [
            {"code": p["code"], "label": p["label"], "stage": p["stage"]}
            for poste in shown["postes"]
            for p in poste["perimeters"]
        ], row["year"]
    assert history[1]["perimeters"] != history[2]["perimeters"]  # 3.3 met last year only


# The trajectory page ----------------------------------------------------------------------------


def test_trajectory_explains_levels_and_links_every_figure_to_its_records(client_for, world):
    computation.compute_indicators(year=world.academic_year)
    response = client_for(world.users["staff"]).get(url("trajectory", world))
    page = text_of(response)
    assert "Sous le socle" in page
    assert "Prochaine étape : Socle" in page
    assert "Comité de pilotage de l'année tenu, son compte rendu déposé" in page
    body = response.content.decode()
    assert url("indicator_records", world, "two_meetings_rule") in body
    assert url("indicator_records", world, "rupture_rate") in body


def test_records_page_lists_the_rows_behind_the_figure(client_for, world):
    ContractFactory(diploma=world.mine.diploma, apprentice__organisation=world.organisation)
    computation.compute_indicators(year=world.academic_year)
    stored = IndicatorValue.objects.get(
        diploma=world.mine.diploma, academic_year=world.academic_year, indicator="rupture_rate"
    )
    response = client_for(world.users["head_of_diploma"]).get(url("indicator_records", world, "rupture_rate"))
    assert len(response.context["records"]) == stored.denominator == 2
    assert response.context["counted"] == stored.numerator
    assert "effectif insuffisant" in text_of(response).lower()


# Thresholds, jalons, followed indicators, attestations ----------------------------------------


def test_a_head_raises_a_socle_threshold_with_a_reason(client_for, world):
    requirement = Requirement.objects.get(code="p2-missions-sous-une-semaine")
    client = client_for(world.users["head_of_diploma"])
    response = client.post(
        url("thresholds", world),
        {"requirement": requirement.pk, "value": "95", "reason": "Objectif du comité"},
    )
    assert response.status_code == 302
    version = Threshold.objects.get()
    assert (version.value, version.previous_value, version.version, version.changed_by) == (
        95,
        90,
        1,
        world.users["head_of_diploma"],
    )


@pytest.mark.parametrize(
    ("value", "reason", "field", "message"),
    [
        ("80", "Trop dur", "value", "pas l'abaisser"),
        ("beaucoup", "Motif", "value", "doit être un nombre"),
        ("95", "   ", "reason", "Ce champ est obligatoire."),
        ("90", "Inchangé", "value", "déjà de 90"),
    ],
    ids=["below-the-floor", "not-a-number", "no-reason", "same-value"],
)
def test_a_refused_threshold_is_shown_at_its_row_and_nothing_is_written(
    client_for, world, value, reason, field, message
):
    """The refusal comes back on the thresholds page, at the field of the row that was sent (what was
    typed kept, the field marked invalid), and the error summary at the top leads there."""
    requirement = Requirement.objects.get(code="p2-missions-sous-une-semaine")
    events = AuditEvent.objects.count()
    response = client_for(world.users["staff"]).post(
        url("thresholds", world), {"requirement": requirement.pk, "value": value, "reason": reason}
    )
    assert response.status_code == 400
    html = response.content.decode()
    anchor = f"seuil-{requirement.pk}-{field}"
    [(href, text)] = summary_links(html)
    assert href == f"#{anchor}" and message in text
    tag = re.search(rf'<input[^>]*id="{anchor}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in tag
    assert f'id="{anchor}_error"' in html
    assert f'value="{value}"' in re.search(
        rf'<input[^>]*id="seuil-{requirement.pk}-value"[^>]*>', html
    ).group(0)
    # The other rows keep their empty fields.
    assert html.count('aria-invalid="true"') == 1
    assert not Threshold.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_jalon_is_posed_with_its_requirement_and_refused_without(client_for, world):
    client = client_for(world.users["head_of_diploma"])
    perimeter = Requirement.objects.get(code="p3-deux-rencontres").item.perimeters.get(code="3.2")
    base = {
        "perimeter": perimeter.pk,
        "title": "Comptes rendus lus",
        "exigences-TOTAL_FORMS": "3",
        "exigences-INITIAL_FORMS": "0",
        "exigences-MIN_NUM_FORMS": "0",
        "exigences-MAX_NUM_FORMS": "6",
    }
    empty = {f"exigences-{i}-kind": "computed" for i in range(3)}
    response = client.post(url("milestone_create", world), {**base, **empty})
    # The refusal is in the error summary above the form, not in a message after a redirect.
    summary = re.search(r"<div[^>]*data-error-summary[^>]*>(.*?)</div>", response.content.decode(), re.S)
    assert summary and "au moins une exigence" in summary.group(1)
    assert not Milestone.objects.exists()

    filled = {
        **empty,
        "exigences-0-label": "Comptes rendus lus",
        "exigences-0-indicator": "visit_reports_acknowledged",
        "exigences-0-comparison": ">=",
        "exigences-0-threshold": "70",
    }
    response = client.post(url("milestone_create", world), {**base, **filled})
    assert response.status_code == 302
    milestone = Milestone.objects.get()
    assert (milestone.rank, milestone.perimeter.code) == (1, "3.2")
    assert milestone.requirements.get().threshold == 70


def test_followed_indicators_are_saved(client_for, world):
    client = client_for(world.users["staff"])
    codes = ["rupture_rate", "success_rate", "two_meetings_rule", "sheets_on_time", "tutors_trained"]
    assert client.post(url("followed_indicators", world), {"indicators": codes}).status_code == 302
    computation.compute_indicators(year=world.academic_year)
    value = IndicatorValue.objects.get(diploma=world.mine.diploma, indicator="followed_indicators")
    assert value.value == 5


def test_a_checklist_point_is_attested_then_withdrawn(client_for, world):
    requirement = Requirement.objects.get(code="p3-secretariat")
    client = client_for(world.users["staff"])
    response = client.post(
        url("attest", world, requirement.pk), {"statement": "Secrétariat de Mme Martin", "perimetre": "3.2"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#p-3.2")
    attestation = Attestation.objects.get()
    assert attestation.attested_by == world.users["staff"]
    client.post(reverse("quality:attestation_withdraw", args=[attestation.pk]), {"perimetre": "3.2"})
    attestation.refresh_from_db()
    assert attestation.withdrawn_at is not None


def test_an_attestation_without_statement_is_refused_at_its_field(client_for, world):
    """The trajectory comes back with the error at the very form that was sent (a point may be offered
    twice: in « La suite » and in its level), and the summary at the top leads to it."""
    requirement = Requirement.objects.get(code="p3-secretariat")
    client = client_for(world.users["staff"])
    page = client.get(url("trajectory", world)).content.decode()
    forms = re.findall(rf'id="attest-([^"]*)-{requirement.pk}-statement"', page)
    assert forms, "the point is offered for attestation"
    perimeter, level = forms[-1].rsplit("-", 1)

    response = client.post(
        url("attest", world, requirement.pk), {"statement": " ", "perimetre": perimeter, "niveau": level}
    )

    assert response.status_code == 400
    html = response.content.decode()
    anchor = f"attest-{perimeter}-{level}-{requirement.pk}-statement"
    assert summary_links(html) == [(f"#{anchor}", "Comment ce point est tenu : Ce champ est obligatoire.")]
    assert 'aria-invalid="true"' in re.search(rf'<input[^>]*id="{anchor}"[^>]*>', html).group(0)
    assert html.count('aria-invalid="true"') == 1
    assert not Attestation.objects.exists()


def test_an_attestation_from_a_forged_form_is_refused_and_says_why(client_for, world):
    requirement = Requirement.objects.get(code="p3-secretariat")
    response = client_for(world.users["staff"]).post(
        url("attest", world, requirement.pk), {"statement": "x" * 501, "perimetre": "zz", "niveau": "<b>"}
    )
    assert response.status_code == 400
    [(_href, text)] = summary_links(response.content.decode())
    assert "500 caractères" in text
    assert not Attestation.objects.exists()


# Evidence and meetings -------------------------------------------------------------------------


def _evidence_post(world, **overrides):
    data = {
        "diploma": world.mine.diploma.pk,
        "academic_year": world.academic_year.pk,
        "kind": "satisfaction_survey",
        "title": "Enquête de satisfaction",
        "file": pdf("enquete.pdf"),
        "attested_on": world.academic_year.start_date + datetime.timedelta(days=40),
        "valid_until": "",
    }
    data.update(overrides)
    return data


def test_evidence_is_uploaded_then_downloaded_only_by_who_sees_the_diploma(client_for, world):
    client = client_for(world.users["head_of_diploma"])
    response = client.post(reverse("quality:evidence_create"), _evidence_post(world))
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.extension, evidence.content_type, evidence.size) == (".pdf", "application/pdf", len(PDF))
    assert evidence.file.name.startswith(f"quality/{world.organisation.pk}/")
    assert "enquete" not in evidence.file.name
    download = client.get(reverse("quality:evidence_download", args=[evidence.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    close_file_response(download)
    other_head = UserFactory(organisation=world.organisation, roles=[Role.HEAD_OF_DIPLOMA])
    assert (
        client_for(other_head).get(reverse("quality:evidence_download", args=[evidence.pk])).status_code
        == 404
    )
    outsider = world.users["company_tutor"]
    assert (
        client_for(outsider).get(reverse("quality:evidence_download", args=[evidence.pk])).status_code == 404
    )


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: SimpleUploadedFile("rapport.pdf", b"MZ\x90\x00 not a pdf"), "n'est pas un document PDF"),
        (lambda: SimpleUploadedFile("virus.exe", PDF), "Formats acceptés"),
        (lambda: SimpleUploadedFile("vide.pdf", b""), "vide"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_stored(client_for, world, settings, upload, message):
    response = client_for(world.users["staff"]).post(
        reverse("quality:evidence_create"), _evidence_post(world, file=upload())
    )
    assert response.status_code == 200
    assert message in text_of(response)
    assert not Evidence.objects.exists()
    assert not (settings.MEDIA_ROOT / "quality").exists() or not any(
        (settings.MEDIA_ROOT / "quality").rglob("*.*")
    )


def test_a_file_over_the_limit_is_refused(client_for, world, settings):
    settings.QUALITY_EVIDENCE_MAX_BYTES = 20
    response = client_for(world.users["staff"]).post(
        reverse("quality:evidence_create"), _evidence_post(world)
    )
    assert "la limite est de" in text_of(response)
    assert not Evidence.objects.exists()


def test_a_meeting_is_recorded_with_its_minutes(client_for, world):
    client = client_for(world.users["head_of_diploma"])
    held = world.academic_year.start_date + datetime.timedelta(days=60)
    response = client.post(
        reverse("quality:meeting_create"),
        {
            "kind": "steering",
            "title": "Comité de pilotage annuel",
            "held_on": held.isoformat(),
            "diplomas": [world.mine.diploma.pk],
            "attendance": "14",
            "attendees": "Délégués apprentis, maîtres d'apprentissage, branche",
            "minutes": pdf("pv-copil.pdf"),
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.minutes.kind == "copil_minutes"
    computation.compute_indicators(year=world.academic_year)
    value = IndicatorValue.objects.get(diploma=world.mine.diploma, indicator="steering_committee")
    assert (value.numerator, value.value) == (1, 1)
    assert client.get(reverse("quality:meeting_detail", args=[meeting.pk])).status_code == 200
    assert (
        client_for(world.users["apprentice"])
        .get(reverse("quality:meeting_detail", args=[meeting.pk]))
        .status_code
        == 404
    )


def test_meeting_list_filters_by_type_and_diploma(client_for, world):
    client = client_for(world.users["staff"])
    response = client.get(reverse("quality:meeting_list") + "?type=nonsense&formation=abc")
    assert response.status_code == 200


# Recomputation and campaigns --------------------------------------------------------------------


def test_recompute_runs_and_a_second_one_is_refused_while_one_is_active(
    client_for, world, django_capture_on_commit_callbacks
):
    client = client_for(world.users["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("quality:recompute"), {"annee": world.academic_year.label})
    assert ComputationRun.objects.get().status == ComputationRun.Status.DONE
    assert IndicatorValue.objects.filter(diploma=world.mine.diploma).exists()
    ComputationRun.objects.create(  # a worker on it: its lease is live (core.jobs)
        organisation=world.organisation,
        academic_year=world.academic_year,
        status=ComputationRun.Status.RUNNING,
        lease_token="vivant",
        lease_expires_at=timezone.now() + datetime.timedelta(minutes=1),
    )
    response = client.post(reverse("quality:recompute"), {"annee": world.academic_year.label}, follow=True)
    assert "déjà en cours" in text_of(response)
    assert ComputationRun.objects.count() == 2
    run = ComputationRun.objects.filter(status=ComputationRun.Status.RUNNING).get()
    status = client.get(reverse("quality:run_status", args=[run.pk])).json()
    assert status["status"] == "running"


def test_an_admin_closes_a_finished_year_and_the_snapshot_is_shown(client_for, world):
    past = AcademicYearFactory(
        label="2019-2020", start_date=datetime.date(2019, 9, 1), end_date=datetime.date(2020, 8, 31)
    )
    staff = client_for(world.users["staff"])
    response = staff.post(reverse("quality:campaign_close", args=[past.label]), follow=True)
    assert "Seul un administrateur" in text_of(response)
    assert not Campaign.objects.exists()
    admin = client_for(world.users["admin"])
    admin.post(reverse("quality:campaign_close", args=[past.label]))
    campaign = Campaign.objects.get()
    assert {d["diploma"]["code"] for d in campaign.snapshot["diplomas"]} >= {world.mine.diploma.code}
    page = admin.get(reverse("quality:trajectory", args=[world.mine.diploma.pk, past.label]))
    assert "instantané figé" in text_of(page)
    requirement = Requirement.objects.get(code="p2-missions-sous-une-semaine")
    response = admin.post(
        reverse("quality:thresholds", args=[world.mine.diploma.pk, past.label]),
        {"requirement": requirement.pk, "value": "95", "reason": "x"},
    )
    assert response.status_code == 404
    assert not Threshold.objects.exists()


def test_closing_the_running_year_is_refused(client_for, world):
    response = client_for(world.users["admin"]).post(
        reverse("quality:campaign_close", args=[world.academic_year.label]), follow=True
    )
    assert "n'est pas terminée" in text_of(response)
    assert not Campaign.objects.exists()


def test_a_head_downloads_the_establishments_evidence_but_not_another_organisations(client_for, world):
    client_for(world.users["staff"]).post(
        reverse("quality:evidence_create"), _evidence_post(world, diploma="")
    )
    evidence = Evidence.objects.get(diploma__isnull=True)
    head = client_for(world.users["head_of_diploma"])
    response = head.get(reverse("quality:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    close_file_response(response)
    foreign_head = world.foreign.diploma.heads.get()
    assert (
        client_for(foreign_head).get(reverse("quality:evidence_download", args=[evidence.pk])).status_code
        == 404
    )
