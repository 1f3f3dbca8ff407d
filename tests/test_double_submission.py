"""Every create form sent twice with the same one-time token (a double click) creates one row: the second
POST creates nothing and goes to what the first created, with a French message."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.template import Context, Template
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from apprentices.models import Apprentice, Contract
from core import submissions
from core.models import FormSubmission, User
from employers.models import Employer
from interop.models import ImportReport
from jobs.models import JobOffer
from livret.models import Evaluation, MissionDescription, VisitReport
from quality.models import Attestation, Campaign, ComputationRun, Evidence, Meeting, Milestone, Requirement
from reports.models import Export
from surveys.models import Campaign as SurveyCampaign
from surveys.models import Questionnaire
from tests.apprentices.test_apprentice_pages import new_apprentice_data
from tests.apprentices.test_contract_pages import new_contract_data
from tests.core.factories import AcademicYearFactory
from tests.employers.test_employer_pages import new_employer_data
from tests.helpers import messages_of
from tests.interop.factories import csv_bytes, row
from tests.livret.factories import competence_framework
from tests.livret.test_evaluation_contract_pages import started_period
from tests.quality.test_pages import pdf
from tests.surveys.factories import own_copy

SENT_ALREADY = "Ce formulaire a déjà été envoyé."


@dataclass
class Case:
    role: str
    url: Callable  # world -> URL
    data: Callable  # world -> POST data (built anew for each POST: a file is read once)
    model: type[models.Model]
    prepare: Callable = lambda world: None


def _milestone_data(world):
    perimeter = Requirement.objects.get(code="p3-deux-rencontres").item.perimeters.get(code="3.2")
    return {
        "perimeter": perimeter.pk,
        "title": "Comptes rendus lus",
        "exigences-TOTAL_FORMS": "1",
        "exigences-INITIAL_FORMS": "0",
        "exigences-MIN_NUM_FORMS": "0",
        "exigences-MAX_NUM_FORMS": "6",
        "exigences-0-kind": "computed",
        "exigences-0-label": "Comptes rendus lus",
        "exigences-0-indicator": "visit_reports_acknowledged",
        "exigences-0-comparison": ">=",
        "exigences-0-threshold": "70",
    }


def _quality_url(name, extra=lambda world: []):
    return lambda world: reverse(
        f"quality:{name}", args=[world.mine.diploma.pk, world.academic_year.label, *extra(world)]
    )


def _failed_export(world):
    return Export.objects.create(
        requested_by=world.users["staff"],
        organisation=world.organisation,
        kind=Export.Kind.CSV,
        params={"list": "apprentices", "query": ""},
        title="Apprentis",
        filename="apprentis.csv",
        status=Export.Status.FAILED,
    )


PAST_YEAR = "2019-2020"

CASES = {
    "apprentice": Case(
        "staff", lambda w: reverse("apprentices:apprentice_create"), new_apprentice_data, Apprentice
    ),
    "contract": Case("staff", lambda w: reverse("apprentices:contract_create"), new_contract_data, Contract),
    "employer": Case(
        "staff", lambda w: reverse("employers:employer_create"), lambda w: new_employer_data(), Employer
    ),
    "visit_plan": Case(
        "school_tutor",
        lambda w: reverse("livret:visit_plan", args=[w.mine.contract.pk]),
        lambda w: {"planned_date": timezone.localdate().isoformat(), "mode": "on_site"},
        VisitReport,
    ),
    "mission": Case(
        "staff",
        lambda w: reverse("livret:mission_create", args=[w.mine.contract.pk]),
        lambda w: {},
        MissionDescription,
    ),
    "evaluation": Case(
        "school_tutor",
        lambda w: reverse("livret:evaluation_open", args=[w.mine.contract.pk]),
        lambda w: {"period": started_period(w.mine.contract).pk},
        Evaluation,
        prepare=lambda w: competence_framework(w.mine.diploma, blocks=2, per_block=3),
    ),
    "evidence": Case(
        "head_of_diploma",
        lambda w: reverse("quality:evidence_create"),
        lambda w: {
            "diploma": w.mine.diploma.pk,
            "academic_year": w.academic_year.pk,
            "kind": "satisfaction_survey",
            "title": "Enquête de satisfaction",
            "file": pdf("enquete.pdf"),
            "attested_on": w.academic_year.start_date + datetime.timedelta(days=40),
            "valid_until": "",
        },
        Evidence,
    ),
    "meeting": Case(
        "head_of_diploma",
        lambda w: reverse("quality:meeting_create"),
        lambda w: {
            "kind": "steering",
            "title": "Comité de pilotage annuel",
            "held_on": (w.academic_year.start_date + datetime.timedelta(days=60)).isoformat(),
            "diplomas": [w.mine.diploma.pk],
            "attendance": "14",
            "attendees": "Délégués apprentis, maîtres d'apprentissage, branche",
            "minutes": pdf("pv-copil.pdf"),
        },
        Meeting,
    ),
    "milestone": Case("head_of_diploma", _quality_url("milestone_create"), _milestone_data, Milestone),
    "attestation": Case(
        "staff",
        _quality_url("attest", lambda w: [Requirement.objects.get(code="p3-secretariat").pk]),
        lambda w: {"statement": "Secrétariat de Mme Martin", "perimetre": "3.2"},
        Attestation,
    ),
    "recompute": Case(
        "staff",
        lambda w: reverse("quality:recompute"),
        lambda w: {"annee": w.academic_year.label},
        ComputationRun,
    ),
    "campaign": Case(
        "admin",
        lambda w: reverse("quality:campaign_close", args=[PAST_YEAR]),
        lambda w: {},
        Campaign,
        prepare=lambda w: AcademicYearFactory(
            label=PAST_YEAR, start_date=datetime.date(2019, 9, 1), end_date=datetime.date(2020, 8, 31)
        ),
    ),
    "compliance_export": Case(
        "staff",
        lambda w: reverse("reports:compliance_export"),
        lambda w: {"year": w.academic_year.label},
        Export,
    ),
    "csv_export": Case(
        "staff",
        lambda w: reverse("reports:csv_export"),
        lambda w: {"liste": "apprentices", "filtres": ""},
        Export,
    ),
    "effectifs_export": Case(
        "staff",
        lambda w: reverse("reports:effectifs_export"),
        lambda w: {},
        Export,
    ),
    "export_retry": Case(
        "staff",
        lambda w: reverse("reports:export_retry", args=[Export.objects.get(status=Export.Status.FAILED).pk]),
        lambda w: {},
        Export,
        prepare=_failed_export,
    ),
    "import": Case(
        "staff",
        lambda w: reverse("interop:import_home"),
        lambda w: {"file": SimpleUploadedFile("effectifs.csv", csv_bytes([row(1), row(2)]))},
        ImportReport,
    ),
    "invitation": Case(
        "admin",
        lambda w: reverse("invite"),
        lambda w: {
            "email": "nina.petit@exemple.test",
            "first_name": "Nina",
            "last_name": "Petit",
            "roles": ["apprentice"],
        },
        User,
    ),
    "survey_questionnaire": Case(
        "staff",
        lambda w: reverse("surveys:questionnaire_create"),
        lambda w: {"title": "Satisfaction des délégués", "kind": "other", "introduction": ""},
        Questionnaire,
    ),
    "survey_campaign": Case(
        "staff",
        lambda w: reverse("surveys:campaign_create"),
        lambda w: {
            "title": "Satisfaction 2026",
            "questionnaire": Questionnaire.objects.filter(organisation=w.organisation).first().pk,
            "population": "diploma",
            "diploma": w.mine.diploma.pk,
            "academic_year": w.academic_year.pk,
            "opens_on": timezone.localdate().isoformat(),
            "closes_on": (timezone.localdate() + datetime.timedelta(days=20)).isoformat(),
        },
        SurveyCampaign,
        prepare=lambda w: (
            Questionnaire.objects.filter(organisation=w.organisation).exists()
            or own_copy(w.organisation, "satisfaction_apprentice")
        ),
    ),
    "job_offer": Case(
        "company_tutor",
        lambda w: reverse("jobs:offer_create"),
        lambda w: {
            "title": "Technicien méthodes",
            "place": "Albi",
            "contract_type": "cdi",
            "diplomas": [w.mine.diploma.pk],
            "description": "Industrialisation des nouvelles pièces.",
            "how_to_apply": "rh@exemple.test",
            "closes_on": (timezone.localdate() + datetime.timedelta(days=20)).isoformat(),
        },
        JobOffer,
    ),
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _patterns(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.callback


def test_every_create_view_is_sent_once_and_tested_here(world):
    for case in CASES.values():
        case.prepare(world)
    tested = {resolve(case.url(world).split("?")[0]).view_name for case in CASES.values()}
    decorated = {name for name, view in _patterns() if getattr(view, "creates_once", False)}
    named_create = {name for name, _view in _patterns() if name.endswith("_create")}
    assert named_create <= decorated
    assert decorated == tested


@pytest.mark.parametrize("name", CASES)
def test_a_create_form_sent_twice_with_its_token_creates_once(client_for, world, name):
    case = CASES[name]
    case.prepare(world)
    client = client_for(world.users[case.role])
    before = case.model.objects.count()
    token = submissions.new_token()

    first = client.post(case.url(world), {**case.data(world), submissions.FIELD: token})
    assert first.status_code == 302, messages_of(first)
    assert case.model.objects.count() == before + 1, messages_of(first)
    said_first = messages_of(first)
    second = client.post(case.url(world), {**case.data(world), submissions.FIELD: token})

    assert case.model.objects.count() == before + 1
    assert second.status_code == 302 and second["Location"] == first["Location"]
    # The first POST's message is still waiting (no page was shown since): only ours is added.
    assert messages_of(second) == [*said_first, SENT_ALREADY]
    assert FormSubmission.objects.get(token=token).url == first["Location"]


def test_a_form_refused_for_its_fields_keeps_no_token_and_can_be_sent_again(client_for, world):
    client = client_for(world.users["school_tutor"])
    url = reverse("livret:visit_plan", args=[world.mine.contract.pk])
    token = submissions.new_token()

    refused = client.post(url, {"planned_date": "", "mode": "on_site", submissions.FIELD: token})
    assert refused.status_code == 200 and not FormSubmission.objects.exists()
    sent = client.post(
        url, {"planned_date": timezone.localdate().isoformat(), "mode": "on_site", "submission": token}
    )

    assert sent.status_code == 302 and VisitReport.objects.filter(contract=world.mine.contract).count() == 1


def test_another_persons_token_is_refused_and_creates_nothing(client_for, world):
    url = reverse("livret:visit_plan", args=[world.mine.contract.pk])
    data = {"planned_date": timezone.localdate().isoformat(), "mode": "on_site", submissions.FIELD: "x" * 32}
    client_for(world.users["school_tutor"]).post(url, data)
    response = client_for(world.users["staff"]).post(url, data)

    assert VisitReport.objects.filter(contract=world.mine.contract).count() == 1
    assert messages_of(response)[-1] == "Ce formulaire n'est plus valable : rechargez la page et recommencez."


def test_each_rendered_form_has_its_own_token():
    template = Template("{% load platform %}{% submission_field %}")
    first, second = template.render(Context()), template.render(Context())
    assert first.startswith('<input type="hidden" name="submission" value="') and first != second


def test_the_create_pages_carry_the_token(client_for, world):
    client = client_for(world.users["staff"])
    for url in (
        reverse("apprentices:apprentice_create"),
        reverse("livret:visit_plan", args=[world.mine.contract.pk]),
        reverse("interop:import_home"),
        reverse("quality:meeting_create"),
    ):
        assert 'name="submission"' in client.get(url).content.decode(), url


def test_old_tokens_are_purged(world, settings):
    FormSubmission.objects.create(token="a" * 32, user=world.users["staff"])
    later = timezone.now() + datetime.timedelta(hours=settings.FORM_SUBMISSION_RETENTION_HOURS, minutes=1)
    assert submissions.purge(now=timezone.now()) == 0
    assert submissions.purge(now=later) == 1 and not FormSubmission.objects.exists()
