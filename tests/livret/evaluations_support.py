"""What the tests of the grille d'évaluation's services share: their world (one contract and its
people) with its competences and an evaluation, the company periods of the contract, ratings given
through the service, the tutor's emailed link, and the snapshot a refused action must leave as it was."""

import pytest

from core.models import ActionLink, AuditEvent, Signature
from core.workflow import links
from livret.models import Evaluation, GridSharing, Rating
from tests.livret.factories import EvaluationFactory, competence_framework, small_world

EvaluationStatus = Evaluation.Status
Rater = Rating.Rater


@pytest.fixture
def world(db):
    """Only one contract and its people: these tests never look at other contracts."""
    return small_world()


@pytest.fixture
def competences(world):
    return competence_framework(world.mine.diploma, blocks=2, per_block=3)


@pytest.fixture
def evaluation(world, competences):
    return EvaluationFactory(contract=world.mine.contract)


def all_levels(competences, level=3) -> dict[int, int]:
    return {c.pk: level for c in competences}


def snapshot(*evaluations) -> dict:
    """Everything a refused action must leave as it was."""
    return {
        "rows": [Evaluation.objects.filter(pk=e.pk).values().get() for e in evaluations],
        "evaluations": Evaluation.objects.count(),
        "ratings": sorted(Rating.objects.values_list("evaluation_id", "competence_id", "rater", "level")),
        "signatures": list(Signature.objects.order_by("pk").values_list("pk", "act", "content_sha256")),
        "events": AuditEvent.objects.count(),
        "links": list(ActionLink.objects.order_by("pk").values_list("pk", "expires_at", "used_at")),
        "sharings": list(GridSharing.objects.order_by("pk").values_list("pk", "shared_on", "means")),
    }


def tutor_link(evaluation, action=ActionLink.Action.EVALUATE, **kwargs):
    tutor = evaluation.contract.company_tutor
    return links.issue(document=evaluation, action=action, email=tutor.email, name=str(tutor), **kwargs)


MAY_RATE = {Rater.TUTOR: "company_tutor", Rater.APPRENTICE: "apprentice"}
