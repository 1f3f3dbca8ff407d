"""The figures of the charter's mission indicators (poste 2: a mission decided on day 7 and on day 8)
and of its register (postes 1 and 2: meetings, followed indicators, revised thresholds) on a tiny
dataset, worked out by hand. Academic year 2024-2025, figures taken on its last day."""

from __future__ import annotations

from decimal import Decimal

import pytest

from livret.models import MissionDecision
from quality.indicators import INDICATORS, Figure
from quality.models import FollowedIndicator, Meeting, Milestone, Perimeter, Requirement, Threshold
from tests.quality import indicator_figures_support
from tests.quality.indicator_figures_support import (
    AS_OF,
    D,
    MissionStatus,
    assert_records_behind,
    at,
    figure,
    make_place,
    mission,
)
from tests.quality.indicators_support import decision

# Shared fixtures: pytest finds a fixture by its name in the test module.
place = indicator_figures_support.place
previous_year = indicator_figures_support.previous_year
year = indicator_figures_support.year


# Poste 2: missions --------------------------------------------------------------------------------


def test_mission_decided_on_time_takes_day_7_on_time_day_8_late_and_a_long_wait_late(place, year):
    submitted = at(2025, 3, 3, 10, 0)
    day_7 = mission(place.contract(), year, MissionStatus.VALIDATED, submitted, at(2025, 3, 10, 23, 30))
    decision(day_7, submitted, at(2025, 3, 10, 23, 30))  # calendar day 7 (21:30 UTC): on time
    # 00:30 in Paris on day 8 is still day 7 in UTC: late all the same.
    day_8 = mission(place.contract(), year, MissionStatus.RETURNED, submitted, at(2025, 3, 11, 0, 30))
    decision(day_8, submitted, at(2025, 3, 11, 0, 30), MissionDecision.Outcome.RETURNED)
    mission(
        place.contract(), year, MissionStatus.SUBMITTED, at(2025, 8, 23, 9)
    )  # waiting 8 days on as_of: late
    mission(
        place.contract(), year, MissionStatus.SUBMITTED, at(2025, 8, 24, 9)
    )  # waiting 7 days: not yet late
    mission(place.contract(), year, MissionStatus.DRAFT)  # never submitted: out

    result = figure("mission_decided_on_time", place)

    # 1 decision on time of 2 decisions + 1 description waiting more than 7 days → 1 / 3 → 33.3 %
    assert result == Figure(1, 3, Decimal("33.3"))
    assert_records_behind("mission_decided_on_time", place, result)


def test_mission_decided_on_time_keeps_a_description_waiting_on_as_of_and_decided_after(place, year):
    submitted, decided = at(2025, 8, 20, 10), at(2025, 9, 3, 10)  # decided on day 14, after as_of
    decision(mission(place.contract(), year, MissionStatus.VALIDATED, submitted, decided), submitted, decided)

    # On 31/08 it had waited 11 days (> 7): 0 on time of 1 → 0.0 %
    assert figure("mission_decided_on_time", place) == Figure(0, 1, Decimal("0.0"))


def test_mission_median_delay_takes_the_median_of_the_decisions_delays(place, year):
    for submitted, decided in (
        (at(2025, 1, 6, 9), at(2025, 1, 7, 9)),  # 1 day
        (at(2025, 2, 3, 9), at(2025, 2, 5, 21)),  # 2.5 days
        (at(2025, 3, 3, 9), at(2025, 3, 7, 9)),  # 4 days
        (at(2025, 4, 7, 9), at(2025, 4, 17, 9)),  # 10 days
    ):
        decision(
            mission(place.contract(), year, MissionStatus.VALIDATED, submitted, decided), submitted, decided
        )
    mission(place.contract(), year, MissionStatus.SUBMITTED, at(2025, 5, 5, 9))  # still waiting: no delay yet

    result = figure("mission_median_delay", place)

    # delays 1, 2.5, 4, 10 days: median (2.5 + 4) / 2 = 3.25 → 3.3 days (half up)
    assert result == Figure(None, 4, Decimal("3.3"))
    records = INDICATORS["mission_median_delay"].records(place.diploma, year, AS_OF)
    assert len(records) == result.denominator


