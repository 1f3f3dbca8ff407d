"""An apprentice's personal data on request: the JSON archive and the PDF, who may download them (the
apprentice, the CFA's team; anybody else a 404), their audit, their query counts."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from apprentices.models import Competence
from core.models import AuditEvent, Signature
from core.workflow.signatures import is_intact
from privacy.export import archive, collect
from reports.models import Export
from tests.conftest import ROLES
from tests.helpers import pdf_reader, pdf_text, text_of
from tests.livret.factories import (
    APPRENTICE_TEXT,
    MISSION_TEXT,
    VISIT_TEXT,
    EvaluationFactory,
    LiaisonSheetFactory,
    RatingFactory,
    VisitReportFactory,
)
from tests.privacy.conftest import APPRENTICE_ADDRESS, APPRENTICE_PHONE, REPRESENTATIVE_EMAIL

EXPORTERS = {"apprentice", "staff", "admin"}


def json_url(apprentice):
    return reverse("privacy:archive_json", args=[apprentice.pk])


def pdf_url(apprentice):
    return reverse("privacy:archive_pdf", args=[apprentice.pk])


def download_json(client, apprentice) -> dict:
    response = client.get(json_url(apprentice))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="donnees-personnelles-')
    assert response["Cache-Control"] == "private, no-store"
    return json.loads(response.content)


def exported_events(apprentice):
    return AuditEvent.for_object(apprentice).filter(action="privacy.personal_data.exported")


# The archive --------------------------------------------------------------------------------------


def test_the_archive_holds_identity_account_representatives_and_contracts(client_for, world, booklet):
    apprentice = booklet["apprentice"]
    data = download_json(client_for(world.users["apprentice"]), apprentice)
    assert data["format"] == "livret-apprentissage/donnees-personnelles/1"
    identity = data["apprentice"]
    assert (identity["first_name"], identity["last_name"]) == ("Léonie", "Durandal")
    assert (identity["phone"], identity["address"], identity["ine"]) == (
        APPRENTICE_PHONE,
        APPRENTICE_ADDRESS,
        "1234567890A",
    )
    assert identity["birth_date"] == "2009-05-17"
    assert data["account"]["email"] == apprentice.user.email
    assert "password" not in data["account"]
    assert [rep["email"] for rep in data["legal_representatives"]] == [REPRESENTATIVE_EMAIL]
    assert [c["id"] for c in data["contracts"]] == [world.mine.contract.pk]
    assert data["contracts"][0]["employer"] == world.mine.employer.legal_name


def test_the_archive_holds_every_document_of_the_booklet_with_its_signatures(client_for, world, booklet):
    data = download_json(client_for(world.users["apprentice"]), booklet["apprentice"])
    sheets = {s["id"]: s for s in data["liaison_sheets"]}
    assert set(sheets) == {booklet["sheet"].pk, booklet["returned"].pk}
    signed = sheets[booklet["sheet"].pk]
    assert signed["activities"] == APPRENTICE_TEXT["activities"]
    recorded = Signature.objects.for_document(booklet["sheet"]).order_by("signed_at", "pk")
    assert [(s["act"], s["signer"], s["sha256"], s["verified"]) for s in signed["signatures"]] == [
        (s.act, s.signer_name, s.content_sha256, True) for s in recorded
    ]
    assert all(s["signed_at"] for s in signed["signatures"])
    assert sheets[booklet["returned"].pk]["return_reason"]
    [visit] = data["visits"]
    assert visit["progress"] == VISIT_TEXT["progress"]
    assert REPRESENTATIVE_EMAIL in [s["signer_email"] for s in visit["signatures"]]
    assert [a["description"] for a in data["visit_actions"]] == ["Planifier un point sur l'ERP"]
    [mission] = data["mission_descriptions"]
    assert mission["project_subject"] == MISSION_TEXT["project_subject"]
    assert [d["comment"] for d in mission["decisions"]] == ["Bravo Léonie, missions conformes."]
    assert [s["act"] for s in mission["signatures"]] == [Signature.Act.VALIDATE]
    [evaluation] = data["evaluations"]
    assert evaluation["ratings"] == [
        {
            "competence": "C1.1 — Analyser un besoin industriel",
            "rater": "tutor",
            "level": 3,
            "level_label": "Acquis",
        }
    ]
    assert [g["id"] for g in data["grid_sharings"]] == [booklet["sharing"].pk]


def test_the_archive_holds_the_audit_events_about_the_person_and_their_documents(client_for, world, booklet):
    data = download_json(client_for(world.users["staff"]), booklet["apprentice"])
    actions = {event["action"] for event in data["audit_events"]}
    assert {"apprentices.apprentice.changed", "apprentices.legalrepresentative.created"} <= actions
    assert "apprentices.contract.created" in actions
    changed = next(e for e in data["audit_events"] if e["action"] == "apprentices.apprentice.changed")
    assert changed["data"]["changes"]["first_name"][1] == "Léonie"
    assert all(event["by"] for event in data["audit_events"])


def test_a_tampered_signature_is_marked_unverified_in_the_archive(world, booklet):
    Signature.objects.for_document(booklet["sheet"]).filter(act=Signature.Act.SUBMIT).update(content="{}")
    data = archive(collect(booklet["apprentice"], by=world.users["staff"]), by=world.users["staff"])
    [sheet] = [s for s in data["liaison_sheets"] if s["id"] == booklet["sheet"].pk]
    verified = [(s["act"], s["verified"]) for s in sheet["signatures"]]
    assert verified == [("submit", False), ("countersign", True)]


def test_each_export_is_audited_and_nothing_is_stored(client_for, world, booklet):
    client = client_for(world.users["staff"])
    download_json(client, booklet["apprentice"])
    download_json(client, booklet["apprentice"])
    events = list(exported_events(booklet["apprentice"]))
    assert len(events) == 2
    assert {(e.actor_id, e.data["format"]) for e in events} == {(world.users["staff"].pk, "json")}
    assert not Export.objects.exists()


@pytest.mark.parametrize("more", [False, True])
def test_the_archive_runs_a_fixed_number_of_queries(
    client_for, world, booklet, more, django_assert_num_queries
):
    if more:
        LiaisonSheetFactory(contract=world.mine.contract, countersigned=True)
        VisitReportFactory(contract=world.mine.contract, acknowledged=True)
        RatingFactory(
            evaluation=EvaluationFactory(contract=world.mine.contract),
            competence=Competence.objects.get(code="C1.1"),
        )
    client = client_for(world.users["staff"])
    client.get(json_url(booklet["apprentice"]))  # warm the content-type cache
    # session, user, roles, apprentice, legal representatives, contracts, the six kinds of documents
    # with three prefetches (decisions and who decided, ratings), signatures, the job offers' link,
    # digests and visits, audit events, the export's own audit event.
    with django_assert_num_queries(21):
        client.get(json_url(booklet["apprentice"]))


# Who may download it ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_archive_answers_the_apprentice_and_the_cfa_team_and_is_a_404_for_the_others(
    client_for, world, role
):
    response = client_for(world.users[role]).get(json_url(world.mine.apprentice))
    assert response.status_code == (200 if role in EXPORTERS else 404)


@pytest.mark.parametrize("role", ["apprentice", "company_tutor", "staff"])
def test_another_apprentices_archive_is_a_404(client_for, world, role):
    """Another apprentice's record, another contract's tutor, another organisation's staff."""
    response = client_for(world.users[role]).get(json_url(world.foreign.apprentice))
    assert response.status_code == 404
    if role != "staff":
        assert client_for(world.users[role]).get(json_url(world.other.apprentice)).status_code == 404


