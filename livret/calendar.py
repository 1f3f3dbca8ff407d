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

from apprentices.models import AlternancePeriod, Cohort, Contract
from core.models import AcademicYear, Role
from livret.models import Evaluation, LiaisonSheet, MissionDescription, VisitReport

Sheet = LiaisonSheet.Status
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


# The feed -------------------------------------------------------------------------------------------------

# What a feed holds: from a while ago (calendars keep what they had) to a year ahead; at most this many
# events of each kind, nearest first (a staff member sees a whole organisation).
FEED_PAST = datetime.timedelta(days=60)
FEED_AHEAD = datetime.timedelta(days=366)
FEED_LIMIT = 500


def _all_day(uid: str, day: datetime.date, summary: str, *, url: str = "", end: datetime.date | None = None):
    event = Event()
    event.add("uid", f"{uid}@{host()}")
    event.add("dtstamp", timezone.now())
    event.add("summary", summary)
    event.add("dtstart", day)
    event.add("dtend", (end or day) + datetime.timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    if url:
        event.add("url", settings.SITE_URL + url)
    return event


def _periods(user, contracts, today) -> list[Event]:
    """The alternance periods of the cohorts of the contracts ``user`` follows, this academic year."""
    year = AcademicYear.objects.current(today)
    if year is None:
        return []
    cohorts = Cohort.objects.filter(
        pk__in=contracts.filter(apprentice__cohort__isnull=False).values("apprentice__cohort")
    ).select_related("entry_year", "diploma")
    wanted = {(cohort.diploma_id, cohort.year_of_study(year)): cohort.diploma for cohort in cohorts}
    if not wanted:
        return []
    periods = AlternancePeriod.objects.filter(
        calendar__academic_year=year, calendar__diploma_id__in={key[0] for key in wanted}
    ).select_related("calendar")
    own = user.roles == {Role.APPRENTICE}
    events = []
    for period in periods:
        key = (period.calendar.diploma_id, period.calendar.year_of_study)
        if key not in wanted:
            continue
        label = period.label or period.get_kind_display()
        if own:
            summary = label
        else:
            summary = _("%(label)s — %(diploma)s, %(year)se année") % {
                "label": label,
                "diploma": wanted[key].code,
                "year": key[1],
            }
        events.append(_all_day(f"periode-{period.pk}", period.start_date, summary, end=period.end_date))
    return events


def _visits(user, start, end) -> list[Event]:
    visits = (
        VisitReport.objects.visible_to(user)
        .exclude(status=VisitReport.Status.CANCELLED)
        .filter(planned_date__range=(start, end))
        .select_related(
            "contract__apprentice__user",
            "contract__employer",
            "contract__company_tutor",
            "contract__school_tutor__user",
        )
        .order_by("planned_date", "pk")[:FEED_LIMIT]
    )
    events = []
    for visit in visits:
        # The same UID as the invitation: a calendar that has both keeps one event.
        event = visit_event(visit, attendees=False)
        if visit.held_on and visit.held_on != visit.planned_date:
            event.pop("dtstart"), event.pop("dtend")
            _when(event, visit.held_on, None)
        events.append(event)
    return events


def _sheets(user, start, end) -> list[Event]:
    sheets = (
        LiaisonSheet.objects.visible_to(user)
        .current()
        .filter(
            status__in=[
                LiaisonSheet.Status.DRAFT,
                LiaisonSheet.Status.RETURNED,
                LiaisonSheet.Status.SUBMITTED,
            ],
            due_date__range=(start, end),
        )
        .select_related("contract__apprentice")
        .order_by("due_date", "pk")[:FEED_LIMIT]
    )
    return [
        _all_day(
            f"fiche-{sheet.pk}",
            sheet.due_date,
            _("Fiche de liaison à rendre — %(apprentice)s") % {"apprentice": sheet.contract.apprentice},
            url=sheet.get_absolute_url(),
        )
        for sheet in sheets
    ]


def _evaluations(user, start, end) -> list[Event]:
    """The grids still to fill, on the last day of their company period."""
    evaluations = (
        Evaluation.objects.visible_to(user)
        .exclude(status=Evaluation.Status.COMPLETE)
        .filter(period__end_date__range=(start, end))
        .select_related("contract__apprentice", "period")
        .order_by("period__end_date", "pk")[:FEED_LIMIT]
    )
    return [
        _all_day(
            f"evaluation-{evaluation.pk}",
            evaluation.period.end_date,
            _("Grille d'évaluation à remplir — %(apprentice)s")
            % {"apprentice": evaluation.contract.apprentice},
            url=evaluation.get_absolute_url(),
        )
        for evaluation in evaluations
    ]


def _missions(user, start, end) -> list[Event]:
    """The descriptions waiting for a decision, on the day the charter's week ends."""
    delay = datetime.timedelta(days=MissionDescription.DECISION_DAYS)
    missions = (
        MissionDescription.objects.visible_to(user)
        .waiting_decision()
        .filter(submitted_at__date__range=(start - delay, end - delay))
        .select_related("contract__apprentice", "academic_year")
        .order_by("submitted_at", "pk")[:FEED_LIMIT]
    )
    return [
        _all_day(
            f"mission-{mission.pk}",
            timezone.localdate(mission.submitted_at) + delay,
            _("Décision attendue : description des missions de %(apprentice)s")
            % {"apprentice": mission.contract.apprentice},
            url=mission.get_absolute_url(),
        )
        for mission in missions
    ]


def feed(user, today: datetime.date | None = None) -> bytes:
    """``user``'s calendar: the alternance periods, the visits and the due dates of the sheets, grids
    and mission decisions of the contracts they follow, read through ``visible_to`` as their pages."""
    today = today or timezone.localdate()
    start, end = today - FEED_PAST, today + FEED_AHEAD
    contracts = Contract.objects.visible_to(user).filter(status=Contract.Status.ACTIVE)
    cal = calendar(name=_("%(platform)s — %(name)s") % {"platform": settings.PLATFORM_NAME, "name": user})
    for event in [
        *_periods(user, contracts, today),
        *_visits(user, start, end),
        *_sheets(user, start, end),
        *_evaluations(user, start, end),
        *_missions(user, start, end),
    ]:
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
