"""The reads about mission descriptions that pages, the inbox and the reminders use: days waiting in
Paris, the head's waiting descriptions, what the writers have to write and which contracts still
need a description."""

import datetime
import zoneinfo

from django.utils import timezone

from livret import selectors
from livret.models import MissionDescription
from livret.services import missions as services
from tests.apprentices.factories import ContractFactory
from tests.conftest import build_chain
from tests.livret import missions_support
from tests.livret.factories import mission_in
from tests.livret.missions_support import NEW_TEXT, MissionStatus, fresh, submitted_days_ago

# Shared fixtures: pytest finds a fixture by its name in the test module.
world = missions_support.world

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


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
