"""Company visits through the services: each transition allowed and refused per role, the
acknowledgement links, and the demo (the charter's windows: test_windows)."""

import datetime
import hashlib

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.audit import acting_as
from core.models import ActionLink, AuditEvent, Signature
from core.workflow import Refusal, links
from core.workflow.signatures import content_digest, signatures_of
from livret import notifications
from livret.models import ActionItem, VisitReport
from livret.services import visits as services
from tests.apprentices.factories import LegalRepresentativeFactory
from tests.conftest import ROLES, build_chain
from tests.livret.factories import ActionItemFactory, VisitReportFactory, small_world
from tests.tutors.factories import CompanyTutorFactory

VisitStatus = VisitReport.Status
D = datetime.date
TODAY = timezone.localdate


@pytest.fixture
def world(db):
    """Only one contract and its people: these tests never look at other contracts."""
    return small_world()


def snapshot(*visits) -> dict:
    """Everything a refused action must leave as it was."""
    return {
        "visits": [VisitReport.objects.filter(pk=v.pk).values().get() for v in visits],
        "visit_count": VisitReport.objects.count(),
        "actions": list(ActionItem.objects.order_by("pk").values()),
        "signatures": list(
            Signature.objects.order_by("pk").values_list("pk", "act", "signer_email", "content_sha256")
        ),
        "events": AuditEvent.objects.count(),
        "links": list(ActionLink.objects.order_by("pk").values_list("pk", "expires_at", "used_at")),
    }


REPORT = {
    "integration": "Bien intégrée à l'équipe méthodes.",
    "missions_adequacy": "Missions conformes au bloc 2.",
    "progress": "Autonome sur l'analyse des temps.",
    "difficulties": "",
}


def log(visit, user, **overrides):
    values = {
        "visit": visit,
        "by": user,
        "held_on": TODAY(),
        "mode": VisitReport.Mode.ON_SITE,
        "apprentice_present": True,
        "company_tutor_present": True,
        **REPORT,
    }
    values.update(overrides)
    visit, by = values.pop("visit"), values.pop("by")
    return services.log_visit(visit=visit, by=by, report=services.Report.clean(**values))


# Transitions, per role ---------------------------------------------------------------------------------

TRAITS = {
    VisitStatus.PLANNED: {},
    VisitStatus.REPORTED: {"reported": True},
    VisitStatus.ACKNOWLEDGED: {"acknowledged": True},
}
TRAITS[VisitStatus.CANCELLED] = {"cancelled": True}
PLANNERS = {"school_tutor", "staff", "admin"}
READERS = {"apprentice", "company_tutor"}
EVENT = {
    "plan": "livret.visitreport.planned",
    "log": "livret.visitreport.reported",
    "cancel": "livret.visitreport.cancelled",
    "acknowledge": "livret.visitreport.acknowledged",
    "close": "livret.visitreport.action_closed",
}


def visit_in(world, status, **kwargs):
    return VisitReportFactory(
        contract=world.mine.contract, **{"planned_date": TODAY(), **TRAITS[status], **kwargs}
    )


def act(action, visit, user):
    if action == "log":
        return log(visit, user)
    if action == "cancel":
        return services.cancel_visit(visit=visit, by=user, reason="Entreprise fermée.")
    return services.acknowledge(visit=visit, by=user)


@pytest.mark.parametrize("role", sorted(PLANNERS))
def test_school_tutor_and_staff_plan_a_visit(world, role):
    user = world.users[role]

    visit = services.plan_visit(
        contract=world.mine.contract, by=user, planned_date=TODAY(), mode=VisitReport.Mode.VIDEO
    )

    assert (visit.status, visit.mode, visit.is_start_meeting) == (VisitStatus.PLANNED, "video", False)
    assert AuditEvent.objects.get(action=EVENT["plan"], target_id=visit.pk).actor == user


