"""What the mission description's service tests share: their world (one contract, and a head of
another diploma of the same CFA), the text a writer saves, and a fresh copy from the database."""

import datetime

import pytest
from django.utils import timezone

from core.models import Role
from livret.models import MissionDescription
from tests.apprentices.factories import DiplomaFactory
from tests.core.factories import UserFactory
from tests.livret.factories import MISSION_TEXT, mission_in, small_world

MissionStatus = MissionDescription.Status

NEW_TEXT = {**MISSION_TEXT, "missions": "Pilotage du projet de réimplantation de l'atelier."}


@pytest.fixture
def world(db):
    """One contract and its people, and a head of another diploma of the same CFA."""
    world = small_world()
    other_head = UserFactory(organisation=world.organisation, roles=[Role.HEAD_OF_DIPLOMA])
    DiplomaFactory(organisation=world.organisation, heads=[other_head])
    world.users["other_head"] = other_head
    other_head.__dict__.pop("roles", None)
    return world


def fresh(mission):
    return MissionDescription.objects.get(pk=mission.pk)


def submitted_days_ago(world, days):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    MissionDescription.objects.filter(pk=mission.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=days)
    )
    return fresh(mission)
