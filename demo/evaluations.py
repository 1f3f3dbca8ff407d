"""Demo evaluation grids: the grid shared for most active contracts (most within the first month, a
few late, a few not yet), and evaluations in every state.

apprenti@ has one per company period since the start of the contract, levels rising over time, the
latest still open (for the tutor's link and the self-assessment); apprenti2@'s latest waits for the
self-assessment. Other contracts get their latest started period, in a state chosen by the contract's
id. Everything goes through the services (real signatures, links, audit events); re-running creates
nothing: only periods without an evaluation are opened, and only what was just opened is moved.
"""

from __future__ import annotations

import datetime

from apprentices.models import Contract
from core.audit import acting_as
from core.models import ActionLink, User
from core.workflow import links
from demo.stable import contract_number
from livret import selectors
from livret.models import Evaluation, GridSharing, Rating
from livret.services import evaluations as workflow

FULL_HISTORY = "apprenti@demo.test"
WAITING_SELF_ASSESSMENT = "apprenti2@demo.test"
NAMED = {FULL_HISTORY, WAITING_SELF_ASSESSMENT}
EvaluationStatus = Evaluation.Status
Rater = Rating.Rater
COMMENTS = {
    Rater.TUTOR: [
        "Bonne implication ; l'autonomie progresse nettement.",
        "Travail rigoureux. À consolider : la communication avec la production.",
        "Très bonne période, prend des initiatives.",
    ],
    Rater.APPRENTICE: [
        "Période riche ; j'ai besoin de plus de pratique sur la planification.",
        "Je me sens plus à l'aise avec les outils de l'entreprise.",
        "",
    ],
}


def _tutor_level(competence_pk: int, index: int, count: int) -> int:
    """Rises from about 1 to about 4 over the periods, each competence at its own pace."""
    progress = index / max(count - 1, 1)
    wobble = ((competence_pk * 7 + index * 3) % 5 - 2) * 0.3
    return max(1, min(4, round(1.2 + 2.6 * progress + wobble)))


def _self_level(competence_pk: int, index: int, count: int) -> int:
    level = _tutor_level(competence_pk, index, count)
    if (competence_pk + index) % 3 == 0 and index < count / 2:
        level += 1  # a little optimistic at first
    elif (competence_pk + index) % 5 == 0:
        level -= 1
    return max(1, min(4, level))


def _share(contract: Contract, today: datetime.date, staff) -> int:
    """Most within the first month, one in ten late, one in ten not yet."""
    recorder = contract.school_tutor.user if contract.school_tutor else staff
    if recorder is None:
        return 0
    slot = contract_number(contract) % 10
    if contract.apprentice.user and contract.apprentice.user.email in NAMED:
        slot = 5
    if slot == 0:
        return 0
    delay = 35 + 6 * slot if slot in {1, 2} else 3 + (contract_number(contract) * 7) % 25
    shared_on = contract.start_date + datetime.timedelta(days=delay)
    if shared_on > today:
        return 0
    means = GridSharing.Means.values[contract_number(contract) % len(GridSharing.Means.values)]
    with acting_as(recorder, via="seed_demo"):
        workflow.record_grid_sharing(
            contract=contract, by=recorder, shared_on=shared_on, means=means, today=today
        )
    return 1


def _rate_as_tutor(evaluation, levels, comment, use_link):
    tutor = evaluation.contract.company_tutor
    if tutor.user_id and not use_link:
        with acting_as(tutor.user, via="seed_demo"):
            workflow.save_ratings(
                evaluation=evaluation,
                rater=Rater.TUTOR,
                levels=levels,
                comment=comment,
                submit=True,
                by=tutor.user,
            )
        return
    # Most tutors answer from the emailed link.
    _link, token = links.issue(
        document=evaluation, action=ActionLink.Action.EVALUATE, email=tutor.email, name=str(tutor)
    )
    workflow.save_ratings(
        evaluation=evaluation, rater=Rater.TUTOR, levels=levels, comment=comment, submit=True, token=token
    )


