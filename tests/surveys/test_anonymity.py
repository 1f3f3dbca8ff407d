"""An anonymous campaign: nothing the staff see or export links an answer to a person. The response
keeps neither the invitation nor the day; the pages, the PDF and the CSV name no one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.pdf import render_html
from surveys import selectors
from surveys.links import token_for
from surveys.models import Question, Response
from tests.surveys.factories import answers_for, opened

pytestmark = pytest.mark.django_db

SECRET = "Mon tuteur ne m'a jamais reçu."


@pytest.fixture
def answered(client, world):
    apprentice = world.mine.apprentice
    apprentice.first_name, apprentice.last_name = "Zéphyrine", "Quasimodo"
    apprentice.email = "zephyrine.quasimodo@example.org"
    apprentice.save()
    campaign = opened(world, anonymous=True)
    invitation = campaign.invitations.get()
    text = campaign.questionnaire.questions.get(type=Question.Type.TEXT)
    data = {**answers_for(campaign), f"q{text.pk}": SECRET}
    assert (
        client.post(reverse("surveys:answer", args=[invitation.pk, token_for(invitation)]), data).status_code
        == 200
    )
    return campaign


IDENTITY = ("Zéphyrine", "Quasimodo", "zephyrine.quasimodo")


def test_the_response_keeps_neither_the_invitation_nor_the_day(answered):
    response = Response.objects.get(campaign=answered)
    assert response.invitation is None and response.submitted_on is None


def test_no_staff_page_or_export_of_an_anonymous_campaign_names_the_person(client_for, world, answered):
    client = client_for(world.users["staff"])
    pages = {
        "campaign": client.get(reverse("surveys:campaign_detail", args=[answered.pk])).content.decode(),
        "list": client.get(reverse("surveys:campaign_list")).content.decode(),
        "diploma": client.get(
            reverse("surveys:diploma_results", args=[world.mine.diploma.pk])
        ).content.decode(),
        "csv": b"".join(
            client.get(reverse("surveys:campaign_texts_csv", args=[answered.pk])).streaming_content
        ).decode("utf-8-sig"),
        "pdf": render_html(
            "surveys/pdf/campaign.html",
            {"campaign": answered, "results": selectors.results(answered)},
            title="Résultats",
            author="CFA",
        ),
    }
    assert SECRET.replace("'", "&#x27;") in pages["campaign"] and SECRET in pages["csv"]
    assert "1/1" in pages["list"]
    for name, content in pages.items():
        for part in IDENTITY:
            assert part not in content, f"{name} nomme la personne ({part})"


def test_a_campaign_that_is_not_anonymous_names_who_answered(client_for, world):
    campaign = opened(world)
    invitation = campaign.invitations.get()
    page = client_for(world.users["staff"]).get(reverse("surveys:campaign_detail", args=[campaign.pk]))
    assert invitation.name in page.content.decode()
