"""A database error in the middle of a transition leaves nothing half-written: the document's status,
its signatures, its audit trail and its queued work are as before, and the person gets an error page."""

import pytest
from django.db import DatabaseError
from django.urls import reverse

from core.models import AuditEvent, OutboxMessage, Signature
from livret.models import LiaisonSheet
from tests.livret.factories import APPRENTICE_TEXT, LiaisonSheetFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def state(sheet):
    """What a transition writes (the apprentice's draft text is saved before, on its own)."""
    sheet.refresh_from_db()
    return (
        sheet.status,
        sheet.submitted_at,
        sheet.countersigned_at,
        sheet.tutor_assessment,
        list(Signature.objects.values_list("pk", "act")),
        list(AuditEvent.objects.values_list("pk", "action")),
        list(OutboxMessage.objects.values_list("task", "args")),
    )


def fail_on(monkeypatch, manager, method):
    def broken(*args, **kwargs):
        raise DatabaseError("la base a refusé l'écriture")

    monkeypatch.setattr(manager, method, broken)


@pytest.fixture
def error_pages(client):
    client.raise_request_exception = False
    return client


def test_an_error_on_the_last_write_of_a_transmission_leaves_the_sheet_as_it_was(
    postgresql, world, error_pages, monkeypatch, broker_at, mailoutbox
):
    broker_at("memory://")  # the outbox row is written in the transaction, and fails there
    sheet = LiaisonSheetFactory(contract=world.mine.contract)
    before = state(sheet)
    fail_on(monkeypatch, OutboxMessage.objects, "create")
    error_pages.force_login(world.users["apprentice"])

    response = error_pages.post(
        reverse("livret:sheet_save", args=[sheet.pk]), {**APPRENTICE_TEXT, "revision": 0, "action": "submit"}
    )

    assert response.status_code == 500
    assert state(sheet) == before
    assert sheet.status == LiaisonSheet.Status.DRAFT
    assert mailoutbox == []


def test_an_error_on_the_audit_write_of_a_countersignature_leaves_the_sheet_as_it_was(
    postgresql, world, error_pages, monkeypatch
):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)
    before = state(sheet)
    fail_on(monkeypatch, AuditEvent.objects, "create")
    error_pages.force_login(world.users["company_tutor"])

    response = error_pages.post(
        reverse("livret:sheet_countersign", args=[sheet.pk]), {"tutor_assessment": "Bien.", "confirm": "on"}
    )

    assert response.status_code == 500
    assert state(sheet) == before
    assert sheet.status == LiaisonSheet.Status.SUBMITTED
