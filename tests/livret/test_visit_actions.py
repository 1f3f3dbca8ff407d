"""Closing a follow-up action between visits through the services: who may, and what is refused."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent
from core.workflow import Refusal
from livret.services import visits as services
from tests.conftest import ROLES
from tests.livret import visits_support
from tests.livret.factories import ActionItemFactory
from tests.livret.visits_support import EVENT, PLANNERS, TODAY, VisitStatus, snapshot, visit_in

# Shared fixtures: pytest finds a fixture by its name in the test module.
world = visits_support.world


# Actions -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(PLANNERS))
def test_school_tutor_and_staff_close_an_action_between_visits(world, role):
    earlier = visit_in(world, VisitStatus.REPORTED, planned_date=TODAY() - datetime.timedelta(days=20))
    action = ActionItemFactory(opened_in=earlier)

    services.close_action(action=action, by=world.users[role], done_on=TODAY())

    action.refresh_from_db()
    assert (action.done_on, action.closed_by, action.closed_in) == (TODAY(), world.users[role], None)
    event = AuditEvent.objects.get(action=EVENT["close"], target_id=earlier.pk)
    assert event.data["action"] == action.pk


def test_closing_an_action_is_refused_to_other_roles_for_a_closed_one_and_for_bad_dates(world):
    earlier = visit_in(world, VisitStatus.REPORTED, planned_date=TODAY() - datetime.timedelta(days=20))
    action = ActionItemFactory(opened_in=earlier)
    closed = ActionItemFactory(opened_in=earlier, done=True)
    before = snapshot(earlier)

    for role in sorted(set(ROLES) - PLANNERS):
        with pytest.raises(PermissionDenied):
            services.close_action(action=action, by=world.users[role], done_on=TODAY())
    with pytest.raises(Refusal) as refused:
        services.close_action(action=closed, by=world.users["school_tutor"], done_on=TODAY())
    assert refused.value.message == "Cette action est déjà close."
    for day, message in [
        (TODAY() + datetime.timedelta(days=1), "Une action ne peut être faite dans le futur."),
        (earlier.held_on - datetime.timedelta(days=1), "L'action a été décidée le"),
    ]:
        with pytest.raises(ValidationError) as refused:
            services.close_action(action=action, by=world.users["school_tutor"], done_on=day)
        assert refused.value.message_dict["done_on"][0].startswith(message)

    assert snapshot(earlier) == before
