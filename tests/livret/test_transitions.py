"""The liaison sheet's workflow, through the services: who may move a sheet from which state to which."""

import hashlib

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import ActionLink, AuditEvent, Signature
from core.workflow import Refusal, links
from core.workflow.signatures import content_digest, signatures_of
from livret.models import LiaisonSheet
from livret.services import sheets as services
from tests.conftest import ROLES, build_chain
from tests.core.factories import OrganisationFactory
from tests.livret.factories import APPRENTICE_TEXT, LiaisonSheetFactory, small_world, snapshot

SheetStatus = LiaisonSheet.Status

TRAITS = {
    SheetStatus.DRAFT: {"filled": True},
    SheetStatus.SUBMITTED: {"submitted": True},
    SheetStatus.COUNTERSIGNED: {"countersigned": True},
    SheetStatus.REVIEWED: {"reviewed": True},
    SheetStatus.RETURNED: {"returned": True},
}

# (action, source state) -> the roles that may do it; every other pair is refused.
ALLOWED = {
    ("submit", SheetStatus.DRAFT): {"apprentice"},
    ("submit", SheetStatus.RETURNED): {"apprentice"},
    ("countersign", SheetStatus.SUBMITTED): {"company_tutor"},
    ("return", SheetStatus.SUBMITTED): {"company_tutor", "school_tutor"},
    ("review", SheetStatus.COUNTERSIGNED): {"school_tutor"},
    ("correct", SheetStatus.COUNTERSIGNED): {"apprentice", "staff", "admin"},
    ("correct", SheetStatus.REVIEWED): {"apprentice", "staff", "admin"},
}
ACTIONS = ("submit", "countersign", "return", "review", "correct")
TARGET = {
    "submit": SheetStatus.SUBMITTED,
    "countersign": SheetStatus.COUNTERSIGNED,
    "return": SheetStatus.RETURNED,
    "review": SheetStatus.REVIEWED,
}
EVENT = {
    "submit": "livret.liaisonsheet.submitted",
    "countersign": "livret.liaisonsheet.countersigned",
    "return": "livret.liaisonsheet.returned",
    "review": "livret.liaisonsheet.reviewed",
    "correct": "livret.liaisonsheet.corrected",
}
# The French message of a transition asked from the wrong state.
WRONG_STATE_MESSAGE = {
    "submit": "Cette fiche a déjà été transmise.",
    "countersign": "Cette fiche n'attend pas de contresignature.",
    "return": "Seule une fiche transmise et pas encore contresignée peut être renvoyée.",
    "review": "Cette fiche doit être contresignée avant d'être lue par le tuteur pédagogique.",
    "correct": "Seule une fiche signée se corrige par une nouvelle version.",
}


@pytest.fixture
def world(db):
    """Only one contract and its people: these tests never look at other contracts."""
    return small_world()


def act(action, sheet, user):
    if action == "submit":
        return services.submit(sheet=sheet, by=user)
    if action == "countersign":
        return services.countersign(sheet=sheet, by=user, tutor_assessment="Très bonne période.")
    if action == "return":
        return services.return_to_apprentice(sheet=sheet, by=user, reason="Détaillez vos missions.")
    if action == "review":
        return services.review(sheet=sheet, by=user, comment="Lu, à voir en visite.")
    return services.correct(sheet=sheet, by=user)


def sheet_in(world, status, **kwargs):
    return LiaisonSheetFactory(contract=world.mine.contract, **TRAITS[status], **kwargs)


ALLOWED_CASES = [
    (action, source, role) for (action, source), roles in ALLOWED.items() for role in sorted(roles)
]


