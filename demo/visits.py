"""Demo company visits: for the contracts that school tutors follow, a history of visits in every state
(planned, reported and waiting for acknowledgement, acknowledged, cancelled), start meetings, action
items open, closed and late, and charter windows met, open and missed.

Everything goes through the services (real signatures, links and audit events). Re-running creates
nothing: a contract that has any visit is left alone. enseignant@demo.test always has a planned visit
ready to be logged.
"""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from apprentices.models import Contract
from core.audit import acting_as
from core.models import ActionLink, AuditEvent, Signature
from core.workflow import links
from demo.stable import contract_number
from livret import windows
from livret.models import ActionItem, VisitReport
from livret.readers import link_readers
from livret.services import visits as services

READY_FOR = "enseignant@demo.test"
FOLLOWED_CLOSELY = {"enseignant@demo.test", "responsable@demo.test"}

REPORTS = [
    {
        "integration": "Bien accueilli par l'équipe ; poste de travail et accès aux outils en place.",
        "missions_adequacy": "Missions en phase avec le bloc « Organisation industrielle » du diplôme.",
        "progress": "Prend en main l'analyse des temps de cycle ; autonomie en progrès.",
        "difficulties": "",
    },
    {
        "integration": "Intégration réussie ; l'apprenti participe aux réunions d'équipe.",
        "missions_adequacy": "Le projet d'amélioration continue correspond aux attendus de l'année.",
        "progress": "Autonome sur le suivi des indicateurs ; progresse en animation de réunion.",
        "difficulties": "Charge de travail élevée en fin de mois, à lisser avec le maître d'apprentissage.",
    },
    {
        "integration": "",
        "missions_adequacy": "Missions conformes ; le sujet du projet entreprise est validé.",
        "progress": "Bonne progression, rapports écrits plus structurés.",
        "difficulties": "Peu de temps dégagé pour la rédaction du rapport.",
    },
]
ACTIONS = [
    ("Transmettre le planning des périodes en entreprise au maître d'apprentissage", "school_tutor"),
    ("Préciser le sujet du projet entreprise", "company_tutor"),
    ("Suivre la formation interne à l'ERP", "apprentice"),
    ("Réserver une demi-journée par semaine au rapport", "employer"),
    ("Prendre rendez-vous avec le référent mobilité", "apprentice"),
    ("Faire un point sur les heures de formation réalisées", "cfa"),
]


def _schedule(contract: Contract, story: int) -> list[tuple[datetime.date, bool]]:
    """The days a meeting is held in this story, each with whether it is the start meeting."""
    years = windows.contract_years(contract)
    days = []
    for year in years:
        if year.is_first:
            start_meeting = year.start + datetime.timedelta(days=75 if story == 1 else 20)
            days.append((start_meeting, True))
            days.append((windows.add_months(year.start, 6), False))
        else:
            days.append((windows.add_months(year.start, 1), False))
            days.append((windows.add_months(year.start, 7), False))
        if year.is_last:
            days.append((contract.planned_end_date - datetime.timedelta(days=21), False))
    return sorted({(d, s) for d, s in days if d <= contract.end_date})


def _acknowledge(visit: VisitReport, contract: Contract, *, apprentice: bool, tutor: bool, parent: bool):
    if apprentice and contract.apprentice.user is not None:
        services.acknowledge(visit=visit, by=contract.apprentice.user)
    readers = link_readers(contract)
    chosen = [r for r in readers if (r.role == "company_tutor" and tutor)]
    chosen += [r for r in readers if r.role == "legal_representative" and parent][:1]
    for reader in chosen:
        _link, token = links.issue(
            document=visit, action=ActionLink.Action.ACKNOWLEDGE, email=reader.email, name=reader.name
        )
        services.acknowledge(visit=visit, token=token)


