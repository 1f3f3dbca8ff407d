"""One period's grille d'évaluation page: its cost in queries, the form of the side still to fill,
saving and validating from the page, and the posts that are refused."""

import re

import pytest
from django.urls import reverse

from core.models import Signature
from tests.conftest import ROLES
from tests.helpers import messages_of, text_of
from tests.livret import evaluation_pages_support
from tests.livret.evaluation_pages_support import EvaluationStatus, Rater, form_data, rate, validated
from tests.livret.evaluations_support import snapshot
from tests.livret.factories import EvaluationFactory, competence_framework

# Shared fixtures: pytest finds a fixture by its name in the test module.
competences = evaluation_pages_support.competences


DETAIL_QUERIES = {
    # + the evaluation with its contract, people and period, the competences, the ratings, the signatures
    "apprentice": 7,
    "company_tutor": 7,
    "school_tutor": 7,
    "head_of_diploma": 7,
    # + the audit trail
    "staff": 8,
    "admin": 8,
}


# One period's grid ------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [1, 4])
@pytest.mark.parametrize("role", ROLES)
def test_evaluation_page_runs_a_fixed_number_of_queries(
    client, world, competences, django_assert_num_queries, role, extra
):
    evaluation = validated(world)
    for _ in range(extra):
        validated(world)
    block = competences[0].block
    competence_framework(world.mine.diploma, blocks=extra, per_block=extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(DETAIL_QUERIES[role]):
        response = client.get(evaluation.get_absolute_url())

    assert response.status_code == 200
    assert [s.act for s in response.context["signatures"]] == ["evaluate", "self_assess"]
    assert response.context["grid"][0]["block"] == block
    assert response.context["grid"][0]["rows"][0]["tutor"] == "Acquis"
    assert response.context["grid"][0]["rows"][0]["apprentice"] == "En cours d'acquisition"
    assert len(response.context["grid"]) == 2 + extra


@pytest.mark.parametrize(
    ("status", "fillers"),
    [
        (EvaluationStatus.OPEN, {"company_tutor": Rater.TUTOR, "apprentice": Rater.APPRENTICE}),
        (EvaluationStatus.TUTOR_DONE, {"apprentice": Rater.APPRENTICE}),
        (EvaluationStatus.SELF_DONE, {"company_tutor": Rater.TUTOR}),
        (EvaluationStatus.COMPLETE, {}),
    ],
)
def test_evaluation_page_offers_the_form_of_the_side_still_to_fill(
    client, world, competences, status, fillers
):
    evaluation = EvaluationFactory(contract=world.mine.contract)
    if status in {EvaluationStatus.TUTOR_DONE, EvaluationStatus.COMPLETE}:
        rate(world, evaluation, Rater.TUTOR)
    if status in {EvaluationStatus.SELF_DONE, EvaluationStatus.COMPLETE}:
        rate(world, evaluation, Rater.APPRENTICE)

    for role in ROLES:
        client.force_login(world.users[role])
        response = client.get(evaluation.get_absolute_url())
        if role in fillers:
            assert response.context["rater"] == fillers[role]
            fieldsets = re.findall(r"<fieldset[^>]*>\s*<legend>([^<]+)</legend>", response.content.decode())
            assert [f.strip() for f in fieldsets] == [f"{c.code} — {c.title}" for c in competences]
            assert "Valider mon évaluation" in text_of(response)
        else:
            assert (response.context["form"], response.context["rater"]) == (None, None), role
            assert "Valider mon évaluation" not in text_of(response)


def test_the_other_side_sees_a_draft_only_once_validated(client, world, competences):
    evaluation = EvaluationFactory(contract=world.mine.contract)
    rate(world, evaluation, Rater.TUTOR, level=4, submit=False)
    client.force_login(world.users["school_tutor"])

    rows = client.get(evaluation.get_absolute_url()).context["grid"][0]["rows"]
    assert rows[0]["tutor"] is None
    rate(world, evaluation, Rater.TUTOR, level=4)
    rows = client.get(evaluation.get_absolute_url()).context["grid"][0]["rows"]
    assert rows[0]["tutor"] == "Maîtrisé"


@pytest.mark.parametrize("role", ["apprentice", "company_tutor"])
def test_saving_then_validating_from_the_page(client, world, competences, role):
    evaluation = EvaluationFactory(contract=world.mine.contract)
    rater = Rater.APPRENTICE if role == "apprentice" else Rater.TUTOR
    client.force_login(world.users[role])
    url = reverse("livret:evaluation_save", args=[evaluation.pk])

    response = client.post(url, form_data(competences, level=2, skip=2))

    assert response["Location"] == evaluation.get_absolute_url()
    assert messages_of(response) == [
        "Évaluation enregistrée. Vous pourrez la compléter et la valider plus tard."
    ]
    assert evaluation.ratings.filter(rater=rater).count() == len(competences) - 2
    page = client.get(evaluation.get_absolute_url())
    assert page.context["form"].initial[f"c{competences[2].pk}"] == 2

    response = client.post(url, form_data(competences, level=3, action="submit", comment="Fin de période."))

    evaluation.refresh_from_db()
    assert messages_of(response) == [
        "Évaluation validée et signée." if role == "company_tutor" else "Auto-évaluation validée et signée."
    ]
    assert evaluation.status == (
        EvaluationStatus.TUTOR_DONE if role == "company_tutor" else EvaluationStatus.SELF_DONE
    )
    assert set(evaluation.ratings.filter(rater=rater).values_list("level", flat=True)) == {3}
    assert Signature.objects.for_document(evaluation).get().via == "session"


def test_validating_with_a_competence_left_out_marks_it_and_writes_nothing(client, world, competences):
    evaluation = EvaluationFactory(contract=world.mine.contract)
    before = snapshot(evaluation)
    client.force_login(world.users["apprentice"])

    response = client.post(
        reverse("livret:evaluation_save", args=[evaluation.pk]),
        form_data(competences, action="submit", skip=1),
    )

    assert response.status_code == 400
    text = text_of(response)
    assert "Il y a 1 erreur" in text
    assert text.count("Choisissez un niveau pour cette compétence.") == 2  # in the summary and at the field
    form = response.context["form"]
    assert form[f"c{competences[0].pk}"].errors == ["Choisissez un niveau pour cette compétence."]
    assert form[f"c{competences[1].pk}"].value() == "3"  # what was chosen is still there
    assert snapshot(evaluation) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"c{first}": "7", "action": "save"}, "Le niveau va de 1 (non acquis) à 4 (maîtrisé)."),
        ({"comment": "x" * 5001, "action": "save"}, "Ce texte dépasse 5000 caractères."),
    ],
    ids=["level", "oversized"],
)
def test_malformed_posts_are_refused_with_a_french_message(client, world, competences, data, message):
    evaluation = EvaluationFactory(contract=world.mine.contract)
    data = {key.format(first=competences[0].pk): value for key, value in data.items()}
    before = snapshot(evaluation)
    client.force_login(world.users["company_tutor"])

    response = client.post(reverse("livret:evaluation_save", args=[evaluation.pk]), data)

    assert response.status_code == 400
    assert message in text_of(response)
    assert snapshot(evaluation) == before


