"""The head of diploma's decision on a mission description through the services: validation and
return with their delay and signature, correction by a new version, and two heads deciding at once
(PostgreSQL only)."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from core.models import AuditEvent, Role, Signature, User
from core.workflow import Refusal
from core.workflow.signatures import content_digest
from livret.models import MissionDecision, MissionDescription
from livret.services import missions as services
from tests.conftest import build_chain
from tests.core.factories import AcademicYearFactory, OrganisationFactory, UserFactory
from tests.livret import missions_support
from tests.livret.factories import mission_in, mission_snapshot
from tests.livret.missions_support import NEW_TEXT, MissionStatus, fresh, submitted_days_ago
from tests.livret.test_concurrency import race

# Shared fixtures: pytest finds a fixture by its name in the test module.
world = missions_support.world

# Decisions -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "within"), [(0, True), (3, True), (7, True), (8, False), (9, False)])
def test_validation_records_the_decision_with_its_delay(world, days, within):
    """Calendar days in Europe/Paris: submitted at 9:00, decided at 17:00 on day 7 is on time."""
    paris = timezone.get_default_timezone()
    decided = datetime.datetime(2026, 3, 20, 17, 0, tzinfo=paris)
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    MissionDescription.objects.filter(pk=mission.pk).update(
        submitted_at=decided.replace(hour=9) - datetime.timedelta(days=days)
    )
    mission = fresh(mission)
    head = world.users["head_of_diploma"]

    with mock.patch("django.utils.timezone.now", return_value=decided):
        mission = services.validate(mission=mission, by=head, comment="  Très bon projet.  ")

    decision = MissionDecision.objects.get(mission=mission)
    assert (decision.outcome, decision.decided_by, decision.comment) == (
        "validated",
        head,
        "Très bon projet.",
    )
    assert decision.delay == decision.decided_at - decision.submitted_at
    assert decision.submitted_at == mission.submitted_at
    assert decision.decided_at == mission.decided_at
    assert decision.delay == datetime.timedelta(days=days, hours=8)
    assert decision.within_deadline is within
    event = AuditEvent.objects.get(action="livret.missiondescription.validated", target_id=mission.pk)
    assert event.data["within_deadline"] is decision.within_deadline


def test_validation_is_signed_by_the_head_with_the_content_they_read(world):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    head = world.users["head_of_diploma"]

    services.validate(mission=mission, by=head)

    submit, validate = Signature.objects.for_document(mission).order_by("pk")
    assert (validate.act, validate.signer, validate.signer_email) == (
        Signature.Act.VALIDATE,
        head,
        head.email,
    )
    assert validate.content_sha256 == content_digest(fresh(mission).signable_content())[1]
    assert validate.content_sha256 == submit.content_sha256


def test_return_records_the_decision_and_the_comment_for_the_writers(world):
    mission = submitted_days_ago(world, 2)
    head = world.users["head_of_diploma"]

    services.return_mission(mission=mission, by=head, comment="Précisez les livrables.")

    mission = fresh(mission)
    decision = mission.decisions.get()
    assert (mission.status, mission.return_comment, mission.decided_by) == (
        MissionStatus.RETURNED,
        "Précisez les livrables.",
        head,
    )
    assert (decision.outcome, decision.comment, decision.within_deadline) == (
        "returned",
        "Précisez les livrables.",
        True,
    )
    assert not Signature.objects.for_document(mission).filter(act=Signature.Act.VALIDATE).exists()


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("", "Indiquez ce qui doit être repris dans la description."),
        ("  \n ", "Indiquez ce qui doit être repris dans la description."),
        (
            "x" * (MissionDescription.MAX_TEXT + 1),
            f"Ce texte dépasse {MissionDescription.MAX_TEXT} caractères.",
        ),
    ],
)
def test_a_return_needs_a_comment_of_reasonable_length(world, comment, message):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    before = mission_snapshot(mission)

    with pytest.raises(ValidationError) as refused:
        services.return_mission(mission=mission, by=world.users["head_of_diploma"], comment=comment)

    assert refused.value.message_dict == {"comment": [message]}
    assert mission_snapshot(mission) == before


# Correction ------------------------------------------------------------------------------------------


def test_correction_opens_a_new_version_and_keeps_the_validated_one_unchanged_and_readable(world):
    old = mission_in(world.mine.contract, MissionStatus.VALIDATED)
    row = MissionDescription.objects.filter(pk=old.pk).values().get()
    signatures = list(Signature.objects.for_document(old).values_list("act", "content", "content_sha256"))

    new = services.correct(mission=old, by=world.users["head_of_diploma"])
    services.save_draft(mission=new, by=world.users["apprentice"], values=NEW_TEXT, revision=new.revision)

    after = MissionDescription.objects.filter(pk=old.pk).values().get()
    assert {k: v for k, v in after.items() if k not in {"is_current", "updated_at"}} == {
        k: v for k, v in row.items() if k not in {"is_current", "updated_at"}
    }
    assert after["is_current"] is False
    assert (
        list(Signature.objects.for_document(old).values_list("act", "content", "content_sha256"))
        == signatures
    )
    assert signatures[-1][2] == content_digest(fresh(old).signable_content())[1]
    new = fresh(new)
    assert (new.version, new.previous_id, new.status, new.missions) == (
        2,
        old.pk,
        MissionStatus.DRAFT,
        NEW_TEXT["missions"],
    )
    assert not Signature.objects.for_document(new).exists()
    assert list(MissionDescription.objects.current().filter(contract=world.mine.contract)) == [new]


# Concurrency (PostgreSQL only: SQLite has no row locks) ----------------------------------------------


def _two_heads_world():
    chain = build_chain(OrganisationFactory(name="CFA des Tests"), AcademicYearFactory(), with_accounts=True)
    first = chain.diploma.heads.get()
    second = UserFactory(organisation=chain.diploma.organisation, roles=[Role.HEAD_OF_DIPLOMA])
    chain.diploma.heads.add(second)
    return chain, first, second


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="les verrous de ligne demandent PostgreSQL")
def test_two_heads_deciding_at_once_make_exactly_one_decision():
    chain, first, second = _two_heads_world()
    mission = mission_in(chain.contract, MissionStatus.SUBMITTED, head=first)

    def decide(head, validate):
        copy = MissionDescription.objects.get(pk=mission.pk)
        if validate:
            return lambda: services.validate(mission=copy, by=User.objects.get(pk=head.pk))
        return lambda: services.return_mission(mission=copy, by=User.objects.get(pk=head.pk), comment="Non.")

    outcomes = race(decide(first, True), decide(second, False))

    assert sum(isinstance(o, MissionDescription) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, Refusal) for o in outcomes) == 1, outcomes
    assert MissionDecision.objects.filter(mission=mission).count() == 1
