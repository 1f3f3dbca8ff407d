"""The booklet and visit report PDFs, read back with pypdf: every signed sheet with its signatures and
content hash, the visits, missions and evaluations; who may download them, and their query counts."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apprentices.models import Competence
from core.models import Signature
from livret.models import MissionDecision, Rating
from livret.pdf import booklet_pdf, visit_report_pdf
from tests.conftest import ROLES
from tests.helpers import pdf_reader, pdf_text
from tests.livret.factories import (
    APPRENTICE_TEXT,
    MISSION_TEXT,
    VISIT_TEXT,
    ActionItemFactory,
    CompetenceBlockFactory,
    EvaluationFactory,
    LiaisonSheetFactory,
    MissionDescriptionFactory,
    VisitReportFactory,
)

EXPORTERS = {"apprentice", "head_of_diploma", "staff", "admin"}


def flat(text: str) -> str:
    return text.replace(" ", "")


@pytest.fixture
def booklet(world):
    """On the chain ``mine``: a countersigned sheet, a draft one, an acknowledged visit with an action,
    a validated mission with its decision, an evaluation rated by the tutor."""
    contract = world.mine.contract
    signed = LiaisonSheetFactory(
        contract=contract, countersigned=True, tutor_assessment="Période très réussie."
    )
    LiaisonSheetFactory(contract=contract, activities="Brouillon secret pas encore transmis.")
    visit = VisitReportFactory(
        contract=contract,
        planned_date=timezone.localdate() - datetime.timedelta(days=3),
        acknowledged=True,
    )
    ActionItemFactory(opened_in=visit, contract=contract, description="Planifier un point sur l'ERP")
    mission = MissionDescriptionFactory(contract=contract, validated=True)
    MissionDecision.objects.create(
        mission=mission,
        outcome=MissionDecision.Outcome.VALIDATED,
        submitted_at=mission.submitted_at,
        decided_at=mission.decided_at,
        delay=mission.decided_at - mission.submitted_at,
        decided_by=world.users["head_of_diploma"],
        comment="Missions conformes au référentiel.",
    )
    block = CompetenceBlockFactory(diploma=contract.diploma, code="B1", title="Organiser la production")
    competence = Competence.objects.create(block=block, code="C1.1", title="Analyser un besoin industriel")
    evaluation = EvaluationFactory(contract=contract, tutor_submitted_at=timezone.now())
    Rating.objects.create(
        evaluation=evaluation, competence=competence, rater=Rating.Rater.TUTOR, level=Rating.Level.ACQUIRED
    )
    return {"sheet": signed, "visit": visit, "mission": mission}


def test_the_booklet_pdf_has_every_signed_sheet_with_its_signatures_and_hash(world, booklet):
    apprentice = world.mine.apprentice
    data = booklet_pdf(apprentice, by=world.users["staff"])
    reader = pdf_reader(data)
    assert reader.metadata.title == "Livret d'apprentissage"
    assert reader.metadata.author == world.organisation.name
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    text = pdf_text(data)
    assert str(apprentice) in text
    assert "Contrats" in text and world.mine.employer.legal_name in text
    assert APPRENTICE_TEXT["activities"] in text
    assert "Période très réussie." in text
    assert "Brouillon secret" not in text  # a draft is not signed: not in the booklet
    countersign = Signature.objects.for_document(booklet["sheet"]).get(act=Signature.Act.COUNTERSIGN)
    assert "Contresignature du maître d'apprentissage" in text
    assert f"par {countersign.signer_name}" in text
    assert "lien reçu par message électronique" in text
    assert countersign.content_sha256 in flat(text)
    assert "vérifiée" in text


def test_the_booklet_pdf_has_the_visits_missions_and_evaluations(world, booklet):
    text = pdf_text(booklet_pdf(world.mine.apprentice, by=world.users["apprentice"]))
    for section in ("Fiches de liaison signées", "Visites en entreprise", "Descriptions des missions"):
        assert section in text
    assert "Évaluations des compétences" in text
    assert VISIT_TEXT["integration"] in text
    assert "Planifier un point sur l'ERP" in text
    assert "Prise de connaissance" in text
    assert MISSION_TEXT["project_subject"] in text
    assert "Missions conformes au référentiel." in text and "dans la semaine" in text
    assert "C1.1 — Analyser un besoin industriel" in text and "Acquis" in text


def test_a_tampered_signed_content_is_flagged(world, booklet):
    Signature.objects.for_document(booklet["sheet"]).filter(act=Signature.Act.COUNTERSIGN).update(
        content='{"changed": true}'
    )
    text = pdf_text(booklet_pdf(world.mine.apprentice, by=world.users["staff"]))
    assert "ne correspond pas au contenu enregistré" in text


def test_the_visit_report_pdf_has_the_report_actions_and_acknowledgements(world, booklet):
    visit = booklet["visit"]
    data = visit_report_pdf(visit, by=world.users["school_tutor"])
    assert pdf_reader(data).metadata.title == "Compte rendu de visite en entreprise"
    text = pdf_text(data)
    assert str(world.mine.apprentice) in text
    assert VISIT_TEXT["progress"] in text
    assert "Planifier un point sur l'ERP" in text
    for signature in Signature.objects.for_document(visit):
        assert signature.content_sha256 in flat(text)


# The downloads -----------------------------------------------------------------------------------


def booklet_url(apprentice):
    return reverse("livret:booklet_pdf", args=[apprentice.pk])


def visit_url(visit):
    return reverse("livret:visit_pdf", args=[visit.pk])


@pytest.mark.parametrize("role", ROLES)
def test_the_booklet_pdf_answers_its_exporters_and_is_a_404_for_the_others(client_for, world, role):
    client = client_for(world.users[role])
    for chain in ("mine", "other", "foreign"):
        apprentice = getattr(world, chain).apprentice
        allowed = role in EXPORTERS and (chain == "mine" or (chain == "other" and role in ("staff", "admin")))
        response = client.get(booklet_url(apprentice))
        assert response.status_code == (200 if allowed else 404), (role, chain)
        if allowed:
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"].startswith('attachment; filename="livret-')
            assert str(apprentice) in pdf_text(response.content)


# Session, user, roles, apprentice, then contracts, sheets, visits, missions (and their decisions),
# evaluations (and their ratings), signatures, actions; a head of diploma: one more (is a head of it).
BOOKLET_PDF_QUERIES = 13


@pytest.mark.parametrize("extra", [1, 3])
@pytest.mark.parametrize("role", sorted(EXPORTERS))
def test_the_booklet_pdf_runs_a_fixed_number_of_queries(
    client_for, world, booklet, django_assert_num_queries, role, extra
):
    for _ in range(extra):
        LiaisonSheetFactory(contract=world.mine.contract, reviewed=True)
        VisitReportFactory(contract=world.mine.contract, reported=True)
    client = client_for(world.users[role])
    # Once before counting: the content types are then cached as in a running process, whatever ran
    # before this test.
    client.get(booklet_url(world.mine.apprentice))
    with django_assert_num_queries(BOOKLET_PDF_QUERIES + (role == "head_of_diploma")):
        assert client.get(booklet_url(world.mine.apprentice)).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_the_visit_pdf_answers_whoever_sees_the_visit_once_it_is_held(client_for, world, booklet, role):
    client = client_for(world.users[role])
    response = client.get(visit_url(booklet["visit"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    planned = VisitReportFactory(contract=world.mine.contract)
    assert client.get(visit_url(planned)).status_code == 404
    foreign = VisitReportFactory(contract=world.foreign.contract, reported=True)
    assert client.get(visit_url(foreign)).status_code == 404


# Session, user, roles, visit, contract and its people, signatures, actions.
VISIT_PDF_QUERIES = 7


def test_the_visit_pdf_runs_a_fixed_number_of_queries(client_for, world, booklet, django_assert_num_queries):
    client = client_for(world.users["school_tutor"])
    with django_assert_num_queries(VISIT_PDF_QUERIES):
        assert client.get(visit_url(booklet["visit"])).status_code == 200


def test_the_pages_link_to_their_pdf_for_those_who_may_download_it(client_for, world, booklet):
    apprentice = world.mine.apprentice
    page = client_for(world.users["apprentice"]).get(reverse("livret:booklet", args=[apprentice.pk]))
    assert booklet_url(apprentice) in page.content.decode()
    page = client_for(world.users["company_tutor"]).get(reverse("livret:booklet", args=[apprentice.pk]))
    assert booklet_url(apprentice) not in page.content.decode()
    page = client_for(world.users["company_tutor"]).get(
        reverse("livret:visit_detail", args=[booklet["visit"].pk])
    )
    assert visit_url(booklet["visit"]) in page.content.decode()
