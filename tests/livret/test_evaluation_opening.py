"""Opening a period's grille d'évaluation through the services: who may, the mail with the company
tutor's link, one grid per period, and which company periods may open."""

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied

from apprentices.models import AlternancePeriod, Contract
from core.models import ActionLink, AuditEvent
from core.workflow import Refusal, links
from livret import selectors
from livret.models import Evaluation
from livret.services import evaluations as workflow
from tests.apprentices.factories import CalendarFactory, DiplomaFactory
from tests.conftest import ROLES
from tests.livret import evaluations_support
from tests.livret.evaluations_support import EvaluationStatus, snapshot

# Shared fixtures: pytest finds a fixture by its name in the test module.
competences = evaluations_support.competences
world = evaluations_support.world


@pytest.fixture
def today(world):
    """A day when every company period of the world's calendar has started."""
    return world.academic_year.end_date


def company_periods(contract):
    return list(
        AlternancePeriod.objects.filter(
            calendar__diploma=contract.diploma, kind=AlternancePeriod.Kind.COMPANY
        ).order_by("start_date")
    )


# Opening -------------------------------------------------------------------------------------------

OPENERS = {"company_tutor", "school_tutor", "staff", "admin"}


@pytest.mark.parametrize("role", sorted(OPENERS))
def test_opening_a_period_mails_the_company_tutor_a_link_to_evaluate(
    world, competences, today, role, django_capture_on_commit_callbacks
):
    period = company_periods(world.mine.contract)[1]

    with django_capture_on_commit_callbacks(execute=True):
        evaluation = workflow.open_evaluation(
            contract=world.mine.contract, period=period, by=world.users[role], today=today
        )

    assert (evaluation.status, evaluation.period) == (EvaluationStatus.OPEN, period)
    (event,) = AuditEvent.for_object(evaluation)
    assert (event.action, event.actor) == ("livret.evaluation.opened", world.users[role])
    (message,) = mail.outbox
    tutor = world.mine.contract.company_tutor
    assert message.to == [tutor.email]
    assert str(world.mine.apprentice) in message.subject
    assert message.alternatives and "Évaluer les compétences" in message.alternatives[0][0]
    url = re.search(r"https?://\S+", message.body).group(0).removeprefix(settings.SITE_URL)
    token = url.rstrip("/").rsplit("/", 1)[-1]
    link = links.resolve(token, document=evaluation, expected_email=tutor.email)
    assert link.action == ActionLink.Action.EVALUATE


@pytest.mark.parametrize("role", sorted(set(ROLES) - OPENERS))
def test_opening_is_refused_to_the_other_roles(world, competences, today, role):
    before = snapshot()

    with pytest.raises(PermissionDenied) as refused:
        workflow.open_evaluation(
            contract=world.mine.contract,
            period=company_periods(world.mine.contract)[0],
            by=world.users[role],
            today=today,
        )

    assert "peuvent ouvrir une évaluation" in str(refused.value)
    assert snapshot() == before
    assert mail.outbox == []


def test_a_period_has_one_evaluation(world, competences, today):
    period = company_periods(world.mine.contract)[0]
    workflow.open_evaluation(
        contract=world.mine.contract, period=period, by=world.users["staff"], today=today, notify=False
    )
    before = snapshot()

    with pytest.raises(Refusal, match="L'évaluation de cette période est déjà ouverte."):
        workflow.open_evaluation(
            contract=world.mine.contract, period=period, by=world.users["staff"], today=today
        )

    assert snapshot() == before


def test_only_started_company_periods_of_the_contract_open(world, competences, today):
    contract = world.mine.contract
    school = AlternancePeriod.objects.filter(
        calendar__diploma=contract.diploma, kind=AlternancePeriod.Kind.SCHOOL
    ).first()
    elsewhere = CalendarFactory(diploma=DiplomaFactory(organisation=world.organisation))
    foreign = elsewhere.periods.filter(kind=AlternancePeriod.Kind.COMPANY).first()
    late = company_periods(contract)[-1]
    before = snapshot()

    for period in (school, foreign):
        with pytest.raises(Refusal, match="n'est pas une période en entreprise de ce contrat"):
            workflow.open_evaluation(contract=contract, period=period, by=world.users["staff"], today=today)
    with pytest.raises(Refusal, match="Cette période en entreprise n'a pas encore commencé."):
        workflow.open_evaluation(
            contract=contract,
            period=late,
            by=world.users["staff"],
            today=late.start_date - datetime.timedelta(days=1),
        )

    assert snapshot() == before


def test_a_diploma_without_competence_framework_cannot_open_a_grid(world, today):
    with pytest.raises(Refusal, match="pas encore de référentiel de compétences"):
        workflow.open_evaluation(
            contract=world.mine.contract,
            period=company_periods(world.mine.contract)[0],
            by=world.users["staff"],
            today=today,
        )

    assert not Evaluation.objects.exists()


def test_openable_periods_are_the_started_company_periods_without_an_evaluation(
    world, competences, django_assert_num_queries
):
    contract = Contract.objects.select_related("apprentice__cohort__entry_year").get(
        pk=world.mine.contract.pk
    )
    periods = company_periods(contract)
    today = periods[2].start_date

    with django_assert_num_queries(1):
        openable = selectors.openable_periods(contract, today=today, taken={periods[0].pk})

    assert openable == periods[1:3]
