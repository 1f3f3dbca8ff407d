"""Writing a mission description through the services: who may open the description of the year,
how a draft is saved (stale copies, lengths, one audit event per writer), and what a submission needs
and signs."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent, Role, Signature
from core.workflow import Refusal
from core.workflow.drafts import StaleDraft
from core.workflow.signatures import content_digest
from livret.models import MissionDescription
from livret.services import missions as services
from tests.core.factories import OrganisationFactory, UserFactory
from tests.livret import missions_support
from tests.livret.factories import MISSION_TEXT, mission_in, mission_snapshot
from tests.livret.missions_support import NEW_TEXT, MissionStatus, fresh

# Shared fixtures: pytest finds a fixture by its name in the test module.
world = missions_support.world

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