@pytest.mark.parametrize("role", sorted(set(ROLES) - PLANNERS))
def test_other_roles_cannot_plan_and_nothing_changes(world, role):
    before = snapshot()

    with pytest.raises(PermissionDenied) as refused:
        services.plan_visit(
            contract=world.mine.contract, by=world.users[role], planned_date=TODAY(), mode="on_site"
        )

    assert "planifient ses visites" in refused.value.args[0]
    assert snapshot() == before


ALLOWED = {
    ("log", VisitStatus.PLANNED): PLANNERS,
    ("cancel", VisitStatus.PLANNED): PLANNERS,
    ("acknowledge", VisitStatus.REPORTED): READERS,
}


@pytest.mark.parametrize(
    ("action", "source", "role"), [(a, s, r) for (a, s), roles in ALLOWED.items() for r in sorted(roles)]
)
def test_allowed_transition_moves_the_visit_and_records_who_did_it(world, action, source, role):
    user = world.users[role]
    visit = visit_in(world, source)

    act(action, visit, user)

    visit.refresh_from_db()
    assert (
        visit.status
        == {
            "log": VisitStatus.REPORTED,
            "cancel": VisitStatus.CANCELLED,
            "acknowledge": VisitStatus.REPORTED,
        }[action]
    )
    assert AuditEvent.objects.get(action=EVENT[action], target_id=visit.pk).actor == user


@pytest.mark.parametrize(("action", "source"), list(ALLOWED))
def test_roles_not_allowed_are_refused_and_nothing_changes(world, action, source):
    visit = visit_in(world, source)
    before = snapshot(visit)
    refused = [role for role in ROLES if role not in ALLOWED[(action, source)]]

    for role in refused:
        with pytest.raises(PermissionDenied):
            act(action, visit, world.users[role])
        assert snapshot(visit) == before, role


WRONG_STATE = {
    (
        "log",
        VisitStatus.REPORTED,
    ): "Le compte rendu de cette visite est déjà partagé : il ne se modifie plus.",
    (
        "log",
        VisitStatus.ACKNOWLEDGED,
    ): "Le compte rendu de cette visite est déjà partagé : il ne se modifie plus.",
    ("log", VisitStatus.CANCELLED): "Cette visite est annulée : elle n'a pas de compte rendu.",
    ("cancel", VisitStatus.REPORTED): "Seule une visite planifiée peut être annulée.",
    ("cancel", VisitStatus.ACKNOWLEDGED): "Seule une visite planifiée peut être annulée.",
    ("cancel", VisitStatus.CANCELLED): "Seule une visite planifiée peut être annulée.",
    ("acknowledge", VisitStatus.PLANNED): "Le compte rendu de cette visite n'est pas encore rédigé.",
    ("acknowledge", VisitStatus.CANCELLED): "Cette visite est annulée : elle n'a pas de compte rendu.",
}


@pytest.mark.parametrize(("action", "state"), list(WRONG_STATE))
def test_transition_from_a_wrong_state_is_refused_for_every_role_and_nothing_changes(world, action, state):
    visit = visit_in(world, state)
    before = snapshot(visit)

    for role in ROLES:
        with pytest.raises(Refusal) as refused:
            act(action, visit, world.users[role])
        assert refused.value.message == WRONG_STATE[(action, state)], role
        assert snapshot(visit) == before, role


def test_an_acknowledged_report_refuses_its_readers_a_second_time_and_others_always(world):
    visit = visit_in(world, VisitStatus.ACKNOWLEDGED)
    before = snapshot(visit)

    for role in ROLES:
        expected = Refusal if role in READERS else PermissionDenied
        with pytest.raises(expected):
            act("acknowledge", visit, world.users[role])
        assert snapshot(visit) == before, role