def test_a_refused_download_is_not_audited(client_for, world):
    client_for(world.users["company_tutor"]).get(json_url(world.mine.apprentice))
    assert not exported_events(world.mine.apprentice).exists()


@pytest.mark.parametrize("url", [json_url, pdf_url])
def test_anonymous_visitors_are_sent_to_the_login_page(client, world, url):
    response = client.get(url(world.mine.apprentice))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_downloads_refuse_a_post(client_for, world):
    assert client_for(world.users["staff"]).post(json_url(world.mine.apprentice)).status_code == 405


# The pages that offer it --------------------------------------------------------------------------


def test_the_apprentices_account_pages_offer_their_data(client_for, world):
    client = client_for(world.users["apprentice"])
    assert reverse("privacy:my_data") in client.get(reverse("account_email")).content.decode()
    response = client.get(reverse("privacy:my_data"))
    assert response.status_code == 200
    page = response.content.decode()
    assert json_url(world.mine.apprentice) in page and pdf_url(world.mine.apprentice) in page
    assert "archivées pendant 5 ans" in text_of(response)


@pytest.mark.parametrize("role", ["company_tutor", "school_tutor", "staff"])
def test_only_an_apprentice_has_a_page_of_their_data(client_for, world, role):
    client = client_for(world.users[role])
    assert reverse("privacy:my_data") not in client.get(reverse("account_email")).content.decode()
    assert client.get(reverse("privacy:my_data")).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_the_apprentice_page_offers_the_downloads_to_the_apprentice_and_the_cfa_team_only(
    client_for, world, role
):
    response = client_for(world.users[role]).get(world.mine.apprentice.get_absolute_url())
    assert response.status_code == 200
    assert (json_url(world.mine.apprentice) in response.content.decode()) is (role in EXPORTERS)


# The PDF ------------------------------------------------------------------------------------------


def test_the_pdf_holds_the_identity_the_documents_their_signatures_and_the_journal(
    pdf_ready, client_for, world, booklet
):
    response = client_for(world.users["apprentice"]).get(pdf_url(booklet["apprentice"]))
    assert response.status_code == 200
    disposition = 'attachment; filename="donnees-personnelles-durandal-leonie.pdf"'
    assert response["Content-Disposition"] == disposition
    assert pdf_reader(response.content).metadata.title == "Données personnelles"
    text = pdf_text(response.content)
    flat = text.replace(" ", "")
    for expected in (
        "Léonie Durandal",
        APPRENTICE_ADDRESS,
        REPRESENTATIVE_EMAIL,
        world.mine.employer.legal_name,
        APPRENTICE_TEXT["activities"],
        VISIT_TEXT["progress"],
        MISSION_TEXT["project_subject"],
        "Bravo Léonie, missions conformes.",
        "C1.1 — Analyser un besoin industriel",
        "Journal des opérations",
    ):
        assert expected in text, expected
    for signature in Signature.objects.all():
        assert signature.content_sha256 in flat
        assert is_intact(signature)
    assert "ne correspond pas" not in text
    assert exported_events(booklet["apprentice"]).get().data["format"] == "pdf"


@pytest.mark.parametrize("role", ["company_tutor", "school_tutor", "head_of_diploma"])
def test_the_pdf_is_a_404_for_the_apprentices_tutors_and_heads(client_for, world, role):
    assert client_for(world.users[role]).get(pdf_url(world.mine.apprentice)).status_code == 404
