"""The mission description's workflow, through the services: who may move a description from which
state to which, what each move records (signatures, decisions and their delay), and what is refused."""

import datetime
import zoneinfo
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from core.models import AuditEvent, Role, Signature, User
from core.workflow import Refusal
from core.workflow.drafts import StaleDraft
from core.workflow.signatures import content_digest
from livret import selectors
from livret.models import MissionDecision, MissionDescription
from livret.services import missions as services
from tests.apprentices.factories import ContractFactory, DiplomaFactory
from tests.conftest import ROLES, build_chain
from tests.core.factories import OrganisationFactory, UserFactory
from tests.livret.factories import MISSION_TEXT, mission_in, mission_snapshot, small_world
from tests.livret.test_concurrency import race

MissionStatus = MissionDescription.Status
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# Every role of the world, and a head of another diploma of the same organisation.
PEOPLE = (*ROLES, "other_head")

# (action, source state) -> who may do it; every other person is refused, every other state too.
ALLOWED = {
    ("save", MissionStatus.DRAFT): {"apprentice", "company_tutor"},
    ("save", MissionStatus.RETURNED): {"apprentice", "company_tutor"},
    ("submit", MissionStatus.DRAFT): {"apprentice", "company_tutor"},
    ("submit", MissionStatus.RETURNED): {"apprentice", "company_tutor"},
    ("validate", MissionStatus.SUBMITTED): {"head_of_diploma"},
    ("return", MissionStatus.SUBMITTED): {"head_of_diploma"},
    ("correct", MissionStatus.VALIDATED): {"head_of_diploma", "staff", "admin"},
}
ACTIONS = ("save", "submit", "validate", "return", "correct")
STATES = (
    MissionStatus.DRAFT,
    MissionStatus.SUBMITTED,
    MissionStatus.VALIDATED,
    MissionStatus.RETURNED,
    "superseded",
)
TARGET = {
    "submit": MissionStatus.SUBMITTED,
    "validate": MissionStatus.VALIDATED,
    "return": MissionStatus.RETURNED,
    "save": None,
}
EVENT = {
    "save": "livret.missiondescription.changed",
    "submit": "livret.missiondescription.submitted",
    "validate": "livret.missiondescription.validated",
    "return": "livret.missiondescription.returned",
    "correct": "livret.missiondescription.corrected",
}
WRONG_STATE_MESSAGE = {
    "save": "Cette description a été soumise : elle n'est plus modifiable.",
    "submit": "Cette description a déjà été soumise au responsable de formation.",
    "validate": "Cette description n'attend pas de décision du responsable de formation.",
    "return": "Cette description n'attend pas de décision du responsable de formation.",
    "correct": "Seule une description validée se corrige par une nouvelle version.",
}
FORBIDDEN_MESSAGE = {
    "save": "Cette description n'est pas modifiable par vous.",
    "submit": "Seuls l'apprenti et son maître d'apprentissage peuvent soumettre cette description.",
    "validate": "Seul un responsable de la formation de l'apprenti décide de cette description.",
    "return": "Seul un responsable de la formation de l'apprenti décide de cette description.",
    "correct": "Vous ne pouvez pas corriger cette description.",
}
NEW_TEXT = {**MISSION_TEXT, "missions": "Pilotage du projet de réimplantation de l'atelier."}


@pytest.fixture
def world(db):
    """One contract and its people, and a head of another diploma of the same CFA."""
    world = small_world()
    other_head = UserFactory(organisation=world.organisation, roles=[Role.HEAD_OF_DIPLOMA])
    DiplomaFactory(organisation=world.organisation, heads=[other_head])
    world.users["other_head"] = other_head
    other_head.__dict__.pop("roles", None)
    return world


def act(action, mission, user):
    if action == "save":
        return services.save_draft(mission=mission, by=user, values=NEW_TEXT, revision=mission.revision)
    if action == "submit":
        return services.submit(mission=mission, by=user)
    if action == "validate":
        return services.validate(mission=mission, by=user, comment="Très bon projet.")
    if action == "return":
        return services.return_mission(mission=mission, by=user, comment="Précisez les livrables.")
    return services.correct(mission=mission, by=user)


