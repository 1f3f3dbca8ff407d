"""The contract's evaluations page and what is posted from it: who sees what and at what cost in
queries, someone else's pages, opening a period's grid and recording the grid sharing."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apprentices.models import AlternancePeriod, Contract
from livret.models import Evaluation, GridSharing
from tests.conftest import ORGANISATION_WIDE, ROLES, grow
from tests.helpers import messages_of, summary_links, text_of
from tests.livret import evaluation_pages_support
from tests.livret.evaluation_pages_support import validated
from tests.livret.evaluations_support import snapshot
from tests.livret.factories import EvaluationFactory, competence_framework

# Shared fixtures: pytest finds a fixture by its name in the test module.
competences = evaluation_pages_support.competences


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

NOT_FOUND_QUERIES = 4  # the session, the user, the roles, the object not found


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
            "Évaluation ouverte : le maître d'apprentissage la reçoit par message électronique."
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
    ("data", "field", "message"),
    [
        ({"shared_on": "", "means": "meeting"}, "shared_on", "Indiquez la date du partage."),
        ({"shared_on": "31/02/2026", "means": "meeting"}, "shared_on", "Saisissez une date valide."),
        (
            {"shared_on": "2999-01-01", "means": "meeting"},
            "shared_on",
            "La date du partage ne peut pas être dans le futur.",
        ),
        (
            {"shared_on": "2001-01-01", "means": "meeting"},
            "shared_on",
            "Cette date précède de plus de deux mois le début du contrat",
        ),
        (
            {"shared_on": "2020-01-01", "means": "pigeon"},
            "means",
            "Choisissez comment la grille a été partagée.",
        ),
    ],
    ids=["missing", "malformed", "future", "too-early", "means"],
)
def test_a_wrong_sharing_is_refused_at_its_field(client, world, data, field, message):
    """The form comes back with what was typed, the error at its field and in the summary at the top,
    which leads to it; nothing is written."""
    client.force_login(world.users["school_tutor"])

    response = client.post(reverse("livret:grid_sharing", args=[world.mine.contract.pk]), data)

    assert response.status_code == 400
    html = response.content.decode()
    [(href, text)] = summary_links(html)
    assert href == f"#id_grid_{field}" and message in text
    tag = re.search(rf'<(?:input|select)[^>]*id="id_grid_{field}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in tag
    assert f'id="id_grid_{field}_error"' in html
    assert messages_of(response) == []
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