@pytest.mark.parametrize(
    ("action", "role"),
    [
        ("log", "school_tutor"),
        ("cancel", "school_tutor"),
        ("acknowledge", "apprentice"),
        ("acknowledge", "company_tutor"),
    ],
)
def test_the_same_role_on_another_contract_is_refused(world, action, role):
    source = VisitStatus.REPORTED if action == "acknowledge" else VisitStatus.PLANNED
    visit = visit_in(world, source)
    other = build_chain(world.organisation, world.academic_year, with_accounts=True)
    before = snapshot(visit)

    with pytest.raises(PermissionDenied):
        act(action, visit, getattr(other, role).user)

    assert snapshot(visit) == before


# Planning ------------------------------------------------------------------------------------------------


def test_a_second_start_meeting_is_refused_in_french_until_the_first_is_cancelled(world):
    tutor = world.users["school_tutor"]
    contract = world.mine.contract
    first = services.plan_visit(
        contract=contract, by=tutor, planned_date=TODAY(), mode="on_site", is_start_meeting=True
    )
    before = snapshot(first)

    with pytest.raises(ValidationError) as refused:
        services.plan_visit(
            contract=contract, by=tutor, planned_date=TODAY(), mode="on_site", is_start_meeting=True
        )

    assert refused.value.message_dict == {
        "is_start_meeting": ["Ce contrat a déjà son entretien de démarrage."]
    }
    assert snapshot(first) == before
    services.cancel_visit(visit=first, by=tutor, reason="Reportée.")
    again = services.plan_visit(
        contract=contract, by=tutor, planned_date=TODAY(), mode="on_site", is_start_meeting=True
    )
    assert again.is_start_meeting


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("planned_date", "before", "Le contrat commence le"),
        ("planned_date", "after", "Le contrat se termine le"),
        ("mode", "teleportation", "Choisissez une modalité de la liste."),
    ],
)
def test_planning_outside_the_contract_or_with_a_bad_mode_is_refused(world, field, value, message):
    contract = world.mine.contract
    values = {"planned_date": TODAY(), "mode": "on_site"}
    if field == "planned_date":
        values[field] = (
            contract.start_date - datetime.timedelta(days=1)
            if value == "before"
            else contract.end_date + datetime.timedelta(days=1)
        )
    else:
        values[field] = value
    before = snapshot()

    with pytest.raises(ValidationError) as refused:
        services.plan_visit(contract=contract, by=world.users["school_tutor"], **values)

    assert refused.value.message_dict[field][0].startswith(message)
    assert snapshot() == before


# Logging -------------------------------------------------------------------------------------------------


def test_logging_freezes_signs_opens_and_closes_actions_and_mails_the_company_tutor(
    world, django_capture_on_commit_callbacks
):
    tutor = world.users["school_tutor"]
    earlier = visit_in(world, VisitStatus.ACKNOWLEDGED, planned_date=TODAY() - datetime.timedelta(days=90))
    done, still_open = ActionItemFactory(opened_in=earlier), ActionItemFactory(opened_in=earlier)
    visit = visit_in(world, VisitStatus.PLANNED)
    due = TODAY() + datetime.timedelta(days=30)

    with django_capture_on_commit_callbacks(execute=True):
        log(
            visit,
            tutor,
            mode=VisitReport.Mode.PHONE,
            other_participants="Mme Roux, RH",
            close_action_ids=[done.pk],
            new_actions=[
                {"description": "Préciser le sujet du projet", "owner": "company_tutor", "due_date": due},
                {"description": "Suivre la formation ERP", "owner": "apprentice", "due_date": due},
            ],
        )

    visit.refresh_from_db()
    assert (visit.status, visit.held_on, visit.mode, visit.author) == (
        VisitStatus.REPORTED,
        TODAY(),
        "phone",
        tutor,
    )
    assert visit.reported_at is not None
    (signature,) = signatures_of(visit)
    assert (signature.act, signature.signer, signature.via) == (Signature.Act.REPORT, tutor, "session")
    assert (signature.content, signature.content_sha256) == content_digest(visit.report_content())
    assert signature.content_sha256 == hashlib.sha256(signature.content.encode()).hexdigest()
    opened = list(
        visit.actions_opened.order_by("pk").values_list("description", "owner", "due_date", "done_on")
    )
    assert opened == [
        ("Préciser le sujet du projet", "company_tutor", due, None),
        ("Suivre la formation ERP", "apprentice", due, None),
    ]
    done.refresh_from_db()
    still_open.refresh_from_db()
    assert (done.done_on, done.closed_in, done.closed_by) == (TODAY(), visit, tutor)
    assert still_open.done_on is None
    event = AuditEvent.objects.get(action=EVENT["log"], target_id=visit.pk)
    assert event.data["actions_closed"] == [done.pk]
    assert len(event.data["actions_opened"]) == 2
    (message,) = mail.outbox
    assert message.to == [world.mine.company_tutor.email]
    assert str(world.mine.apprentice) in message.subject
    link = ActionLink.objects.for_document(visit).get()
    assert (link.action, link.recipient_email) == ("acknowledge", world.mine.company_tutor.email.lower())


