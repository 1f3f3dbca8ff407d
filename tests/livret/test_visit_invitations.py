"""Planning, moving and cancelling a visit mails the apprentice and the company tutor the date and time
with a calendar invitation (.ics read back with icalendar): one UID for the visit, its SEQUENCE raised
at each change, METHOD REQUEST then CANCEL."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from core.models import AuditEvent
from livret import notifications
from livret.models import VisitReport
from livret.services import visits as services
from tests.helpers import messages_of
from tests.livret import visits_support
from tests.livret.visits_support import TODAY

world = visits_support.world


def invitation_of(message) -> Calendar:
    [part] = [a for a in message.attachments if a.get_content_type() == "text/calendar"]
    assert part.get_filename() == "invitation.ics"
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    assert calendar["method"] == part.get_param("method")
    return calendar


def event_of(calendar):
    [event] = calendar.walk("VEVENT")
    return event


def plan(world, capture, **extra):
    with capture(execute=True):
        return services.plan_visit(
            contract=world.mine.contract,
            by=world.users["school_tutor"],
            planned_date=TODAY() + datetime.timedelta(days=10),
            planned_time=datetime.time(14, 30),
            mode="on_site",
            **extra,
        )


def test_planning_mails_the_apprentice_and_the_company_tutor_a_request_with_the_date_and_time(
    world, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    visit = plan(world, django_capture_on_commit_callbacks)

    contract = world.mine.contract
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [contract.apprentice.user.email, contract.company_tutor.email]
    )
    day = visit.planned_date
    for message in mail.outbox:
        assert "14:30" in message.body
        assert str(day.year) in message.body and str(day.day) in message.body
        assert contract.school_tutor.user.email in message.body
        calendar = invitation_of(message)
        assert calendar["method"] == "REQUEST"
        event = event_of(calendar)
        assert str(event["uid"]) == f"visite-{visit.pk}@127.0.0.1"
        assert event["sequence"] == 0
        assert event["status"] == "CONFIRMED"
        start = event.decoded("dtstart")
        assert (start.date(), start.hour, start.minute) == (day, 14, 30)
        assert str(start.tzinfo) == "Europe/Paris"
        assert event.decoded("dtend") - start == datetime.timedelta(hours=1)
        attendees = {str(a).removeprefix("mailto:") for a in event.get("attendee")}
        assert attendees == {contract.apprentice.user.email, contract.company_tutor.email}
        assert str(event["organizer"]) == f"mailto:{contract.school_tutor.user.email}"
        assert str(contract.apprentice) in str(event["summary"])
        assert calendar.walk("VTIMEZONE"), "the Paris time zone travels with the invitation"


def test_a_visit_without_a_time_is_an_all_day_event(world, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        visit = services.plan_visit(
            contract=world.mine.contract,
            by=world.users["school_tutor"],
            planned_date=TODAY(),
            mode="phone",
        )

    event = event_of(invitation_of(mail.outbox[0]))
    assert event.decoded("dtstart") == visit.planned_date
    assert event.decoded("dtend") == visit.planned_date + datetime.timedelta(days=1)
    assert " à " not in mail.outbox[0].body.split("—")[0].splitlines()[-1]


def test_moving_mails_the_same_event_with_a_higher_sequence(world, django_capture_on_commit_callbacks):
    visit = plan(world, django_capture_on_commit_callbacks)
    first_uid = str(event_of(invitation_of(mail.outbox[0]))["uid"])
    mail.outbox.clear()
    new_day = visit.planned_date + datetime.timedelta(days=2)

    with django_capture_on_commit_callbacks(execute=True):
        services.move_visit(
            visit=visit,
            by=world.users["school_tutor"],
            planned_date=new_day,
            planned_time=datetime.time(9, 0),
            mode="video",
        )

    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert "déplacée" in message.body and "09:00" in message.body
    calendar = invitation_of(message)
    event = event_of(calendar)
    assert calendar["method"] == "REQUEST"
    assert (str(event["uid"]), event["sequence"]) == (first_uid, 1)
    assert event.decoded("dtstart").date() == new_day
    visit.refresh_from_db()
    assert (visit.planned_date, visit.planned_time, visit.mode) == (new_day, datetime.time(9, 0), "video")
    assert AuditEvent.objects.filter(action="livret.visitreport.moved", target_id=visit.pk).exists()


def test_cancelling_mails_a_cancel_of_the_same_event(world, django_capture_on_commit_callbacks):
    visit = plan(world, django_capture_on_commit_callbacks)
    first_uid = str(event_of(invitation_of(mail.outbox[0]))["uid"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_visit(visit=visit, by=world.users["school_tutor"], reason="Entreprise fermée.")

    assert len(mail.outbox) == 2
    calendar = invitation_of(mail.outbox[0])
    event = event_of(calendar)
    assert calendar["method"] == "CANCEL"
    assert (str(event["uid"]), event["sequence"], event["status"]) == (first_uid, 1, "CANCELLED")
    assert "annulée" in mail.outbox[0].subject and "Entreprise fermée." in mail.outbox[0].body


def test_a_held_visit_is_not_moved_and_a_late_request_sends_nothing(
    world, django_capture_on_commit_callbacks
):
    visit = plan(world, django_capture_on_commit_callbacks)
    VisitReport.objects.filter(pk=visit.pk).update(status=VisitReport.Status.CANCELLED)
    mail.outbox.clear()

    assert notifications.visit_invitations(visit.pk, "REQUEST") == 0
    with pytest.raises(services.Refusal):
        services.move_visit(
            visit=visit,
            by=world.users["school_tutor"],
            planned_date=TODAY(),
            planned_time=None,
            mode="on_site",
        )
    assert mail.outbox == []


def test_the_apprentice_cannot_move_a_visit(world):
    visit = services.plan_visit(
        contract=world.mine.contract,
        by=world.users["school_tutor"],
        planned_date=TODAY(),
        mode="on_site",
        notify=False,
    )

    with pytest.raises(services.PermissionDenied):
        services.move_visit(
            visit=visit, by=world.users["apprentice"], planned_date=TODAY(), planned_time=None, mode="on_site"
        )


def test_the_plan_page_takes_a_time_and_the_visit_page_moves_the_visit(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.users["school_tutor"])
    day = TODAY() + datetime.timedelta(days=5)
    mail.outbox.clear()
    data = {"planned_date": day.isoformat(), "planned_time": "10:15", "mode": "on_site"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("livret:visit_plan", args=[world.mine.contract.pk]), data)
    visit = VisitReport.objects.get(contract=world.mine.contract, planned_date=day)
    assert response.status_code == 302
    assert visit.planned_time == datetime.time(10, 15)
    assert len(mail.outbox) == 2
    detail = client.get(visit.get_absolute_url())
    assert "à 10:15" in detail.content.decode()
    assert f'action="{reverse("livret:visit_move", args=[visit.pk])}"' in detail.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("livret:visit_move", args=[visit.pk]),
            {"planned_date": day.isoformat(), "planned_time": "16:00", "mode": "video"},
        )

    assert response.status_code == 302
    assert "Visite déplacée" in messages_of(response)[0]
    visit.refresh_from_db()
    assert (visit.planned_time, visit.invitation_sequence) == (datetime.time(16, 0), 1)
    assert len(mail.outbox) == 4
