"""A campaign from its preparation to its results: created and opened by the staff, each person mailed
a personal link, answered once from it, results on the page, in the PDF and in the CSV; closed once."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import submissions
from core.models import AuditEvent
from surveys import services
from surveys.links import token_for
from surveys.models import Answer, Campaign, Invitation, Kind, Question, Response
from surveys.populations import population
from tests.helpers import messages_of
from tests.surveys.factories import answers_for, leaver, links_in_outbox, opened, own_copy

pytestmark = pytest.mark.django_db


def submit_all(c: Campaign, scale: int = 4) -> None:
    """Every invitation of ``c`` not answered yet answers: ``scale`` everywhere, first choices."""
    questions = list(c.questionnaire.questions.all())
    values = {q.pk: scale for q in questions if q.type == Question.Type.SCALE}
    values |= {q.pk: q.options[0]["code"] for q in questions if q.type == Question.Type.SINGLE}
    for invitation in c.invitations.filter(answered_at__isnull=True):
        services.submit(pk=invitation.pk, token=token_for(invitation), values=values)


def test_staff_prepare_open_and_read_a_campaign_answered_from_the_mailed_link(
    client_for, world, django_capture_on_commit_callbacks
):
    staff = world.users["staff"]
    client = client_for(staff)
    questionnaire = own_copy(world.organisation, Kind.SATISFACTION_APPRENTICE)
    today = timezone.localdate()
    response = client.post(
        reverse("surveys:campaign_create"),
        {
            "title": "Satisfaction 2026",
            "questionnaire": questionnaire.pk,
            "population": Campaign.Population.DIPLOMA,
            "diploma": world.mine.diploma.pk,
            "academic_year": world.academic_year.pk,
            "opens_on": today.isoformat(),
            "closes_on": (today + datetime.timedelta(days=20)).isoformat(),
            submissions.FIELD: submissions.new_token(),
        },
    )
    assert response.status_code == 302, messages_of(response)
    created = Campaign.objects.get(title="Satisfaction 2026")
    assert created.status == Campaign.Status.DRAFT and created.created_by == staff

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("surveys:campaign_open", args=[created.pk]))
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.status == Campaign.Status.OPEN
    invitation = Invitation.objects.get(campaign=created)
    assert invitation.apprentice == world.mine.apprentice and invitation.sent_at is not None
    assert [m.to for m in mail.outbox] == [[world.mine.apprentice.email]]
    [(pk, token)] = links_in_outbox()
    assert pk == invitation.pk

    page = client_for(staff).get(reverse("surveys:campaign_detail", args=[created.pk]))
    assert "0 %" in page.content.decode()

    client.logout()
    url = reverse("surveys:answer", args=[pk, token])
    assert client.get(url).status_code == 200
    text_question = created.questionnaire.questions.get(type=Question.Type.TEXT)
    data = answers_for(created, q1="5", **{f"q{text_question.order}": "Plus de cas pratiques."})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Merci, vos réponses sont enregistrées" in response.content.decode()
    answer = Response.objects.get(campaign=created)
    assert answer.invitation == invitation and answer.diploma == world.mine.diploma
    invitation.refresh_from_db()
    assert invitation.answered_at is not None

    client = client_for(staff)
    page = client.get(reverse("surveys:campaign_detail", args=[created.pk])).content.decode()
    assert "100 %" in page and "Plus de cas pratiques." in page and "<svg" in page
    assert "Note moyenne : 5,0 sur 5" in page
    csv = b"".join(client.get(reverse("surveys:campaign_texts_csv", args=[created.pk])).streaming_content)
    assert "Plus de cas pratiques." in csv.decode("utf-8-sig")
    assert str(world.mine.apprentice.first_name) in csv.decode("utf-8-sig")

    assert client.post(reverse("surveys:campaign_close", args=[created.pk])).status_code == 302
    created.refresh_from_db()
    closed_at = created.closed_at
    events = AuditEvent.objects.count()
    response = client.post(reverse("surveys:campaign_close", args=[created.pk]), follow=True)
    assert "déjà close" in " ".join(messages_of(response))
    created.refresh_from_db()
    assert created.closed_at == closed_at and AuditEvent.objects.count() == events


def test_the_results_pdf_draws_the_distributions(client_for, world):
    c = opened(world)
    submit_all(c)
    response = client_for(world.users["staff"]).get(reverse("surveys:campaign_pdf", args=[c.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_opening_twice_invites_once_and_is_refused(client_for, world):
    c = opened(world)
    mails = len(mail.outbox)
    response = client_for(world.users["staff"]).post(
        reverse("surveys:campaign_open", args=[c.pk]), follow=True
    )
    assert "déjà ouverte" in " ".join(messages_of(response))
    assert c.invitations.count() == 1 and len(mail.outbox) == mails


def test_a_campaign_of_company_tutors_invites_each_tutor_once(world):
    c = opened(world, kind=Kind.SATISFACTION_EMPLOYER, population=Campaign.Population.TUTORS, diploma=None)
    tutors = set(c.invitations.values_list("company_tutor_id", flat=True))
    assert tutors == {world.mine.company_tutor.pk, world.other.company_tutor.pk}


def test_the_campaign_page_runs_the_same_queries_for_more_answers(
    client_for, world, django_capture_on_commit_callbacks
):
    c = opened(world, diploma=None)
    client = client_for(world.users["staff"])
    url = reverse("surveys:campaign_detail", args=[c.pk])

    submit_all(c)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(3):
        contract = leaver(world.mine, ended_on=timezone.localdate())
        contract.status = "active"
        contract.planned_end_date = timezone.localdate() + datetime.timedelta(days=100)
        contract.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(c, population(c))
    submit_all(c)
    assert Answer.objects.filter(response__campaign=c).count() > 0
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).status_code == 200
    assert len(more) == len(few)
