"""The booklet in people's calendars (iCalendar, RFC 5545, written with the ``icalendar`` library).

- A visit's invitation, mailed to the apprentice and the company tutor when it is planned, moved or
  cancelled (``METHOD:REQUEST`` or ``CANCEL``): its UID never changes and its SEQUENCE is the visit's
  ``invitation_sequence``, raised at each change, so that a calendar replaces the event it holds.
- A person's feed (``/livret/agenda/<token>.ics``): the alternance periods, visits and due dates of the
  contracts they follow, read through ``visible_to`` as their pages are.
"""

from __future__ import annotations

import datetime
from email.mime.text import MIMEText
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from livret.models import VisitReport

PRODID = "-//Livret d'apprentissage//livret//FR"
VISIT_MINUTES = 60  # a timed visit's length in calendars: the platform does not ask it


def host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "livret.invalid"


def calendar(*, method: str | None = None, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def _address(email: str, name: str, role: str = "REQ-PARTICIPANT") -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    address.params["role"] = vText(role)
    return address


def visit_uid(visit) -> str:
    return f"visite-{visit.pk}@{host()}"


def _when(event: Event, day: datetime.date, at: datetime.time | None, minutes: int = VISIT_MINUTES) -> None:
    """A timed event in Paris time, or an all-day one."""
    if at is None:
        event.add("dtstart", day)
        event.add("dtend", day + datetime.timedelta(days=1))
        return
    start = datetime.datetime.combine(day, at, tzinfo=ZoneInfo(settings.TIME_ZONE))
    event.add("dtstart", start)
    event.add("dtend", start + datetime.timedelta(minutes=minutes))


def visit_summary(visit) -> str:
    label = _("Entretien de démarrage") if visit.is_start_meeting else _("Visite en entreprise")
    return f"{label} — {visit.contract.apprentice}"


def visit_event(visit, *, attendees: bool = True) -> Event:
    """The visit as an event (read ``contract`` with its apprentice, employer and tutors)."""
    contract = visit.contract
    event = Event()
    event.add("uid", visit_uid(visit))
    event.add("sequence", visit.invitation_sequence)
    event.add("dtstamp", timezone.now())
    event.add("summary", visit_summary(visit))
    _when(event, visit.planned_date, visit.planned_time)
    employer = contract.employer
    event.add("location", ", ".join(p for p in (employer.legal_name, employer_address(employer)) if p))
    event.add(
        "description",
        _("%(mode)s avec le tuteur pédagogique %(tutor)s. %(url)s")
        % {
            "mode": visit.get_mode_display(),
            "tutor": contract.school_tutor or "",
            "url": settings.SITE_URL + visit.get_absolute_url(),
        },
    )
    event.add("status", "CANCELLED" if visit.status == VisitReport.Status.CANCELLED else "CONFIRMED")
    if attendees:
        tutor = contract.school_tutor
        if tutor is not None:
            event.add("organizer", _address(tutor.email, str(tutor), role="CHAIR"))
        for email, name in visit_people(visit):
            event.add("attendee", _address(email, name))
    return event


def employer_address(employer) -> str:
    parts = [getattr(employer, name, "") for name in ("address", "postal_code", "city")]
    return " ".join(str(part) for part in parts if part)


def visit_people(visit) -> list[tuple[str, str]]:
    """Who gets the invitation: the apprentice and the company tutor, at their addresses on file."""
    contract = visit.contract
    apprentice = contract.apprentice
    people = []
    email = apprentice.user.email if apprentice.user_id else apprentice.email
    if email:
        people.append((email, str(apprentice)))
    tutor = contract.company_tutor
    if tutor is not None and tutor.email:
        people.append((tutor.email, str(tutor)))
    return people


def invitation(visit, method: str) -> bytes:
    """The iCalendar invitation of ``visit``: ``REQUEST`` (planned or moved) or ``CANCEL``."""
    cal = calendar(method=method)
    cal.add_component(visit_event(visit))
    cal.add_missing_timezones()
    return cal.to_ical()


def invitation_part(visit, method: str) -> MIMEText:
    """The invitation as a mail part: ``text/calendar`` with its method, as calendars expect it."""
    part = MIMEText(invitation(visit, method).decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invitation.ics")
    return part