@pytest.mark.parametrize(("action", "source", "role"), ALLOWED_CASES)
def test_allowed_transition_moves_the_sheet_and_records_who_did_it(world, action, source, role):
    user = world.users[role]
    sheet = sheet_in(world, source)

    result = act(action, sheet, user)

    event = AuditEvent.objects.get(action=EVENT[action], target_id=result.pk)
    assert event.actor == user
    if action == "correct":
        assert result.pk != sheet.pk
        assert (result.version, result.previous_id, result.status) == (2, sheet.pk, SheetStatus.DRAFT)
    else:
        sheet.refresh_from_db()
        assert sheet.status == TARGET[action]


@pytest.mark.parametrize(("action", "source"), list(ALLOWED))
def test_roles_not_allowed_are_refused_and_nothing_changes(world, action, source):
    sheet = sheet_in(world, source)
    before = snapshot(sheet)
    refused = [role for role in ROLES if role not in ALLOWED[(action, source)]]
    assert refused

    for role in refused:
        with pytest.raises(PermissionDenied):
            act(action, sheet, world.users[role])
        assert snapshot(sheet) == before, role


WRONG_STATE_CASES = [
    (action, state) for action in ACTIONS for state in TRAITS if (action, state) not in ALLOWED
]


@pytest.mark.parametrize(("action", "state"), WRONG_STATE_CASES)
def test_transition_from_a_wrong_state_is_refused_for_every_role_and_nothing_changes(world, action, state):
    sheet = sheet_in(world, state)
    before = snapshot(sheet)

    for role in ROLES:
        with pytest.raises(Refusal) as refused:
            act(action, sheet, world.users[role])
        assert refused.value.message == WRONG_STATE_MESSAGE[action], role
        assert snapshot(sheet) == before, role


@pytest.mark.parametrize(
    ("action", "role"),
    [
        ("submit", "apprentice"),
        ("countersign", "company_tutor"),
        ("return", "company_tutor"),
        ("return", "school_tutor"),
        ("review", "school_tutor"),
        ("correct", "apprentice"),
    ],
)
def test_the_same_role_on_another_contract_is_refused(world, action, role):
    """The tutors and the apprentice of another contract of the same CFA hold the role, not this sheet."""
    source = next(source for (a, source) in ALLOWED if a == action)
    sheet = sheet_in(world, source)
    other = build_chain(world.organisation, world.academic_year, with_accounts=True)
    someone_else = getattr(other, role).user
    before = snapshot(sheet)

    with pytest.raises(PermissionDenied):
        act(action, sheet, someone_else)

    assert snapshot(sheet) == before


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_of_another_organisation_cannot_correct(world, role):
    foreign = build_chain(OrganisationFactory(name="CFA Voisin"), world.academic_year, with_accounts=True)
    sheet = LiaisonSheetFactory(contract=foreign.contract, countersigned=True)
    before = snapshot(sheet)

    with pytest.raises(PermissionDenied):
        services.correct(sheet=sheet, by=world.users[role])

    assert snapshot(sheet) == before


# Submission -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("activities", ["", "   \n  "])
def test_submit_without_activities_is_refused_in_french_and_nothing_changes(world, activities):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, **{**APPRENTICE_TEXT, "activities": activities})
    before = snapshot(sheet)

    with pytest.raises(ValidationError) as refused:
        services.submit(sheet=sheet, by=world.users["apprentice"])

    assert refused.value.message_dict == {
        "activities": ["Décrivez au moins ce que vous avez fait en entreprise."]
    }
    assert snapshot(sheet) == before


def test_submit_signs_the_apprentices_text_and_mails_the_company_tutor_on_commit(
    world, django_capture_on_commit_callbacks
):
    sheet = sheet_in(world, SheetStatus.DRAFT)

    with django_capture_on_commit_callbacks(execute=True):
        services.submit(sheet=sheet, by=world.users["apprentice"])

    sheet.refresh_from_db()
    (signature,) = signatures_of(sheet)
    assert (signature.act, signature.via, signature.signer) == (
        "submit",
        "session",
        world.users["apprentice"],
    )
    assert signature.content_sha256 == hashlib.sha256(signature.content.encode()).hexdigest()
    assert signature.content_sha256 == content_digest({"sheet": sheet.pk, "version": 1, **APPRENTICE_TEXT})[1]
    assert sheet.submitted_at is not None
    assert [m.to for m in mail.outbox] == [[world.mine.company_tutor.email]]


