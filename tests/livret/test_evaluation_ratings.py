"""Each side's ratings of a grille d'évaluation through the services: drafts, validation and its
signature, the grid complete once both sides have validated, who fills which side, and what is
refused."""

import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent, Signature
from core.workflow import Refusal
from core.workflow.signatures import content_digest, signatures_of
from livret import selectors
from livret.services import evaluations as workflow
from tests.conftest import ROLES
from tests.livret import evaluations_support
from tests.livret.evaluations_support import MAY_RATE, EvaluationStatus, Rater, all_levels, snapshot
from tests.livret.factories import CompetenceFactory

# Shared fixtures: pytest finds a fixture by its name in the test module.
competences = evaluations_support.competences
evaluation = evaluations_support.evaluation
world = evaluations_support.world


# Ratings -------------------------------------------------------------------------------------------


def test_a_draft_saves_the_levels_without_signing(world, competences, evaluation):
    tutor = world.users["company_tutor"]
    first, second = competences[:2]

    workflow.save_ratings(
        evaluation=evaluation, rater=Rater.TUTOR, levels={first.pk: 2, second.pk: 3}, by=tutor
    )
    workflow.save_ratings(
        evaluation=evaluation, rater=Rater.TUTOR, levels={first.pk: 4}, comment=" À suivre. ", by=tutor
    )

    evaluation.refresh_from_db()
    assert list(evaluation.ratings.values_list("competence_id", "rater", "level")) == [(first.pk, "tutor", 4)]
    assert (evaluation.status, evaluation.tutor_submitted_at, evaluation.tutor_comment) == (
        EvaluationStatus.OPEN,
        None,
        "À suivre.",
    )
    assert not signatures_of(evaluation).exists()
    assert [e.action for e in AuditEvent.for_object(evaluation)] == ["livret.evaluation.saved"] * 2


def test_an_unchanged_draft_writes_nothing(world, competences, evaluation):
    tutor = world.users["company_tutor"]
    workflow.save_ratings(evaluation=evaluation, rater=Rater.TUTOR, levels={competences[0].pk: 2}, by=tutor)
    before = snapshot(evaluation)

    workflow.save_ratings(evaluation=evaluation, rater=Rater.TUTOR, levels={competences[0].pk: 2}, by=tutor)

    assert snapshot(evaluation) == before


def test_the_tutor_validates_and_signs_exactly_the_levels_given(world, competences, evaluation):
    levels = {c.pk: 1 + i % 4 for i, c in enumerate(competences)}

    workflow.save_ratings(
        evaluation=evaluation,
        rater=Rater.TUTOR,
        levels=levels,
        comment="Belle progression.",
        submit=True,
        by=world.users["company_tutor"],
    )

    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.TUTOR_DONE
    assert evaluation.tutor_submitted_at is not None
    (signature,) = signatures_of(evaluation)
    tutor = world.mine.contract.company_tutor
    assert (signature.act, signature.via, signature.signer, signature.signer_email) == (
        Signature.Act.EVALUATE,
        Signature.Via.SESSION,
        world.users["company_tutor"],
        tutor.email,
    )
    assert signature.content_sha256 == hashlib.sha256(signature.content.encode("utf-8")).hexdigest()
    content = json.loads(signature.content)
    assert [(r["competence"], r["level"]) for r in content["ratings"]] == [
        (c.code, levels[c.pk]) for c in competences
    ]
    assert (content["rater"], content["comment"]) == ("tutor", "Belle progression.")
    assert (signature.content, signature.content_sha256) == content_digest(
        workflow.rating_content(
            evaluation,
            "tutor",
            selectors.competences_of(evaluation.contract.diploma_id),
            levels,
            "Belle progression.",
        )
    )
    assert AuditEvent.for_object(evaluation).first().action == "livret.evaluation.evaluated"