def mission_in_state(world, state):
    if state == "superseded":
        old = mission_in(world.mine.contract, MissionStatus.VALIDATED)
        services.correct(mission=old, by=world.users["staff"])
        old.refresh_from_db()
        return old
    return mission_in(world.mine.contract, state)


def fresh(mission):
    return MissionDescription.objects.get(pk=mission.pk)


# Allowed and forbidden transitions ------------------------------------------------------------------

ALLOWED_CASES = [(a, source, role) for (a, source), roles in ALLOWED.items() for role in sorted(roles)]


@pytest.mark.parametrize(("action", "source", "role"), ALLOWED_CASES)
def test_allowed_transition_moves_the_description_and_records_who_did_it(world, action, source, role):
    user = world.users[role]
    mission = mission_in_state(world, source)

    result = act(action, mission, user)

    event = AuditEvent.objects.filter(action=EVENT[action], target_id=result.pk).latest("pk")
    assert event.actor == user
    if action == "correct":
        assert (result.version, result.previous_id, result.status, result.is_current) == (
            2,
            mission.pk,
            MissionStatus.DRAFT,
            True,
        )
        assert result.content() == mission.content()
    elif action == "save":
        assert (fresh(mission).missions, fresh(mission).last_edited_by) == (NEW_TEXT["missions"], user)
    else:
        assert fresh(mission).status == TARGET[action]


@pytest.mark.parametrize(("action", "source"), list(ALLOWED))
def test_people_not_allowed_are_refused_with_a_french_message_and_nothing_changes(world, action, source):
    mission = mission_in_state(world, source)
    before = mission_snapshot(mission)
    refused = [person for person in PEOPLE if person not in ALLOWED[(action, source)]]
    assert "other_head" in refused

    for person in refused:
        with pytest.raises(PermissionDenied) as error:
            act(action, fresh(mission), world.users[person])
        assert str(error.value) == FORBIDDEN_MESSAGE[action], person
        assert mission_snapshot(mission) == before, person


WRONG_STATE_CASES = [(a, state) for a in ACTIONS for state in STATES if (a, state) not in ALLOWED]


@pytest.mark.parametrize(("action", "state"), WRONG_STATE_CASES)
def test_transition_from_a_wrong_state_is_refused_for_everyone_and_nothing_changes(world, action, state):
    mission = mission_in_state(world, state)
    before = mission_snapshot(mission)

    for person in PEOPLE:
        with pytest.raises(Refusal) as refused:
            act(action, fresh(mission), world.users[person])
        assert refused.value.message == WRONG_STATE_MESSAGE[action], person
        assert mission_snapshot(mission) == before, person


@pytest.mark.parametrize(
    ("action", "state", "role"),
    [
        ("save", MissionStatus.DRAFT, "apprentice"),
        ("save", MissionStatus.DRAFT, "company_tutor"),
        ("submit", MissionStatus.DRAFT, "apprentice"),
        ("submit", MissionStatus.DRAFT, "company_tutor"),
        ("validate", MissionStatus.SUBMITTED, "head_of_diploma"),
        ("return", MissionStatus.SUBMITTED, "head_of_diploma"),
    ],
)
def test_the_same_role_on_another_contract_is_refused(world, action, state, role):
    """The apprentice, the tutor and the head of another contract (another diploma) hold the role, not
    this description."""
    mission = mission_in_state(world, state)
    other = build_chain(world.organisation, world.academic_year, with_accounts=True)
    someone_else = other.diploma.heads.get() if role == "head_of_diploma" else getattr(other, role).user
    before = mission_snapshot(mission)

    with pytest.raises(PermissionDenied):
        act(action, fresh(mission), someone_else)
    assert mission_snapshot(mission) == before