def test_returned_sheet_is_submitted_again_and_both_submissions_stay_on_record(world):
    sheet = sheet_in(world, SheetStatus.SUBMITTED)
    services.return_to_apprentice(sheet=sheet, by=world.users["school_tutor"], reason="Détaillez.")
    services.save_draft(
        sheet=sheet,
        by=world.users["apprentice"],
        values={**APPRENTICE_TEXT, "competences_used": "Plus de détails."},
        revision=0,
    )

    services.submit(sheet=sheet, by=world.users["apprentice"])

    sheet.refresh_from_db()
    assert (sheet.status, sheet.return_reason) == (SheetStatus.SUBMITTED, "")
    first, again = signatures_of(sheet)
    assert (first.act, again.act) == (Signature.Act.SUBMIT, Signature.Act.SUBMIT)
    assert "Plus de détails." not in first.content
    assert "Plus de détails." in again.content
    event = AuditEvent.objects.filter(action="livret.liaisonsheet.submitted", target_id=sheet.pk).get()
    assert event.data["from"] == SheetStatus.RETURNED


# Return ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
@pytest.mark.parametrize("role", ["company_tutor", "school_tutor"])
def test_return_without_a_reason_is_refused_and_nothing_changes(world, role, reason):
    sheet = sheet_in(world, SheetStatus.SUBMITTED)
    before = snapshot(sheet)

    with pytest.raises(ValidationError) as refused:
        services.return_to_apprentice(sheet=sheet, by=world.users[role], reason=reason)

    assert refused.value.message_dict == {"reason": ["Indiquez à l'apprenti ce qu'il doit reprendre."]}
    assert snapshot(sheet) == before


def test_return_keeps_the_reason_and_expires_the_tutors_pending_links(world):
    sheet = sheet_in(world, SheetStatus.SUBMITTED)
    link, token = links.issue(
        document=sheet, action=ActionLink.Action.COUNTERSIGN, email=world.mine.company_tutor.email, name="T"
    )

    services.return_to_apprentice(sheet=sheet, by=world.users["company_tutor"], reason="  Détaillez.  ")

    sheet.refresh_from_db()
    assert (sheet.status, sheet.return_reason) == (SheetStatus.RETURNED, "Détaillez.")
    with pytest.raises(links.LinkError) as refused:
        links.resolve(token, document=sheet, expected_email=world.mine.company_tutor.email)
    assert refused.value.kind == "expired"


# Countersignature -----------------------------------------------------------------------------------


def test_countersign_from_the_session_signs_both_parts_exactly(world):
    sheet = sheet_in(world, SheetStatus.SUBMITTED)

    services.countersign(sheet=sheet, by=world.users["company_tutor"], tutor_assessment="  Très bien.  ")

    sheet.refresh_from_db()
    assert (sheet.status, sheet.tutor_assessment) == (SheetStatus.COUNTERSIGNED, "Très bien.")
    signature = signatures_of(sheet).get(act=Signature.Act.COUNTERSIGN)
    assert (signature.via, signature.signer, signature.signer_email) == (
        "session",
        world.users["company_tutor"],
        world.mine.company_tutor.email,
    )
    assert signature.content_sha256 == content_digest(sheet.signable_content())[1]


def test_countersign_from_the_emailed_link_needs_no_account_and_uses_the_link(world):
    sheet = sheet_in(world, SheetStatus.SUBMITTED)
    tutor = world.mine.company_tutor
    link, token = links.issue(
        document=sheet, action=ActionLink.Action.COUNTERSIGN, email=tutor.email, name="T"
    )

    services.countersign(sheet=sheet, token=token, tutor_assessment="Bien.")

    sheet.refresh_from_db()
    link.refresh_from_db()
    assert sheet.status == SheetStatus.COUNTERSIGNED
    assert link.used_at is not None
    signature = signatures_of(sheet).get(act=Signature.Act.COUNTERSIGN)
    assert (signature.via, signature.signer_email) == ("link", tutor.email)
    event = AuditEvent.objects.get(action="livret.liaisonsheet.countersigned", target_id=sheet.pk)
    assert event.actor is None
    assert event.data == {"via": "link", "by": tutor.email}


def test_countersign_with_neither_session_nor_link_is_refused(world):
    sheet = sheet_in(world, SheetStatus.SUBMITTED)
    before = snapshot(sheet)

    with pytest.raises(PermissionDenied):
        services.countersign(sheet=sheet, tutor_assessment="Bien.")

    assert snapshot(sheet) == before


def test_countersign_link_for_another_action_is_refused(world):
    sheet = sheet_in(world, SheetStatus.SUBMITTED)
    _link, token = links.issue(
        document=sheet, action=ActionLink.Action.ACKNOWLEDGE, email=world.mine.company_tutor.email, name="T"
    )
    before = snapshot(sheet)

    with pytest.raises(links.LinkError) as refused:
        services.countersign(sheet=sheet, token=token)

    assert refused.value.kind == "foreign"
    assert snapshot(sheet) == before


def test_countersign_refuses_too_long_an_assessment_and_nothing_changes(world):
    sheet = sheet_in(world, SheetStatus.SUBMITTED)
    before = snapshot(sheet)

    with pytest.raises(ValidationError):
        services.countersign(
            sheet=sheet, by=world.users["company_tutor"], tutor_assessment="x" * (LiaisonSheet.MAX_TEXT + 1)
        )

    assert snapshot(sheet) == before


# Review ---------------------------------------------------------------------------------------------


def test_review_keeps_the_school_tutors_comment(world):
    sheet = sheet_in(world, SheetStatus.COUNTERSIGNED)

    services.review(sheet=sheet, by=world.users["school_tutor"], comment=" À voir en visite. ")

    sheet.refresh_from_db()
    assert (sheet.status, sheet.school_comment) == (SheetStatus.REVIEWED, "À voir en visite.")
    assert sheet.reviewed_at is not None


# Correction -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", [SheetStatus.COUNTERSIGNED, SheetStatus.REVIEWED])
@pytest.mark.parametrize("role", ["apprentice", "staff"])
def test_correct_opens_version_2_and_leaves_the_signed_version_unchanged(world, role, source):
    old = sheet_in(world, source)
    old_row = LiaisonSheet.objects.filter(pk=old.pk).values().get()
    old_signatures = list(signatures_of(old).values_list("pk", "act", "content_sha256"))
    assert len(old_signatures) == 2

    new = services.correct(sheet=old, by=world.users[role])

    new.refresh_from_db()
    assert (new.version, new.previous_id, new.is_current, new.status) == (2, old.pk, True, SheetStatus.DRAFT)
    assert (new.contract_id, new.period_id) == (old.contract_id, old.period_id)
    assert new.apprentice_content() == APPRENTICE_TEXT
    assert new.tutor_assessment == ""
    assert list(signatures_of(new)) == []
    old_now = LiaisonSheet.objects.filter(pk=old.pk).values().get()
    assert old_now.pop("is_current") is False
    assert {k: v for k, v in old_now.items() if k != "updated_at"} == {
        k: v for k, v in old_row.items() if k not in ("is_current", "updated_at")
    }
    assert list(signatures_of(old).values_list("pk", "act", "content_sha256")) == old_signatures


def test_an_old_version_cannot_be_corrected_again(world):
    old = sheet_in(world, SheetStatus.COUNTERSIGNED)
    services.correct(sheet=old, by=world.users["apprentice"])
    before = snapshot(old)

    with pytest.raises(Refusal):
        services.correct(sheet=old, by=world.users["apprentice"])

    assert snapshot(old) == before