def minor_chain(world, n_representatives=2):
    """``world.mine`` with a minor apprentice and their legal representatives."""
    apprentice = world.mine.apprentice
    apprentice.birth_date = TODAY().replace(year=TODAY().year - 16)
    apprentice.save()
    return [LegalRepresentativeFactory(apprentice=apprentice) for _ in range(n_representatives)]


def test_the_report_of_a_minor_is_mailed_to_the_company_tutor_and_each_legal_representative(
    world, django_capture_on_commit_callbacks
):
    parents = minor_chain(world)
    visit = visit_in(world, VisitStatus.PLANNED)

    with django_capture_on_commit_callbacks(execute=True):
        log(visit, world.users["school_tutor"])

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.mine.company_tutor.email.lower(), *(p.email.lower() for p in parents)]
    )


INVALID_LOGS = [
    (
        {"held_on": "tomorrow"},
        "held_on",
        "La rencontre ne peut pas être dans le futur : planifiez-la plutôt.",
    ),
    ({"held_on": "before_start"}, "held_on", "La rencontre ne peut précéder le début du contrat"),
    ({"held_on": None}, "held_on", "Indiquez la date de la rencontre."),
    ({"mode": "pigeon"}, "mode", "Choisissez une modalité de la liste."),
    (
        {"integration": "", "missions_adequacy": "", "progress": " ", "difficulties": ""},
        "__all__",
        "Remplissez au moins une rubrique du compte rendu",
    ),
    ({"progress": "x" * (VisitReport.MAX_TEXT + 1)}, "progress", "Ce texte dépasse 5000 caractères."),
    ({"other_participants": "x" * 301}, "other_participants", "300 caractères au plus."),
    (
        {"new_actions": [{"description": "Faire le point", "owner": "", "due_date": "in_a_month"}]},
        "new_actions",
        "Action 1 : choisissez son responsable.",
    ),
    (
        {"new_actions": [{"description": " ", "owner": "apprentice", "due_date": "in_a_month"}]},
        "new_actions",
        "Action 1 : décrivez l'action.",
    ),
    (
        {"new_actions": [{"description": "Faire le point", "owner": "apprentice", "due_date": "yesterday"}]},
        "new_actions",
        "Action 1 : l'échéance ne peut précéder la rencontre.",
    ),
    (
        {"new_actions": [{"description": "A", "owner": "cfa", "due_date": "in_a_month"}] * 11},
        "new_actions",
        "Une visite décide au plus 10 actions.",
    ),
    ({"close_action_ids": ["abc"]}, "close_actions", "Une action à fermer est inconnue."),
    ({"close_action_ids": "foreign"}, "close_actions", "Une action à fermer n'appartient pas à ce contrat"),
    ({"close_action_ids": "done"}, "close_actions", "Une action à fermer n'appartient pas à ce contrat"),
]
DAYS = {"tomorrow": 1, "yesterday": -1, "in_a_month": 30}