# Opening ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["apprentice", "company_tutor", "staff", "admin"])
def test_the_writers_and_staff_open_the_description_of_the_year(world, role):
    user = world.users[role]

    mission = services.create_mission(
        contract=world.mine.contract, academic_year=world.academic_year, by=user
    )

    assert (mission.status, mission.version, mission.is_current, mission.revision) == (
        MissionStatus.DRAFT,
        1,
        True,
        0,
    )
    assert (
        AuditEvent.objects.get(action="livret.missiondescription.created", target_id=mission.pk).actor == user
    )


@pytest.mark.parametrize("person", ["school_tutor", "head_of_diploma", "other_head"])
def test_others_may_not_open_a_description(world, person):
    with pytest.raises(PermissionDenied):
        services.create_mission(
            contract=world.mine.contract, academic_year=world.academic_year, by=world.users[person]
        )
    assert not MissionDescription.objects.exists()


def test_staff_of_another_organisation_may_not_open_a_description(world):
    foreign_staff = UserFactory(organisation=OrganisationFactory(name="CFA Voisin"), roles=[Role.STAFF])

    with pytest.raises(PermissionDenied):
        services.create_mission(
            contract=world.mine.contract, academic_year=world.academic_year, by=foreign_staff
        )
    assert not MissionDescription.objects.exists()


def test_a_contract_has_one_current_description_per_year_and_the_refusal_points_to_it(world):
    existing = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    before = mission_snapshot(existing)

    with pytest.raises(services.MissionExists) as refused:
        services.create_mission(
            contract=world.mine.contract, academic_year=world.academic_year, by=world.users["company_tutor"]
        )

    assert refused.value.message == (
        f"Ce contrat a déjà une description des missions pour l'année {world.academic_year}."
    )
    assert refused.value.mission == existing
    assert mission_snapshot(existing) == before


def test_a_description_is_not_opened_for_a_contract_that_is_over(world):
    contract = world.mine.contract
    contract.status = contract.Status.RUPTURED
    contract.rupture_date = contract.start_date + datetime.timedelta(days=30)
    contract.rupture_cause = contract.RuptureCause.MUTUAL
    contract.save()

    with pytest.raises(Refusal) as refused:
        services.create_mission(contract=contract, academic_year=world.academic_year, by=world.users["staff"])

    assert refused.value.message == f"Ce contrat n'est pas en cours pendant l'année {world.academic_year}."
    assert not MissionDescription.objects.exists()


# Writing ---------------------------------------------------------------------------------------------


def test_a_save_from_a_stale_copy_is_refused_with_the_current_text_and_nothing_changes(world):
    """Two tabs, or the apprentice and the tutor at once: the second save does not overwrite the first."""
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT, empty=True)
    services.save_draft(mission=mission, by=world.users["company_tutor"], values=MISSION_TEXT, revision=0)
    before = mission_snapshot(mission)

    with pytest.raises(StaleDraft) as stale:
        services.save_draft(mission=mission, by=world.users["apprentice"], values=NEW_TEXT, revision=0)

    assert (stale.value.current, stale.value.revision) == (MISSION_TEXT, 1)
    assert mission_snapshot(mission) == before


@pytest.mark.parametrize(
    ("field", "length"), [("missions", MissionDescription.MAX_TEXT + 1), ("project_subject", 301)]
)
def test_an_oversized_text_is_refused_with_a_french_message_and_nothing_changes(world, field, length):
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT)
    before = mission_snapshot(mission)
    limit = length - 1

    with pytest.raises(ValidationError) as refused:
        services.save_draft(
            mission=mission,
            by=world.users["apprentice"],
            values={**MISSION_TEXT, field: "x" * length},
            revision=mission.revision,
        )

    assert refused.value.message_dict == {field: [f"Ce texte dépasse {limit} caractères."]}
    assert mission_snapshot(mission) == before


def test_the_project_subject_is_kept_on_one_line(world):
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT, empty=True)

    mission = services.save_draft(
        mission=mission,
        by=world.users["apprentice"],
        values={**MISSION_TEXT, "project_subject": "Ligne 2 :\r\nréduire les temps"},
        revision=0,
    )

    assert fresh(mission).project_subject == "Ligne 2 : réduire les temps"


