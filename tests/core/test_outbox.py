"""Queued work is written in the caller's transaction (the outbox) and handed to the broker once it
has committed: an unreachable broker delays the work, it never fails the action nor loses the work."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from core import queue
from core.models import OutboxMessage
from core.tasks import hand_over_outbox
from tests.core.factories import UserFactory

UNREACHABLE = "redis://127.0.0.1:1/0"

pytestmark = pytest.mark.django_db


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Run what waits for the commit, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_work_queued_while_the_broker_is_unreachable_waits_in_the_outbox(broker_at, commits):
    broker_at(UNREACHABLE)
    user = UserFactory(password=None)

    with commits(), transaction.atomic():
        queue.enqueue("core.tasks.send_invitation", user.pk)

    message = OutboxMessage.objects.get()
    assert (message.task, message.args, message.attempts) == ("core.tasks.send_invitation", [user.pk], 1)
    assert "127.0.0.1:1" in message.last_error
    assert message.available_at > timezone.now()
    assert queue.waiting_for_broker("core.tasks.send_invitation", user.pk)
    assert mail.outbox == []


def test_work_queued_in_a_transaction_that_rolls_back_leaves_no_message(broker_at, commits):
    broker_at(UNREACHABLE)
    user = UserFactory(password=None)

    with commits(), pytest.raises(RuntimeError), transaction.atomic():
        queue.enqueue("core.tasks.send_invitation", user.pk)
        raise RuntimeError("the change fails")

    assert not OutboxMessage.objects.exists()


def test_a_message_is_deleted_once_the_broker_has_accepted_it(broker_at, commits):
    broker_at("memory://")
    user = UserFactory(password=None)

    with commits(), transaction.atomic():
        queue.enqueue("core.tasks.send_invitation", user.pk)

    assert not OutboxMessage.objects.exists()
    assert not queue.waiting_for_broker("core.tasks.send_invitation", user.pk)


def test_the_beat_task_hands_over_what_waits_once_the_broker_answers(broker_at, commits):
    broker_at(UNREACHABLE)
    user = UserFactory(password=None)
    with commits():
        queue.enqueue("core.tasks.send_invitation", user.pk)
    OutboxMessage.objects.update(available_at=timezone.now() - datetime.timedelta(seconds=1))
    assert hand_over_outbox() == 0
    assert OutboxMessage.objects.get().attempts == 2

    broker_at("memory://")
    OutboxMessage.objects.update(available_at=timezone.now() - datetime.timedelta(seconds=1))

    assert hand_over_outbox() == 1
    assert not OutboxMessage.objects.exists()


def test_a_message_backed_off_is_not_tried_before_its_time(broker_at, commits):
    broker_at(UNREACHABLE)
    user = UserFactory(password=None)
    with commits():
        queue.enqueue("core.tasks.send_invitation", user.pk)
    broker_at("memory://")

    assert hand_over_outbox() == 0
    assert OutboxMessage.objects.get().attempts == 1


def test_without_a_broker_the_work_runs_inline_and_leaves_no_message(commits):
    user = UserFactory(password=None)

    with commits(), transaction.atomic():
        queue.enqueue("core.tasks.send_invitation", user.pk)

    assert [message.to for message in mail.outbox] == [[user.email]]
    assert not OutboxMessage.objects.exists()
