"""The grille d'évaluation through its services: opening a period's grid, each side's ratings and
their signature, the emailed link, the grid sharing, the progression and its chart, the demo."""

import datetime
import hashlib
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from apprentices.models import AlternancePeriod, Contract
from core import charts
from core.models import ActionLink, AuditEvent, Signature
from core.workflow import Refusal, links
from core.workflow.signatures import content_digest, signatures_of
from livret import selectors
from livret.charts import level_ticks, progression_chart
from livret.models import Evaluation, GridSharing, Rating
from livret.services import evaluations as workflow
from livret.tasks import send_evaluation_request
from tests.apprentices.factories import CalendarFactory, DiplomaFactory
from tests.conftest import ROLES
from tests.livret.factories import (
    CompetenceFactory,
    EvaluationFactory,
    competence_framework,
    small_world,
)
from tests.tutors.factories import CompanyTutorFactory

EvaluationStatus = Evaluation.Status
Rater = Rating.Rater
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def world(db):
    """Only one contract and its people: these tests never look at other contracts."""
    return small_world()


@pytest.fixture
def competences(world):
    return competence_framework(world.mine.diploma, blocks=2, per_block=3)


@pytest.fixture
def today(world):
    """A day when every company period of the world's calendar has started."""
    return world.academic_year.end_date


@pytest.fixture
def evaluation(world, competences):
    return EvaluationFactory(contract=world.mine.contract)


def company_periods(contract):
    return list(
        AlternancePeriod.objects.filter(
            calendar__diploma=contract.diploma, kind=AlternancePeriod.Kind.COMPANY
        ).order_by("start_date")
    )


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


MAY_RATE = {Rater.TUTOR: "company_tutor", Rater.APPRENTICE: "apprentice"}


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


# Grid sharing --------------------------------------------------------------------------------------

