"""The grille d'évaluation's pages: who sees what, what each person may post, the emailed link, and
at what cost in queries."""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from apprentices.models import AlternancePeriod, Contract
from core.models import ActionLink, Signature
from core.workflow import links
from core.workflow import views as link_pages
from livret import selectors
from livret.models import Evaluation, GridSharing, Rating
from livret.services import evaluations as workflow
from tests.conftest import ORGANISATION_WIDE, ROLES, grow
from tests.helpers import text_of
from tests.livret.evaluations_support import snapshot
from tests.livret.factories import EvaluationFactory, competence_framework
from tests.tutors.factories import CompanyTutorFactory

EvaluationStatus = Evaluation.Status
Rater = Rating.Rater
PAGE_VIEWS = ("contract_evaluations", "evaluation_detail")
POST_VIEWS = ("evaluation_open", "grid_sharing", "evaluation_save")
OPENERS = {"company_tutor", "school_tutor", "staff", "admin"}
RECORDERS = {"school_tutor", "staff", "admin"}

# Every page starts with 3 queries: the session, the user, the user's roles.
CONTRACT_QUERIES = {
    # + the contract with its people and grid sharing, its evaluations, the progression (2)
    "apprentice": 7,
    "head_of_diploma": 7,
    # + the company periods that could be opened
    "company_tutor": 8,
    "school_tutor": 8,
    "staff": 8,
    "admin": 8,
}
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
# The evaluation with its contract, people and period; the link; the competences; the ratings.
LINK_QUERIES = 4
NOT_FOUND_QUERIES = 4  # the session, the user, the roles, the object not found


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def competences(world):
    for chain in (world.mine, world.other, world.foreign):
        competence_framework(chain.diploma, blocks=2, per_block=3)
    return selectors.competences_of(world.mine.diploma.pk)


def started_period(contract) -> AlternancePeriod:
    """A company period of the contract's calendar that has started today. The factory's calendar
    starts with four weeks at school: early in September none has, so the first one is moved."""
    periods = AlternancePeriod.objects.filter(
        calendar__diploma=contract.diploma, kind=AlternancePeriod.Kind.COMPANY
    ).order_by("start_date")
    today = timezone.localdate()
    period = periods.filter(start_date__lte=today).exclude(evaluations__contract=contract).last()
    if period is None:
        period = periods.exclude(evaluations__contract=contract).first()
        AlternancePeriod.objects.filter(pk=period.pk).update(start_date=today)
        period.refresh_from_db()
    return period


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


def add_evaluations(world, role, n):
    """``n`` more complete evaluations of the world's contract, and ``n`` more contracts ``role`` sees."""
    for _ in range(n):
        validated(world)
    visible = Contract.objects.visible_to(world.users[role])
    before = set(visible.values_list("pk", flat=True))
    grow(world, role, n)
    for contract in visible.exclude(pk__in=before):
        if contract.apprentice.cohort_id:
            competence_framework(contract.diploma)


def form_data(competences, level=3, action="save", comment="", skip=0):
    data = {f"c{c.pk}": level for c in competences[skip:]}
    return {**data, "comment": comment, "action": action}