def test_saving_the_same_text_again_changes_nothing(world):
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT)
    before = mission_snapshot(mission)

    services.save_draft(mission=mission, by=world.users["apprentice"], values=MISSION_TEXT, revision=1)

    assert mission_snapshot(mission) == before


def test_successive_saves_by_one_person_make_one_audit_event_and_the_other_writer_another(world):
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT, empty=True)
    apprentice, tutor = world.users["apprentice"], world.users["company_tutor"]

    for revision, text in enumerate(["Un", "Un deux", "Un deux trois"]):
        services.save_draft(mission=mission, by=apprentice, values={"missions": text}, revision=revision)
    services.save_draft(mission=mission, by=tutor, values={"missions": "Repris par le tuteur"}, revision=3)

    events = AuditEvent.objects.filter(action="livret.missiondescription.changed", target_id=mission.pk)
    assert [(e.actor, e.data) for e in events.order_by("pk")] == [
        (apprentice, {"changes": {"missions": "modifié"}}),
        (tutor, {"changes": {"missions": "modifié"}}),
    ]
    assert fresh(mission).revision == 4


# Submission ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"project_subject": "Un sujet"}, {"missions": ["Décrivez les missions confiées à l'apprenti."]}),
        (
            {"missions": "Des missions"},
            {"project_subject": ["Indiquez le sujet du projet entreprise de l'année."]},
        ),
        ({"missions": "   ", "project_subject": "\n"}, None),
    ],
)
def test_submission_needs_the_missions_and_the_project_subject(world, values, errors):
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT, empty=True)
    mission = services.save_draft(mission=mission, by=world.users["apprentice"], values=values, revision=0)
    before = mission_snapshot(mission)

    with pytest.raises(ValidationError) as refused:
        services.submit(mission=mission, by=world.users["apprentice"])

    assert set(refused.value.message_dict) == set(errors or {"missions", "project_subject"})
    if errors:
        assert refused.value.message_dict == errors
    assert mission_snapshot(mission) == before


@pytest.mark.parametrize(("role", "name"), [("apprentice", "apprentice"), ("company_tutor", "company_tutor")])
def test_submission_is_signed_with_the_exact_content_by_whoever_submits(world, role, name):
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT)
    user = world.users[role]

    mission = services.submit(mission=mission, by=user)

    signature = Signature.objects.for_document(mission).get()
    canonical, digest = content_digest(mission.signable_content())
    assert (signature.act, signature.signer, signature.via) == (Signature.Act.SUBMIT, user, "session")
    assert signature.signer_name == str(getattr(world.mine, name))
    assert (signature.content, signature.content_sha256) == (canonical, digest)
    assert (mission.submitted_by, mission.status) == (user, MissionStatus.SUBMITTED)


def test_resubmission_after_a_return_clears_the_comment_and_the_decision_date_and_keeps_history(world):
    mission = mission_in(world.mine.contract, MissionStatus.RETURNED)
    assert (mission.return_comment, mission.decided_at is not None) == ("Précisez le projet.", True)

    mission = services.submit(mission=mission, by=world.users["company_tutor"])

    mission = fresh(mission)
    assert (mission.return_comment, mission.decided_at, mission.decided_by) == ("", None, None)
    assert Signature.objects.for_document(mission).filter(act=Signature.Act.SUBMIT).count() == 2
    assert list(mission.decisions.values_list("outcome", flat=True)) == ["returned"]


# Decisions -------------------------------------------------------------------------------------------


def submitted_days_ago(world, days):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    MissionDescription.objects.filter(pk=mission.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=days)
    )
    return fresh(mission)


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


# Reads for pages, the inbox and the reminders --------------------------------------------------------


