"""Planning a company visit through the services: one start meeting per contract, and dates and modes
that the contract allows."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from livret.services import visits as services
from tests.livret import visits_support
from tests.livret.visits_support import TODAY, snapshot

# Shared fixtures: pytest finds a fixture by its name in the test module.
world = visits_support.world


# Planning ------------------------------------------------------------------------------------------------


def test_a_second_start_meeting_is_refused_in_french_until_the_first_is_cancelled(world):
    tutor = world.users["school_tutor"]
    contract = world.mine.contract
    first = services.plan_visit(
        contract=contract, by=tutor, planned_date=TODAY(), mode="on_site", is_start_meeting=True
    )
    before = snapshot(first)

    with pytest.raises(ValidationError) as refused:
        services.plan_visit(
            contract=contract, by=tutor, planned_date=TODAY(), mode="on_site", is_start_meeting=True
        )

    assert refused.value.message_dict == {
        "is_start_meeting": ["Ce contrat a déjà son entretien de démarrage."]
    }
    assert snapshot(first) == before
    services.cancel_visit(visit=first, by=tutor, reason="Reportée.")
    again = services.plan_visit(
        contract=contract, by=tutor, planned_date=TODAY(), mode="on_site", is_start_meeting=True
    )
    assert again.is_start_meeting


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("planned_date", "before", "Le contrat commence le"),
        ("planned_date", "after", "Le contrat se termine le"),
        ("mode", "teleportation", "Choisissez une modalité de la liste."),
    ],
)
def test_planning_outside_the_contract_or_with_a_bad_mode_is_refused(world, field, value, message):
    contract = world.mine.contract
    values = {"planned_date": TODAY(), "mode": "on_site"}
    if field == "planned_date":
        values[field] = (
            contract.start_date - datetime.timedelta(days=1)
            if value == "before"
            else contract.end_date + datetime.timedelta(days=1)
        )
    else:
        values[field] = value
    before = snapshot()

    with pytest.raises(ValidationError) as refused:
        services.plan_visit(contract=contract, by=world.users["school_tutor"], **values)

    assert refused.value.message_dict[field][0].startswith(message)
    assert snapshot() == before