def resolve_overrides(world, overrides):
    resolved = dict(overrides)
    if resolved.get("held_on") in DAYS:
        resolved["held_on"] = TODAY() + datetime.timedelta(days=DAYS[resolved["held_on"]])
    elif resolved.get("held_on") == "before_start":
        resolved["held_on"] = world.mine.contract.start_date - datetime.timedelta(days=1)
    if "new_actions" in resolved:
        resolved["new_actions"] = [
            {**a, "due_date": TODAY() + datetime.timedelta(days=DAYS[a["due_date"]])}
            for a in resolved["new_actions"]
        ]
    if resolved.get("close_action_ids") == "foreign":
        resolved["close_action_ids"] = [ActionItemFactory().pk]
    elif resolved.get("close_action_ids") == "done":
        earlier = visit_in(world, VisitStatus.REPORTED, planned_date=TODAY() - datetime.timedelta(days=60))
        resolved["close_action_ids"] = [ActionItemFactory(opened_in=earlier, done=True).pk]
    return resolved


@pytest.mark.parametrize(
    ("overrides", "field", "message"), INVALID_LOGS, ids=[f"{i}-{c[1]}" for i, c in enumerate(INVALID_LOGS)]
)
def test_an_invalid_report_is_refused_in_french_and_nothing_changes(world, overrides, field, message):
    visit = visit_in(world, VisitStatus.PLANNED)
    overrides = resolve_overrides(world, overrides)
    before = snapshot(visit)

    with pytest.raises(ValidationError) as refused:
        log(visit, world.users["school_tutor"], **overrides)

    assert any(m.startswith(message) for m in refused.value.message_dict[field]), refused.value.message_dict
    assert snapshot(visit) == before
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("absent", "message"),
    [
        ("apprentice_present", "L'entretien de démarrage se tient avec l'apprenti."),
        ("company_tutor_present", "L'entretien de démarrage se tient avec le maître d'apprentissage."),
    ],
)
def test_a_start_meeting_needs_the_apprentice_and_the_company_tutor(world, absent, message):
    visit = visit_in(world, VisitStatus.PLANNED, is_start_meeting=True)
    before = snapshot(visit)

    with pytest.raises(ValidationError) as refused:
        log(visit, world.users["school_tutor"], **{absent: False})

    assert refused.value.message_dict == {absent: [message]}
    assert snapshot(visit) == before


def test_the_start_meeting_of_a_minor_needs_a_legal_representative(world):
    minor_chain(world, 1)
    visit = visit_in(world, VisitStatus.PLANNED, is_start_meeting=True)
    before = snapshot(visit)

    with pytest.raises(ValidationError) as refused:
        log(visit, world.users["school_tutor"])

    assert refused.value.message_dict == {
        "legal_representative_present": [
            "L'apprenti est mineur : l'entretien de démarrage se tient avec son représentant légal."
        ]
    }
    assert snapshot(visit) == before
    log(visit, world.users["school_tutor"], legal_representative_present=True)
    visit.refresh_from_db()
    assert (visit.status, visit.legal_representative_present) == (VisitStatus.REPORTED, True)


def test_an_adult_has_no_legal_representative_present(world):
    visit = visit_in(world, VisitStatus.PLANNED)

    log(visit, world.users["school_tutor"], legal_representative_present=True)

    visit.refresh_from_db()
    assert visit.legal_representative_present is False


# Acknowledgement ----------------------------------------------------------------------------------------


def issue(visit, email, name="Destinataire", action=ActionLink.Action.ACKNOWLEDGE, **kwargs):
    return links.issue(document=visit, action=action, email=email, name=name, **kwargs)


