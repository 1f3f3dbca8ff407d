"""What waits for whom ("À faire"), reminders that escalate, and one daily digest per person."""

import datetime
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from core.models import ActionLink, Role, Signature, User, UserRole
from core.workflow import links
from livret import reminders
from livret.models import LiaisonSheet, MissionDescription, Reminder
from livret.tasks import send_daily_digests
from livret.waiting import todo_for
from tests.core.factories import UserFactory
from tests.livret.factories import (
    EvaluationFactory,
    GridSharingFactory,
    LiaisonSheetFactory,
    MissionDescriptionFactory,
    VisitReportFactory,
    small_world,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def ago(days: int) -> datetime.datetime:
    """Noon, ``days`` days before today (local time): ``days`` whole days ago on the calendar whatever the
    hour the test runs (an hour before now fell on the day before between midnight and one o'clock)."""
    day = TODAY - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def keys(user) -> set[str]:
    return {item["key"] for item in todo_for(user, TODAY)}


def notices(**filters) -> set[tuple]:
    return set(Reminder.objects.filter(**filters).values_list("rule", "level", "recipient_email"))


@pytest.fixture
def w():
    world = small_world()
    GridSharingFactory(contract=world.mine.contract)
    return world


# The inbox -----------------------------------------------------------------------------------------


def test_each_person_sees_the_documents_waiting_for_them_and_no_other(w):
    contract = w.mine.contract
    LiaisonSheetFactory(contract=contract)  # the apprentice fills
    LiaisonSheetFactory(contract=contract, submitted=True)  # the company tutor countersigns
    LiaisonSheetFactory(contract=contract, countersigned=True)  # the school tutor reads
    VisitReportFactory(contract=contract, reported=True)  # both acknowledge
    VisitReportFactory(contract=contract, planned_date=TODAY)  # the school tutor reports
    MissionDescriptionFactory(contract=contract, submitted=True)  # the head decides
    EvaluationFactory(contract=contract)  # the tutor rates, the apprentice self-assesses

    assert keys(w.users["apprentice"]) == {"sheet.fill", "visit.acknowledge.apprentice", "evaluation.self"}
    assert keys(w.users["company_tutor"]) == {
        "sheet.countersign",
        "visit.acknowledge.tutor",
        "evaluation.tutor",
    }
    assert keys(w.users["school_tutor"]) == {"sheet.review", "visit.report"}
    assert keys(w.users["head_of_diploma"]) == {"mission.decide"}
    assert keys(w.users["admin"]) == set()


def test_the_inbox_shows_the_same_items_without_the_reminders_joins(w, monkeypatch):
    """The inbox reads its documents without the employer, the tutors and the accounts the reminders
    join (``waiting._for_inbox``), and of the rows it joins only the columns it shows: every item is the
    one the full rows gave, with no query more (no column left out is read later), fewer tables are
    joined (ten cost PostgreSQL's planner 10 to 17 ms a query) and fewer columns selected."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from livret import waiting

    contract = w.mine.contract
    LiaisonSheetFactory(contract=contract)
    LiaisonSheetFactory(contract=contract, submitted=True)
    LiaisonSheetFactory(contract=contract, countersigned=True)
    VisitReportFactory(contract=contract, reported=True)
    VisitReportFactory(contract=contract, planned_date=TODAY)
    MissionDescriptionFactory(contract=contract, submitted=True, submitted_at=ago(9))
    EvaluationFactory(contract=contract)
    people = ["apprentice", "company_tutor", "school_tutor", "head_of_diploma", "staff", "admin"]

    def shown(user):
        with CaptureQueriesContext(connection) as queries:
            items = [
                (i["key"], i["kind"], str(i["verb"]), i["label"], str(i["apprentice"]), i["due"], i["url"])
                for i in todo_for(user, TODAY)
            ]
        return items, queries

    for role in people:
        todo_for(w.users[role], TODAY)  # each person's roles, read once and kept on the user
    pruned = {role: shown(w.users[role]) for role in people}
    monkeypatch.setattr(waiting, "_for_inbox", lambda documents: documents)
    full = {role: shown(w.users[role]) for role in people}

    for role in people:
        assert pruned[role][0] == full[role][0], role
        assert len(pruned[role][1]) == len(full[role][1]), role

        def joins(queries):
            return sum(query["sql"].count(" JOIN ") for query in queries)

        def columns(queries):
            return sum(query["sql"].split(" FROM ")[0].count(",") for query in queries)

        if full[role][0]:
            assert joins(pruned[role][1]) < joins(full[role][1]), role
            assert columns(pruned[role][1]) < columns(full[role][1]), role
    assert sum(len(items) for items, _queries in pruned.values()) >= 8


def test_an_acknowledged_report_leaves_the_inbox_of_who_acknowledged_it_only(w):
    visit = VisitReportFactory(contract=w.mine.contract, reported=True)
    apprentice = w.users["apprentice"]
    Signature.objects.create(
        document_type_id=Signature.objects.for_document(visit).get().document_type_id,
        document_id=visit.pk,
        act=Signature.Act.ACKNOWLEDGE,
        signer=apprentice,
        signer_name="Apprenti",
        signer_email=apprentice.email.upper(),
        via=Signature.Via.SESSION,
        content="{}",
        content_sha256="0" * 64,
    )

    assert "visit.acknowledge.apprentice" not in keys(apprentice)
    assert "visit.acknowledge.tutor" in keys(w.users["company_tutor"])


def test_active_contract_without_this_years_mission_or_shared_grid_is_due(db):
    world = small_world()

    assert "mission.start" in keys(world.users["apprentice"])
    assert "mission.start" in keys(world.users["company_tutor"])
    assert "grid.share" in keys(world.users["school_tutor"])

    MissionDescriptionFactory(contract=world.mine.contract)
    GridSharingFactory(contract=world.mine.contract)

    assert "mission.start" not in keys(world.users["apprentice"])
    assert "grid.share" not in keys(world.users["school_tutor"])


def test_a_person_both_apprentice_and_company_tutor_sees_what_waits_on_each_contract(world):
    """The inbox looks a person's contracts up through the record of each role they hold: one who is
    an apprentice on one contract and the company tutor on another is asked for both."""
    person = world.users["apprentice"]
    tutor = world.other.contract.company_tutor
    tutor.user = person
    tutor.save()
    UserRole.objects.get_or_create(user=person, role=Role.COMPANY_TUTOR)
    person = User.objects.get(pk=person.pk)

    def documents(user, key):
        return {item["document"] for item in todo_for(user, TODAY) if item["key"] == key}

    assert documents(person, "mission.start") == {world.mine.contract, world.other.contract}
    assert documents(world.users["company_tutor"], "mission.start") == {world.mine.contract}

    written = MissionDescriptionFactory(contract=world.mine.contract)
    tutored = MissionDescriptionFactory(contract=world.other.contract)

    assert documents(person, "mission.write") == {written, tutored}
    assert documents(world.users["company_tutor"], "mission.write") == {written}
    assert documents(person, "mission.start") == set()


def test_staff_see_missions_waiting_past_the_charter_week(w):
    MissionDescriptionFactory(contract=w.mine.contract, submitted=True, submitted_at=ago(8))
    staff = w.users["staff"]

    (item,) = [item for item in todo_for(staff, TODAY) if item["key"] == "mission.overdue"]

    assert item["overdue"]


def test_overdue_items_come_first(w):
    contract = w.mine.contract
    late = LiaisonSheetFactory(contract=contract, due_date=TODAY - datetime.timedelta(days=2))
    LiaisonSheetFactory(contract=contract, due_date=TODAY + datetime.timedelta(days=5))

    items = todo_for(w.users["apprentice"], TODAY)

    assert items[0]["document"] == late
    assert items[0]["overdue"]


def test_a_long_inbox_keeps_the_documents_due_first(w):
    """The inbox shows its first ``limit`` items: of a rule's many documents, those due first. It took
    any ``limit`` of them in the model's default order (the latest period first for sheets, the latest
    planned visit first), then sorted those: a network's staff saw 50 of 1,240 overdue descriptions."""
    contract = w.mine.contract
    sheets = [
        LiaisonSheetFactory(contract=contract, due_date=TODAY - datetime.timedelta(days=days))
        for days in (30, 20, 10)
    ]

    items = todo_for(w.users["apprentice"], TODAY, limit=2)

    assert [item["document"] for item in items] == sheets[:2]


# Reminders -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected_levels"),
    [(1, set()), (3, {1}), (10, {1, 2}), (14, {1, 2, Reminder.ESCALATION})],
)
def test_a_sheet_waiting_for_countersignature_escalates_day_3_day_10_then_the_school_tutor(
    w, days, expected_levels
):
    LiaisonSheetFactory(contract=w.mine.contract, submitted=True, submitted_at=ago(days))

    reminders.record_reminders(today=TODAY)

    tutor_email = w.mine.company_tutor.email.lower()
    school_email = w.users["school_tutor"].email.lower()
    recorded = notices(rule="sheet.countersign")
    assert {level for _rule, level, _email in recorded} == expected_levels
    for _rule, level, email in recorded:
        assert email == (school_email if level == Reminder.ESCALATION else tutor_email)


@pytest.mark.parametrize(
    ("days", "expected"),
    [(2, {0}), (3, {0, 1}), (6, {0, 1, 2}), (8, {0, 1, 2, Reminder.ESCALATION})],
)
def test_a_mission_waiting_for_its_head_is_recalled_day_3_and_6_then_staff_are_told(w, days, expected):
    MissionDescriptionFactory(contract=w.mine.contract, submitted=True, submitted_at=ago(days))

    reminders.record_reminders(today=TODAY)

    recorded = notices(rule="mission.decide")
    assert {level for _rule, level, _email in recorded} == expected
    staff_told = {email for _rule, level, email in recorded if level == Reminder.ESCALATION}
    assert staff_told == ({w.users["staff"].email.lower()} if days >= 8 else set())


