"""Services hand work to Celery by the task's name, once their transaction commits."""

import pytest
from celery.exceptions import NotRegistered
from django.core import mail
from django.db import transaction

from core.queue import enqueue
from tests.core.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_a_task_queued_by_name_runs_once_the_transaction_commits():
    user = UserFactory(password=None)

    with transaction.atomic():
        enqueue("core.tasks.send_invitation", user.pk)
        assert mail.outbox == []

    assert [message.to for message in mail.outbox] == [[user.email]]


@pytest.mark.django_db(transaction=True)
def test_a_task_queued_in_a_transaction_that_rolls_back_never_runs():
    user = UserFactory(password=None)

    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue("core.tasks.send_invitation", user.pk)
        raise RuntimeError("the change fails")

    assert mail.outbox == []


def test_an_unknown_task_name_is_refused_at_once():
    with pytest.raises(NotRegistered):
        enqueue("core.tasks.no_such_task", 1)
