"""Every case of a personal survey link: genuine, altered, for another invitation, already used, past
the close, on a closed campaign. An unusable link says so and records nothing; bad answers are refused
with a message and record nothing."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys import services
from surveys.links import token_for
from surveys.models import Answer, Campaign, Kind, Question, Response
from tests.livret.test_url_walk import tampered
from tests.surveys.factories import answers_for, leaver, opened

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(world):
    return opened(world).invitations.get()


def url(invitation, token=None):
    return reverse("surveys:answer", args=[invitation.pk, token or token_for(invitation)])


def nothing_recorded(invitation):
    invitation.refresh_from_db()
    return invitation.answered_at is None and not Response.objects.exists() and not Answer.objects.exists()


def test_a_genuine_link_opens_the_questionnaire_without_an_account(client, invitation):
    response = client.get(url(invitation))
    assert response.status_code == 200
    assert invitation.campaign.questionnaire.title in response.content.decode()


def test_an_altered_link_is_refused_and_records_nothing(client, invitation):
    data = answers_for(invitation.campaign)
    for method in (client.get, lambda u: client.post(u, data)):
        response = method(url(invitation, tampered(token_for(invitation))))
        assert response.status_code == 400
        assert "modifié" in response.content.decode()
    assert nothing_recorded(invitation)


def test_a_link_of_another_invitation_is_refused(client, world, invitation):
    other = opened(world, diploma=world.other.diploma).invitations.get()
    response = client.post(
        reverse("surveys:answer", args=[invitation.pk, token_for(other)]), answers_for(invitation.campaign)
    )
    assert response.status_code == 400
    assert nothing_recorded(invitation)


def test_a_used_link_says_so_and_records_nothing_more(client, invitation):
    data = answers_for(invitation.campaign)
    assert client.post(url(invitation), data).status_code == 200
    assert Response.objects.count() == 1
    answers = Answer.objects.count()
    response = client.post(url(invitation), answers_for(invitation.campaign, q1="1"))
    assert response.status_code == 410
    assert "déjà répondu" in response.content.decode()
    assert Response.objects.count() == 1 and Answer.objects.count() == answers
    assert client.get(url(invitation)).status_code == 410


def test_a_link_past_the_close_date_has_expired(client, invitation):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Campaign.objects.filter(pk=invitation.campaign_id).update(
        opens_on=yesterday - datetime.timedelta(days=10), closes_on=yesterday
    )
    response = client.post(url(invitation), answers_for(invitation.campaign))
    assert response.status_code == 410
    assert "close" in response.content.decode()
    assert nothing_recorded(invitation)


def test_answering_after_the_campaign_is_closed_changes_nothing(client, world, invitation):
    assert services.close_campaign(campaign=invitation.campaign, by=world.users["staff"])
    assert not services.close_campaign(campaign=invitation.campaign, by=world.users["staff"])
    response = client.post(url(invitation), answers_for(invitation.campaign))
    assert response.status_code == 410
    assert nothing_recorded(invitation)


def test_a_scale_answer_out_of_range_is_refused_with_a_message(client, invitation):
    response = client.post(url(invitation), answers_for(invitation.campaign, q1="7"))
    assert response.status_code == 400
    assert "field__error" in response.content.decode()
    assert nothing_recorded(invitation)


def test_a_missing_required_answer_is_refused(client, invitation):
    data = answers_for(invitation.campaign)
    data.pop(next(iter(data)))
    assert client.post(url(invitation), data).status_code == 400
    assert nothing_recorded(invitation)


def test_a_text_answer_too_long_is_refused_with_a_message(client, invitation):
    text = invitation.campaign.questionnaire.questions.get(type=Question.Type.TEXT)
    response = client.post(url(invitation), {**answers_for(invitation.campaign), f"q{text.pk}": "x" * 2001})
    assert response.status_code == 400
    assert "2000" in response.content.decode()
    assert nothing_recorded(invitation)


def test_the_service_refuses_what_the_form_would_have_caught(invitation):
    scale = invitation.campaign.questionnaire.questions.filter(type=Question.Type.SCALE).first()
    with pytest.raises(services.Refusal, match="1 à 5"):
        services.submit(pk=invitation.pk, token=token_for(invitation), values={scale.pk: 9})
    assert nothing_recorded(invitation)


def test_an_insertion_answer_records_the_situation_and_the_months_to_the_first_job(client, world):
    ended = max(world.academic_year.start_date, timezone.localdate() - datetime.timedelta(days=60))
    leaver(world.mine, ended_on=ended)
    c = opened(world, kind=Kind.INSERTION_6, population=Campaign.Population.LEAVERS, diploma=None)
    invitation = c.invitations.get()
    first_job = ended + datetime.timedelta(days=35)
    data = answers_for(c, situation="employed", contract_type="cdi", first_job_date=first_job.isoformat())
    assert client.post(url(invitation), data).status_code == 200
    response = Response.objects.get()
    assert response.situation == "employed" and response.months_to_job == 1