@pytest.mark.parametrize(
    ("role", "state", "message"),
    [
        (
            "school_tutor",
            EvaluationStatus.OPEN,
            "Seuls l'apprenti et son maître d'apprentissage remplissent cette grille.",
        ),
        (
            "head_of_diploma",
            EvaluationStatus.OPEN,
            "Seuls l'apprenti et son maître d'apprentissage remplissent cette grille.",
        ),
        (
            "staff",
            EvaluationStatus.OPEN,
            "Seuls l'apprenti et son maître d'apprentissage remplissent cette grille.",
        ),
        (
            "apprentice",
            EvaluationStatus.SELF_DONE,
            "L'auto-évaluation est déjà validée : elle ne change plus.",
        ),
        (
            "company_tutor",
            EvaluationStatus.TUTOR_DONE,
            "L'évaluation du maître d'apprentissage est déjà validée : elle ne change plus.",
        ),
    ],
)
def test_refused_saves_say_why_in_french_and_change_nothing(client, world, competences, role, state, message):
    evaluation = EvaluationFactory(contract=world.mine.contract)
    if state == EvaluationStatus.SELF_DONE:
        rate(world, evaluation, Rater.APPRENTICE)
    if state == EvaluationStatus.TUTOR_DONE:
        rate(world, evaluation, Rater.TUTOR)
    before = snapshot(evaluation)
    client.force_login(world.users[role])

    response = client.post(
        reverse("livret:evaluation_save", args=[evaluation.pk]), form_data(competences, 1, action="submit")
    )

    assert response["Location"] == evaluation.get_absolute_url()
    assert messages_of(response) == [message]
    assert snapshot(evaluation) == before