def test_the_report_is_acknowledged_once_the_apprentice_and_the_company_tutor_have_read_it(world):
    visit = visit_in(world, VisitStatus.REPORTED)

    services.acknowledge(visit=visit, by=world.users["apprentice"])
    visit.refresh_from_db()
    assert visit.status == VisitStatus.REPORTED
    _link, token = issue(visit, world.mine.company_tutor.email)
    services.acknowledge(visit=visit, token=token)

    visit.refresh_from_db()
    assert (visit.status, visit.acknowledged_at is not None) == (VisitStatus.ACKNOWLEDGED, True)
    acks = signatures_of(visit).filter(act=Signature.Act.ACKNOWLEDGE)
    assert sorted(acks.values_list("signer_email", "via")) == sorted(
        [(world.users["apprentice"].email, "session"), (world.mine.company_tutor.email.lower(), "link")]
    )
    assert {s.content_sha256 for s in acks} == {content_digest(visit.report_content())[1]}
    events = AuditEvent.objects.filter(action=EVENT["acknowledge"], target_id=visit.pk).order_by("pk")
    assert [(e.actor, e.data["complete"]) for e in events] == [
        (world.users["apprentice"], False),
        (None, True),
    ]


def test_a_link_acknowledgement_is_recorded_as_the_link_holders_whoever_is_signed_in(world):
    visit = visit_in(world, VisitStatus.REPORTED)
    _link, token = issue(visit, world.mine.company_tutor.email)

    with acting_as(world.users["school_tutor"]):
        services.acknowledge(visit=visit, token=token)

    event = AuditEvent.objects.get(action=EVENT["acknowledge"], target_id=visit.pk)
    assert event.actor is None
    assert event.actor_label == f"{world.mine.company_tutor.email.lower()} (lien e-mail)"


@pytest.mark.parametrize("first", ["session", "link"])
def test_a_person_acknowledges_once_whatever_the_means(world, first):
    visit = visit_in(world, VisitStatus.REPORTED)
    tutor = world.users["company_tutor"]
    _link, token = issue(visit, world.mine.company_tutor.email)
    if first == "session":
        services.acknowledge(visit=visit, by=tutor)
    else:
        services.acknowledge(visit=visit, token=token)
    before = snapshot(visit)

    with pytest.raises(Refusal) as refused:
        if first == "session":
            services.acknowledge(visit=visit, token=token)
        else:
            services.acknowledge(visit=visit, by=tutor)

    assert refused.value.message == "Vous avez déjà pris connaissance de ce compte rendu."
    assert snapshot(visit) == before


def test_a_legal_representative_of_a_minor_acknowledges_by_link_without_changing_the_state(world):
    (parent,) = minor_chain(world, 1)
    visit = visit_in(world, VisitStatus.REPORTED)
    _link, token = issue(visit, parent.email)

    services.acknowledge(visit=visit, token=token)

    visit.refresh_from_db()
    assert visit.status == VisitStatus.REPORTED
    signature = signatures_of(visit).get(act=Signature.Act.ACKNOWLEDGE)
    assert (signature.signer_email, signature.signer_name, signature.via) == (
        parent.email.lower(),
        str(parent),
        "link",
    )


def test_a_legal_representative_may_still_acknowledge_an_acknowledged_report(world):
    (parent,) = minor_chain(world, 1)
    visit = visit_in(world, VisitStatus.ACKNOWLEDGED)
    _link, token = issue(visit, parent.email)

    services.acknowledge(visit=visit, token=token)

    assert (
        signatures_of(visit).filter(act=Signature.Act.ACKNOWLEDGE, signer_email=parent.email.lower()).exists()
    )


def expired(visit, email):
    link, token = issue(visit, email)
    link.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    link.save(update_fields=["expires_at"])
    return token


def used(visit, email):
    link, token = issue(visit, email)
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return token


LINK_CASES = {
    "expired": lambda world, visit: expired(visit, world.mine.company_tutor.email),
    "reused": lambda world, visit: used(visit, world.mine.company_tutor.email),
    "tampered": lambda world, visit: issue(visit, world.mine.company_tutor.email)[1][:-2] + "xx",
    "other document": lambda world, visit: issue(
        visit_in(world, VisitStatus.REPORTED), world.mine.company_tutor.email
    )[1],
    "other person": lambda world, visit: issue(visit, "quelquun@ailleurs.test")[1],
    "replaced tutor": lambda world, visit: issue(
        visit, CompanyTutorFactory(employer=world.mine.employer).email
    )[1],
    "other action": lambda world, visit: issue(
        visit, world.mine.company_tutor.email, action=ActionLink.Action.COUNTERSIGN
    )[1],
    "parent of an adult": lambda world, visit: issue(
        visit, LegalRepresentativeFactory(apprentice=world.mine.apprentice).email
    )[1],
}
LINK_KIND = {
    "expired": "expired",
    "reused": "used",
    "tampered": "tampered",
    "other document": "foreign",
    "other person": "foreign",
    "replaced tutor": "foreign",
    "other action": "foreign",
    "parent of an adult": "foreign",
}


