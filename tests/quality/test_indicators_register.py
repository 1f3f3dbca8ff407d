"""The charter's register indicators, each on a small dataset with its figure worked out by hand:
meetings, group debriefs, referents, the followed indicators and revised thresholds.

Every test takes the academic year 2025-2026 on ``AS_OF``, 30 June 2026, unless it says otherwise.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from quality.indicators import INDICATORS, Figure
from quality.models import Meeting
from tests.apprentices.factories import ApprenticeFactory, DiplomaFactory
from tests.core.factories import AcademicYearFactory, UserFactory
from tests.quality import indicators_support
from tests.quality.factories import (
    FollowedIndicatorFactory,
    MeetingFactory,
    MilestoneFactory,
    ThresholdFactory,
)
from tests.quality.indicators_support import AS_OF, cohort_of, contract, date, figure, paris

# Shared fixtures: pytest finds a fixture by its name in the test module.
diploma = indicators_support.diploma
year = indicators_support.year


# The register: meetings, debriefs, referents, lists, thresholds -------------------------------------


def test_steering_committees_count_those_held_in_the_year_with_their_minutes(diploma, year):
    other = DiplomaFactory(organisation=diploma.organisation)

    def steering(held_on, minutes=True, diplomas=(diploma,), kind=Meeting.Kind.STEERING):
        MeetingFactory(
            organisation=diploma.organisation,
            kind=kind,
            held_on=held_on,
            diplomas=diplomas,
            with_minutes=minutes,
        )

    steering(date(2025, 10, 15))
    steering(date(2026, 3, 10), diplomas=(diploma, other))
    steering(AS_OF, minutes=False)
    steering(date(2025, 8, 31))
    steering(date(2026, 7, 1))
    steering(date(2025, 11, 1), kind=Meeting.Kind.COUNCIL)
    steering(date(2025, 11, 2), diplomas=(other,))

    indicator = INDICATORS["steering_committee"]
    # Held from 1 Sept. to AS_OF for the diploma: 15 Oct., 10 March, 30 June; with minutes: 2 → 2
    assert figure("steering_committee", diploma, year) == Figure(2, 3, 2)
    assert [r.counted for r in indicator.records(diploma, year, AS_OF)] == [True, True, False]
    # The comité of two diplomas counts for each: the other has the 10 March one and its own.
    assert figure("steering_committee", other, year) == Figure(2, 2, 2)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("council_meetings", Meeting.Kind.COUNCIL),
        ("rentree_meeting", Meeting.Kind.RENTREE),
        ("pedagogical_meetings", Meeting.Kind.PEDAGOGICAL),
        ("information_meetings", Meeting.Kind.INFORMATION),
    ],
)
def test_meeting_counts_count_the_meetings_of_their_kind_held_in_the_year(diploma, year, code, kind):
    for held_on, meeting_kind in (
        (date(2025, 9, 1), kind),
        (AS_OF, kind),
        (date(2025, 8, 31), kind),
        (date(2026, 7, 1), kind),
        (date(2025, 12, 1), Meeting.Kind.DEBRIEF),
    ):
        MeetingFactory(
            organisation=diploma.organisation, kind=meeting_kind, held_on=held_on, diplomas=[diploma]
        )

    # Of its kind, from 1 Sept. to AS_OF: 1 Sept. and 30 June → 2 (no minutes needed)
    assert figure(code, diploma, year) == Figure(2, 2, 2)
    assert INDICATORS[code].format_value(Decimal(2)) == "2"


def test_group_debriefs_count_the_quarters_each_cohort_had_its_debrief(diploma, year):
    new, old = cohort_of(diploma, 2025), cohort_of(diploma, 2024)
    contract(diploma, "Nouveau", date(2025, 9, 1), cohort=new)
    contract(diploma, "Ancien", date(2024, 9, 1), cohort=old)
    contract(diploma, "Parti", date(2023, 9, 1), date(2025, 8, 31), cohort=cohort_of(diploma, 2023))
    contract(
        diploma,
        "Sanspromo",
        date(2025, 9, 1),
        apprentice=ApprenticeFactory(organisation=diploma.organisation, cohort=None),
    )

    def debrief(held_on, *cohorts, kind=Meeting.Kind.DEBRIEF):
        MeetingFactory(
            organisation=diploma.organisation, kind=kind, held_on=held_on, diplomas=[diploma], cohorts=cohorts
        )

    debrief(date(2025, 11, 30), new)
    debrief(date(2026, 3, 1), new, old)
    debrief(AS_OF - datetime.timedelta(days=15), new)
    debrief(date(2025, 8, 31), old)
    debrief(date(2026, 7, 1), old)
    debrief(date(2026, 1, 15), new, kind=Meeting.Kind.PEDAGOGICAL)

    indicator = INDICATORS["group_debriefs"]
    # Quarters: 1 Sept.–30 Nov., 1 Dec.–28 Feb., 1 March–31 May (over on AS_OF), 1 June–31 Aug.
    # (counts only once held). 2025 cohort: Q1 held (30 Nov.), Q2 not (a pedagogical meeting is not a
    # debrief), Q3 held (1 March), Q4 held (15 June) → 4 pairs, 3 held. 2024 cohort: Q1, Q2 not, Q3
    # held, Q4 not over and not held → 3 pairs, 1 held. The 2023 cohort has no active contract.
    # → 4 of 7 = 57.1 %
    assert figure("group_debriefs", diploma, year) == Figure(4, 7, Decimal("57.1"))
    records = indicator.records(diploma, year, AS_OF)
    assert [(r.label, r.counted) for r in records] == [
        ("Promotion 2024-2025 — trimestre 1 (01/09–30/11/2025)", False),
        ("Promotion 2024-2025 — trimestre 2 (01/12–28/02/2026)", False),
        ("Promotion 2024-2025 — trimestre 3 (01/03–31/05/2026)", True),
        ("Promotion 2025-2026 — trimestre 1 (01/09–30/11/2025)", True),
        ("Promotion 2025-2026 — trimestre 2 (01/12–28/02/2026)", False),
        ("Promotion 2025-2026 — trimestre 3 (01/03–31/05/2026)", True),
        ("Promotion 2025-2026 — trimestre 4 (01/06–31/08/2026)", True),
    ]


def test_referents_named_counts_the_two_referents_of_the_organisation(diploma, year):
    organisation = diploma.organisation
    organisation.disability_referent = UserFactory(organisation=organisation)
    organisation.save(update_fields=["disability_referent"])

    # Disability referent named, mobility referent not → 1 of 2 = 50.0 %
    assert figure("referents_named", diploma, year) == Figure(1, 2, Decimal("50.0"))
    records = INDICATORS["referents_named"].records(diploma, year, AS_OF)
    assert [(r.label, r.counted) for r in records] == [
        ("Référent handicap", True),
        ("Référent mobilité", False),
    ]


def test_followed_indicators_count_the_diplomas_list_of_the_year(diploma, year):
    for code in ("two_meetings_rule", "rupture_rate", "success_rate"):
        FollowedIndicatorFactory(diploma=diploma, academic_year=year, indicator=code)
    FollowedIndicatorFactory(diploma=diploma, academic_year=AcademicYearFactory(start_year=2024))
    FollowedIndicatorFactory(academic_year=year)

    # 3 indicators on this year's list (another year's and another diploma's do not count) → 3
    assert figure("followed_indicators", diploma, year) == Figure(3, None, 3)
    records = INDICATORS["followed_indicators"].records(diploma, year, AS_OF)
    assert [r.label for r in records] == [
        str(INDICATORS[code].label) for code in ("rupture_rate", "success_rate", "two_meetings_rule")
    ]


def test_thresholds_revised_counts_the_changes_and_jalons_of_the_year_in_paris(diploma, year):
    for changed_at in (
        paris(2025, 9, 1, 0, 30),
        paris(2026, 6, 30, 23, 30),
        paris(2026, 7, 1, 0, 30),
        paris(2025, 8, 31, 23),
    ):
        ThresholdFactory(diploma=diploma, academic_year=year, changed_at=changed_at)
    MilestoneFactory(diploma=diploma, academic_year=year, created_at=paris(2026, 1, 10))
    MilestoneFactory(diploma=diploma, academic_year=year, created_at=paris(2026, 7, 2))
    ThresholdFactory(academic_year=year, changed_at=paris(2025, 10, 1))

    # Changed from 1 Sept. to AS_OF, Paris days: the versions of 1 Sept. 00:30 and 30 June 23:30
    # (1 July 00:30 is after AS_OF in Paris though 30 June in UTC), and the jalon of 10 Jan. → 3
    assert figure("thresholds_revised", diploma, year) == Figure(3, None, 3)
    assert len(INDICATORS["thresholds_revised"].records(diploma, year, AS_OF)) == 3
