"""The company tutor's emailed link to a grille d'évaluation: the grid alone at a fixed cost, a draft
then one validation, links that cannot serve, and a fresh link mailed to the tutor on file."""

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.models import ActionLink, Signature
from core.workflow import links
from core.workflow import views as link_pages
from tests.helpers import text_of
from tests.livret import evaluation_pages_support
from tests.livret.evaluation_pages_support import EvaluationStatus, Rater, form_data, rate, validated
from tests.livret.evaluations_support import snapshot
from tests.livret.factories import EvaluationFactory, competence_framework
from tests.tutors.factories import CompanyTutorFactory

# Shared fixtures: pytest finds a fixture by its name in the test module.
competences = evaluation_pages_support.competences


# The evaluation with its contract, people and period; the link; the competences; the ratings.
LINK_QUERIES = 4


# The emailed link ---------------------------------------------------------------------------------------


def tutor_link(evaluation):
    tutor = evaluation.contract.company_tutor
    return links.issue(
        document=evaluation, action=ActionLink.Action.EVALUATE, email=tutor.email, name=str(tutor)
    )


def link_url(evaluation, token):
    return reverse("livret:evaluation_link", args=[evaluation.pk, token])


def assert_not_logged_in(client):
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("extra", [1, 4])
def test_link_page_shows_the_grid_alone_in_a_fixed_number_of_queries(
    client, world, competences, django_assert_num_queries, extra
):
    evaluation = EvaluationFactory(contract=world.mine.contract)
    rate(world, evaluation, Rater.APPRENTICE, level=2)
    for _ in range(extra):
        other = validated(world)
        tutor_link(other)
    competence_framework(world.mine.diploma, blocks=1, per_block=extra)
    _link, token = tutor_link(evaluation)

    with django_assert_num_queries(LINK_QUERIES):
        response = client.get(link_url(evaluation, token))

    assert response.status_code == 200
    text = text_of(response)
    assert "Votre évaluation" in text
    assert "Auto-évaluation de l'apprenti : En cours d'acquisition" in text
    assert 'href="/livret/' not in response.content.decode().split("<main", 1)[1]
    assert_not_logged_in(client)


def test_link_saves_a_draft_then_validates_once(client, world, competences):
    evaluation = EvaluationFactory(contract=world.mine.contract)
    link, token = tutor_link(evaluation)
    url = link_url(evaluation, token)

    response = client.post(url, form_data(competences, level=2, skip=3))

    assert response["Location"] == url
    page = client.get(url)
    assert "Évaluation enregistrée. Ce lien reste valable pour la compléter et la valider." in text_of(page)
    assert page.context["form"].initial[f"c{competences[3].pk}"] == 2

    response = client.post(url, form_data(competences, level=4, action="submit"))

    assert response.status_code == 200
    assert "Merci, votre évaluation est validée" in text_of(response)
    evaluation.refresh_from_db()
    link.refresh_from_db()
    assert (evaluation.status, link.used_at is not None) == (EvaluationStatus.TUTOR_DONE, True)
    signature = Signature.objects.for_document(evaluation).get()
    assert signature.content_sha256 in text_of(response)
    again = client.post(url, form_data(competences, level=1, action="submit"))
    assert again.status_code == 410
    assert "Ce lien a déjà servi" in text_of(again)
    assert_not_logged_in(client)


def test_link_validation_with_a_competence_left_out_writes_nothing(client, world, competences):
    evaluation = EvaluationFactory(contract=world.mine.contract)
    link, token = tutor_link(evaluation)
    before = snapshot(evaluation)

    response = client.post(link_url(evaluation, token), form_data(competences, action="submit", skip=2))

    assert response.status_code == 400
    page = text_of(response)
    # Each competence left out is said twice: in the error summary at the top and at its own row.
    assert "Il y a 2 erreurs" in page
    assert page.count("Choisissez un niveau pour cette compétence.") == 2 * 2
    assert snapshot(evaluation) == before


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("spoil", "status", "message", "resend"),
    [
        ("expired", 410, "Ce lien a expiré.", True),
        ("used", 410, "Ce lien a déjà servi", False),
        ("tampered", 400, "Ce lien est incomplet ou a été modifié", True),
        ("other_document", 400, "Ce lien ne correspond pas à ce document", True),
        ("other_person", 400, "Ce lien ne correspond pas à ce document", True),
    ],
)
def test_a_link_that_cannot_serve_says_so_in_french_and_changes_nothing(
    client, world, competences, method, spoil, status, message, resend
):
    evaluation = EvaluationFactory(contract=world.mine.contract)
    other = EvaluationFactory(contract=world.mine.contract)
    link, token = tutor_link(other if spoil == "other_document" else evaluation)
    if spoil == "expired":
        link.expires_at = timezone.now() - datetime.timedelta(minutes=1)
        link.save(update_fields=["expires_at"])
    elif spoil == "used":
        rate(world, evaluation, Rater.TUTOR)
    elif spoil == "tampered":
        token = token[:-2] + ("xy" if not token.endswith("xy") else "zz")
    elif spoil == "other_person":
        contract = world.mine.contract
        contract.company_tutor = CompanyTutorFactory(employer=contract.employer)
        contract.save()
    before = snapshot(evaluation, other)

    response = getattr(client, method)(link_url(evaluation, token), form_data(competences, action="submit"))

    assert response.status_code == status
    assert message in text_of(response)
    try:
        resend_url = reverse("livret:evaluation_link_resend", args=[evaluation.pk, token])
    except NoReverseMatch:
        resend_url = None
    assert (resend_url is not None and f'action="{resend_url}"' in response.content.decode()) == (
        resend and resend_url is not None
    )
    assert snapshot(evaluation, other) == before
    assert_not_logged_in(client)


def resend(evaluation, token):
    """The resend view, called directly: its route is declared by the lead."""
    request = RequestFactory().post(f"/livret/evaluations/{evaluation.pk}/lien/{token}/renvoyer/")
    request._dont_enforce_csrf_checks = True
    return link_pages.resend(request, evaluation.pk, token, kind="evaluation")


def test_a_fresh_link_is_mailed_to_the_tutor_on_file_once_in_ten_minutes(
    client, world, competences, django_capture_on_commit_callbacks
):
    evaluation = EvaluationFactory(contract=world.mine.contract)
    link, token = tutor_link(evaluation)
    link.expires_at = timezone.now() - datetime.timedelta(days=1)
    link.save(update_fields=["expires_at"])
    ActionLink.objects.filter(pk=link.pk).update(created_at=timezone.now() - datetime.timedelta(days=15))

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = resend(evaluation, token)
        assert response.status_code == 200
        assert "Demande enregistrée" in response.content.decode()

    (message,) = mail.outbox
    assert message.to == [world.mine.company_tutor.email]
    url = re.search(r"https?://\S+", message.body).group(0).removeprefix(settings.SITE_URL)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("case", ["validated", "tampered"])
def test_no_fresh_link_when_the_tutor_has_validated_or_the_link_is_not_genuine(
    world, competences, case, django_capture_on_commit_callbacks
):
    evaluation = EvaluationFactory(contract=world.mine.contract)
    _link, token = tutor_link(evaluation)
    ActionLink.objects.update(created_at=timezone.now() - datetime.timedelta(days=1))
    if case == "validated":
        rate(world, evaluation, Rater.TUTOR)
    else:
        token = token[:-3] + "xyz"

    with django_capture_on_commit_callbacks(execute=True):
        response = resend(evaluation, token)

    assert response.status_code == 200
    assert mail.outbox == []