def test_recording_twice_records_nothing_new(w):
    LiaisonSheetFactory(contract=w.mine.contract, submitted=True, submitted_at=ago(11))
    MissionDescriptionFactory(contract=w.mine.contract, submitted=True, submitted_at=ago(4))

    first = reminders.record_reminders(today=TODAY)
    second = reminders.record_reminders(today=TODAY)

    assert first > 0
    assert second == 0


def test_a_returned_sheet_starts_a_new_series_for_the_apprentice(w):
    sheet = LiaisonSheetFactory(contract=w.mine.contract)
    reminders.record_reminders(today=TODAY)
    LiaisonSheet.objects.filter(pk=sheet.pk).update(
        status=LiaisonSheet.Status.RETURNED, submitted_at=timezone.now(), return_reason="Détaillez."
    )

    reminders.record_reminders(today=TODAY)

    assert Reminder.objects.filter(rule="sheet.fill", level=Reminder.NEW).count() == 2


# The digest ----------------------------------------------------------------------------------------


def test_each_person_gets_one_mail_listing_all_their_items(w):
    contract = w.mine.contract
    LiaisonSheetFactory(contract=contract)
    VisitReportFactory(contract=contract, reported=True)
    EvaluationFactory(contract=contract)

    result = send_daily_digests.delay(TODAY.isoformat()).get()

    apprentice_email = w.users["apprentice"].email
    (message,) = [m for m in mail.outbox if m.to == [apprentice_email]]
    assert "3 documents vous attendent" in message.subject
    for verb in ("Compléter et transmettre", "Prendre connaissance", "M'auto-évaluer"):
        assert verb in message.body
    html = message.alternatives[0][0]
    assert "Ouvrir mon espace" in html
    assert result["mails"] == len({tuple(m.to) for m in mail.outbox}) == len(mail.outbox)


def test_a_second_digest_the_same_day_sends_nothing(w):
    LiaisonSheetFactory(contract=w.mine.contract)
    send_daily_digests(TODAY.isoformat())
    sent = len(mail.outbox)

    send_daily_digests(TODAY.isoformat())

    assert sent > 0
    assert len(mail.outbox) == sent


def test_a_document_that_no_longer_waits_is_left_out_of_the_digest(w):
    sheet = LiaisonSheetFactory(contract=w.mine.contract)
    reminders.record_reminders(today=TODAY)
    LiaisonSheet.objects.filter(pk=sheet.pk).update(
        status=LiaisonSheet.Status.SUBMITTED, submitted_at=timezone.now()
    )

    reminders.send_digests(today=TODAY)

    assert [m.to for m in mail.outbox if m.to == [w.users["apprentice"].email]] == []
    assert not Reminder.objects.filter(sent_at=None).exists()


def test_a_company_tutor_without_account_gets_a_fresh_single_use_link(w):
    tutor = w.mine.company_tutor
    tutor.user = None
    tutor.save()
    sheet = LiaisonSheetFactory(contract=w.mine.contract, submitted=True, submitted_at=ago(3))

    reminders.record_reminders(today=TODAY)
    reminders.send_digests(today=TODAY)

    (message,) = [m for m in mail.outbox if m.to == [tutor.email.lower()]]
    assert "relance : en attente depuis 3 jours" in message.body
    token = re.search(rf"/livret/fiches/{sheet.pk}/lien/([^/\s]+)/", message.body).group(1)
    link = links.resolve(token, document=sheet, expected_email=tutor.email)
    assert link.action == ActionLink.Action.COUNTERSIGN
    assert "Ouvrir mon espace" not in message.alternatives[0][0]


