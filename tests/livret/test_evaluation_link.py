"""The company tutor's emailed link to a grille d'évaluation, through the services: drafts and
validation by link, links that cannot serve, and when the request is no longer mailed."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from core.models import ActionLink, AuditEvent
from core.workflow import Refusal, links
from core.workflow.signatures import signatures_of
from livret.services import evaluations as workflow
from livret.tasks import send_evaluation_request
from tests.livret import evaluations_support
from tests.livret.evaluations_support import EvaluationStatus, Rater, all_levels, snapshot, tutor_link
from tests.livret.factories import EvaluationFactory
from tests.tutors.factories import CompanyTutorFactory

# Shared fixtures: pytest finds a fixture by its name in the test module.
competences = evaluations_support.competences
evaluation = evaluations_support.evaluation
world = evaluations_support.world


# The emailed link -----------------------------------------------------------------------------------


def test_the_link_saves_drafts_and_is_used_by_the_validation(world, competences, evaluation):
    link, token = tutor_link(evaluation)

    workflow.save_ratings(
        evaluation=evaluation, rater=Rater.TUTOR, levels={competences[0].pk: 2}, token=token
    )
    link.refresh_from_db()
    assert link.used_at is None
    workflow.save_ratings(
        evaluation=evaluation, rater=Rater.TUTOR, levels=all_levels(competences), submit=True, token=token
    )

    link.refresh_from_db()
    evaluation.refresh_from_db()
    assert link.used_at is not None
    assert evaluation.status == EvaluationStatus.TUTOR_DONE
    signature = signatures_of(evaluation).get()
    tutor = world.mine.contract.company_tutor
    assert (signature.via, signature.signer, signature.signer_email) == ("link", tutor.user, tutor.email)
    event = AuditEvent.for_object(evaluation).first()
    assert (event.actor, event.data["by"], event.data["via"]) == (None, tutor.email, "link")


def test_the_link_of_a_tutor_without_account_signs_without_a_user(world, competences, evaluation):
    contract = world.mine.contract
    contract.company_tutor = CompanyTutorFactory(employer=contract.employer, user=None)
    contract.save()
    _link, token = tutor_link(evaluation)

    workflow.save_ratings(
        evaluation=evaluation, rater=Rater.TUTOR, levels=all_levels(competences), submit=True, token=token
    )

    signature = signatures_of(evaluation).get()
    assert (signature.signer, signature.signer_email) == (None, contract.company_tutor.email)


def expire(link):
    link.expires_at = link.created_at - datetime.timedelta(minutes=1)
    link.save(update_fields=["expires_at"])


def use(link):
    link.used_at = link.created_at
    link.save(update_fields=["used_at"])


@pytest.mark.parametrize(
    ("spoil", "kind"),
    [
        ("expired", "expired"),
        ("used", "used"),
        ("tampered", "tampered"),
        ("other_document", "foreign"),
        ("other_person", "foreign"),
        ("other_action", "foreign"),
    ],
)
def test_a_link_that_cannot_serve_changes_nothing(world, competences, evaluation, spoil, kind):
    other = EvaluationFactory(contract=world.mine.contract)
    link, token = tutor_link(other if spoil == "other_document" else evaluation)
    if spoil == "expired":
        expire(link)
    elif spoil == "used":
        use(link)
    elif spoil == "tampered":
        token = token[:-2] + ("xy" if not token.endswith("xy") else "zz")
    elif spoil == "other_person":
        contract = world.mine.contract
        contract.company_tutor = CompanyTutorFactory(employer=contract.employer)
        contract.save()
    elif spoil == "other_action":
        _link, token = tutor_link(evaluation, action=ActionLink.Action.COUNTERSIGN)
    before = snapshot(evaluation, other)

    with pytest.raises(links.LinkError) as refused:
        workflow.save_ratings(
            evaluation=evaluation, rater=Rater.TUTOR, levels=all_levels(competences), submit=True, token=token
        )

    assert refused.value.kind == kind
    assert snapshot(evaluation, other) == before


def test_a_link_never_fills_the_self_assessment(world, competences, evaluation):
    _link, token = tutor_link(evaluation)
    before = snapshot(evaluation)

    with pytest.raises(PermissionDenied):
        workflow.save_ratings(evaluation=evaluation, rater=Rater.APPRENTICE, levels={}, token=token)

    assert snapshot(evaluation) == before


def test_a_link_cannot_change_a_side_validated_in_session(world, competences, evaluation):
    _link, token = tutor_link(evaluation)
    workflow.save_ratings(
        evaluation=evaluation,
        rater=Rater.TUTOR,
        levels=all_levels(competences),
        submit=True,
        by=world.users["company_tutor"],
    )
    before = snapshot(evaluation)

    with pytest.raises(Refusal):
        workflow.save_ratings(
            evaluation=evaluation, rater=Rater.TUTOR, levels=all_levels(competences, 1), token=token
        )

    assert snapshot(evaluation) == before


def test_the_request_is_not_mailed_once_the_tutor_has_validated(world, competences, evaluation):
    assert send_evaluation_request(evaluation.pk) is True
    workflow.save_ratings(
        evaluation=evaluation,
        rater=Rater.TUTOR,
        levels=all_levels(competences),
        submit=True,
        by=world.users["company_tutor"],
    )
    mail.outbox.clear()

    assert send_evaluation_request(evaluation.pk) is False
    assert mail.outbox == []
