"""The insertion surveys open by themselves 6 and 12 months after each leaver's end of contract, once;
reminders go on the configured days until the person answers or the campaign closes."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from surveys import notifications, services, tasks
from surveys.links import token_for
from surveys.models import Campaign, Invitation, Kind
from surveys.populations import add_months
from tests.core.factories import AcademicYearFactory
from tests.surveys.factories import ensure_templates, leaver, opened

pytestmark = pytest.mark.django_db


def test_the_daily_job_is_on_the_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["daily-surveys"]
    assert entry["task"] == "surveys.tasks.daily_surveys"


def run(today):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return tasks.daily_surveys(today.isoformat())


def test_a_leaver_is_invited_six_months_after_the_end_of_the_contract_once(world):
    ensure_templates()
    today = timezone.localdate()
    ended = add_months(today, -6) - datetime.timedelta(days=3)
    AcademicYearFactory(start_year=ended.year if ended.month >= 9 else ended.year - 1)
    contract = leaver(world.mine, ended_on=ended)
    not_yet = leaver(world.mine, ended_on=add_months(today, -6) + datetime.timedelta(days=5))

    assert run(today)["invited"] == 1
    campaign = Campaign.objects.get(organisation=world.organisation)
    assert campaign.questionnaire.kind == Kind.INSERTION_6 and campaign.status == Campaign.Status.OPEN
    invitation = campaign.invitations.get()
    assert invitation.apprentice == contract.apprentice and invitation.reference_date == ended
    assert invitation.sent_at is not None
    assert [m.to for m in mail.outbox] == [[contract.apprentice.email]]

    assert run(today)["invited"] == 0
    assert Campaign.objects.count() == 1 and Invitation.objects.count() == 1 and len(mail.outbox) == 1
    assert not Invitation.objects.filter(apprentice=not_yet.apprentice).exists()


def test_twelve_months_after_the_end_the_twelve_month_campaign_invites_the_leaver(world):
    ensure_templates()
    today = timezone.localdate()
    ended = add_months(today, -12) - datetime.timedelta(days=1)
    AcademicYearFactory(start_year=ended.year if ended.month >= 9 else ended.year - 1)
    contract = leaver(world.mine, ended_on=ended)
    run(today)
    kinds = set(
        Invitation.objects.filter(apprentice=contract.apprentice).values_list(
            "campaign__questionnaire__kind", flat=True
        )
    )
    assert kinds == {Kind.INSERTION_12}
    run(today)
    assert Invitation.objects.filter(apprentice=contract.apprentice).count() == 1


def test_a_leaver_still_under_another_contract_is_not_invited(world):
    ensure_templates()
    today = timezone.localdate()
    ended = add_months(today, -6) - datetime.timedelta(days=1)
    AcademicYearFactory(start_year=ended.year if ended.month >= 9 else ended.year - 1)
    world.mine.contract.planned_end_date = ended
    world.mine.contract.save()
    leaver(world.mine, ended_on=ended)
    assert run(today)["invited"] == 1
    assert not Invitation.objects.filter(apprentice=world.mine.apprentice).exists()


def test_reminders_go_on_the_configured_days_until_the_answer(world, settings):
    settings.SURVEY_REMINDER_DAYS = [7, 14]
    campaign = opened(world, closes_on=timezone.localdate() + datetime.timedelta(days=40))
    invitation = campaign.invitations.get()
    sent = timezone.localdate()
    mail.outbox.clear()
    assert notifications.send_reminders(today=sent + datetime.timedelta(days=6)) == 0
    assert notifications.send_reminders(today=sent + datetime.timedelta(days=7)) == 1
    assert notifications.send_reminders(today=sent + datetime.timedelta(days=7)) == 0
    assert "rappel" in mail.outbox[0].subject and token_for(invitation) in mail.outbox[0].body
    values = {
        q.pk: 4 if q.type == "scale" else q.options[0]["code"]
        for q in campaign.questionnaire.questions.all()
        if q.required
    }
    services.submit(pk=invitation.pk, token=token_for(invitation), values=values)
    assert notifications.send_reminders(today=sent + datetime.timedelta(days=14)) == 0
    assert len(mail.outbox) == 1


def test_no_reminder_once_the_campaign_is_closed(world, settings):
    settings.SURVEY_REMINDER_DAYS = [1]
    campaign = opened(world)
    services.close_campaign(campaign=campaign, by=None)
    mail.outbox.clear()
    assert notifications.send_reminders(today=timezone.localdate() + datetime.timedelta(days=2)) == 0
    assert mail.outbox == []


def test_campaigns_past_their_close_are_closed_by_the_daily_job(world):
    campaign = opened(world, closes_on=timezone.localdate())
    run(timezone.localdate() + datetime.timedelta(days=1))
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED
