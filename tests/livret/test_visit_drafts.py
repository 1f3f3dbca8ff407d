"""The visit report's draft and its versions, through the services: saved as it is typed with the
revision check of the liaison sheet's draft (a replay of the same draft is saved once, a stale copy is a
conflict), bounded in length and in action rows, written only by who logs the visit; presence asked,
never assumed; a shared report corrected by a new version that keeps the replaced one."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent, Signature
from core.workflow import Refusal
from core.workflow.drafts import StaleDraft
from core.workflow.signatures import content_digest, signatures_of
from livret.models import ActionItem, VisitReportVersion
from livret.readers import has_acknowledged, readers
from livret.services import visits as services
from tests.livret import visits_support
from tests.livret.visits_support import REPORT, TODAY, VisitStatus, log, snapshot, visit_in

world = visits_support.world

DRAFT = {
    "held_on": "2026-01-15",
    "mode": "on_site",
    "apprentice_present": "oui",
    "company_tutor_present": "",
    "other_participants": "Mme Roux, RH",
    "integration": "Bien accueillie par l'équipe.",
    "progress": "",
    "close_actions": [],
    "actions": [{"description": "Relire la fiche de poste", "owner": "apprentice", "due_date": ""}],
}


def saved(visit, user, values=DRAFT, revision=0):
    return services.save_report_draft(visit=visit, by=user, values=values, revision=revision)


# The draft ----------------------------------------------------------------------------------------------


def test_saving_the_draft_keeps_it_as_typed_and_bumps_the_revision(world):
    visit = visit_in(world, VisitStatus.PLANNED)

    saved(visit, world.users["school_tutor"])

    visit.refresh_from_db()
    assert visit.revision == 1
    assert visit.status == VisitStatus.PLANNED
    assert visit.draft == {
        "held_on": "2026-01-15",
        "mode": "on_site",
        "apprentice_present": "oui",
        "company_tutor_present": "",
        "legal_representative_present": "",
        "other_participants": "Mme Roux, RH",
        "integration": "Bien accueillie par l'équipe.",
        "missions_adequacy": "",
        "progress": "",
        "difficulties": "",
        "close_actions": [],
        "actions": [{"description": "Relire la fiche de poste", "owner": "apprentice", "due_date": ""}],
    }
    # Nothing of it is the report yet: not signed, no action opened.
    assert (visit.held_on, visit.integration, visit.author) == (None, "", None)
    assert not Signature.objects.for_document(visit).exists()
    assert not ActionItem.objects.filter(opened_in=visit).exists()


def test_the_same_draft_sent_again_from_its_old_revision_is_saved_once(world):
    """A copy kept offline whose answer was lost is sent again: no conflict, nothing written twice."""
    visit = visit_in(world, VisitStatus.PLANNED)
    saved(visit, world.users["school_tutor"])
    before = snapshot(visit)

    again = saved(visit, world.users["school_tutor"], revision=0)

    assert again.revision == 1
    assert snapshot(visit) == before


def test_a_different_draft_from_a_stale_copy_is_a_conflict_with_the_current_draft(world):
    visit = visit_in(world, VisitStatus.PLANNED)
    saved(visit, world.users["school_tutor"])
    before = snapshot(visit)

    with pytest.raises(StaleDraft) as stale:
        saved(visit, world.users["school_tutor"], values={**DRAFT, "progress": "Autre texte"}, revision=0)

    assert stale.value.revision == 1
    assert stale.value.current["draft"]["integration"] == DRAFT["integration"]
    assert snapshot(visit) == before


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({**DRAFT, "difficulties": "é" * 5001}, "difficulties"),
        ({**DRAFT, "other_participants": "x" * 301}, "other_participants"),
        ({**DRAFT, "actions": [{"description": "x" * 501, "owner": "cfa", "due_date": ""}]}, "description"),
        ({**DRAFT, "actions": [{"description": "A", "owner": "cfa", "due_date": ""}] * 31}, "new_actions"),
        ({**DRAFT, "close_actions": ["pas un nombre"]}, "close_actions"),
    ],
    ids=["text", "participants", "action", "31-actions", "close"],
)
def test_a_draft_too_long_or_with_too_many_actions_is_refused_and_saves_nothing(world, values, field):
    visit = visit_in(world, VisitStatus.PLANNED)
    before = snapshot(visit)

    with pytest.raises(ValidationError) as refused:
        saved(visit, world.users["school_tutor"], values=values)

    assert list(refused.value.message_dict) == [field]
    assert snapshot(visit) == before


def test_thirty_action_rows_fit_in_a_draft(world):
    visit = visit_in(world, VisitStatus.PLANNED)
    rows = [{"description": f"Action {n}", "owner": "cfa", "due_date": ""} for n in range(30)]

    saved(visit, world.users["school_tutor"], values={**DRAFT, "actions": rows})

    visit.refresh_from_db()
    assert len(visit.draft["actions"]) == 30


@pytest.mark.parametrize("role", ["apprentice", "company_tutor", "head_of_diploma"])
def test_only_who_logs_the_visit_writes_its_draft(world, role):
    visit = visit_in(world, VisitStatus.PLANNED)
    before = snapshot(visit)

    with pytest.raises(PermissionDenied):
        saved(visit, world.users[role])

    assert snapshot(visit) == before


@pytest.mark.parametrize("status", [VisitStatus.REPORTED, VisitStatus.CANCELLED])
def test_a_shared_or_cancelled_visit_has_no_draft_to_save(world, status):
    visit = visit_in(world, status)
    before = snapshot(visit)

    with pytest.raises(Refusal):
        saved(visit, world.users["school_tutor"])

    assert snapshot(visit) == before


def test_sharing_the_report_ends_its_draft(world):
    visit = visit_in(world, VisitStatus.PLANNED)
    saved(visit, world.users["school_tutor"])

    log(visit, world.users["school_tutor"])

    visit.refresh_from_db()
    assert (visit.status, visit.draft) == (VisitStatus.REPORTED, None)


# Presence -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["apprentice_present", "company_tutor_present"])
def test_a_report_that_does_not_say_who_was_present_is_refused(world, missing):
    values = {
        "held_on": TODAY(),
        "mode": "on_site",
        "apprentice_present": True,
        "company_tutor_present": False,
        **REPORT,
    }
    values[missing] = None

    with pytest.raises(ValidationError) as refused:
        services.Report.clean(**values)

    assert refused.value.message_dict == {
        missing: [
            "Indiquez si l'apprenti était présent."
            if missing == "apprentice_present"
            else "Indiquez si le maître d'apprentissage était présent."
        ]
    }


def test_an_absence_said_explicitly_is_shared_as_an_absence(world):
    visit = visit_in(world, VisitStatus.PLANNED)

    log(visit, world.users["school_tutor"], company_tutor_present=False)

    visit.refresh_from_db()
    assert (visit.apprentice_present, visit.company_tutor_present) == (True, False)


def test_thirty_new_actions_are_opened_by_one_report(world):
    visit = visit_in(world, VisitStatus.PLANNED)
    due = TODAY() + datetime.timedelta(days=30)
    rows = [{"description": f"Action {n}", "owner": "cfa", "due_date": due} for n in range(30)]

    log(visit, world.users["school_tutor"], new_actions=rows)

    assert ActionItem.objects.filter(opened_in=visit).count() == 30


# Versions -----------------------------------------------------------------------------------------------


def shared(world):
    """A report shared by the school tutor, and acknowledged by the apprentice and the company tutor."""
    visit = visit_in(world, VisitStatus.PLANNED, planned_date=TODAY() - datetime.timedelta(days=3))
    log(visit, world.users["school_tutor"], held_on=TODAY() - datetime.timedelta(days=3))
    for role in ("apprentice", "company_tutor"):
        services.acknowledge(visit=visit, by=world.users[role])
    visit.refresh_from_db()
    return visit


def corrected_report(**overrides):
    values = {
        "held_on": TODAY() - datetime.timedelta(days=3),
        "mode": "on_site",
        "apprentice_present": True,
        "company_tutor_present": True,
        **REPORT,
        "progress": "Autonome sur l'analyse des temps et sur le SMED.",
        **overrides,
    }
    return services.Report.clean(**values)


def test_opening_a_correction_keeps_the_shared_version_in_force(world):
    visit = shared(world)
    before = {name: getattr(visit, name) for name in ("progress", "status", "version", "reported_at")}

    services.correct_visit(visit=visit, by=world.users["school_tutor"])

    visit.refresh_from_db()
    assert visit.is_correcting
    assert visit.draft["progress"] == REPORT["progress"]
    assert visit.draft["apprentice_present"] == "oui"
    assert {name: getattr(visit, name) for name in before} == before
    assert AuditEvent.objects.filter(action="livret.visitreport.correction_opened").count() == 1


def test_opening_a_correction_twice_opens_it_once(world):
    visit = shared(world)
    services.correct_visit(visit=visit, by=world.users["school_tutor"])
    visit.refresh_from_db()
    before = snapshot(visit)

    services.correct_visit(visit=visit, by=world.users["school_tutor"])

    assert snapshot(visit) == before


def test_sharing_a_correction_makes_a_new_version_and_keeps_the_replaced_one(
    world, django_capture_on_commit_callbacks
):
    visit = shared(world)
    first = visit.report_content()
    first_shared_at = visit.reported_at
    services.correct_visit(visit=visit, by=world.users["staff"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.share_correction(visit=visit, by=world.users["staff"], report=corrected_report())

    visit.refresh_from_db()
    assert (visit.version, visit.status, visit.draft, visit.author) == (
        2,
        VisitStatus.REPORTED,
        None,
        world.users["staff"],
    )
    assert visit.progress == "Autonome sur l'analyse des temps et sur le SMED."
    (replaced,) = VisitReportVersion.objects.filter(visit=visit)
    assert (replaced.number, replaced.content, replaced.shared_at) == (1, first, first_shared_at)
    assert (replaced.author, replaced.replaced_by) == (world.users["school_tutor"], world.users["staff"])
    # The replaced version keeps its signatures; the new one is signed, and acknowledged afresh.
    assert [(s.act, s.content) for s in signatures_of(replaced)] == [
        (Signature.Act.REPORT, content_digest(first)[0]),
        (Signature.Act.ACKNOWLEDGE, content_digest(first)[0]),
        (Signature.Act.ACKNOWLEDGE, content_digest(first)[0]),
    ]
    (report,) = signatures_of(visit)
    assert (report.act, report.signer) == (Signature.Act.REPORT, world.users["staff"])
    assert report.content == content_digest(visit.report_content())[0] and '"version":2' in report.content
    assert not any(has_acknowledged(reader, [report]) for reader in readers(visit.contract))
    assert [m.to for m in mail.outbox] == [[world.mine.company_tutor.email.lower()]]
    assert AuditEvent.objects.filter(action="livret.visitreport.corrected").count() == 1


def test_the_new_version_is_acknowledged_again(world):
    visit = shared(world)
    services.correct_visit(visit=visit, by=world.users["school_tutor"])
    services.share_correction(visit=visit, by=world.users["school_tutor"], report=corrected_report())

    for role in ("apprentice", "company_tutor"):
        services.acknowledge(visit=visit, by=world.users[role])

    visit.refresh_from_db()
    assert visit.status == VisitStatus.ACKNOWLEDGED


def test_a_correction_not_shared_is_discarded_without_touching_the_version_in_force(world):
    visit = shared(world)
    services.correct_visit(visit=visit, by=world.users["school_tutor"])
    visit.refresh_from_db()
    saved(
        visit, world.users["school_tutor"], values={**DRAFT, "progress": "Brouillon"}, revision=visit.revision
    )

    services.discard_correction(visit=visit, by=world.users["school_tutor"])

    visit.refresh_from_db()
    assert (visit.is_correcting, visit.version, visit.progress) == (False, 1, REPORT["progress"])
    assert not VisitReportVersion.objects.exists()


@pytest.mark.parametrize("role", ["apprentice", "company_tutor", "head_of_diploma"])
def test_only_who_logs_the_visit_corrects_its_report(world, role):
    visit = shared(world)
    before = snapshot(visit)

    with pytest.raises(PermissionDenied):
        services.correct_visit(visit=visit, by=world.users[role])

    assert snapshot(visit) == before


@pytest.mark.parametrize("status", [VisitStatus.PLANNED, VisitStatus.CANCELLED])
def test_a_report_not_shared_is_not_corrected(world, status):
    visit = visit_in(world, status)
    before = snapshot(visit)

    with pytest.raises(Refusal):
        services.correct_visit(visit=visit, by=world.users["school_tutor"])

    assert snapshot(visit) == before


def test_a_correction_is_shared_only_once_opened(world):
    visit = shared(world)
    before = snapshot(visit)

    with pytest.raises(Refusal):
        services.share_correction(visit=visit, by=world.users["school_tutor"], report=corrected_report())

    assert snapshot(visit) == before
