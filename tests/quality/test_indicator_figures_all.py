"""What holds across the indicators' figures: an empty figure for a diploma without contract, two
diplomas computed at once kept apart, fewer than 20 people insufficient for a published indicator
only, and as many queries for 8 contracts as for 2."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jobs.models import Digest, OfferPageVisit
from quality.indicators import INDICATORS, Figure
from quality.models import FollowedIndicator, Meeting, Requirement, Threshold
from tests.jobs.factories import JobOfferFactory
from tests.livret.factories import ActionItemFactory, GridSharingFactory
from tests.quality import indicator_figures_support
from tests.quality.indicator_figures_support import (
    AS_OF,
    FAILED,
    OBTAINED,
    D,
    MissionStatus,
    SheetStatus,
    VisitStatus,
    at,
    figure,
    held_visit,
    make_place,
    mission,
    sheet,
)
from tests.quality.indicators_support import decision
from tests.surveys.factories import answer_every_survey
from tests.tutors.factories import CompanyTutorFactory

# Shared fixtures: pytest finds a fixture by its name in the test module.
place = indicator_figures_support.place
year = indicator_figures_support.year


# Across indicators ------------------------------------------------------------------------------

EMPTY = {
    "steering_committee": Figure(0, 0, 0),
    "council_meetings": Figure(0, 0, 0),
    "rentree_meeting": Figure(0, 0, 0),
    "pedagogical_meetings": Figure(0, 0, 0),
    "followed_indicators": Figure(0, None, 0),
    "thresholds_revised": Figure(0, None, 0),
    "hours_realisation": Figure(0, 0, None),
    "information_meetings": Figure(0, 0, 0),
    "mission_decided_on_time": Figure(0, 0, None),
    "mission_median_delay": Figure(None, 0, None),
    "missions_validated": Figure(0, 0, None),
    "tutors_trained": Figure(0, 0, None),
    "sheets_on_time": Figure(0, 0, None),
    "sheets_reviewed": Figure(0, 0, None),
    "two_meetings_rule": Figure(0, 0, None),
    "grid_shared_first_month": Figure(0, 0, None),
    # No referent named in the organisation: 0 of the 2 the charter asks for → 0.0 %
    "referents_named": Figure(0, 2, Decimal("0.0")),
    "visit_reports_acknowledged": Figure(0, 0, None),
    "actions_closed_on_time": Figure(0, 0, None),
    "group_debriefs": Figure(0, 0, None),
    "rupture_rate": Figure(0, 0, None),
    "rupture_rate_9_months": Figure(0, 0, None),
    "interruption_rate": Figure(0, 0, None),
    "success_rate": Figure(0, 0, None),
    "satisfaction_apprentice_response": Figure(0, 0, None),
    "satisfaction_employer_response": Figure(0, 0, None),
    "end_apprentice_response": Figure(0, 0, None),
    "end_tutor_response": Figure(0, 0, None),
    "satisfaction_apprentice_score": Figure(0, None, None),
    "satisfaction_employer_score": Figure(0, None, None),
    "insertion_6_months": Figure(0, 0, None),
    "insertion_12_months": Figure(0, 0, None),
    "studies_6_months": Figure(0, 0, None),
    "studies_12_months": Figure(0, 0, None),
    "job_offers_published": Figure(0, 0, 0),
    "job_offers_diffused": Figure(0, 0, None),
    "alumni_active": Figure(0, 0, None),
}


def test_every_indicator_has_its_figure_for_a_diploma_without_contract():
    assert set(EMPTY) == set(INDICATORS)


@pytest.mark.parametrize("code", sorted(EMPTY))
def test_a_diploma_without_contract_has_an_empty_figure(place, code):
    busy = make_place(place.year)  # another diploma, with data, must not leak into the empty one
    busy.ruptured(D(2024, 9, 2), D(2025, 1, 15))

    assert figure(code, place) == EMPTY[code]
    # Nothing to list, but the two referents the charter asks for (both missing).
    assert len(INDICATORS[code].records(place.diploma, place.year, AS_OF)) == (
        2 if code == "referents_named" else 0
    )


def test_compute_for_two_diplomas_at_once_keeps_them_apart(year):
    first, second = make_place(year), make_place(year)
    shared_tutor = first.tutor(D(2024, 3, 1))
    second_tutor = CompanyTutorFactory(employer=second.employer, training_date=None)
    first.ruptured(D(2024, 9, 2), D(2025, 1, 15), company_tutor=shared_tutor)
    first.contract(company_tutor=shared_tutor)
    second.contract(company_tutor=second_tutor)
    second.contract(company_tutor=second_tutor)
    second.ruptured(D(2024, 9, 2), D(2025, 2, 3), company_tutor=second_tutor)
    second.ruptured(D(2024, 9, 2), D(2025, 3, 3), company_tutor=second_tutor)
    first.meeting(Meeting.Kind.COUNCIL, D(2025, 1, 10))
    both = second.meeting(Meeting.Kind.COUNCIL, D(2025, 2, 10))
    both.diplomas.add(first.diploma)  # one council for both diplomas: counts in each
    ids = [first.diploma.pk, second.diploma.pk]

    def compute(code):
        return INDICATORS[code].compute(ids, year, AS_OF)

    # first: 1 ruptured of 2 → 50.0 %; second: 2 of 4 → 50.0 % (not 3 of 6 both ways)
    assert compute("rupture_rate") == {
        first.diploma.pk: Figure(1, 2, Decimal("50.0")),
        second.diploma.pk: Figure(2, 4, Decimal("50.0")),
    }
    # first: its one trained tutor → 100.0 %; second: its one untrained tutor → 0.0 %
    assert compute("tutors_trained") == {
        first.diploma.pk: Figure(1, 1, Decimal("100.0")),
        second.diploma.pk: Figure(0, 1, Decimal("0.0")),
    }
    # first: its own council + the shared one = 2; second: the shared one = 1
    assert compute("council_meetings") == {
        first.diploma.pk: Figure(2, 2, 2),
        second.diploma.pk: Figure(1, 1, 1),
    }


def test_is_insufficient_under_20_people_for_a_published_indicator_only(place):
    rupture, missions = INDICATORS["rupture_rate"], INDICATORS["missions_validated"]
    for _ in range(19):
        place.contract()

    nineteen = figure("rupture_rate", place)
    assert nineteen == Figure(0, 19, Decimal("0.0"))  # 0 ruptured of 19 → 0.0 %
    assert rupture.is_insufficient(nineteen)
    assert not missions.is_insufficient(figure("missions_validated", place))  # 19, not published

    place.contract()
    twenty = figure("rupture_rate", place)
    assert twenty == Figure(0, 20, Decimal("0.0"))  # 0 ruptured of 20 → 0.0 %
    assert not rupture.is_insufficient(twenty)


def grow(place, n):
    """``n`` more contracts, each with a row of everything an indicator reads: its own tutor, a sheet,
    visits with an action, a description decided and a grid shared, a result, meetings of every kind,
    a followed indicator and a threshold change."""
    requirement = Requirement.objects.filter(item__isnull=False).order_by("pk").first()
    start = Threshold.objects.filter(diploma=place.diploma).count()
    for index in range(n):
        contract = place.contract(
            company_tutor=place.tutor(D(2024, 3, 1) if index % 2 else None),
            diploma_outcome=OBTAINED if index % 2 else FAILED,
            diploma_outcome_date=D(2025, 7, 1),
        )
        sheet(contract, D(2024, 11, 1), SheetStatus.REVIEWED, at(2024, 11, 1))
        visit = held_visit(contract, D(2024, 10, 7), VisitStatus.ACKNOWLEDGED)
        held_visit(contract, D(2025, 3, 3))
        ActionItemFactory(opened_in=visit, due_date=D(2025, 1, 10), done_on=D(2025, 1, 9))
        row = mission(contract, place.year, MissionStatus.VALIDATED, at(2024, 10, 1), at(2024, 10, 4))
        decision(row, at(2024, 10, 1), at(2024, 10, 4))
        GridSharingFactory(contract=contract, shared_on=D(2024, 9, 20))
        for kind in Meeting.Kind.values:
            place.meeting(
                kind, D(2024, 10, 1) + datetime.timedelta(days=index), minutes=True, cohorts=[place.cohort]
            )
        Threshold.objects.create(
            requirement=requirement,
            diploma=place.diploma,
            academic_year=place.year,
            version=start + index + 1,
            value=Decimal("50.0"),
            reason="Révision",
            changed_at=at(2025, 1, 6),
        )
        FollowedIndicator.objects.create(
            diploma=place.diploma, academic_year=place.year, indicator=f"indicateur-{start + index}"
        )
        answer_every_survey(place.diploma, place.year, index)
        JobOfferFactory(
            employer=place.employer, diplomas=[place.diploma], published_at=at(2024, 10, 1 + index)
        )
        former = place.ruptured(D(2024, 9, 2), D(2025, 1, 15))
        Digest.objects.create(apprentice=former.apprentice, week=D(2025, 2, 3), sent_at=at(2025, 2, 3))
        OfferPageVisit.objects.create(apprentice=former.apprentice, day=D(2025, 2, 4), via="link")


@pytest.mark.parametrize("code", sorted(INDICATORS))
def test_compute_runs_as_many_queries_for_8_contracts_as_for_2(place, code):
    indicator = INDICATORS[code]
    grow(place, 2)
    with CaptureQueriesContext(connection) as two:
        indicator.compute([place.diploma.pk], place.year, AS_OF)
    grow(place, 6)
    with CaptureQueriesContext(connection) as eight:
        result = indicator.compute([place.diploma.pk], place.year, AS_OF)[place.diploma.pk]

    assert code == "referents_named" or result != EMPTY[code]  # the data reaches the indicator
    assert len(two) >= 1
    assert len(eight) == len(two)
