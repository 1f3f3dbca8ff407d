"""Demo mission descriptions of the current academic year, in every state.

Transitions go through the services, so the demo has real signatures, decisions and audit events.
A description "submitted 9 days ago" cannot be made today by a service, though: after each step the
rows it just wrote (the description, its decision, its signature, its audit event) are moved back in
time with ``queryset.update()``, consistently, so that the waiting days, the decision delays (the
quality indicator "share decided within 7 days" and the median delay) and the reminders look real.

Re-running creates nothing: a contract that already has a description for the year is left alone,
and the state each contract gets depends on its place in a fixed order. apprenti@ gets a draft its
tutor started; apprenti2@ gets none, to show how one is opened.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from apprentices.models import Contract
from core.audit import acting_as
from core.models import AcademicYear, AuditEvent, Signature
from demo.stable import contract_number
from livret.models import MissionDecision, MissionDescription
from livret.services import missions as services

DRAFT_BY_TUTOR = "apprenti@demo.test"
LEFT_TO_OPEN = "apprenti2@demo.test"
DAY = datetime.timedelta(days=1)

TEXTS = [
    {
        "missions": (
            "Analyse des flux de l'atelier d'usinage, mise à jour des gammes de fabrication avec le service "
            "méthodes, suivi hebdomadaire des indicateurs de production (TRS, rebuts)."
        ),
        "expected_progression": (
            "Premier semestre : prise en main des outils et des indicateurs. Second semestre : conduite "
            "autonome de l'analyse des temps de cycle et proposition d'améliorations."
        ),
        "project_subject": "Réduire de 15 % le temps de changement de série sur la ligne 2",
        "project_description": (
            "Application de la méthode SMED à la ligne 2 avec l'équipe de production : chronométrages, "
            "séparation des opérations internes et externes, standardisation, mesure des gains."
        ),
    },
    {
        "missions": (
            "Participation à la qualification des équipements de conditionnement, rédaction des "
            "protocoles et des rapports, suivi des écarts avec le service qualité."
        ),
        "expected_progression": "Autonome sur la rédaction d'un protocole de qualification en fin d'année.",
        "project_subject": "Qualification de la nouvelle ligne de conditionnement des comprimés",
        "project_description": (
            "Plan de qualification (QI, QO, QP), analyse de risques, rédaction des protocoles, "
            "exécution des essais et rapport final, avec le responsable qualité."
        ),
    },
    {
        "missions": (
            "Programmation et mise au point de pièces sur centre d'usinage 5 axes, contrôle dimensionnel, "
            "rédaction des fiches de réglage."
        ),
        "expected_progression": "Réglage autonome d'une nouvelle pièce de complexité moyenne en fin d'année.",
        "project_subject": "Fiabiliser le contrôle dimensionnel des carters en aluminium",
        "project_description": (
            "Étude des causes de non-conformité, choix des moyens de contrôle, mise en place d'un plan "
            "de surveillance avec l'équipe de production."
        ),
    },
]
VALIDATION_COMMENT = "Missions cohérentes avec la formation ; projet ambitieux mais réaliste."
RETURN_COMMENT = (
    "Le sujet du projet est trop large : précisez le périmètre, les livrables attendus et ce que "
    "l'apprenti conduira lui-même."
)


@dataclass(frozen=True)
class Plan:
    """Where a contract's description ends up. Days count back from now; ``decided_after`` is the
    delay of the head's decision after the submission."""

    state: str  # none, empty, draft, submitted, validated, returned, resubmitted, corrected
    submitted_days_ago: int = 0
    decided_after: float = 0


PLANS = [
    Plan("submitted", submitted_days_ago=9),  # past the charter's week
    Plan("validated", submitted_days_ago=20, decided_after=2),
    Plan("submitted", submitted_days_ago=4),
    Plan("draft"),
    Plan("validated", submitted_days_ago=35, decided_after=11.5),  # decided late
    Plan("submitted", submitted_days_ago=1),
    Plan("returned", submitted_days_ago=6, decided_after=3),
    Plan("validated", submitted_days_ago=15, decided_after=5),
    Plan("empty"),
    Plan("submitted", submitted_days_ago=0),
    Plan("corrected", submitted_days_ago=40, decided_after=1),
    Plan("validated", submitted_days_ago=28, decided_after=6.5),
    Plan("resubmitted", submitted_days_ago=12, decided_after=3),
    Plan("validated", submitted_days_ago=50, decided_after=9),  # decided late
    Plan("none"),
    Plan("validated", submitted_days_ago=24, decided_after=0.2),
]


def _events(mission, action):
    return AuditEvent.objects.filter(
        target_type=AuditEvent.content_type_for(MissionDescription), target_id=mission.pk, action=action
    )


def _latest(queryset):
    return queryset.filter(pk=queryset.order_by("-pk").values("pk")[:1])