def _seed_contract(contract: Contract, story: int, today: datetime.date) -> int:
    """Story 0: every window met, the last report waiting to be read, the next visit planned.
    1: start meeting late (window missed), last report read by the apprentice only.
    2: nothing held yet (windows missed or open): a cancelled visit, then the start meeting planned.
    3: everything read, nothing planned (an open window waits for a visit).
    4: like 0, with an action closed between visits and the last report read by the tutor only."""
    tutor = contract.school_tutor.user
    minor = contract.apprentice.is_minor
    past = today - datetime.timedelta(days=1)
    created = 0
    days = _schedule(contract, story)
    held_days = [(d, s) for d, s in days if d <= past] if story != 2 else []
    future = [d for d, _s in days if d > past]
    with acting_as(tutor, via="seed_demo"):
        if story == 2:
            start_meeting = contract.start_date + datetime.timedelta(days=14)
            if start_meeting <= contract.end_date:
                cancelled = services.plan_visit(
                    contract=contract,
                    by=tutor,
                    planned_date=start_meeting,
                    mode="on_site",
                    is_start_meeting=True,
                    notify=False,
                )
                services.cancel_visit(
                    visit=cancelled,
                    by=tutor,
                    reason="Maître d'apprentissage absent ce jour-là (arrêt maladie).",
                    notify=False,
                )
                created += 1
        for index, (day, is_start) in enumerate(held_days):
            visit = services.plan_visit(
                contract=contract,
                by=tutor,
                planned_date=day,
                mode="on_site" if is_start or index % 3 != 1 else "video",
                is_start_meeting=is_start,
                notify=False,
            )
            open_ids = list(
                ActionItem.objects.filter(contract=contract, done_on__isnull=True)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            report = REPORTS[index % len(REPORTS)]
            first, second = ACTIONS[index % len(ACTIONS)], ACTIONS[(index + 1) % len(ACTIONS)]
            new_actions = [
                {"description": first[0], "owner": first[1], "due_date": day + datetime.timedelta(days=30)}
            ]
            if index % 2 == 0:
                new_actions.append(
                    {
                        "description": second[0],
                        "owner": second[1],
                        "due_date": day + datetime.timedelta(days=60),
                    }
                )
            services.log_visit(
                visit=visit,
                by=tutor,
                report=services.Report.clean(
                    held_on=day,
                    mode=visit.mode,
                    apprentice_present=True,
                    company_tutor_present=True,
                    legal_representative_present=minor and is_start,
                    other_participants="Responsable RH du site" if index % 4 == 3 else "",
                    close_action_ids=[pk for rank, pk in enumerate(open_ids) if rank % 3 != 2],
                    new_actions=new_actions,
                    **report,
                ),
                notify=False,
            )
            created += 1
            last = index == len(held_days) - 1
            if not last:
                _acknowledge(visit, contract, apprentice=True, tutor=True, parent=minor and is_start)
            elif story == 1:
                _acknowledge(visit, contract, apprentice=True, tutor=False, parent=False)
            elif story == 3:
                _acknowledge(visit, contract, apprentice=True, tutor=True, parent=minor)
            elif story == 4:
                _acknowledge(visit, contract, apprentice=False, tutor=True, parent=False)
                action = (
                    ActionItem.objects.filter(contract=contract, done_on__isnull=True).order_by("pk").first()
                )
                if action is not None and action.opened_in.held_on < past:
                    services.close_action(action=action, by=tutor, done_on=past)
        if story in {0, 1, 4} and future and future[0] <= contract.end_date:
            services.plan_visit(
                contract=contract,
                by=tutor,
                planned_date=future[0],
                planned_time=datetime.time(14, 0),
                mode="on_site",
                notify=False,
            )
            created += 1
        elif story == 2:
            day = max(today + datetime.timedelta(days=7), contract.start_date)
            if day <= contract.end_date:
                services.plan_visit(
                    contract=contract,
                    by=tutor,
                    planned_date=day,
                    planned_time=datetime.time(9, 30),
                    mode="on_site",
                    is_start_meeting=True,
                    notify=False,
                )
                created += 1
    return created


def _ensure_ready_visit(today: datetime.date) -> int:
    """enseignant@ has a planned visit dated today or before, to log straight away."""
    ready = VisitReport.objects.filter(
        status=VisitReport.Status.PLANNED,
        contract__school_tutor__user__email=READY_FOR,
        contract__status=Contract.Status.ACTIVE,
        planned_date__lte=today,
    )
    if ready.exists():
        return 0
    contracts = (
        Contract.objects.filter(
            school_tutor__user__email=READY_FOR,
            status=Contract.Status.ACTIVE,
            start_date__lte=today,
            planned_end_date__gte=today,
        )
        .select_related("school_tutor__user")
        .order_by("pk")
    )
    planned = set(
        VisitReport.objects.filter(contract__in=contracts, status=VisitReport.Status.PLANNED).values_list(
            "contract_id", flat=True
        )
    )
    contract = next((c for c in contracts if c.pk not in planned), None) or contracts.first()
    if contract is None:
        return 0
    tutor = contract.school_tutor.user
    with acting_as(tutor, via="seed_demo"):
        services.plan_visit(contract=contract, by=tutor, planned_date=today, mode="on_site", notify=False)
    return 1


def seed_visits(*, today: datetime.date) -> dict:
    # Reports cannot be dated after the real today, whatever day the demo pretends it is.
    today = min(today, timezone.localdate())
    with_visits = set(VisitReport.objects.values_list("contract_id", flat=True))
    contracts = (
        Contract.objects.filter(
            status__in=[Contract.Status.ACTIVE, Contract.Status.RUPTURED],
            school_tutor__user__isnull=False,
            company_tutor__isnull=False,
            start_date__lte=today,
        )
        .exclude(pk__in=with_visits)
        .select_related("apprentice__user", "company_tutor", "school_tutor__user", "diploma")
        .order_by("pk")
    )
    already = set(VisitReport.objects.values_list("pk", flat=True))
    created = 0
    for contract in contracts:
        closely = contract.school_tutor.user.email in FOLLOWED_CLOSELY
        if not closely and contract_number(contract) % 3:
            continue  # a third of the other contracts are enough to show every case
        with transaction.atomic():
            created += _seed_contract(contract, contract_number(contract) % 5, today)
    created += _ensure_ready_visit(today)
    _date_as_they_happened(VisitReport.objects.exclude(pk__in=already).filter(held_on__isnull=False))
    return {"visits": created}


def _date_as_they_happened(visits) -> None:
    """The services stamp everything "now"; a report held last year was planned, shared and read back
    then. Its dates, signatures and audit events are moved to the days around the meeting (the signed
    content holds no such date: the fingerprints stay true)."""
    now = timezone.now()
    visit_type = ContentType.objects.get_for_model(VisitReport)
    for visit in visits:
        held = timezone.make_aware(datetime.datetime.combine(visit.held_on, datetime.time(17, 30)))
        planned = held - datetime.timedelta(days=21)
        reported = min(held + datetime.timedelta(days=2), now)
        read = min(reported + datetime.timedelta(days=3), now)
        VisitReport.objects.filter(pk=visit.pk).update(
            created_at=planned,
            reported_at=reported,
            acknowledged_at=read if visit.acknowledged_at else None,
        )
        ActionItem.objects.filter(opened_in=visit).update(created_at=reported)
        signatures = Signature.objects.filter(document_type=visit_type, document_id=visit.pk)
        signatures.filter(act=Signature.Act.REPORT).update(signed_at=reported)
        signatures.filter(act=Signature.Act.ACKNOWLEDGE).update(signed_at=read)
        events = AuditEvent.objects.filter(target_type=visit_type, target_id=visit.pk)
        events.filter(action="livret.visitreport.planned").update(created_at=planned)
        events.filter(action="livret.visitreport.reported").update(created_at=reported)
        events.filter(action="livret.visitreport.acknowledged").update(created_at=read)