# The contract's page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [1, 4])
@pytest.mark.parametrize("role", ROLES)
def test_contract_page_runs_a_fixed_number_of_queries(
    client, world, competences, django_assert_num_queries, role, extra
):
    GridSharing.objects.create(contract=world.mine.contract, shared_on=world.mine.contract.start_date)
    validated(world)
    add_evaluations(world, role, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(CONTRACT_QUERIES[role]):
        response = client.get(reverse("livret:contract_evaluations", args=[world.mine.contract.pk]))

    assert response.status_code == 200
    assert len(response.context["evaluations"]) == extra + 1
    assert len(response.context["progression"].periods) == extra + 1
    assert response.context["chart"].startswith("<svg")
    text = text_of(response)
    assert "Grille partagée le" in text
    assert "Progression des compétences de" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_contract_page_offers_each_person_what_they_may_do(client, world, competences, role):
    started_period(world.mine.contract)
    client.force_login(world.users[role])

    response = client.get(reverse("livret:contract_evaluations", args=[world.mine.contract.pk]))

    text = text_of(response)
    assert "n'est pas encore partagée" in text
    assert (response.context["grid_form"] is not None) == (role in RECORDERS)
    assert (response.context["open_form"] is not None) == (role in OPENERS)
    assert ("Ouvrir l'évaluation de cette période" in text) == (role in OPENERS)
    assert "La progression s'affichera ici" in text
    assert response.context["chart"] is None


def test_once_shared_only_staff_may_correct_the_sharing(client, world, competences):
    GridSharing.objects.create(contract=world.mine.contract, shared_on=world.mine.contract.start_date)
    url = reverse("livret:contract_evaluations", args=[world.mine.contract.pk])

    client.force_login(world.users["school_tutor"])
    assert client.get(url).context["grid_form"] is None
    client.force_login(world.users["staff"])
    response = client.get(url)
    assert response.context["grid_form"] is not None
    assert "Corriger le partage noté" in text_of(response)


@pytest.mark.parametrize("role", ROLES)
def test_pages_of_someone_else_are_not_found_on_get_and_post(
    client, world, competences, django_assert_num_queries, role
):
    chains = [world.foreign] + ([] if role in ORGANISATION_WIDE else [world.other])
    evaluations = [EvaluationFactory(contract=chain.contract) for chain in chains]
    before = snapshot(*evaluations)
    client.force_login(world.users[role])

    for chain, evaluation in zip(chains, evaluations, strict=True):
        with django_assert_num_queries(NOT_FOUND_QUERIES):
            assert (
                client.get(reverse("livret:contract_evaluations", args=[chain.contract.pk])).status_code
                == 404
            )
        with django_assert_num_queries(NOT_FOUND_QUERIES):
            assert client.get(evaluation.get_absolute_url()).status_code == 404
        posts = {
            "evaluation_open": (chain.contract.pk, {"period": evaluation.period_id}),
            "grid_sharing": (chain.contract.pk, {"shared_on": chain.contract.start_date, "means": "meeting"}),
            "evaluation_save": (evaluation.pk, {"action": "submit"}),
        }
        for view, (pk, data) in posts.items():
            assert client.post(reverse(f"livret:{view}", args=[pk]), data).status_code == 404, view

    assert snapshot(*evaluations) == before


@pytest.mark.parametrize("view", [*PAGE_VIEWS, *POST_VIEWS])
def test_pages_ask_anonymous_people_to_log_in(client, world, competences, view):
    evaluation = EvaluationFactory(contract=world.mine.contract)
    pk = evaluation.pk if view in {"evaluation_detail", "evaluation_save"} else world.mine.contract.pk
    url = reverse(f"livret:{view}", args=[pk])

    response = client.post(url) if view in POST_VIEWS else client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# Opening and sharing --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_opening_from_the_page(client, world, competences, role, django_capture_on_commit_callbacks):
    period = started_period(world.mine.contract)
    client.force_login(world.users[role])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("livret:evaluation_open", args=[world.mine.contract.pk]), {"period": period.pk}
        )

    evaluation = Evaluation.objects.filter(contract=world.mine.contract, period=period).first()
    if role in OPENERS:
        assert response["Location"] == evaluation.get_absolute_url()
        assert messages_of(response) == [
            "Évaluation ouverte : le maître d'apprentissage la reçoit par e-mail."
        ]
        assert [m.to for m in mail.outbox] == [[world.mine.company_tutor.email]]
    else:
        assert evaluation is None
        assert response["Location"] == reverse("livret:contract_evaluations", args=[world.mine.contract.pk])
        assert messages_of(response) == [
            "Seuls le maître d'apprentissage, le tuteur pédagogique et l'équipe du CFA peuvent ouvrir une "
            "évaluation."
        ]
        assert mail.outbox == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choisissez la période à évaluer."),
        ({"period": "douze"}, "Cette période ne peut pas être évaluée."),
        ({"period": 0}, "Cette période ne peut pas être évaluée."),
        ("taken", "L'évaluation de cette période est déjà ouverte."),
    ],
    ids=["missing", "malformed", "unknown", "taken"],
)
def test_opening_a_wrong_period_is_refused_with_a_french_message(client, world, competences, data, message):
    period = started_period(world.mine.contract)
    if data == "taken":
        EvaluationFactory(contract=world.mine.contract, period=period)
        data = {"period": period.pk}
    before = snapshot()
    client.force_login(world.users["school_tutor"])

    response = client.post(reverse("livret:evaluation_open", args=[world.mine.contract.pk]), data)

    assert messages_of(response) == [message]
    assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_recording_the_grid_sharing_from_the_page(client, world, role):
    contract = world.mine.contract
    client.force_login(world.users[role])
    day = contract.start_date + datetime.timedelta(days=8)

    response = client.post(
        reverse("livret:grid_sharing", args=[contract.pk]), {"shared_on": day.isoformat(), "means": "email"}
    )

    assert response["Location"] == reverse("livret:contract_evaluations", args=[contract.pk])
    if role in RECORDERS:
        assert messages_of(response) == ["Partage de la grille noté."]
        assert GridSharing.objects.get(contract=contract).shared_on == day
    else:
        assert messages_of(response) == [
            "Seuls le tuteur pédagogique et l'équipe du CFA notent le partage de la grille."
        ]
        assert not GridSharing.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"shared_on": "", "means": "meeting"}, "Indiquez la date du partage."),
        ({"shared_on": "31/02/2026", "means": "meeting"}, "Saisissez une date valide."),
        (
            {"shared_on": "2999-01-01", "means": "meeting"},
            "La date du partage ne peut pas être dans le futur.",
        ),
        ({"shared_on": "2020-01-01", "means": "pigeon"}, "Choisissez comment la grille a été partagée."),
    ],
    ids=["missing", "malformed", "future", "means"],
)
def test_a_wrong_sharing_is_refused_with_a_french_message(client, world, data, message):
    client.force_login(world.users["school_tutor"])

    response = client.post(reverse("livret:grid_sharing", args=[world.mine.contract.pk]), data)

    assert messages_of(response) == [message]
    assert not GridSharing.objects.exists()


def test_staff_corrects_a_recorded_sharing_from_the_page(client, world):
    contract = world.mine.contract
    GridSharing.objects.create(contract=contract, shared_on=contract.start_date + datetime.timedelta(days=50))
    client.force_login(world.users["staff"])

    response = client.post(
        reverse("livret:grid_sharing", args=[contract.pk]),
        {"shared_on": contract.start_date.isoformat(), "means": "meeting"},
    )

    assert messages_of(response) == ["Partage de la grille corrigé."]
    assert GridSharing.objects.get(contract=contract).shared_on == contract.start_date


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
    assert "Le formulaire contient des erreurs" in text
    assert text.count("Choisissez un niveau pour cette compétence.") == 1
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
    assert text_of(response).count("Choisissez un niveau pour cette compétence.") == 2
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
