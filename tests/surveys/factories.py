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
from surveys.models import Campaign, Invitation, Kind, Questionnaire
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