def _self_assess(evaluation, levels, comment):
    user = evaluation.contract.apprentice.user
    with acting_as(user, via="seed_demo"):
        workflow.save_ratings(
            evaluation=evaluation,
            rater=Rater.APPRENTICE,
            levels=levels,
            comment=comment,
            submit=True,
            by=user,
        )


def _move(evaluation, target: str, competences, index: int, count: int) -> None:
    contract = evaluation.contract
    if (
        target in {EvaluationStatus.TUTOR_DONE, EvaluationStatus.COMPLETE}
        and contract.company_tutor is not None
    ):
        levels = {c.pk: _tutor_level(c.pk, index, count) for c in competences}
        comment = COMMENTS[Rater.TUTOR][(contract_number(contract) + index) % len(COMMENTS[Rater.TUTOR])]
        _rate_as_tutor(evaluation, levels, comment, use_link=(contract_number(contract) + index) % 2 == 0)
    if (
        target in {EvaluationStatus.SELF_DONE, EvaluationStatus.COMPLETE}
        and contract.apprentice.user is not None
    ):
        levels = {c.pk: _self_level(c.pk, index, count) for c in competences}
        _self_assess(evaluation, levels, COMMENTS[Rater.APPRENTICE][index % len(COMMENTS[Rater.APPRENTICE])])


def _evaluate(contract: Contract, today: datetime.date, staff) -> int:
    opener = contract.school_tutor.user if contract.school_tutor else staff
    if opener is None:
        return 0
    email = contract.apprentice.user.email if contract.apprentice.user else ""
    periods = selectors.company_periods(contract)
    started = [p for p in periods if p.start_date <= today]
    if not started:
        return 0
    if email == FULL_HISTORY:
        plan = [(p, EvaluationStatus.COMPLETE) for p in started[:-1]] + [(started[-1], EvaluationStatus.OPEN)]
    elif email == WAITING_SELF_ASSESSMENT:
        plan = [(p, EvaluationStatus.COMPLETE) for p in started[-2:-1]] + [
            (started[-1], EvaluationStatus.TUTOR_DONE)
        ]
    else:
        slot = contract_number(contract) % 5
        if slot == 0:
            return 0
        plan = [
            (
                started[-1],
                [
                    EvaluationStatus.OPEN,
                    EvaluationStatus.TUTOR_DONE,
                    EvaluationStatus.SELF_DONE,
                    EvaluationStatus.COMPLETE,
                ][slot - 1],
            )
        ]
    taken = set(Evaluation.objects.filter(contract=contract).values_list("period_id", flat=True))
    competences = selectors.competences_of(contract.diploma_id)
    if not competences:
        return 0
    created = 0
    for period, target in plan:
        if period.pk in taken:
            continue
        with acting_as(opener, via="seed_demo"):
            evaluation = workflow.open_evaluation(
                contract=contract, period=period, by=opener, today=today, notify=False
            )
        _move(evaluation, target, competences, started.index(period), len(started))
        created += 1
    return created


def seed_evaluations(*, today: datetime.date) -> dict:
    contracts = list(
        Contract.objects.filter(status=Contract.Status.ACTIVE)
        .active_on(today)
        .select_related(
            "apprentice__user",
            "apprentice__cohort__entry_year",
            "company_tutor__user",
            "school_tutor__user",
            "diploma",
        )
        .order_by("pk")
    )
    staff = User.objects.filter(email="staff@demo.test").first()
    shared = set(GridSharing.objects.filter(contract__in=contracts).values_list("contract_id", flat=True))
    sharings = sum(_share(c, today, staff) for c in contracts if c.pk not in shared)
    evaluations = sum(_evaluate(c, today, staff) for c in contracts)
    return {"evaluations": evaluations, "sharings": sharings}