def test_days_waiting_counts_calendar_days_in_paris(world):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    # 23:30 in Paris on 9 March is already 10 March nowhere; it is 22:30 UTC on 9 March.
    mission.submitted_at = datetime.datetime(2026, 3, 9, 23, 30, tzinfo=PARIS)

    assert selectors.days_waiting(mission, datetime.date(2026, 3, 9)) == 0
    assert selectors.days_waiting(mission, datetime.date(2026, 3, 10)) == 1
    assert selectors.days_waiting(mission, datetime.date(2026, 3, 16)) == 7
    assert not selectors.is_overdue(mission, datetime.date(2026, 3, 16))
    assert selectors.is_overdue(mission, datetime.date(2026, 3, 17))
    mission.status = MissionStatus.VALIDATED
    assert selectors.days_waiting(mission, datetime.date(2026, 3, 17)) is None
    assert not selectors.is_overdue(mission, datetime.date(2026, 3, 17))


def test_waiting_missions_for_head_lists_their_submitted_current_descriptions_oldest_first(world):
    head = world.users["head_of_diploma"]
    older = submitted_days_ago(world, 9)
    services.validate(mission=older, by=head)
    late = fresh(services.correct(mission=fresh(older), by=head))
    services.save_draft(mission=late, by=world.users["apprentice"], values=NEW_TEXT, revision=late.revision)
    services.submit(mission=late, by=world.users["apprentice"])
    MissionDescription.objects.filter(pk=late.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=9)
    )
    second = build_chain(world.organisation, world.academic_year, with_accounts=True)
    second.diploma.heads.add(head)
    recent = mission_in(second.contract, MissionStatus.SUBMITTED, head=head)
    elsewhere = build_chain(world.organisation, world.academic_year, with_accounts=True)
    mission_in(elsewhere.contract, MissionStatus.SUBMITTED)  # another head's diploma
    third = build_chain(world.organisation, world.academic_year, with_accounts=True)
    third.diploma.heads.add(head)
    mission_in(third.contract, MissionStatus.DRAFT)

    waiting = selectors.waiting_missions_for_head(head)

    assert waiting == [late, recent]
    assert [(m.days_waiting, m.overdue) for m in waiting] == [(9, True), (0, False)]
    assert selectors.waiting_missions_for_head(world.users["staff"]) == []
    assert selectors.waiting_missions_for_head(world.users["other_head"]) == []


def test_what_the_writers_have_to_write(world):
    draft = mission_in(world.mine.contract, MissionStatus.DRAFT)
    other = build_chain(world.organisation, world.academic_year, with_accounts=True)
    returned = mission_in(other.contract, MissionStatus.RETURNED)
    apprentice, tutor = world.users["apprentice"], world.users["company_tutor"]
    # The tutor also follows the other contract's apprentice.
    other.contract.company_tutor = world.mine.company_tutor
    other.contract.employer = world.mine.employer
    other.contract.save()

    assert list(selectors.missions_to_write_for(apprentice)) == [draft]
    assert set(selectors.missions_to_write_for(tutor)) == {draft, returned}
    services.submit(mission=draft, by=apprentice)
    assert list(selectors.missions_to_write_for(apprentice)) == []
    assert list(selectors.missions_to_write_for(world.users["head_of_diploma"])) == []


def test_contracts_to_describe_are_the_writers_active_contracts_without_a_description_this_year(world):
    apprentice, tutor = world.users["apprentice"], world.users["company_tutor"]
    year = world.academic_year
    ContractFactory(apprentice=world.mine.apprentice, diploma=world.mine.diploma, ruptured=True)

    assert list(selectors.contracts_to_describe(apprentice, year)) == [world.mine.contract]
    assert list(selectors.contracts_to_describe(tutor, year)) == [world.mine.contract]
    assert list(selectors.contracts_to_describe(world.users["staff"], year)) == []
    mission_in(world.mine.contract, MissionStatus.DRAFT, empty=True)
    assert list(selectors.contracts_to_describe(apprentice, year)) == []
    assert list(selectors.contracts_to_describe(apprentice, None)) == []


# Concurrency (PostgreSQL only: SQLite has no row locks) ----------------------------------------------


def _two_heads_world():
    from tests.core.factories import AcademicYearFactory

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


# The demo --------------------------------------------------------------------------------------------