RECORDERS = {"school_tutor", "staff", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_the_school_tutor_and_staff_record_the_grid_sharing(world, role):
    contract = world.mine.contract
    shared_on = contract.start_date + datetime.timedelta(days=12)
    if role not in RECORDERS:
        before = snapshot()
        with pytest.raises(PermissionDenied, match="notent le partage de la grille"):
            workflow.record_grid_sharing(
                contract=contract, by=world.users[role], shared_on=shared_on, means="meeting"
            )
        assert snapshot() == before
        return

    sharing = workflow.record_grid_sharing(
        contract=contract, by=world.users[role], shared_on=shared_on, means="email"
    )

    assert (sharing.shared_on, sharing.means, sharing.recorded_by) == (shared_on, "email", world.users[role])
    (event,) = AuditEvent.for_object(sharing)
    assert (event.action, event.data) == (
        "livret.gridsharing.recorded",
        {"shared_on": shared_on.isoformat(), "means": "email"},
    )


@pytest.mark.parametrize(
    ("offset", "means", "message"),
    [
        (None, "meeting", "La date du partage ne peut pas être dans le futur."),
        (-61, "meeting", "précède de plus de deux mois le début du contrat"),
        (5, "fax", "Choisissez comment la grille a été partagée."),
    ],
    ids=["future", "too-early", "unknown-means"],
)
def test_a_wrong_sharing_is_refused(world, offset, means, message):
    contract = world.mine.contract
    today = timezone.localdate()
    shared_on = (
        today + datetime.timedelta(days=1)
        if offset is None
        else contract.start_date + datetime.timedelta(days=offset)
    )
    before = snapshot()

    with pytest.raises(ValidationError) as refused:
        workflow.record_grid_sharing(
            contract=contract, by=world.users["school_tutor"], shared_on=shared_on, means=means, today=today
        )

    assert message in " ".join(refused.value.messages)
    assert snapshot() == before


def test_a_sharing_sixty_days_before_the_contract_counts(world):
    contract = world.mine.contract
    day = contract.start_date - datetime.timedelta(days=60)

    sharing = workflow.record_grid_sharing(
        contract=contract, by=world.users["staff"], shared_on=day, means="meeting"
    )

    assert sharing.shared_on == day


def test_the_sharing_is_recorded_once_then_only_staff_corrects_it(world):
    contract = world.mine.contract
    first = contract.start_date + datetime.timedelta(days=40)
    sharing = workflow.record_grid_sharing(
        contract=contract, by=world.users["school_tutor"], shared_on=first, means="meeting"
    )
    before = snapshot()

    with pytest.raises(Refusal, match="seule l'équipe du CFA peut le corriger"):
        workflow.record_grid_sharing(
            contract=contract, by=world.users["school_tutor"], shared_on=contract.start_date, means="meeting"
        )
    assert snapshot() == before

    corrected = workflow.record_grid_sharing(
        contract=contract, by=world.users["staff"], shared_on=contract.start_date, means="meeting"
    )

    assert corrected.pk == sharing.pk
    assert (corrected.shared_on, corrected.recorded_by) == (contract.start_date, world.users["staff"])
    event = AuditEvent.for_object(sharing).first()
    assert (event.action, event.data["changes"]) == (
        "livret.gridsharing.changed",
        {"shared_on": [first.isoformat(), contract.start_date.isoformat()]},
    )
    assert event.changed_fields() == ["partagée le"]
    events = AuditEvent.objects.count()
    workflow.record_grid_sharing(
        contract=contract, by=world.users["staff"], shared_on=contract.start_date, means="meeting"
    )
    assert AuditEvent.objects.count() == events


# Progression ---------------------------------------------------------------------------------------


def rate(evaluation, rater, levels, *, submit=True, world):
    workflow.save_ratings(
        evaluation=evaluation, rater=rater, levels=levels, submit=submit, by=world.users[MAY_RATE[rater]]
    )


def test_progression_averages_each_block_over_the_validated_sides_only(
    world, competences, django_assert_num_queries
):
    block_a, block_b = competences[:3], competences[3:]
    first = EvaluationFactory(contract=world.mine.contract)
    second = EvaluationFactory(contract=world.mine.contract)
    rate(first, Rater.TUTOR, {**{c.pk: 1 for c in block_a}, **{c.pk: 2 for c in block_b}}, world=world)
    rate(
        first, Rater.APPRENTICE, {block_a[0].pk: 4}, submit=False, world=world
    )  # a draft: nobody's opinion yet
    rate(second, Rater.TUTOR, {**{c.pk: 3 for c in block_a}, **{c.pk: 4 for c in block_b}}, world=world)
    rate(
        second,
        Rater.APPRENTICE,
        {
            **dict.fromkeys([c.pk for c in block_a], 2),
            **{block_b[0].pk: 3, block_b[1].pk: 4, block_b[2].pk: 4},
        },
        world=world,
    )

    with django_assert_num_queries(2):
        progression = selectors.progression(world.mine.contract)

    a, b = (c[0].block for c in (block_a, block_b))
    assert [p["id"] for p in progression.periods] == [first.period_id, second.period_id]
    assert progression.series(a.pk, Rater.TUTOR) == [1.0, 3.0]
    assert progression.series(b.pk, Rater.TUTOR) == [2.0, 4.0]
    assert progression.series(a.pk, Rater.APPRENTICE) == [None, 2.0]
    assert progression.series(b.pk, Rater.APPRENTICE) == [None, 3.67]
    (row_one, row_two) = progression.rows()
    assert [(cell["tutor"], cell["apprentice"]) for cell in row_two["cells"]] == [(3.0, 2.0), (4.0, 3.67)]


def test_progression_of_a_contract_without_validated_evaluation_is_empty(world, competences):
    EvaluationFactory(contract=world.mine.contract)

    progression = selectors.progression(world.mine.contract)

    assert progression.is_empty
    assert progression.blocks == list(dict.fromkeys(c.block for c in competences))
    assert progression.rows() == []


# The chart -----------------------------------------------------------------------------------------


def parse(svg) -> ET.Element:
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox", "").startswith(f"0 0 {charts.WIDTH} ")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text
    assert desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "class" not in str(svg) and "<script" not in str(svg) and "@import" not in str(svg)
    return root


def paths(root):
    return root.findall(f".//{SVG}path")


def chart_for(world, periods_rated):
    competences = competence_framework(world.mine.diploma, blocks=2, per_block=2)
    for index in range(periods_rated):
        evaluation = EvaluationFactory(contract=world.mine.contract)
        rate(evaluation, Rater.TUTOR, all_levels(competences, 1 + index % 4), world=world)
        if index % 2 == 0:
            rate(evaluation, Rater.APPRENTICE, all_levels(competences, 2), world=world)
    progression = selectors.progression(world.mine.contract)
    return progression, progression_chart(progression, apprentice="Léa <Martin> & co")


def test_chart_draws_one_solid_path_per_block_for_the_tutor_and_one_dashed_for_the_apprentice(world):
    progression, svg = chart_for(world, 3)

    root = parse(svg)

    drawn = paths(root)
    assert len(drawn) == 4  # 2 blocks x (tutor, apprentice)
    dashed = [p for p in drawn if p.get("stroke-dasharray")]
    assert len(dashed) == 2
    tutor_path = next(p for p in drawn if not p.get("stroke-dasharray"))
    assert tutor_path.get("d").count("L") == 2  # three periods, one line
    apprentice_path = dashed[0]
    assert apprentice_path.get("d").count("M") == 2  # the middle period has no self-assessment: a gap
    assert "Léa <Martin> & co" in root.find(f"{SVG}title").text
    assert {t.text for t in root.iter(f"{SVG}text")} >= {"1", "4", "Non acquis", "Maîtrisé"}


def test_chart_legend_wraps_long_block_titles_on_two_lines_at_most():
    assert charts._wrap("BC1 — Concevoir et dimensionner des systèmes industriels", 32) == [
        "BC1 — Concevoir et dimensionner",
        "des systèmes industriels",
    ]
    assert charts._wrap("un " * 40, 20)[1].endswith("…")
    assert len(charts._wrap("un " * 40, 20)) == 2


def test_chart_renders_in_a_weasyprint_pdf_on_one_page(world):
    import io

    import weasyprint
    from pypdf import PdfReader

    _progression, svg = chart_for(world, 3)

    pdf = weasyprint.HTML(string=f"<html><body><div style='width:12cm'>{svg}</div></body></html>").write_pdf()

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Maître d'apprentissage (trait plein)" in text
    assert "Maîtrisé" in text


def test_chart_of_a_single_period_marks_its_points(world):
    _progression, svg = chart_for(world, 1)

    root = parse(svg)

    assert len(paths(root)) == 4
    assert all(p.get("d").count("M") == 1 and "L" not in p.get("d") for p in paths(root))
    assert len(root.findall(f".//{SVG}circle")) == 4


def test_chart_without_data_says_so(world):
    competence_framework(world.mine.diploma)
    progression = selectors.progression(world.mine.contract)

    root = parse(progression_chart(progression, apprentice="Léa"))

    assert paths(root) == []
    assert "Aucune évaluation validée pour l'instant." in {t.text for t in root.iter(f"{SVG}text")}


def test_chart_shows_few_enough_period_labels_for_a_phone():
    svg = charts.line_chart(
        title="t",
        description="d",
        x_labels=[f"P{i}" for i in range(16)],
        y_ticks=level_ticks(),
        series=[charts.Series("s", [1.0 + i % 4 for i in range(16)], "#1f3f8a")],
        legend=[],
    )

    labels = [t.text for t in parse(svg).iter(f"{SVG}text") if (t.text or "").startswith("P")]
    assert labels == ["P0", "P4", "P8", "P12"]
    assert len(labels) <= charts.MAX_X_LABELS


# The demo ------------------------------------------------------------------------------------------


# At the same moment (PostgreSQL only: SQLite has no row locks and serialises writers anyway) --------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="les verrous de ligne demandent PostgreSQL"
)


def pg_chain():
    from tests.conftest import build_chain
    from tests.core.factories import AcademicYearFactory, OrganisationFactory

    chain = build_chain(OrganisationFactory(name="CFA des Tests"), AcademicYearFactory(), with_accounts=True)
    return chain, competence_framework(chain.diploma)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_both_sides_validating_at_once_make_the_evaluation_complete():
    from tests.livret.test_concurrency import race

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
    from tests.livret.test_concurrency import race

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
    from tests.livret.test_concurrency import race

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
