"""Logging a visit's report through the services: what it freezes, signs, opens, closes and mails, what
an invalid report is refused for, and the start meeting's participants (a minor's legal
representative)."""

import datetime
import hashlib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from core.models import ActionLink, AuditEvent, Signature
from core.workflow.signatures import content_digest, signatures_of
from livret.models import VisitReport
from tests.livret import visits_support
from tests.livret.factories import ActionItemFactory
from tests.livret.visits_support import (
    EVENT,
    TODAY,
    VisitStatus,
    log,
    minor_chain,
    snapshot,
    visit_in,
)

# Shared fixtures: pytest finds a fixture by its name in the test module.
world = visits_support.world


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
        {"new_actions": [{"description": "A", "owner": "cfa", "due_date": "in_a_month"}] * 31},
        "new_actions",
        "Une visite décide au plus 30 actions.",
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
