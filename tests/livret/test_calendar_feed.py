"""« Mon agenda »: a private calendar address per person (created, shown once, replaced, revoked), and
the iCalendar feed it serves without a login (read back with icalendar): the alternance periods, the
visits and the due dates of what that person follows, and nothing of anyone else's."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from core import feeds
from core.models import CalendarFeed
from livret.models import MissionDescription
from tests.helpers import messages_of, text_of
from tests.livret.factories import EvaluationFactory, LiaisonSheetFactory, VisitReportFactory, mission_in
from tests.livret.missions_support import MissionStatus

TODAY = timezone.localdate


def documents(chain):
    """A visit planned, a sheet to fill, a grid to rate and a description waiting, on ``chain``."""
    contract = chain.contract
    visit = VisitReportFactory(contract=contract, planned_date=TODAY() + datetime.timedelta(days=9))
    sheet = LiaisonSheetFactory(contract=contract)
    sheet.due_date = TODAY() + datetime.timedelta(days=4)
    sheet.save(update_fields=["due_date"])
    evaluation = EvaluationFactory(contract=contract)
    mission = None
    if contract.apprentice.user_id and contract.diploma.heads.exists():
        mission = mission_in(contract, MissionStatus.SUBMITTED)
    return {"visit": visit, "sheet": sheet, "evaluation": evaluation, "mission": mission}


@pytest.fixture
def everything(world):
    return {chain: documents(getattr(world, chain)) for chain in ("mine", "other", "foreign")}


def feed_of(client, user) -> Calendar:
    token = feeds.create(user)
    response = client.get(reverse("livret:calendar_feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def uids(calendar) -> set[str]:
    return {str(event["uid"]).split("@")[0] for event in calendar.walk("VEVENT")}


def expected_uids(docs) -> set[str]:
    found = {
        f"visite-{docs['visit'].pk}",
        f"fiche-{docs['sheet'].pk}",
        f"evaluation-{docs['evaluation'].pk}",
    }
    if docs["mission"] is not None:
        found.add(f"mission-{docs['mission'].pk}")
    return found


@pytest.mark.parametrize("role", ["apprentice", "company_tutor", "school_tutor", "head_of_diploma"])
def test_a_person_on_a_contract_gets_its_dates_and_nothing_of_other_contracts(
    client, world, everything, role
):
    calendar = feed_of(client, world.users[role])

    found = uids(calendar)
    assert expected_uids(everything["mine"]) <= found
    for chain in ("other", "foreign"):
        assert not expected_uids(everything[chain]) & found, chain
    text = calendar.to_ical().decode()
    assert str(world.other.apprentice.last_name) not in text
    assert str(world.foreign.apprentice.last_name) not in text


def test_staff_get_their_organisation_and_not_another(client, world, everything):
    found = uids(feed_of(client, world.users["staff"]))

    assert expected_uids(everything["mine"]) | expected_uids(everything["other"]) <= found
    assert not expected_uids(everything["foreign"]) & found


def test_the_feed_holds_the_alternance_periods_and_the_visit_with_its_time(client, world, everything):
    visit = everything["mine"]["visit"]
    visit.planned_time = datetime.time(10, 0)
    visit.save(update_fields=["planned_time"])

    calendar = feed_of(client, world.users["apprentice"])

    periods = [e for e in calendar.walk("VEVENT") if str(e["uid"]).startswith("periode-")]
    assert periods
    assert {str(e["summary"]) for e in periods} <= {
        "En entreprise",
        "À l'école",
        "Entreprise",
        "École",
    } or all("—" not in str(e["summary"]) for e in periods)
    [event] = [e for e in calendar.walk("VEVENT") if str(e["uid"]).startswith(f"visite-{visit.pk}@")]
    start = event.decoded("dtstart")
    assert (start.date(), start.hour) == (visit.planned_date, 10)
    assert str(world.mine.apprentice) in str(event["summary"])
    sheet = everything["mine"]["sheet"]
    [due] = [e for e in calendar.walk("VEVENT") if str(e["uid"]).startswith(f"fiche-{sheet.pk}@")]
    assert due.decoded("dtstart") == sheet.due_date
    assert str(due["url"]).endswith(sheet.get_absolute_url())


def test_a_school_tutors_periods_name_the_diploma_and_year(client, world, everything):
    calendar = feed_of(client, world.users["school_tutor"])

    periods = [e for e in calendar.walk("VEVENT") if str(e["uid"]).startswith("periode-")]
    assert periods and all(f"{world.mine.diploma.code}, 1e année" in str(e["summary"]) for e in periods)


def test_a_mission_waiting_is_due_a_week_after_its_submission(client, world, everything):
    mission = everything["mine"]["mission"]
    MissionDescription.objects.filter(pk=mission.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=2)
    )

    calendar = feed_of(client, world.users["head_of_diploma"])

    [event] = [e for e in calendar.walk("VEVENT") if str(e["uid"]).startswith(f"mission-{mission.pk}@")]
    assert event.decoded("dtstart") == TODAY() + datetime.timedelta(days=5)


@pytest.mark.parametrize("extra", [1, 4])
def test_the_feed_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, extra):
    for day in range(extra):
        VisitReportFactory(contract=world.mine.contract, planned_date=TODAY() + datetime.timedelta(days=day))
        LiaisonSheetFactory(contract=world.mine.contract)
    token = feeds.create(world.users["school_tutor"])
    url = reverse("livret:calendar_feed", args=[token])
    client.get(url)

    # The feed with its person, the roles, the year, the cohorts, the periods, then one query per kind
    # of dated document: the same whatever their number.
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200


def test_a_revoked_or_replaced_address_is_a_404(client, world):
    user = world.users["apprentice"]
    first = feeds.create(user)
    second = feeds.create(user)

    assert client.get(reverse("livret:calendar_feed", args=[first])).status_code == 404
    assert client.get(reverse("livret:calendar_feed", args=[second])).status_code == 200
    feeds.revoke(user)
    assert client.get(reverse("livret:calendar_feed", args=[second])).status_code == 404
    assert client.get(reverse("livret:calendar_feed", args=["x" * 43])).status_code == 404


def test_only_the_tokens_hash_is_stored(world):
    token = feeds.create(world.users["apprentice"])

    stored = CalendarFeed.objects.get(user=world.users["apprentice"]).token_sha256
    assert token not in stored and len(stored) == 64


def test_an_inactive_persons_feed_is_a_404(client, world):
    user = world.users["company_tutor"]
    token = feeds.create(user)
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert client.get(reverse("livret:calendar_feed", args=[token])).status_code == 404


# The page -----------------------------------------------------------------------------------------------


def test_mon_agenda_creates_an_address_shown_once_then_revokes_it(client, world, django_assert_num_queries):
    user = world.users["company_tutor"]
    client.force_login(user)
    url = reverse("livret:my_calendar")
    page = client.get(url)
    assert "Vous n'avez pas d'adresse privée pour l'instant." in text_of(page)

    response = client.post(url, {"action": "create"})

    html = response.content.decode()
    assert response.status_code == 200
    [address] = [
        line.split('value="')[1].split('"')[0] for line in html.splitlines() if 'id="adresse-agenda"' in line
    ]
    assert address.startswith("http://testserver/livret/agenda/") and address.endswith(".ics")
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    assert feeds.user_for(token) == user
    assert f'href="webcal://testserver/livret/agenda/{token}.ics"' in html
    again = client.get(url)
    assert token not in again.content.decode()
    assert "Une adresse privée existe depuis le" in text_of(again)

    response = client.post(url, {"action": "revoke"})
    assert response["Location"] == url
    assert messages_of(response) == ["Adresse révoquée : les agendas abonnés ne reçoivent plus rien."]
    assert feeds.user_for(token) is None
    assert client.get(reverse("livret:calendar_feed", args=[token])).status_code == 404


def test_mon_agenda_asks_for_a_login_and_is_in_the_menu(client, world):
    url = reverse("livret:my_calendar")
    assert client.get(url).status_code == 302
    client.force_login(world.users["apprentice"])
    assert f'href="{url}"' in client.get(reverse("home")).content.decode()
