"""What the booklet waits for, and from whom: one rule per (document, state, person who must act).

The same rules feed the "À faire" inbox on every home page (``todo_for``), the escalation of
reminders and the daily digest (``livret.reminders``). A rule is a queryset of the documents waiting
in one state, how to find the person who must act, and the dates its reminders count from.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apprentices.models import AlternancePeriod, Apprentice, Contract, Diploma
from core.models import AcademicYear, Role, Signature, User
from core.perms import q_is_multivalued
from core.workflow.links import LinkKind
from employers.models import Employer
from livret.links import EVALUATION, SHEET, VISIT
from livret.models import (
    Evaluation,
    GridSharing,
    LiaisonSheet,
    MissionDescription,
    VisitReport,
)
from livret.readers import has_acknowledged, link_readers
from livret.windows import visits_due

SheetStatus = LiaisonSheet.Status
VisitStatus = VisitReport.Status
MissionStatus = MissionDescription.Status
PEOPLE = (
    "contract__apprentice__user",
    "contract__employer",
    "contract__company_tutor__user",
    "contract__school_tutor__user",
)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _not_acknowledged_by(*email_paths: str) -> Exists:
    """The visit carries no acknowledgement signed with the address at any of ``email_paths``: one
    subquery, used as a filter only (selected too, it was planned twice; both readers' subqueries in
    every reader's query cost PostgreSQL's planner 3 ms at each home page)."""
    # The content type is matched by name inside the subquery: no query of its own, whatever the cache.
    signed_with = Q()
    for path in email_paths:
        signed_with |= Q(signer_email__iexact=OuterRef(path))
    return ~Exists(
        Signature.objects.filter(
            signed_with,
            document_type__app_label=VisitReport._meta.app_label,
            document_type__model=VisitReport._meta.model_name,
            document_id=OuterRef("pk"),
            act=Signature.Act.ACKNOWLEDGE,
        )
    )


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    user_id: int | None


def _apprentice(doc) -> list[Person]:
    apprentice = doc.contract.apprentice
    user = apprentice.user
    email = user.email if user else apprentice.email
    return [Person(email, str(apprentice), user.pk if user else None)] if email else []


def _company_tutor(doc) -> list[Person]:
    tutor = doc.contract.company_tutor
    if tutor is None or not tutor.email:
        return []
    return [Person(tutor.email, str(tutor), tutor.user_id)]


def _school_tutor(doc) -> list[Person]:
    tutor = doc.contract.school_tutor
    if tutor is None or tutor.user is None:
        return []
    return [Person(tutor.user.email, str(tutor), tutor.user_id)]


def _legal_representatives_to_read(visit) -> list[Person]:
    """The legal representatives of a minor apprentice who have not acknowledged the report yet (one
    query for the visit's signatures: this only runs in the nightly reminders)."""
    signatures = list(Signature.objects.for_document(visit))
    contract = visit.contract
    return [
        Person(reader.email, reader.name, None)
        for reader in link_readers(contract, contract.apprentice.legal_representatives.all())
        if reader.role == "legal_representative" and not has_acknowledged(reader, signatures)
    ]


def _heads(doc) -> list[Person]:
    return [
        Person(head.email, head.get_full_name() or head.email, head.pk)
        for head in doc.contract.diploma.heads.all()
    ]


def _staff(doc) -> list[Person]:
    return staff_of(doc.contract.diploma.organisation_id)


@functools.lru_cache(maxsize=64)
def staff_of(organisation_id: int) -> list[Person]:
    """The organisation's CFA staff. Cached for one pass of the reminders (``record_reminders``
    clears it first), so that every escalated document does not query them again."""
    staff = User.objects.filter(
        organisation_id=organisation_id, is_active=True, role_grants__role=Role.STAFF
    ).distinct()
    return [Person(user.email, user.get_full_name() or user.email, user.pk) for user in staff]


@dataclass(frozen=True)
class Rule:
    key: str
    kind: str  # what the document is, for people: "Fiche de liaison"
    verb: str  # what to do: "Contresigner"
    roles: frozenset  # roles whose inbox shows it
    documents: Callable[[datetime.date], QuerySet]  # every document waiting in this state
    mine: Callable[[object], Q]  # those waiting for this user
    recipients: Callable[[object], list[Person]]  # who must act, for reminders
    late_from: Callable[[object], datetime.datetime]  # reminders count days from here
    due: Callable[[object], datetime.date | None] = lambda doc: None
    new_at: Callable[[object], datetime.datetime | None] = lambda doc: None  # None: mailed at once elsewhere
    days: tuple[int, ...] = field(default_factory=lambda: tuple(settings.LIVRET_REMINDER_DAYS))
    escalate_after: int | None = None  # days after which ``escalate_to`` is told
    escalate_to: Callable[[object], list[Person]] = lambda doc: []
    link: LinkKind | None = None  # the emailed link for recipients without an account
    verb_for: Callable[[object], str] | None = None  # what to do, when it names someone (else ``verb``)
    url: Callable[[object], str] = lambda doc: doc.get_absolute_url()
    # The documents' order in SQL, that of ``due`` where there is one: the inbox keeps each rule's
    # first ``limit`` documents, which must be the ones due first (else any ``limit`` of them).
    order: tuple[str, ...] = ("pk",)


def _sheets(*statuses):
    def documents(today):
        return (
            LiaisonSheet.objects.current()
            .filter(status__in=statuses, contract__status=Contract.Status.ACTIVE)
            .select_related(*PEOPLE, "period")
        )

    return documents


def _visits_reported(today):
    return VisitReport.objects.filter(status=VisitStatus.REPORTED).select_related(*PEOPLE)


def _missions(*statuses, heads: bool = False):
    """The current mission descriptions in ``statuses``; with ``heads``, their diploma's heads
    prefetched, for the rules that name them (a query of its own, that the others do not run)."""

    def documents(today):
        missions = (
            MissionDescription.objects.current()
            .filter(status__in=statuses)
            .select_related(*PEOPLE, "contract__diploma", "academic_year")
        )
        return missions.prefetch_related("contract__diploma__heads") if heads else missions

    return documents


def _evaluations(**filters):
    def documents(today):
        return Evaluation.objects.filter(contract__status=Contract.Status.ACTIVE, **filters).select_related(
            *PEOPLE, "period"
        )

    return documents


def _contracts_without_grid(today):
    return (
        Contract.objects.filter(status=Contract.Status.ACTIVE)
        .active_on(today)
        .filter(~Exists(GridSharing.objects.filter(contract=OuterRef("pk"))))
        .select_related("apprentice__user", "employer", "company_tutor__user", "school_tutor__user")
    )


def _contracts_without_mission(today):
    year = AcademicYear.objects.current(today)
    if year is None:
        return Contract.objects.none()
    return (
        Contract.objects.filter(status=Contract.Status.ACTIVE)
        .active_on(today)
        .filter(~Exists(MissionDescription.objects.filter(contract=OuterRef("pk"), academic_year=year)))
        .select_related("apprentice__user", "employer", "company_tutor__user", "school_tutor__user")
    )


class _Self:
    """Adapter so that the person helpers read a contract as they read a document's contract."""

    def __init__(self, contract):
        self.contract = contract


def _on_contract(people):
    return lambda contract: people(_Self(contract))


ESCALATE = settings.LIVRET_ESCALATION_DAYS


def _remind_verb(mission) -> str:
    """« Relancer Marie Durand (plus de 7 jours) »: names the heads (prefetched), or says there is none
    to remind (the page then says how to name one)."""
    heads = [head.get_full_name() or head.email for head in mission.contract.diploma.heads.all()]
    if not heads:
        return _("Aucun responsable de formation à relancer")
    return _("Relancer %(names)s (plus de 7 jours)") % {"names": ", ".join(heads)}


def _contracts_of(user, path: str = "contract__") -> Q:
    """Documents of a contract (``path=""``: contracts) where ``user`` is the apprentice or the company
    tutor, looked up through the record of the role they hold: one join by the unique ``user`` of that
    record, a row or two for PostgreSQL. An OR across both joins made it join every mission description
    (or every running contract) of the network before filtering (34 ms, and 18 ms, on each home page at
    20,000 apprentices); a person who holds both roles gets two lookups of their contracts instead."""
    as_apprentice = Q(**{f"{path}apprentice__user": user})
    as_tutor = Q(**{f"{path}company_tutor__user": user})
    if Role.COMPANY_TUTOR not in user.roles:
        return as_apprentice
    if Role.APPRENTICE not in user.roles:
        return as_tutor
    within = f"{path}in" if path else "pk__in"
    return Q(**{within: Contract.objects.filter(apprentice__user=user).values("pk")}) | Q(
        **{within: Contract.objects.filter(company_tutor__user=user).values("pk")}
    )


RULES: list[Rule] = [
    Rule(
        key="sheet.fill",
        kind=_("Fiche de liaison"),
        verb=_("Compléter et transmettre"),
        roles=frozenset({Role.APPRENTICE}),
        documents=_sheets(SheetStatus.DRAFT, SheetStatus.RETURNED),
        mine=lambda user: Q(contract__apprentice__user=user),
        recipients=_apprentice,
        # A returned sheet waits anew: its series of notices starts at the (first) submission.
        new_at=lambda doc: doc.submitted_at if doc.status == SheetStatus.RETURNED else doc.opened_at,
        late_from=lambda doc: _start_of(doc.due_date),
        due=lambda doc: doc.due_date,
        order=("due_date", "pk"),
        escalate_after=ESCALATE,
        escalate_to=_school_tutor,
    ),
    Rule(
        key="sheet.countersign",
        kind=_("Fiche de liaison"),
        verb=_("Contresigner"),
        roles=frozenset({Role.COMPANY_TUTOR}),
        documents=_sheets(SheetStatus.SUBMITTED),
        mine=lambda user: Q(contract__company_tutor__user=user),
        recipients=_company_tutor,
        late_from=lambda doc: doc.submitted_at,
        due=lambda doc: doc.due_date,
        order=("due_date", "pk"),
        escalate_after=ESCALATE,
        escalate_to=_school_tutor,
        link=SHEET,
    ),
    Rule(
        key="sheet.review",
        kind=_("Fiche de liaison"),
        verb=_("Lire et commenter"),
        roles=frozenset({Role.SCHOOL_TUTOR}),
        documents=_sheets(SheetStatus.COUNTERSIGNED),
        mine=lambda user: Q(contract__school_tutor__user=user),
        recipients=_school_tutor,
        new_at=lambda doc: doc.countersigned_at,
        late_from=lambda doc: doc.countersigned_at,
    ),
    Rule(
        key="visit.report",
        kind=_("Visite en entreprise"),
        verb=_("Rédiger le compte rendu"),
        roles=frozenset({Role.SCHOOL_TUTOR}),
        documents=lambda today: VisitReport.objects.filter(
            status=VisitStatus.PLANNED, planned_date__lte=today + datetime.timedelta(days=7)
        ).select_related(*PEOPLE),
        mine=lambda user: Q(contract__school_tutor__user=user),
        recipients=_school_tutor,
        late_from=lambda doc: _start_of(doc.planned_date),
        due=lambda doc: doc.planned_date,
        order=("planned_date", "pk"),
    ),
    Rule(
        key="visit.acknowledge.apprentice",
        kind=_("Compte rendu de visite"),
        verb=_("Prendre connaissance"),
        roles=frozenset({Role.APPRENTICE}),
        documents=lambda today: _visits_reported(today).filter(
            _not_acknowledged_by("contract__apprentice__user__email", "contract__apprentice__email")
        ),
        mine=lambda user: Q(contract__apprentice__user=user),
        recipients=_apprentice,
        new_at=lambda doc: doc.reported_at,
        late_from=lambda doc: doc.reported_at,
        escalate_after=ESCALATE,
        escalate_to=_school_tutor,
    ),
    Rule(
        key="visit.acknowledge.tutor",
        kind=_("Compte rendu de visite"),
        verb=_("Prendre connaissance"),
        roles=frozenset({Role.COMPANY_TUTOR}),
        documents=lambda today: _visits_reported(today).filter(
            _not_acknowledged_by("contract__company_tutor__email")
        ),
        mine=lambda user: Q(contract__company_tutor__user=user),
        recipients=_company_tutor,
        late_from=lambda doc: doc.reported_at,
        escalate_after=ESCALATE,
        escalate_to=_school_tutor,
        link=VISIT,
    ),
    Rule(
        # Legal representatives have no account: no inbox, only the digest and their link.
        key="visit.acknowledge.legal_representative",
        kind=_("Compte rendu de visite"),
        verb=_("Prendre connaissance"),
        roles=frozenset(),
        documents=lambda today: (
            _visits_reported(today)
            .filter(contract__apprentice__legal_representatives__isnull=False)
            .distinct()
            .prefetch_related("contract__apprentice__legal_representatives")
        ),
        mine=lambda user: Q(pk__in=[]),
        recipients=lambda doc: _legal_representatives_to_read(doc),
        late_from=lambda doc: doc.reported_at,
        link=VISIT,
    ),
    Rule(
        key="mission.write",
        kind=_("Description des missions"),
        verb=_("Rédiger et soumettre"),
        roles=frozenset({Role.APPRENTICE, Role.COMPANY_TUTOR}),
        documents=_missions(MissionStatus.DRAFT, MissionStatus.RETURNED),
        mine=_contracts_of,
        recipients=lambda doc: _apprentice(doc) + _company_tutor(doc),
        new_at=lambda doc: doc.decided_at if doc.status == MissionStatus.RETURNED else None,
        late_from=lambda doc: doc.decided_at or doc.created_at,
        escalate_after=ESCALATE,
        escalate_to=_school_tutor,
    ),
    Rule(
        key="mission.start",
        kind=_("Description des missions"),
        verb=_("Commencer la description de l'année"),
        roles=frozenset({Role.APPRENTICE, Role.COMPANY_TUTOR}),
        documents=_contracts_without_mission,
        mine=lambda user: _contracts_of(user, ""),
        recipients=_on_contract(lambda doc: _apprentice(doc) + _company_tutor(doc)),
        late_from=lambda contract: _start_of(contract.start_date),
        days=(),
        url=lambda contract: reverse("apprentices:contract_detail", args=[contract.pk]) + "#livret",
    ),
    Rule(
        key="mission.decide",
        kind=_("Description des missions"),
        verb=_("Valider ou renvoyer"),
        roles=frozenset({Role.HEAD_OF_DIPLOMA}),
        documents=_missions(MissionStatus.SUBMITTED, heads=True),
        mine=lambda user: Q(contract__diploma__heads=user),
        recipients=_heads,
        new_at=lambda doc: doc.submitted_at,
        late_from=lambda doc: doc.submitted_at,
        due=lambda doc: (
            timezone.localdate(doc.submitted_at) + datetime.timedelta(days=MissionDescription.DECISION_DAYS)
        ),
        order=("submitted_at", "pk"),
        days=tuple(settings.LIVRET_MISSION_REMINDER_DAYS),
        escalate_after=MissionDescription.DECISION_DAYS + 1,
        escalate_to=_staff,
    ),
    Rule(
        key="mission.overdue",
        kind=_("Description des missions"),
        verb=_("Relancer le responsable (plus de 7 jours)"),
        verb_for=lambda doc: _remind_verb(doc),
        roles=frozenset({Role.STAFF}),
        documents=lambda today: _missions(MissionStatus.SUBMITTED, heads=True)(today).filter(
            submitted_at__lt=_start_of(today - datetime.timedelta(days=MissionDescription.DECISION_DAYS))
        ),
        mine=lambda user: Q(contract__diploma__organisation=user.organisation_id),
        recipients=lambda doc: [],  # staff are told by the escalation of "mission.decide"
        late_from=lambda doc: doc.submitted_at,
        due=lambda doc: (
            timezone.localdate(doc.submitted_at) + datetime.timedelta(days=MissionDescription.DECISION_DAYS)
        ),
        order=("submitted_at", "pk"),
        days=(),
    ),
    Rule(
        key="evaluation.tutor",
        kind=_("Grille d'évaluation"),
        verb=_("Évaluer les compétences"),
        roles=frozenset({Role.COMPANY_TUTOR}),
        documents=_evaluations(tutor_submitted_at__isnull=True),
        mine=lambda user: Q(contract__company_tutor__user=user),
        recipients=_company_tutor,
        late_from=lambda doc: doc.created_at,
        escalate_after=ESCALATE,
        escalate_to=_school_tutor,
        link=EVALUATION,
    ),
    Rule(
        key="evaluation.self",
        kind=_("Grille d'évaluation"),
        verb=_("M'auto-évaluer"),
        roles=frozenset({Role.APPRENTICE}),
        documents=_evaluations(apprentice_submitted_at__isnull=True),
        mine=lambda user: Q(contract__apprentice__user=user),
        recipients=_apprentice,
        new_at=lambda doc: doc.created_at,
        late_from=lambda doc: doc.created_at,
        escalate_after=ESCALATE,
        escalate_to=_school_tutor,
    ),
    Rule(
        key="grid.share",
        kind=_("Grille d'évaluation"),
        verb=_("Noter le partage de la grille"),
        roles=frozenset({Role.SCHOOL_TUTOR}),
        documents=_contracts_without_grid,
        mine=lambda user: Q(school_tutor__user=user),
        recipients=_on_contract(_school_tutor),
        late_from=lambda contract: _start_of(
            contract.start_date + datetime.timedelta(days=GridSharing.DUE_DAYS)
        ),
        due=lambda contract: contract.start_date + datetime.timedelta(days=GridSharing.DUE_DAYS),
        order=("start_date", "pk"),
        url=lambda contract: reverse("livret:contract_evaluations", args=[contract.pk]),
    ),
]


def _employers_to_complete(today):
    return Employer.objects.filter(to_complete=True)


def _contracts_without_company_tutor(today):
    return Contract.objects.filter(status=Contract.Status.ACTIVE, company_tutor__isnull=True).select_related(
        "apprentice__user", "employer"
    )


# What an import of the fichier d'effectifs leaves to complete ("à compléter"): staff only, in the inbox,
# never mailed (no date to count reminders from).
RULES += [
    Rule(
        key="employer.complete",
        kind=_("Employeur à compléter"),
        verb=_("Compléter la raison sociale et l'adresse"),
        roles=frozenset({Role.STAFF, Role.ADMIN}),
        documents=_employers_to_complete,
        mine=lambda user: Q(organisation=user.organisation_id),
        recipients=lambda doc: [],
        late_from=lambda doc: None,
        days=(),
        url=lambda employer: reverse("employers:employer_update", args=[employer.pk]),
    ),
    Rule(
        key="contract.company_tutor",
        kind=_("Contrat sans maître d'apprentissage"),
        verb=_("Indiquer le maître d'apprentissage"),
        roles=frozenset({Role.STAFF, Role.ADMIN}),
        documents=_contracts_without_company_tutor,
        mine=lambda user: Q(apprentice__organisation=user.organisation_id),
        recipients=lambda doc: [],
        late_from=lambda doc: None,
        days=(),
        url=lambda contract: reverse("apprentices:contract_update", args=[contract.pk]),
    ),
]


def apprentice_of(doc):
    """The apprentice a document is about; None for an employer (to complete)."""
    if isinstance(doc, Contract):
        return doc.apprentice
    contract = getattr(doc, "contract", None)
    return contract.apprentice if contract is not None else None


def label_of(doc) -> str:
    """What names the document for people ("Fiche de liaison du … au …"); a contract, waiting for a
    document to be started, is named by the rule's kind instead."""
    return "" if isinstance(doc, Contract) else str(doc)


# What a reminder joins to write to people, that the inbox never reads: it shows the document (its
# period or year), the apprentice's name and links to the document.
REMINDERS_ONLY = ("employer", "company_tutor", "school_tutor")

# What the inbox reads of a row that a document joins: the name it shows (``__str__``) and whose it is.
# Every other column is left in the database (the keys of the joins below are kept too): a contract or an
# apprentice has some forty columns, each one listed, quoted and read into Python at every home page.
SHOWN = {
    Apprentice: ("first_name", "last_name", "user"),
    AlternancePeriod: ("start_date", "end_date"),
    AcademicYear: ("label",),
    Contract: ("apprentice",),
    Diploma: (),  # its heads, prefetched by its key
}


def _for_inbox(documents: QuerySet) -> QuerySet:
    """``documents`` without the joins only the reminders read (employer, tutors, accounts): ten tables
    joined cost PostgreSQL's planner 10 to 17 ms a query at each home page, for rows the inbox
    does not show (a document's own query runs in under a millisecond); of the rows joined, only the
    columns ``SHOWN`` (the document's own are all read: the rules' dates and labels come from them)."""
    related = documents.query.select_related
    if not isinstance(related, dict):
        return documents
    model = documents.model
    fields = [f.name for f in model._meta.concrete_fields]

    def pruned(tree: dict, depth: int, current, prefix: str) -> dict:
        kept = {}
        for name, below in tree.items():
            if name in REMINDERS_ONLY or (name == "user" and depth > 0):
                continue
            target = current._meta.get_field(name).related_model
            path = f"{prefix}{name}"
            if depth > 0:
                fields.append(path)  # the key of the join, on the row above
            kept[name] = pruned(below, depth + 1, target, f"{path}__")
            shown = SHOWN[target] if target in SHOWN else [f.name for f in target._meta.concrete_fields]
            fields.extend(f"{path}__{column}" for column in shown)
        return kept

    documents = documents.all()
    documents.query.select_related = pruned(related, 0, model, "")
    return documents.only(*fields)


def todo_for(user, today=None, limit: int = 50) -> list[dict]:
    """The "À faire" inbox: what waits for this person, overdue first, then by due date.

    One query per rule that applies to the person's roles.
    """
    today = today or timezone.localdate()
    items = []
    for rule in RULES:
        if not (rule.roles & user.roles):
            continue
        if rule.roles & {Role.STAFF, Role.ADMIN} and not user.organisation_id:
            continue
        documents = _for_inbox(rule.documents(today))
        mine = rule.mine(user)
        documents = documents.filter(mine).order_by(*rule.order)
        if q_is_multivalued(documents.model, mine):  # a head reaches a contract through its diplomas
            documents = documents.distinct()
        for doc in documents[:limit]:
            due = rule.due(doc)
            apprentice = apprentice_of(doc)
            items.append(
                {
                    "key": rule.key,
                    "kind": rule.kind,
                    "verb": rule.verb_for(doc) if rule.verb_for else rule.verb,
                    "document": doc,
                    "label": label_of(doc),
                    "apprentice": apprentice,
                    "is_own": apprentice is None or apprentice.user_id == user.pk,
                    "due": due,
                    "overdue": due is not None and due < today,
                    "url": rule.url(doc),
                }
            )
    if Role.SCHOOL_TUTOR in user.roles:
        items += _visits_to_plan(user, today)
    items.sort(key=lambda item: (not item["overdue"], item["due"] or datetime.date.max))
    return items[:limit]


def _visits_to_plan(user, today) -> list[dict]:
    """The school tutor's contracts with a charter window open, not met, and no visit planned. Not a
    rule: the windows are computed in Python from the contracts and their visits (two queries)."""
    contracts = Contract.objects.filter(
        status=Contract.Status.ACTIVE, school_tutor__user=user
    ).select_related("apprentice")
    return [
        {
            "key": "visit.plan",
            "kind": _("Visite en entreprise"),
            "verb": _("Planifier une visite"),
            "document": item["contract"],
            "label": item["window"].label,
            "apprentice": item["contract"].apprentice,
            "is_own": False,
            "due": item["due"],
            "overdue": False,
            "url": reverse("livret:visit_plan", args=[item["contract"].pk]),
        }
        for item in visits_due(contracts, today)
    ]
