"""A head's decision on a mission description is mailed to the apprentice and the company tutor; the
staff's « Relancer le responsable » mails the heads and names them (not offered without a head); after a
decision a head goes straight to the next description waiting for them."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, Role
from livret import waiting
from livret.models import MissionDescription
from livret.services import missions as services
from tests.apprentices.factories import ApprenticeFactory, ContractFactory
from tests.core.factories import UserFactory
from tests.helpers import messages_of, text_of
from tests.livret.factories import mission_in, small_world
from tests.livret.missions_support import MissionStatus, fresh


@pytest.fixture
def world(db):
    return small_world()


def second_contract(world):
    """Another apprentice of the same diploma (so of the same head), with their account."""
    mine = world.mine
    apprentice = ApprenticeFactory(
        organisation=world.organisation,
        cohort=mine.apprentice.cohort,
        user=UserFactory(organisation=world.organisation, roles=[Role.APPRENTICE]),
    )
    return ContractFactory(
        apprentice=apprentice,
        employer=mine.employer,
        company_tutor=mine.company_tutor,
        school_tutor=mine.school_tutor,
        diploma=mine.diploma,
    )


# Decision mails ------------------------------------------------------------------------------------------


def test_a_validation_is_mailed_to_the_apprentice_and_the_company_tutor(
    world, django_capture_on_commit_callbacks
):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    head = world.users["head_of_diploma"]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.validate(mission=mission, by=head, comment="Missions conformes.")

    contract = world.mine.contract
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [contract.apprentice.user.email, contract.company_tutor.email]
    )
    for message in mail.outbox:
        assert "validée" in message.subject
        assert head.get_full_name() in message.body
        assert "Missions conformes." in message.body
        assert mission.get_absolute_url() in message.body


def test_a_return_is_mailed_with_the_heads_comment(world, django_capture_on_commit_callbacks):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.return_mission(
            mission=mission, by=world.users["head_of_diploma"], comment="Précisez le projet."
        )

    assert len(mail.outbox) == 2
    assert all("à reprendre" in m.subject and "Précisez le projet." in m.body for m in mail.outbox)


# After a decision, the next one -------------------------------------------------------------------------


def test_after_a_decision_a_head_goes_to_the_next_description_waiting(client, world):
    first = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    other = second_contract(world)
    following = mission_in(other, MissionStatus.SUBMITTED, writer=other.apprentice.user)
    MissionDescription.objects.filter(pk=following.pk).update(submitted_at=timezone.now())
    MissionDescription.objects.filter(pk=first.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=3)
    )
    client.force_login(world.users["head_of_diploma"])

    response = client.post(reverse("livret:mission_validate", args=[first.pk]), {"comment": ""})

    assert response["Location"] == following.get_absolute_url()
    response = client.post(reverse("livret:mission_return", args=[following.pk]), {"comment": "Précisez."})
    assert response["Location"] == reverse("livret:mission_list")
    assert messages_of(response)[-1] == "Plus aucune description n'attend votre décision."


def test_a_refused_decision_goes_back_to_the_description(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.VALIDATED)
    client.force_login(world.users["head_of_diploma"])

    response = client.post(reverse("livret:mission_validate", args=[mission.pk]), {"comment": ""})

    assert response["Location"] == mission.get_absolute_url()


# « Relancer le responsable » ----------------------------------------------------------------------------


def test_staff_remind_the_head_who_is_named_and_mailed(client, world, django_capture_on_commit_callbacks):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    head = world.users["head_of_diploma"]
    client.force_login(world.users["staff"])
    page = client.get(mission.get_absolute_url())
    assert f"Relancer {head.get_full_name()}" in text_of(page)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("livret:mission_remind", args=[mission.pk]))

    assert response["Location"] == mission.get_absolute_url()
    assert messages_of(response) == [
        "Relance envoyée.",
        f"{head.get_full_name()} a reçu la relance par message électronique.",
    ]
    [message] = mail.outbox
    assert message.to == [head.email]
    assert "relance" in message.subject
    assert str(world.mine.apprentice) in message.subject
    assert mission.get_absolute_url() in message.body
    assert world.users["staff"].get_full_name() in message.body
    event = AuditEvent.objects.get(action="livret.missiondescription.reminded")
    assert event.data["heads"] == [head.email]


def test_a_second_reminder_the_same_day_is_refused(client, world, django_capture_on_commit_callbacks):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    client.force_login(world.users["staff"])
    client.post(reverse("livret:mission_remind", args=[mission.pk]))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("livret:mission_remind", args=[mission.pk]))

    assert messages_of(response)[-1].startswith("Le responsable a déjà été relancé le ")
    assert mail.outbox == []


def test_without_a_head_the_reminder_is_not_offered_and_is_refused(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    world.mine.diploma.heads.clear()
    client.force_login(world.users["staff"])

    page = client.get(mission.get_absolute_url())

    assert reverse("livret:mission_remind", args=[mission.pk]) not in page.content.decode()
    assert "Cette formation n'a pas de responsable de formation" in text_of(page)
    response = client.post(reverse("livret:mission_remind", args=[mission.pk]))
    assert messages_of(response)[-1] == "Cette formation n'a pas de responsable de formation à relancer."
    assert not AuditEvent.objects.filter(action="livret.missiondescription.reminded").exists()


@pytest.mark.parametrize("role", ["apprentice", "company_tutor", "school_tutor", "head_of_diploma"])
def test_only_staff_remind(client, world, role):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    client.force_login(world.users[role])

    assert (
        reverse("livret:mission_remind", args=[mission.pk])
        not in client.get(mission.get_absolute_url()).content.decode()
    )
    client.post(reverse("livret:mission_remind", args=[mission.pk]))
    assert not AuditEvent.objects.filter(action="livret.missiondescription.reminded").exists()
    assert fresh(mission).status == MissionStatus.SUBMITTED


def test_the_staff_inbox_names_the_head_to_remind_or_says_there_is_none(world):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    MissionDescription.objects.filter(pk=mission.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=10)
    )
    staff = world.users["staff"]
    head = world.users["head_of_diploma"]

    [item] = [i for i in waiting.todo_for(staff) if i["key"] == "mission.overdue"]
    assert item["verb"] == f"Relancer {head.get_full_name()} (plus de 7 jours)"

    world.mine.diploma.heads.clear()
    [item] = [i for i in waiting.todo_for(staff) if i["key"] == "mission.overdue"]
    assert item["verb"] == "Aucun responsable de formation à relancer"