def test_the_school_tutor_is_told_in_their_own_section(w):
    LiaisonSheetFactory(contract=w.mine.contract, submitted=True, submitted_at=ago(15))

    reminders.record_reminders(today=TODAY)
    reminders.send_digests(today=TODAY)

    (message,) = [m for m in mail.outbox if m.to == [w.users["school_tutor"].email]]
    assert "Pour information" in message.body
    assert "« contresigner » (maître d'apprentissage) en attente depuis 15 jours" in message.body
    assert "des documents attendent chez vos apprentis" in message.subject


def test_the_command_records_and_sends(w):
    MissionDescriptionFactory(contract=w.mine.contract, submitted=True, submitted_at=ago(3))

    call_command("send_digests", "--date", TODAY.isoformat())

    head_email = w.users["head_of_diploma"].email
    (message,) = [m for m in mail.outbox if m.to == [head_email]]
    assert "Valider ou renvoyer" in message.body
    assert MissionDescription.objects.get().status == MissionDescription.Status.SUBMITTED


def test_the_command_refuses_a_malformed_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="AAAA-MM-JJ"):
        call_command("send_digests", "--date", "2025-13-45")


def test_a_person_with_no_account_and_no_item_gets_no_mail(db):
    UserFactory()

    assert reminders.send_digests(today=TODAY) == 0
    assert mail.outbox == []


def test_school_tutor_is_asked_to_plan_a_visit_when_a_charter_window_is_open(db):
    world = small_world()
    contract = world.mine.contract
    contract.start_date = TODAY - datetime.timedelta(days=10)
    contract.planned_end_date = contract.start_date + datetime.timedelta(days=3 * 365)
    contract.save()
    tutor = world.users["school_tutor"]

    (item,) = [item for item in todo_for(tutor, TODAY) if item["key"] == "visit.plan"]
    assert item["document"] == contract
    assert item["url"].endswith(f"/contrats/{contract.pk}/visites/planifier/")

    VisitReportFactory(contract=contract, planned_date=TODAY + datetime.timedelta(days=5))

    assert "visit.plan" not in keys(tutor)


def test_a_legal_representative_is_recalled_with_a_fresh_link_until_they_have_read_the_report(w):
    from apprentices.models import Apprentice
    from tests.apprentices.factories import LegalRepresentativeFactory, years_ago

    apprentice = w.mine.apprentice
    Apprentice.objects.filter(pk=apprentice.pk).update(birth_date=years_ago(16))
    parent = LegalRepresentativeFactory(apprentice=apprentice, email="parent@exemple.test")
    visit = VisitReportFactory(contract=w.mine.contract, reported=True, reported_at=ago(3))

    reminders.record_reminders(today=TODAY)
    reminders.send_digests(today=TODAY)

    (message,) = [m for m in mail.outbox if m.to == [parent.email]]
    token = re.search(rf"/livret/visites/{visit.pk}/lien/([^/\s]+)/", message.body).group(1)
    link = links.resolve(token, document=visit, expected_email=parent.email)
    assert link.action == ActionLink.Action.ACKNOWLEDGE

    Signature.objects.create(
        document_type_id=Signature.objects.for_document(visit).first().document_type_id,
        document_id=visit.pk,
        act=Signature.Act.ACKNOWLEDGE,
        signer_name=str(parent),
        signer_email=parent.email,
        via=Signature.Via.LINK,
        content="{}",
        content_sha256="0" * 64,
    )
    reminders.record_reminders(today=TODAY + datetime.timedelta(days=7))

    assert not Reminder.objects.filter(recipient_email=parent.email, level=2).exists()


def test_an_adult_apprentices_report_reminds_no_legal_representative(w):
    from tests.apprentices.factories import LegalRepresentativeFactory

    LegalRepresentativeFactory(apprentice=w.mine.apprentice, email="parent@exemple.test")
    VisitReportFactory(contract=w.mine.contract, reported=True, reported_at=ago(11))

    reminders.record_reminders(today=TODAY)

    assert not Reminder.objects.filter(recipient_email="parent@exemple.test").exists()
