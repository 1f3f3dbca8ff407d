"""Acknowledging a visit report through the services, from the session or an emailed link: when the
report counts as acknowledged, a minor's legal representatives, unusable links, and the mails that
ask for it."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from core.audit import acting_as
from core.models import ActionLink, AuditEvent, Signature
from core.workflow import Refusal, links
from core.workflow.signatures import content_digest, signatures_of
from livret import notifications
from livret.services import visits as services
from tests.apprentices.factories import LegalRepresentativeFactory
from tests.livret import visits_support
from tests.livret.visits_support import EVENT, VisitStatus, minor_chain, snapshot, visit_in
from tests.tutors.factories import CompanyTutorFactory

# Shared fixtures: pytest finds a fixture by its name in the test module.
world = visits_support.world


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
    email = world.mine.company_tutor.email.lower()
    assert event.actor_label == f"{email} (lien reçu par message électronique)"


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


# Mails -----------------------------------------------------------------------------------------------


def test_acknowledge_requests_skip_who_already_read_and_a_planned_visit(world):
    (parent,) = minor_chain(world, 1)
    visit = visit_in(world, VisitStatus.REPORTED)
    services.acknowledge(visit=visit, by=world.users["company_tutor"])

    assert notifications.acknowledge_requests(visit.pk) == 1
    assert [m.to for m in mail.outbox] == [[parent.email.lower()]]
    assert notifications.acknowledge_requests(visit_in(world, VisitStatus.PLANNED).pk) == 0


def test_the_inbox_asks_each_reader_until_their_own_acknowledgement_whatever_its_case(world):
    """« Prendre connaissance » stays in the apprentice's and the company tutor's inboxes until each has
    acknowledged, by an address matched without regard to case; the other reader's is not theirs."""
    from livret.waiting import todo_for

    visit = visit_in(world, VisitStatus.REPORTED)
    apprentice, tutor = world.users["apprentice"], world.users["company_tutor"]

    def waiting(user):
        return [item["key"] for item in todo_for(user) if item["document"] == visit]

    assert waiting(apprentice) == ["visit.acknowledge.apprentice"]
    assert waiting(tutor) == ["visit.acknowledge.tutor"]
    _link, token = issue(visit, world.mine.company_tutor.email.upper())
    services.acknowledge(visit=visit, token=token)
    assert (waiting(apprentice), waiting(tutor)) == (["visit.acknowledge.apprentice"], [])
    services.acknowledge(visit=visit, by=apprentice)
    assert waiting(apprentice) == []
