"""Recording that the grille d'évaluation was shared with the company (partage de la grille), through
the services: who records it, what is refused, and its correction by staff only."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.models import AuditEvent
from core.workflow import Refusal
from livret.services import evaluations as workflow
from tests.conftest import ROLES
from tests.livret import evaluations_support
from tests.livret.evaluations_support import snapshot

# Shared fixtures: pytest finds a fixture by its name in the test module.
world = evaluations_support.world


# Grid sharing --------------------------------------------------------------------------------------

RECORDERS = {"school_tutor", "staff", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_the_school_tutor_and_staff_record_the_grid_sharing(world, role):
    contract = world.mine.contract
    shared_on = contract.start_date + datetime.timedelta(days=12)
    if role not in RECORDERS:
        before = snapshot()
        with pytest.raises(PermissionDenied, match="notent le partage de la grille"):
            workflow.record_grid_sharing(
                contract=contract, by=world.users[role], shared_on=shared_on, means="meeting"
            )
        assert snapshot() == before
        return

    sharing = workflow.record_grid_sharing(
        contract=contract, by=world.users[role], shared_on=shared_on, means="email"
    )

    assert (sharing.shared_on, sharing.means, sharing.recorded_by) == (shared_on, "email", world.users[role])
    (event,) = AuditEvent.for_object(sharing)
    assert (event.action, event.data) == (
        "livret.gridsharing.recorded",
        {"shared_on": shared_on.isoformat(), "means": "email"},
    )


@pytest.mark.parametrize(
    ("offset", "means", "message"),
    [
        (None, "meeting", "La date du partage ne peut pas être dans le futur."),
        (-61, "meeting", "précède de plus de deux mois le début du contrat"),
        (5, "fax", "Choisissez comment la grille a été partagée."),
    ],
    ids=["future", "too-early", "unknown-means"],
)
def test_a_wrong_sharing_is_refused(world, offset, means, message):
    contract = world.mine.contract
    today = timezone.localdate()
    shared_on = (
        today + datetime.timedelta(days=1)
        if offset is None
        else contract.start_date + datetime.timedelta(days=offset)
    )
    before = snapshot()

    with pytest.raises(ValidationError) as refused:
        workflow.record_grid_sharing(
            contract=contract, by=world.users["school_tutor"], shared_on=shared_on, means=means, today=today
        )

    assert message in " ".join(refused.value.messages)
    assert snapshot() == before


def test_a_sharing_sixty_days_before_the_contract_counts(world):
    contract = world.mine.contract
    day = contract.start_date - datetime.timedelta(days=60)

    sharing = workflow.record_grid_sharing(
        contract=contract, by=world.users["staff"], shared_on=day, means="meeting"
    )

    assert sharing.shared_on == day


def test_the_sharing_is_recorded_once_then_only_staff_corrects_it(world):
    contract = world.mine.contract
    first = contract.start_date + datetime.timedelta(days=40)
    sharing = workflow.record_grid_sharing(
        contract=contract, by=world.users["school_tutor"], shared_on=first, means="meeting"
    )
    before = snapshot()

    with pytest.raises(Refusal, match="seule l'équipe du CFA peut le corriger"):
        workflow.record_grid_sharing(
            contract=contract, by=world.users["school_tutor"], shared_on=contract.start_date, means="meeting"
        )
    assert snapshot() == before

    corrected = workflow.record_grid_sharing(
        contract=contract, by=world.users["staff"], shared_on=contract.start_date, means="meeting"
    )

    assert corrected.pk == sharing.pk
    assert (corrected.shared_on, corrected.recorded_by) == (contract.start_date, world.users["staff"])
    event = AuditEvent.for_object(sharing).first()
    assert (event.action, event.data["changes"]) == (
        "livret.gridsharing.changed",
        {"shared_on": [first.isoformat(), contract.start_date.isoformat()]},
    )
    assert event.changed_fields() == ["partagée le"]
    events = AuditEvent.objects.count()
    workflow.record_grid_sharing(
        contract=contract, by=world.users["staff"], shared_on=contract.start_date, means="meeting"
    )
    assert AuditEvent.objects.count() == events