def test_missions_validated_counts_contracts_with_the_years_description_validated(place, year, previous_year):
    mission(place.contract(), year, MissionStatus.VALIDATED, at(2024, 10, 1), at(2024, 10, 3))
    mission(place.contract(), year, MissionStatus.SUBMITTED, at(2025, 3, 3))
    last_year = place.contract(D(2023, 9, 4))
    mission(
        last_year, previous_year, MissionStatus.VALIDATED, at(2023, 10, 2), at(2023, 10, 4)
    )  # last year's only
    place.contract()  # no description
    place.contract(D(2022, 9, 5), D(2024, 8, 30))  # ended before the year: out

    result = figure("missions_validated", place)

    # 1 contract validated for 2024-2025 of 4 running → 25.0 %
    assert result == Figure(1, 4, Decimal("25.0"))
    assert_records_behind("missions_validated", place, result)


# Poste 1 and 2: the register -------------------------------------------------------------------


def test_steering_committees_count_those_with_their_minutes(place):
    place.meeting(Meeting.Kind.STEERING, D(2024, 10, 10), minutes=True)
    place.meeting(Meeting.Kind.STEERING, D(2025, 3, 10))  # no minutes on file: not counted
    place.meeting(Meeting.Kind.STEERING, D(2024, 8, 30), minutes=True)  # the year before: out
    place.meeting(Meeting.Kind.COUNCIL, D(2024, 11, 5), minutes=True)  # another kind: out

    result = figure("steering_committee", place)

    # 1 committee with minutes of 2 held in the year → value 1 (a count)
    assert result == Figure(1, 2, Decimal("1"))
    assert_records_behind("steering_committee", place, result)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("council_meetings", Meeting.Kind.COUNCIL),
        ("rentree_meeting", Meeting.Kind.RENTREE),
        ("pedagogical_meetings", Meeting.Kind.PEDAGOGICAL),
        ("information_meetings", Meeting.Kind.INFORMATION),
    ],
)
def test_meeting_counts_count_the_meetings_of_their_kind_held_in_the_year(place, code, kind):
    place.meeting(kind, D(2024, 9, 1))  # the year's first day: in
    place.meeting(kind, D(2025, 8, 31), minutes=True)  # as_of: in
    place.meeting(kind, D(2024, 8, 31))  # the year before: out
    other_kind = Meeting.Kind.STEERING
    place.meeting(other_kind, D(2025, 1, 10))  # another kind: out
    make_place(place.year).meeting(kind, D(2025, 1, 10))  # another diploma: out

    result = figure(code, place)

    # 2 meetings held in the year, minutes or not → value 2 (a count)
    assert result == Figure(2, 2, Decimal("2"))
    assert_records_behind(code, place, result)


def test_followed_indicators_counts_the_diplomas_list_of_the_year(place, previous_year):
    for code in ("rupture_rate", "two_meetings_rule", "sheets_on_time"):
        FollowedIndicator.objects.create(diploma=place.diploma, academic_year=place.year, indicator=code)
    FollowedIndicator.objects.create(
        diploma=place.diploma, academic_year=previous_year, indicator="success_rate"
    )
    other = make_place(place.year)
    FollowedIndicator.objects.create(
        diploma=other.diploma, academic_year=place.year, indicator="success_rate"
    )

    result = figure("followed_indicators", place)

    # 3 indicators on the 2024-2025 list → value 3 (a count)
    assert result == Figure(3, None, Decimal("3"))
    assert len(INDICATORS["followed_indicators"].records(place.diploma, place.year, AS_OF)) == 3


def test_thresholds_revised_counts_threshold_changes_and_milestones_of_the_year(place):
    requirement = Requirement.objects.filter(item__isnull=False).order_by("pk").first()

    def threshold(version, changed_at):
        Threshold.objects.create(
            requirement=requirement,
            diploma=place.diploma,
            academic_year=place.year,
            version=version,
            value=Decimal("80.0"),
            reason="Révision",
            changed_at=changed_at,
        )

    threshold(1, at(2024, 8, 20))  # the year before: out
    threshold(2, at(2024, 10, 10))
    threshold(3, at(2025, 5, 5))
    Milestone.objects.create(
        diploma=place.diploma,
        academic_year=place.year,
        perimeter=Perimeter.objects.order_by("pk").first(),
        rank=1,
        title="Premier jalon",
        created_at=at(2025, 1, 15),
    )

    result = figure("thresholds_revised", place)

    # 2 threshold changes + 1 milestone in the year → value 3 (a count)
    assert result == Figure(3, None, Decimal("3"))
    assert len(INDICATORS["thresholds_revised"].records(place.diploma, place.year, AS_OF)) == 3