@pytest.mark.parametrize("first", [Rater.TUTOR, Rater.APPRENTICE])
def test_the_evaluation_is_complete_when_both_sides_have_validated(world, competences, evaluation, first):
    by = {Rater.TUTOR: world.users["company_tutor"], Rater.APPRENTICE: world.users["apprentice"]}
    second = Rater.APPRENTICE if first == Rater.TUTOR else Rater.TUTOR

    workflow.save_ratings(
        evaluation=evaluation, rater=first, levels=all_levels(competences), submit=True, by=by[first]
    )
    evaluation.refresh_from_db()
    assert evaluation.status == (
        EvaluationStatus.TUTOR_DONE if first == Rater.TUTOR else EvaluationStatus.SELF_DONE
    )
    workflow.save_ratings(
        evaluation=evaluation, rater=second, levels=all_levels(competences, 2), submit=True, by=by[second]
    )

    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.COMPLETE
    assert sorted(s.act for s in signatures_of(evaluation)) == ["evaluate", "self_assess"]
    self_assessment = signatures_of(evaluation).get(act=Signature.Act.SELF_ASSESS)
    assert (self_assessment.signer, self_assessment.signer_name) == (
        world.users["apprentice"],
        str(world.mine.apprentice),
    )
    assert (
        evaluation.ratings.filter(rater=Rater.TUTOR).count()
        == evaluation.ratings.filter(rater=Rater.APPRENTICE).count()
    )


@pytest.mark.parametrize("rater", [Rater.TUTOR, Rater.APPRENTICE])
@pytest.mark.parametrize("role", ROLES)
def test_each_side_is_filled_by_its_person_only(world, competences, evaluation, rater, role):
    levels = all_levels(competences)
    if role == MAY_RATE[rater]:
        workflow.save_ratings(
            evaluation=evaluation, rater=rater, levels=levels, submit=True, by=world.users[role]
        )
        assert evaluation.ratings.filter(rater=rater).count() == len(competences)
        return
    before = snapshot(evaluation)

    with pytest.raises(PermissionDenied):
        workflow.save_ratings(
            evaluation=evaluation, rater=rater, levels=levels, submit=True, by=world.users[role]
        )

    assert snapshot(evaluation) == before


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        (lambda cs: {cs[0].pk: 0}, "Le niveau va de 1 (non acquis) à 4 (maîtrisé)."),
        (lambda cs: {cs[0].pk: 5}, "Le niveau va de 1 (non acquis) à 4 (maîtrisé)."),
        (lambda cs: {cs[0].pk: "beaucoup"}, "Les niveaux envoyés sont illisibles."),
        (lambda cs: {"c1": 2}, "Les niveaux envoyés sont illisibles."),
        (lambda cs: [2, 3], "Les niveaux envoyés sont illisibles."),
        (lambda cs: {CompetenceFactory().pk: 2}, "n'appartient pas au référentiel de cette formation"),
    ],
    ids=["zero", "five", "word", "bad-key", "not-a-dict", "other-diploma"],
)
def test_bad_levels_are_refused_and_nothing_is_written(world, competences, evaluation, levels, message):
    tutor = world.users["company_tutor"]
    workflow.save_ratings(evaluation=evaluation, rater=Rater.TUTOR, levels={competences[1].pk: 2}, by=tutor)
    before = snapshot(evaluation)

    with pytest.raises(ValidationError) as refused:
        workflow.save_ratings(evaluation=evaluation, rater=Rater.TUTOR, levels=levels(competences), by=tutor)

    assert message in " ".join(refused.value.messages)
    assert snapshot(evaluation) == before


def test_validating_needs_every_competence_rated_and_writes_nothing_otherwise(world, competences, evaluation):
    before = snapshot(evaluation)
    levels = all_levels(competences[:-1])

    with pytest.raises(ValidationError, match="1 compétence sans niveau"):
        workflow.save_ratings(
            evaluation=evaluation,
            rater=Rater.APPRENTICE,
            levels=levels,
            submit=True,
            by=world.users["apprentice"],
        )

    assert snapshot(evaluation) == before


def test_an_oversized_comment_is_refused(world, competences, evaluation):
    before = snapshot(evaluation)

    with pytest.raises(ValidationError, match="Ce texte dépasse 5000 caractères."):
        workflow.save_ratings(
            evaluation=evaluation,
            rater=Rater.APPRENTICE,
            levels={},
            comment="x" * 5001,
            by=world.users["apprentice"],
        )

    assert snapshot(evaluation) == before


@pytest.mark.parametrize("rater", [Rater.TUTOR, Rater.APPRENTICE])
def test_a_validated_side_never_changes(world, competences, evaluation, rater):
    by = world.users[MAY_RATE[rater]]
    workflow.save_ratings(
        evaluation=evaluation, rater=rater, levels=all_levels(competences), submit=True, by=by
    )
    before = snapshot(evaluation)

    for submit in (False, True):
        with pytest.raises(Refusal, match="déjà validée : elle ne change plus"):
            workflow.save_ratings(
                evaluation=evaluation, rater=rater, levels=all_levels(competences, 1), submit=submit, by=by
            )

    assert snapshot(evaluation) == before
