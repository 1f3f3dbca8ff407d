"""Two people on the same grille d'évaluation at the same moment (PostgreSQL only: SQLite has no row
locks and serialises writers anyway): both sides validating, one side validated twice, two grid
sharings."""

import datetime

import pytest
from django.db import connection

from apprentices.models import Contract
from core.models import Signature
from core.workflow import Refusal, links
from livret.models import Evaluation, GridSharing, Rating
from livret.services import evaluations as workflow
from tests.conftest import build_chain
from tests.core.factories import AcademicYearFactory, OrganisationFactory
from tests.livret.evaluations_support import EvaluationStatus, Rater, all_levels, tutor_link
from tests.livret.factories import EvaluationFactory, competence_framework
from tests.livret.test_concurrency import race

# At the same moment (PostgreSQL only: SQLite has no row locks and serialises writers anyway) --------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="les verrous de ligne demandent PostgreSQL"
)


def pg_chain():
    chain = build_chain(OrganisationFactory(name="CFA des Tests"), AcademicYearFactory(), with_accounts=True)
    return chain, competence_framework(chain.diploma)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_both_sides_validating_at_once_make_the_evaluation_complete():
    chain, competences = pg_chain()
    evaluation = EvaluationFactory(contract=chain.contract)
    levels = all_levels(competences)

    def validate(rater, user):
        copy = Evaluation.objects.get(pk=evaluation.pk)  # each thread its own copy, as two requests
        return lambda: workflow.save_ratings(
            evaluation=copy, rater=rater, levels=levels, submit=True, by=user
        )

    outcomes = race(
        validate(Rater.TUTOR, chain.company_tutor.user), validate(Rater.APPRENTICE, chain.apprentice.user)
    )

    assert all(isinstance(o, Evaluation) for o in outcomes), outcomes
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.COMPLETE
    assert sorted(Signature.objects.for_document(evaluation).values_list("act", flat=True)) == [
        "evaluate",
        "self_assess",
    ]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_validations_of_the_same_side_at_once_exactly_one_wins():
    chain, competences = pg_chain()
    evaluation = EvaluationFactory(contract=chain.contract)
    _link, token = tutor_link(evaluation)

    def validate(level, **who):
        copy = Evaluation.objects.get(pk=evaluation.pk)
        levels = all_levels(competences, level)
        return lambda: workflow.save_ratings(
            evaluation=copy, rater=Rater.TUTOR, levels=levels, submit=True, **who
        )

    outcomes = race(validate(2, by=chain.company_tutor.user), validate(4, token=token))

    winners = [o for o in outcomes if isinstance(o, Evaluation)]
    losers = [o for o in outcomes if isinstance(o, Refusal | links.LinkError)]
    assert (len(winners), len(losers)) == (1, 1), outcomes
    assert Signature.objects.for_document(evaluation).count() == 1
    assert len(set(Rating.objects.filter(evaluation=evaluation).values_list("level", flat=True))) == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_grid_sharings_recorded_at_once_exactly_one_wins():
    chain, _competences = pg_chain()
    school_tutor = chain.school_tutor.user

    def record(days):
        contract = Contract.objects.get(pk=chain.contract.pk)
        day = contract.start_date + datetime.timedelta(days=days)
        return lambda: workflow.record_grid_sharing(
            contract=contract, by=school_tutor, shared_on=day, means="meeting"
        )

    outcomes = race(record(3), record(9))

    winners = [o for o in outcomes if isinstance(o, GridSharing)]
    losers = [o for o in outcomes if isinstance(o, Refusal)]
    assert (len(winners), len(losers)) == (1, 1), outcomes
    assert GridSharing.objects.get().shared_on == winners[0].shared_on