@pytest.mark.parametrize("case", list(LINK_CASES))
def test_an_unusable_link_is_refused_with_its_reason_and_nothing_changes(world, case):
    visit = visit_in(world, VisitStatus.REPORTED)
    token = LINK_CASES[case](world, visit)
    before = snapshot(visit)

    with pytest.raises(links.LinkError) as refused:
        services.acknowledge(visit=visit, token=token)

    assert refused.value.kind == LINK_KIND[case]
    assert snapshot(visit) == before


def test_a_link_of_a_visit_still_planned_is_refused(world):
    visit = visit_in(world, VisitStatus.PLANNED)
    _link, token = issue(visit, world.mine.company_tutor.email)
    before = snapshot(visit)

    with pytest.raises(Refusal):
        services.acknowledge(visit=visit, token=token)

    assert snapshot(visit) == before


# Actions -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(PLANNERS))
def test_school_tutor_and_staff_close_an_action_between_visits(world, role):
    earlier = visit_in(world, VisitStatus.REPORTED, planned_date=TODAY() - datetime.timedelta(days=20))
    action = ActionItemFactory(opened_in=earlier)

    services.close_action(action=action, by=world.users[role], done_on=TODAY())

    action.refresh_from_db()
    assert (action.done_on, action.closed_by, action.closed_in) == (TODAY(), world.users[role], None)
    event = AuditEvent.objects.get(action=EVENT["close"], target_id=earlier.pk)
    assert event.data["action"] == action.pk


def test_closing_an_action_is_refused_to_other_roles_for_a_closed_one_and_for_bad_dates(world):
    earlier = visit_in(world, VisitStatus.REPORTED, planned_date=TODAY() - datetime.timedelta(days=20))
    action = ActionItemFactory(opened_in=earlier)
    closed = ActionItemFactory(opened_in=earlier, done=True)
    before = snapshot(earlier)

    for role in sorted(set(ROLES) - PLANNERS):
        with pytest.raises(PermissionDenied):
            services.close_action(action=action, by=world.users[role], done_on=TODAY())
    with pytest.raises(Refusal) as refused:
        services.close_action(action=closed, by=world.users["school_tutor"], done_on=TODAY())
    assert refused.value.message == "Cette action est déjà close."
    for day, message in [
        (TODAY() + datetime.timedelta(days=1), "Une action ne peut être faite dans le futur."),
        (earlier.held_on - datetime.timedelta(days=1), "L'action a été décidée le"),
    ]:
        with pytest.raises(ValidationError) as refused:
            services.close_action(action=action, by=world.users["school_tutor"], done_on=day)
        assert refused.value.message_dict["done_on"][0].startswith(message)

    assert snapshot(earlier) == before


# Mails -----------------------------------------------------------------------------------------------


def test_acknowledge_requests_skip_who_already_read_and_a_planned_visit(world):
    (parent,) = minor_chain(world, 1)
    visit = visit_in(world, VisitStatus.REPORTED)
    services.acknowledge(visit=visit, by=world.users["company_tutor"])

    assert notifications.acknowledge_requests(visit.pk) == 1
    assert [m.to for m in mail.outbox] == [[parent.email.lower()]]
    assert notifications.acknowledge_requests(visit_in(world, VisitStatus.PLANNED).pk) == 0


# The demo ---------------------------------------------------------------------------------------------------
