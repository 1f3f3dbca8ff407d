"""Company visits through the services, move by move: who may plan, log, cancel and acknowledge a
visit from which state, what each allowed move records, and who and which states are refused."""

import pytest
from django.core.exceptions import PermissionDenied

from core.models import AuditEvent
from core.workflow import Refusal
from livret.models import VisitReport
from livret.services import visits as services
from tests.conftest import ROLES, build_chain
from tests.livret import visits_support
from tests.livret.visits_support import EVENT, PLANNERS, TODAY, VisitStatus, log, snapshot, visit_in

# Shared fixtures: pytest finds a fixture by its name in the test module.
world = visits_support.world


# Transitions, per role ---------------------------------------------------------------------------------

READERS = {"apprentice", "company_tutor"}


def act(action, visit, user):
    if action == "log":
        return log(visit, user)
    if action == "cancel":
        return services.cancel_visit(visit=visit, by=user, reason="Entreprise fermée.")
    return services.acknowledge(visit=visit, by=user)


@pytest.mark.parametrize("role", sorted(PLANNERS))
def test_school_tutor_and_staff_plan_a_visit(world, role):
    user = world.users[role]

    visit = services.plan_visit(
        contract=world.mine.contract, by=user, planned_date=TODAY(), mode=VisitReport.Mode.VIDEO
    )

    assert (visit.status, visit.mode, visit.is_start_meeting) == (VisitStatus.PLANNED, "video", False)
    assert AuditEvent.objects.get(action=EVENT["plan"], target_id=visit.pk).actor == user


@pytest.mark.parametrize("role", sorted(set(ROLES) - PLANNERS))
def test_other_roles_cannot_plan_and_nothing_changes(world, role):
    before = snapshot()

    with pytest.raises(PermissionDenied) as refused:
        services.plan_visit(
            contract=world.mine.contract, by=world.users[role], planned_date=TODAY(), mode="on_site"
        )

    assert "planifient ses visites" in refused.value.args[0]
    assert snapshot() == before


ALLOWED = {
    ("log", VisitStatus.PLANNED): PLANNERS,
    ("cancel", VisitStatus.PLANNED): PLANNERS,
    ("acknowledge", VisitStatus.REPORTED): READERS,
}


@pytest.mark.parametrize(
    ("action", "source", "role"), [(a, s, r) for (a, s), roles in ALLOWED.items() for r in sorted(roles)]
)
def test_allowed_transition_moves_the_visit_and_records_who_did_it(world, action, source, role):
    user = world.users[role]
    visit = visit_in(world, source)

    act(action, visit, user)

    visit.refresh_from_db()
    assert (
        visit.status
        == {
            "log": VisitStatus.REPORTED,
            "cancel": VisitStatus.CANCELLED,
            "acknowledge": VisitStatus.REPORTED,
        }[action]
    )
    assert AuditEvent.objects.get(action=EVENT[action], target_id=visit.pk).actor == user


@pytest.mark.parametrize(("action", "source"), list(ALLOWED))
def test_roles_not_allowed_are_refused_and_nothing_changes(world, action, source):
    visit = visit_in(world, source)
    before = snapshot(visit)
    refused = [role for role in ROLES if role not in ALLOWED[(action, source)]]

    for role in refused:
        with pytest.raises(PermissionDenied):
            act(action, visit, world.users[role])
        assert snapshot(visit) == before, role


WRONG_STATE = {
    (
        "log",
        VisitStatus.REPORTED,
    ): "Le compte rendu de cette visite est déjà partagé : il se corrige par une nouvelle version.",
    (
        "log",
        VisitStatus.ACKNOWLEDGED,
    ): "Le compte rendu de cette visite est déjà partagé : il se corrige par une nouvelle version.",
    ("log", VisitStatus.CANCELLED): "Cette visite est annulée : elle n'a pas de compte rendu.",
    ("cancel", VisitStatus.REPORTED): "Seule une visite planifiée peut être annulée.",
    ("cancel", VisitStatus.ACKNOWLEDGED): "Seule une visite planifiée peut être annulée.",
    ("cancel", VisitStatus.CANCELLED): "Seule une visite planifiée peut être annulée.",
    ("acknowledge", VisitStatus.PLANNED): "Le compte rendu de cette visite n'est pas encore rédigé.",
    ("acknowledge", VisitStatus.CANCELLED): "Cette visite est annulée : elle n'a pas de compte rendu.",
}


@pytest.mark.parametrize(("action", "state"), list(WRONG_STATE))
def test_transition_from_a_wrong_state_is_refused_for_every_role_and_nothing_changes(world, action, state):
    visit = visit_in(world, state)
    before = snapshot(visit)

    for role in ROLES:
        with pytest.raises(Refusal) as refused:
            act(action, visit, world.users[role])
        assert refused.value.message == WRONG_STATE[(action, state)], role
        assert snapshot(visit) == before, role


def test_an_acknowledged_report_refuses_its_readers_a_second_time_and_others_always(world):
    visit = visit_in(world, VisitStatus.ACKNOWLEDGED)
    before = snapshot(visit)

    for role in ROLES:
        expected = Refusal if role in READERS else PermissionDenied
        with pytest.raises(expected):
            act("acknowledge", visit, world.users[role])
        assert snapshot(visit) == before, role


@pytest.mark.parametrize(
    ("action", "role"),
    [
        ("log", "school_tutor"),
        ("cancel", "school_tutor"),
        ("acknowledge", "apprentice"),
        ("acknowledge", "company_tutor"),
    ],
)
def test_the_same_role_on_another_contract_is_refused(world, action, role):
    source = VisitStatus.REPORTED if action == "acknowledge" else VisitStatus.PLANNED
    visit = visit_in(world, source)
    other = build_chain(world.organisation, world.academic_year, with_accounts=True)
    before = snapshot(visit)

    with pytest.raises(PermissionDenied):
        act(action, visit, getattr(other, role).user)

    assert snapshot(visit) == before
