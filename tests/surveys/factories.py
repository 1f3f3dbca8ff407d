"""Questionnaires, campaigns and answers for the tests of the surveys."""

from __future__ import annotations

import datetime
import re

from django.apps import apps
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from apprentices.models import Contract
from surveys import links, questionnaires, services
from surveys.models import (
    INSERTION_KINDS,
    Answer,
    Campaign,
    Invitation,
    Kind,
    Question,
    Questionnaire,
    Response,
)
from tests.apprentices.factories import ApprenticeFactory, ContractFactory

LINK = re.compile(r"https?://\S+/enquetes/repondre/(\d+)/([^/\s]+)/")


def ensure_templates() -> None:
    """The templates are loaded by a data migration; a transactional test flushes them."""
    if not Questionnaire.objects.filter(organisation__isnull=True).exists():
        questionnaires.load(apps)


def template(kind: str) -> Questionnaire:
    ensure_templates()
    return Questionnaire.objects.get(organisation__isnull=True, kind=kind)


def own_copy(organisation, kind: str, by=None) -> Questionnaire:
    return services.copy_questionnaire(questionnaire=template(kind), organisation=organisation, by=by)


def campaign(world, *, kind=Kind.SATISFACTION_APPRENTICE, population=Campaign.Population.DIPLOMA, **fields):
    """A draft campaign of ``world``'s organisation on its ``mine`` diploma, open today for 30 days."""
    today = timezone.localdate()
    defaults = {
        "questionnaire": own_copy(world.organisation, kind),
        "title": "Enquête de test",
        "population": population,
        "diploma": world.mine.diploma,
        "academic_year": world.academic_year,
        "opens_on": today,
        "closes_on": today + datetime.timedelta(days=30),
    }
    return services.create_campaign(
        organisation=world.organisation, by=world.users["staff"], **{**defaults, **fields}
    )


def opened(world, **fields) -> Campaign:
    c = campaign(world, **fields)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.open_campaign(campaign=c, by=world.users["staff"])
    c.refresh_from_db()
    return c


def leaver(chain_or_diploma, *, ended_on: datetime.date, organisation=None, **apprentice) -> Contract:
    """A completed contract of a new apprentice who left on ``ended_on``."""
    diploma = getattr(chain_or_diploma, "diploma", chain_or_diploma)
    person = ApprenticeFactory(organisation=organisation or diploma.organisation, **apprentice)
    return ContractFactory(
        apprentice=person,
        diploma=diploma,
        status=Contract.Status.COMPLETED,
        start_date=ended_on - datetime.timedelta(days=700),
        planned_end_date=ended_on,
    )


def link_of(invitation: Invitation) -> tuple[int, str]:
    return invitation.pk, links.token_for(invitation)


def links_in_outbox() -> list[tuple[int, str]]:
    found = []
    for message in mail.outbox:
        for match in LINK.finditer(message.body):
            found.append((int(match.group(1)), match.group(2)))
    return found


def answers_for(campaign: Campaign, **by_code) -> dict:
    """POST data answering every required question of ``campaign``: scales 4, first choices, a text;
    ``by_code`` overrides a question by its code, ``q<order>`` by its order."""
    data = {}
    for question in campaign.questionnaire.questions.all():
        name = f"q{question.pk}"
        if question.code and question.code in by_code:
            data[name] = by_code[question.code]
        elif f"q{question.order}" in by_code:
            data[name] = by_code[f"q{question.order}"]
        elif question.type == "scale":
            data[name] = "4"
        elif question.type in ("single", "multiple") and question.required:
            data[name] = question.options[0]["code"]
    return data


# For the access matrix: one chain's objects ----------------------------------------------------------


def survey_campaign(chain, year, staff) -> Campaign:
    """A draft campaign of the chain's organisation on its diploma, with a questionnaire of its own."""
    organisation = chain.diploma.organisation
    today = timezone.localdate()
    return services.create_campaign(
        organisation=organisation,
        by=staff,
        questionnaire=own_copy(organisation, Kind.SATISFACTION_APPRENTICE),
        title="Satisfaction",
        population=Campaign.Population.DIPLOMA,
        diploma=chain.diploma,
        academic_year=year,
        opens_on=today,
        closes_on=today + datetime.timedelta(days=30),
    )


def survey_invitation(chain, year, staff) -> Invitation:
    """The chain's apprentice invited to an open campaign of their diploma."""
    campaign = survey_campaign(chain, year, staff)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.open_campaign(campaign=campaign, by=staff)
    return campaign.invitations.get(apprentice=chain.apprentice)


def survey_token(invitation: Invitation) -> str:
    return links.token_for(invitation)


# Answers written directly, for the indicators' tests -----------------------------------------------


def sent_campaign(organisation, year, kind: str, *, anonymous=False, diploma=None) -> Campaign:
    """An open campaign of ``kind`` for ``year``'s population, with a copy of its template."""
    return Campaign.objects.create(
        organisation=organisation,
        questionnaire=own_copy(organisation, kind),
        title=f"Campagne {kind}",
        population=Campaign.Population.LEAVERS if kind in INSERTION_KINDS else Campaign.Population.DIPLOMA,
        diploma=diploma,
        academic_year=year,
        opens_on=year.start_date,
        closes_on=year.end_date,
        anonymous=anonymous,
        status=Campaign.Status.OPEN,
    )


def answered(
    campaign: Campaign, diploma, *, answered=True, situation="", scale=None, name="Sortant"
) -> Invitation:
    """One person invited to ``campaign`` for ``diploma``, who answered (``situation`` for an insertion
    survey, ``scale`` on every scale question) or not."""
    invitation = Invitation.objects.create(
        campaign=campaign,
        diploma=diploma,
        email=f"{name.lower().replace(' ', '.')}@example.org",
        name=name,
        nonce=links.new_nonce(),
        sent_at=timezone.now(),
        answered_at=timezone.now() if answered else None,
    )
    if not answered:
        return invitation
    response = Response.objects.create(
        campaign=campaign,
        invitation=None if campaign.anonymous else invitation,
        submitted_on=None if campaign.anonymous else timezone.localdate(),
        diploma=diploma,
        situation=situation,
    )
    if scale is not None:
        Answer.objects.bulk_create(
            Answer(response=response, question=q, number=scale)
            for q in campaign.questionnaire.questions.filter(type=Question.Type.SCALE)
        )
    return invitation


def sent_campaigns(organisation, year) -> dict[str, Campaign]:
    """One sent campaign of each kind of survey of ``organisation`` for ``year`` (made once)."""
    existing = {
        c.questionnaire.kind: c
        for c in Campaign.objects.filter(organisation=organisation, academic_year=year).select_related(
            "questionnaire"
        )
    }
    return {
        kind: existing.get(kind) or sent_campaign(organisation, year, kind)
        for kind in Kind.values
        if kind != Kind.OTHER
    }


def answer_every_survey(diploma, year, index: int) -> None:
    """A person of ``diploma`` answers each kind of survey (employed, looking for work or continuing
    their studies by turns, 4 on every scale); every other one, someone else does not answer."""
    situations = ("employed", "looking", "studies")
    for kind, campaign in sent_campaigns(diploma.organisation, year).items():
        situation = situations[index % 3] if kind in INSERTION_KINDS else ""
        answered(campaign, diploma, situation=situation, scale=4, name=f"Personne {index}")
        if index % 2:
            answered(campaign, diploma, answered=False, name=f"Silencieux {index}")