def _backdate_submission(mission, when):
    """The submission just made happened at ``when``; the description was opened and written before."""
    written = when - 2 * DAY
    MissionDescription.objects.filter(pk=mission.pk, created_at__gt=written).update(created_at=written)
    MissionDescription.objects.filter(pk=mission.pk).update(submitted_at=when)
    _latest(Signature.objects.for_document(mission).filter(act=Signature.Act.SUBMIT)).update(signed_at=when)
    _latest(_events(mission, "livret.missiondescription.submitted")).update(created_at=when)
    for action in ("livret.missiondescription.created", "livret.missiondescription.changed"):
        _events(mission, action).filter(created_at__gt=written).update(created_at=written)


def _backdate_decision(mission, submitted_at, decided_at):
    """The decision just made happened at ``decided_at``: its delay, signature and event follow."""
    decision = _latest(MissionDecision.objects.filter(mission=mission))
    decision.update(submitted_at=submitted_at, decided_at=decided_at, delay=decided_at - submitted_at)
    MissionDescription.objects.filter(pk=mission.pk).update(decided_at=decided_at)
    _latest(Signature.objects.for_document(mission).filter(act=Signature.Act.VALIDATE)).update(
        signed_at=decided_at
    )
    within = decided_at - submitted_at <= MissionDescription.DECISION_DAYS * DAY
    for action in ("livret.missiondescription.validated", "livret.missiondescription.returned"):
        for event in _latest(_events(mission, action)):
            event.created_at = decided_at
            event.data = {
                **event.data,
                "delay_days": round((decided_at - submitted_at).total_seconds() / 86400, 1),
                "within_deadline": within,
            }
            AuditEvent.objects.filter(pk=event.pk).update(created_at=event.created_at, data=event.data)


def _submit(mission, writer, when):
    mission = services.submit(mission=mission, by=writer)
    _backdate_submission(mission, when)
    mission.refresh_from_db()
    return mission


def _seed_one(contract, plan, year, now) -> int:
    apprentice, tutor = contract.apprentice.user, contract.company_tutor.user
    heads = sorted(contract.diploma.heads.all(), key=lambda head: head.pk)
    head = heads[0] if heads else None
    writer = tutor if contract_number(contract) % 2 else apprentice
    with acting_as(writer, via="seed_demo"):
        mission = services.create_mission(contract=contract, academic_year=year, by=writer)
        if plan.state == "empty":
            return 0
        text = TEXTS[contract_number(contract) % len(TEXTS)]
        mission = services.save_draft(mission=mission, by=writer, values=text, revision=mission.revision)
        if plan.state == "draft":
            return 0
        submitted_at = now - plan.submitted_days_ago * DAY
        mission = _submit(mission, writer, submitted_at)
    if plan.state == "submitted" or head is None:
        return 0
    decided_at = submitted_at + plan.decided_after * DAY
    with acting_as(head, via="seed_demo"):
        if plan.state in {"returned", "resubmitted"}:
            mission = services.return_mission(mission=mission, by=head, comment=RETURN_COMMENT)
        else:
            mission = services.validate(mission=mission, by=head, comment=VALIDATION_COMMENT)
        _backdate_decision(mission, submitted_at, decided_at)
        mission.refresh_from_db()
        if plan.state == "corrected":
            services.correct(mission=mission, by=head)
    if plan.state == "resubmitted":
        with acting_as(writer, via="seed_demo"):
            precise = {
                **text,
                "project_subject": text["project_subject"] + " (périmètre : atelier principal)",
            }
            mission = services.save_draft(
                mission=mission, by=writer, values=precise, revision=mission.revision
            )
            _submit(mission, writer, now - 2 * DAY)
    return 1


def seed_missions(*, today: datetime.date) -> dict:
    year = AcademicYear.objects.current(today)
    if year is None:
        return {"missions": 0, "decided": 0}
    now = timezone.now()
    if today != timezone.localdate():
        now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(11)))
    contracts = (
        Contract.objects.filter(
            status=Contract.Status.ACTIVE,
            apprentice__user__isnull=False,
            company_tutor__user__isnull=False,
            start_date__lte=year.end_date,
            planned_end_date__gte=year.start_date,
        )
        .select_related("apprentice__user", "company_tutor__user", "diploma")
        .prefetch_related("diploma__heads")
        .order_by("pk")
    )
    described = set(
        MissionDescription.objects.filter(academic_year=year).values_list("contract_id", flat=True)
    )
    created = decided = 0
    index = 0
    for contract in contracts:
        email = contract.apprentice.user.email
        if email == LEFT_TO_OPEN:
            continue
        if email == DRAFT_BY_TUTOR:
            plan = Plan("draft")
        else:
            plan = PLANS[index % len(PLANS)]
            index += 1
        if contract.pk in described or plan.state == "none":
            continue
        if email == DRAFT_BY_TUTOR:
            # Started by the tutor, for the apprentice to complete and submit.
            tutor = contract.company_tutor.user
            with acting_as(tutor, via="seed_demo"):
                mission = services.create_mission(contract=contract, academic_year=year, by=tutor)
                services.save_draft(
                    mission=mission,
                    by=tutor,
                    values={"missions": TEXTS[0]["missions"], "project_subject": TEXTS[0]["project_subject"]},
                    revision=mission.revision,
                )
        else:
            decided += _seed_one(contract, plan, year, now)
        created += 1
    return {"missions": created, "decided": decided}
