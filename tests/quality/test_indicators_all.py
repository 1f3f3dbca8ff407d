"""What every indicator of the charter shares: the registry covered, the empty figure of a diploma
without contracts, the published rates insufficient under 20 people; and one dataset touching every
indicator, to check that diplomas do not mix, that records are the rows behind each figure, and that
the queries do not grow with the contracts.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apprentices.models import Contract
from jobs.models import Digest, OfferPageVisit
from quality.indicators import INDICATORS, MIN_PUBLISHED_POPULATION, Figure
from quality.models import Meeting
from tests.apprentices.factories import CalendarFactory, DiplomaFactory
from tests.core.factories import OrganisationFactory
from tests.jobs.factories import JobOfferFactory
from tests.livret.factories import ActionItemFactory, GridSharingFactory, MissionDescriptionFactory
from tests.quality import indicators_support
from tests.quality.factories import (
    FollowedIndicatorFactory,
    MeetingFactory,
    MilestoneFactory,
    ThresholdFactory,
)
from tests.quality.indicators_support import (
    AS_OF,
    FAILED,
    OBTAINED,
    MissionStatus,
    SheetStatus,
    VisitStatus,
    cohort_of,
    contract,
    date,
    decision,
    figure,
    paris,
    ruptured,
    sheet,
    visit,
)
from tests.surveys.factories import answer_every_survey

# Shared fixtures: pytest finds a fixture by its name in the test module.
diploma = indicators_support.diploma
year = indicators_support.year


# What every indicator shares -------------------------------------------------------------------------

# A diploma without any contract, meeting or list, in an organisation without referents.
EMPTY = {
    "steering_committee": Figure(0, 0, 0),
    "council_meetings": Figure(0, 0, 0),
    "rentree_meeting": Figure(0, 0, 0),
    "pedagogical_meetings": Figure(0, 0, 0),
    "information_meetings": Figure(0, 0, 0),
    "followed_indicators": Figure(0, None, 0),
    "thresholds_revised": Figure(0, None, 0),
    "hours_realisation": Figure(0, 0, None),
    "mission_decided_on_time": Figure(0, 0, None),
    "mission_median_delay": Figure(None, 0, None),
    "missions_validated": Figure(0, 0, None),
    "tutors_trained": Figure(0, 0, None),
    "sheets_on_time": Figure(0, 0, None),
    "sheets_reviewed": Figure(0, 0, None),
    "two_meetings_rule": Figure(0, 0, None),
    "grid_shared_first_month": Figure(0, 0, None),
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
PUBLISHED = {
    "rupture_rate",
    "rupture_rate_9_months",
    "interruption_rate",
    "success_rate",
    "insertion_6_months",
    "insertion_12_months",
    "studies_6_months",
    "studies_12_months",
}


def test_every_indicator_of_the_registry_is_covered_here():
    assert set(EMPTY) == set(INDICATORS)


@pytest.mark.parametrize("code", sorted(EMPTY))
def test_a_diploma_without_contracts_has_an_empty_figure_and_no_records(diploma, year, code):
    indicator = INDICATORS[code]
    assert figure(code, diploma, year) == EMPTY[code]
    records = indicator.records(diploma, year, AS_OF)
    if code == "referents_named":
        assert [r.counted for r in records] == [False, False]
    else:
        assert records == []


@pytest.mark.parametrize("code", sorted(INDICATORS))
def test_only_the_published_rates_are_insufficient_under_20_people(code):
    indicator = INDICATORS[code]
    assert indicator.published is (code in PUBLISHED)
    assert indicator.is_insufficient(Figure(5, 19, Decimal("26.3"))) is (code in PUBLISHED)
    assert indicator.is_insufficient(Figure(5, 20, Decimal("25.0"))) is False


def test_rupture_rate_is_insufficient_under_20_contracts_and_sufficient_at_20(diploma, year):
    assert MIN_PUBLISHED_POPULATION == 20
    contract(diploma, "Rompu", date(2025, 9, 1), **ruptured(date(2026, 1, 10)))
    for n in range(18):
        contract(diploma, f"Actif{n}", date(2025, 9, 1))
    indicator = INDICATORS["rupture_rate"]

    nineteen = figure("rupture_rate", diploma, year)
    contract(diploma, "Vingtieme", date(2025, 9, 1))
    twenty = figure("rupture_rate", diploma, year)

    # 1 of 19 = 5.3 %, too few people; 1 of 20 = 5.0 %, published.
    assert (nineteen, indicator.is_insufficient(nineteen)) == (Figure(1, 19, Decimal("5.3")), True)
    assert (twenty, indicator.is_insufficient(twenty)) == (Figure(1, 20, Decimal("5.0")), False)


def test_success_rate_counts_its_20_people_as_apprentices(diploma, year):
    results = {"diploma_outcome": OBTAINED, "diploma_outcome_date": date(2026, 6, 15)}
    first = contract(diploma, "Apprenti0", date(2024, 9, 1), **results)
    contract(diploma, "Apprenti0", date(2025, 1, 1), apprentice=first.apprentice, **results)
    for n in range(1, 19):
        contract(diploma, f"Apprenti{n}", date(2024, 9, 1), **results)
    indicator = INDICATORS["success_rate"]

    nineteen = figure("success_rate", diploma, year)
    contract(
        diploma,
        "Apprenti19",
        date(2024, 9, 1),
        diploma_outcome=FAILED,
        diploma_outcome_date=date(2026, 6, 15),
    )
    twenty = figure("success_rate", diploma, year)

    # 20 contracts but 19 apprentices, all admitted: 19 of 19, too few; one more, failed: 19 of 20.
    assert (nineteen, indicator.is_insufficient(nineteen)) == (Figure(19, 19, Decimal("100.0")), True)
    assert (twenty, indicator.is_insufficient(twenty)) == (Figure(19, 20, Decimal("95.0")), False)


# A dataset that touches every indicator, to compare diplomas and sizes -------------------------------


def populate(diploma, year, n):
    """``n`` more contracts of ``diploma`` (its 2025 cohort) with a sheet, a visit and its action, a
    grid, a mission (decided or waiting), and for each a meeting of every kind, a followed indicator,
    a threshold version and a jalon; the first apprentice also has an earlier, failed contract."""
    cohort = cohort_of(diploma)
    if not diploma.calendars.exists():
        CalendarFactory(diploma=diploma, academic_year=year)
    start = Contract.objects.filter(diploma=diploma).count()
    codes = sorted(INDICATORS)
    for i in range(start, start + n):
        odd = i % 2
        c = contract(
            diploma,
            f"Peuple{i}",
            date(2025, 9, 1) + datetime.timedelta(days=i),
            cohort=cohort,
            company_tutor__training_date=None if odd else date(2025, 1, 1),
            **(
                ruptured(date(2026, 1, 15))
                if odd
                else {"diploma_outcome": OBTAINED, "diploma_outcome_date": date(2026, 6, 1)}
            ),
        )
        if i == 0:
            contract(
                diploma,
                "Peuple0",
                date(2023, 9, 1),
                date(2025, 8, 31),
                apprentice=c.apprentice,
                status=Contract.Status.COMPLETED,
                diploma_outcome=FAILED,
                diploma_outcome_date=date(2025, 9, 15),
            )
        sheet(
            c,
            date(2025, 11, 14),
            paris(2025, 11, 14 + odd),
            status=SheetStatus.REVIEWED if odd else SheetStatus.COUNTERSIGNED,
        )
        held = visit(
            c,
            date(2025, 10, 10) + datetime.timedelta(days=30 * odd),
            status=VisitStatus.ACKNOWLEDGED if odd else VisitStatus.REPORTED,
        )
        ActionItemFactory(opened_in=held, due_date=date(2025, 12, 1), done_on=date(2025, 12, 1 + odd))
        GridSharingFactory(contract=c, shared_on=c.start_date + datetime.timedelta(days=20 + 15 * odd))
        if odd:
            MissionDescriptionFactory(
                contract=c, academic_year=year, status=MissionStatus.SUBMITTED, submitted_at=paris(2026, 6, 1)
            )
        else:
            mission = MissionDescriptionFactory(
                contract=c, academic_year=year, status=MissionStatus.VALIDATED
            )
            decision(mission, paris(2025, 10, 1), paris(2025, 10, 3 + i))
        for kind in Meeting.Kind.values:
            MeetingFactory(
                organisation=diploma.organisation,
                kind=kind,
                held_on=date(2025, 10, 1) + datetime.timedelta(days=30 * i),
                diplomas=[diploma],
                cohorts=[cohort] if kind == Meeting.Kind.DEBRIEF else [],
                with_minutes=not odd,
            )
        FollowedIndicatorFactory(diploma=diploma, academic_year=year, indicator=codes[i])
        ThresholdFactory(diploma=diploma, academic_year=year, changed_at=paris(2025, 10, 1 + i))
        MilestoneFactory(diploma=diploma, academic_year=year, created_at=paris(2025, 10, 1 + i))
        answer_every_survey(diploma, year, i)
        JobOfferFactory(employer=c.employer, diplomas=[diploma], published_at=paris(2025, 10, 1 + i))
        if odd:
            # A former apprentice (ruptured, no contract since): mailed the offers; one in two opens them.
            Digest.objects.create(apprentice=c.apprentice, week=date(2026, 2, 2), sent_at=paris(2026, 2, 2))
            if i % 4 == 1:
                OfferPageVisit.objects.create(apprentice=c.apprentice, day=date(2026, 2, 3), via="link")


def test_computing_several_diplomas_at_once_does_not_mix_them(year):
    first = DiplomaFactory()
    populate(first, year, 3)
    alone = {code: figure(code, first, year) for code in INDICATORS}
    second = DiplomaFactory(organisation=OrganisationFactory())
    populate(second, year, 2)
    empty = DiplomaFactory()

    for code, indicator in INDICATORS.items():
        together = indicator.compute([first.pk, second.pk, empty.pk], year, AS_OF)
        assert together == {
            first.pk: alone[code],
            second.pk: figure(code, second, year),
            empty.pk: EMPTY[code],
        }, code
    # Active in the year: contracts 0, 1, 2 of the first and 0, 1 of the second, the odd ones
    # ruptured → 1 of 3 = 33.3 % and 1 of 2 = 50.0 %
    assert INDICATORS["rupture_rate"].compute([first.pk, second.pk], year, AS_OF) == {
        first.pk: Figure(1, 3, Decimal("33.3")),
        second.pk: Figure(1, 2, Decimal("50.0")),
    }


@pytest.mark.parametrize("code", sorted(set(INDICATORS) - {"hours_realisation"}))
def test_records_are_exactly_the_rows_behind_the_figure(year, code):
    diploma = DiplomaFactory()
    populate(diploma, year, 4)
    populate(DiplomaFactory(organisation=diploma.organisation), year, 2)
    indicator = INDICATORS[code]

    result = figure(code, diploma, year)
    records = indicator.records(diploma, year, AS_OF)

    counted = sum(1 for r in records if r.counted)
    if result.denominator is None:
        assert counted == len(records) == result.numerator
    else:
        assert len(records) == result.denominator
        if result.numerator is not None:
            assert counted == result.numerator
    assert records, "the dataset must give every indicator something to count"


def queries(callable_) -> int:
    with CaptureQueriesContext(connection) as context:
        callable_()
    return len(context.captured_queries)


@pytest.mark.parametrize("code", sorted(INDICATORS))
def test_compute_and_records_run_as_many_queries_for_2_as_for_8_contracts(year, code):
    indicator = INDICATORS[code]
    diploma, other = DiplomaFactory(), DiplomaFactory()
    populate(diploma, year, 2)
    populate(other, year, 2)
    ids = [diploma.pk, other.pk]
    small = (
        queries(lambda: indicator.compute(ids, year, AS_OF)),
        queries(lambda: indicator.records(diploma, year, AS_OF)),
    )
    populate(diploma, year, 6)
    populate(other, year, 6)
    large = (
        queries(lambda: indicator.compute(ids, year, AS_OF)),
        queries(lambda: indicator.records(diploma, year, AS_OF)),
    )

    assert Contract.objects.filter(diploma=diploma, start_date__gte=year.start_date).count() == 8
    assert large == small
    # At most three: the mission indicator adds the waiting descriptions and those decided after as_of.
    assert small[0] <= 3


@pytest.mark.django_db
def test_no_population_excludes_through_not_in_a_subquery():
    """``NOT (x IN (SELECT …))`` is linear only while PostgreSQL can hash the subquery in work_mem; past
    it (the late sheets of 200,000 apprentices) the subquery is scanned again for each row, and the
    recomputation ran for hours. An exclusion is a correlated ``NOT EXISTS`` on an index instead."""
    from core.models import AcademicYear

    year = AcademicYear.objects.create(
        label="2040-2041", start_date=datetime.date(2040, 9, 1), end_date=datetime.date(2041, 8, 31)
    )
    for code, indicator in INDICATORS.items():
        try:
            sql = str(indicator.population(year, datetime.date(2041, 1, 15)).query)
        except (AttributeError, NotImplementedError):
            continue  # an indicator that counts otherwise than over a population of rows
        assert "NOT (" not in sql or "IN (SELECT" not in sql.split("NOT (", 1)[1][:200], code
