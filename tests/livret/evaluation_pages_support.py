"""What the tests of the grille d'évaluation's pages share: the competences of the world's diplomas,
ratings and complete evaluations given through the service, and the posted grid."""

import pytest

from livret import selectors
from livret.models import Evaluation, Rating
from livret.services import evaluations as workflow
from tests.livret.factories import EvaluationFactory, competence_framework

EvaluationStatus = Evaluation.Status
Rater = Rating.Rater


@pytest.fixture
def competences(world):
    for chain in (world.mine, world.other, world.foreign):
        competence_framework(chain.diploma, blocks=2, per_block=3)
    return selectors.competences_of(world.mine.diploma.pk)


def rate(world, evaluation, rater, level=3, submit=True):
    competences = selectors.competences_of(evaluation.contract.diploma_id)
    workflow.save_ratings(
        evaluation=evaluation,
        rater=rater,
        levels={c.pk: level for c in competences},
        submit=submit,
        by=world.users["company_tutor" if rater == Rater.TUTOR else "apprentice"],
    )


def validated(world, contract=None, **kwargs) -> Evaluation:
    """A complete evaluation of ``contract`` (the world's by default), signed by both sides."""
    evaluation = EvaluationFactory(contract=contract or world.mine.contract, **kwargs)
    if evaluation.contract == world.mine.contract:
        rate(world, evaluation, Rater.TUTOR)
        rate(world, evaluation, Rater.APPRENTICE, level=2)
    return evaluation


def form_data(competences, level=3, action="save", comment="", skip=0):
    data = {f"c{c.pk}": level for c in competences[skip:]}
    return {**data, "comment": comment, "action": action}
