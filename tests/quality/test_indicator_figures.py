"""Every indicator of :data:`quality.indicators.INDICATORS` on a tiny dataset built here, with its figure
worked out by hand: academic year 2024-2025 (1 September 2024 to 31 August 2025), figures taken on its
last day. The edge cases of the charter sit in the datasets: no contract, a rupture after the diploma,
a visit one day outside its window, a mission decided on day 7 and on day 8, fewer than 20 people."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apprentices.models import Contract
from livret.models import LiaisonSheet, MissionDecision, MissionDescription, VisitReport
from quality.indicators import INDICATORS, Figure
from quality.models import (
    Evidence,
    EvidenceKind,
    FollowedIndicator,
    Meeting,
    Milestone,
    Perimeter,
    Requirement,
    Threshold,
)
from tests.apprentices.factories import (
    ApprenticeFactory,
    CohortFactory,
    ContractFactory,
    DiplomaFactory,
)
from tests.core.factories import AcademicYearFactory, OrganisationFactory, UserFactory
from tests.employers.factories import EmployerFactory
from tests.livret.factories import (
    ActionItemFactory,
    GridSharingFactory,
    LiaisonSheetFactory,
    MissionDescriptionFactory,
    VisitReportFactory,
)
from tests.tutors.factories import CompanyTutorFactory, SchoolTutorFactory

PARIS = ZoneInfo("Europe/Paris")
AS_OF = datetime.date(2025, 8, 31)
D = datetime.date
SheetStatus = LiaisonSheet.Status
VisitStatus = VisitReport.Status
MissionStatus = MissionDescription.Status
OBTAINED = Contract.Outcome.OBTAINED
FAILED = Contract.Outcome.FAILED
# A two-year contract of the 2024-2025 cohort, unless a test says otherwise.
START, END = D(2024, 9, 2), D(2026, 8, 31)


def at(year, month, day, hour=12, minute=0) -> datetime.datetime:
    """An aware datetime, on the wall clock of Paris."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def year(db):
    return AcademicYearFactory(
        label="2024-2025", start_date=datetime.date(2024, 9, 1), end_date=datetime.date(2025, 8, 31)
    )


@pytest.fixture
def previous_year(db):
    return AcademicYearFactory(
        label="2023-2024", start_date=datetime.date(2023, 9, 1), end_date=datetime.date(2024, 8, 31)
    )


@dataclass
class Place:
    """One diploma with its cohort of 2024-2025, one employer and its tutors: contracts hang on it."""

    year: object
    diploma: object
    cohort: object
    employer: object
    company_tutor: object
    school_tutor: object

    @property
    def organisation(self):
        return self.diploma.organisation

    def apprentice(self, cohort=None):
        return ApprenticeFactory(organisation=self.organisation, cohort=cohort or self.cohort)

    def contract(self, start=START, end=END, *, apprentice=None, **fields):
        fields.setdefault("company_tutor", self.company_tutor)
        return ContractFactory(
            apprentice=apprentice or self.apprentice(),
            diploma=self.diploma,
            employer=self.employer,
            school_tutor=self.school_tutor,
            start_date=start,
            planned_end_date=end,
            **fields,
        )

    def ruptured(self, start, rupture, end=END, **fields):
        return self.contract(
            start,
            end,
            status=Contract.Status.RUPTURED,
            rupture_date=rupture,
            rupture_cause=Contract.RuptureCause.MUTUAL,
            **fields,
        )

    def tutor(self, training_date=None):
        return CompanyTutorFactory(employer=self.employer, training_date=training_date)

    def meeting(self, kind, held_on, *, minutes=False, cohorts=()):
        evidence = None
        if minutes:
            evidence = Evidence.objects.create(
                organisation=self.organisation,
                diploma=self.diploma,
                academic_year=self.year,
                kind=EvidenceKind.COPIL_MINUTES,
                title="Procès-verbal",
                file="quality/pv.pdf",
                token="0" * 32,
                extension=".pdf",
                original_name="pv.pdf",
                size=10,
                content_type="application/pdf",
                sha256="0" * 64,
                attested_on=held_on,
            )
        meeting = Meeting.objects.create(
            organisation=self.organisation,
            kind=kind,
            title=f"{kind} du {held_on}",
            held_on=held_on,
            attendance=12,
            attendees="Apprentis, tuteurs",
            minutes=evidence,
        )
        meeting.diplomas.add(self.diploma)
        meeting.cohorts.add(*cohorts)
        return meeting


def make_place(year) -> Place:
    organisation = OrganisationFactory()
    diploma = DiplomaFactory(organisation=organisation)
    employer = EmployerFactory(organisation=organisation)
    return Place(
        year=year,
        diploma=diploma,
        cohort=CohortFactory(diploma=diploma, entry_year=year),
        employer=employer,
        company_tutor=CompanyTutorFactory(employer=employer),
        school_tutor=SchoolTutorFactory(organisation=organisation),
    )


@pytest.fixture
def place(year) -> Place:
    return make_place(year)


def figure(code, place) -> Figure:
    return INDICATORS[code].compute([place.diploma.pk], place.year, AS_OF)[place.diploma.pk]


def assert_records_behind(code, place, result: Figure):
    """The drill-down lists exactly the rows behind the figure."""
    records = INDICATORS[code].records(place.diploma, place.year, AS_OF)
    assert len(records) == result.denominator
    assert sum(record.counted for record in records) == result.numerator


def held_visit(contract, day, status=VisitStatus.REPORTED):
    return VisitReportFactory(
        contract=contract, planned_date=day, held_on=day, status=status, signatures=False
    )


def sheet(contract, due, status=SheetStatus.SUBMITTED, countersigned_at=None):
    return LiaisonSheetFactory(
        contract=contract,
        due_date=due,
        status=status,
        submitted_at=at(due.year, due.month, due.day) - datetime.timedelta(days=3),
        countersigned_at=countersigned_at,
        signatures=False,
    )


def mission(contract, year, status, submitted_at=None, decided_at=None):
    return MissionDescriptionFactory(
        contract=contract, academic_year=year, status=status, submitted_at=submitted_at, decided_at=decided_at
    )


def decision(mission_row, submitted_at, decided_at, outcome=MissionDecision.Outcome.VALIDATED):
    return MissionDecision.objects.create(
        mission=mission_row,
        outcome=outcome,
        submitted_at=submitted_at,
        decided_at=decided_at,
        delay=decided_at - submitted_at,
    )


# Poste 4: contracts ---------------------------------------------------------------------------------


def test_rupture_rate_counts_ruptures_of_the_year_but_not_a_rupture_after_the_diploma(place):
    place.contract()  # active all year: in the population
    place.ruptured(D(2024, 9, 2), D(2025, 1, 15))  # ruptured in the year: counted
    place.ruptured(D(2024, 9, 2), D(2025, 8, 31))  # ruptured on as_of: counted
    # Ruptured on 15 July, after the diploma obtained on 30 June: in the population, not counted.
    place.ruptured(
        D(2023, 9, 4),
        D(2025, 7, 15),
        D(2025, 8, 31),
        diploma_outcome=OBTAINED,
        diploma_outcome_date=D(2025, 6, 30),
    )
    place.ruptured(D(2023, 9, 4), D(2024, 6, 28))  # ruptured before the year: not in the population
    place.contract(D(2025, 9, 1), D(2027, 8, 31))  # starts after the year: not in the population

    result = figure("rupture_rate", place)

    # 2 ruptured (15/01, 31/08) of 4 contracts running in the year → 50.0 %
    assert result == Figure(2, 4, Decimal("50.0"))
    assert_records_behind("rupture_rate", place, result)


def test_rupture_rate_9_months_counts_the_day_before_nine_months_and_not_the_day_itself(place):
    place.ruptured(D(2024, 9, 16), D(2025, 6, 15))  # day before 16/06/2025 (9 months): counted
    place.ruptured(D(2024, 9, 16), D(2025, 6, 16))  # on the 9-month day: in, not counted
    place.contract(D(2024, 10, 1))  # 9 months old on as_of, not ruptured: in, not counted
    place.ruptured(D(2025, 2, 3), D(2025, 4, 1))  # under 9 months old but already ruptured: counted
    place.contract(D(2025, 3, 3))  # not yet 9 months old (needs start ≤ 30/11/2024): out
    place.ruptured(D(2023, 10, 2), D(2024, 1, 10))  # started before the year: out

    result = figure("rupture_rate_9_months", place)

    # 2 ruptured within 9 months (15/06, 01/04) of 4 → 50.0 %
    assert result == Figure(2, 4, Decimal("50.0"))
    assert_records_behind("rupture_rate_9_months", place, result)


def test_interruption_rate_counts_abandons_ended_in_the_year(place):
    abandoned = Contract.Status.ABANDONED
    place.contract(status=abandoned, rupture_date=D(2025, 2, 10))  # abandoned on 10/02: counted
    place.contract(D(2023, 9, 4), D(2025, 6, 30), status=abandoned)  # ends 30/06 (planned): counted
    place.contract()  # active: in, not counted
    place.ruptured(D(2024, 9, 2), D(2025, 3, 1))  # a rupture is no abandon: in, not counted
    place.contract(D(2022, 9, 5), D(2024, 8, 30), status=abandoned, rupture_date=D(2024, 5, 10))  # before

    result = figure("interruption_rate", place)

    # 2 abandons of 4 contracts running in the year → 50.0 %
    assert result == Figure(2, 4, Decimal("50.0"))
    assert_records_behind("interruption_rate", place, result)


def success_dataset(place):
    twice = place.apprentice()
    # One apprentice, two contracts, both with the diploma obtained: one apprentice admitted.
    place.contract(
        D(2023, 9, 4),
        D(2025, 8, 31),
        apprentice=twice,
        diploma_outcome=OBTAINED,
        diploma_outcome_date=D(2025, 7, 1),
    )
    place.contract(
        D(2024, 1, 8),
        D(2025, 8, 31),
        apprentice=twice,
        diploma_outcome=OBTAINED,
        diploma_outcome_date=D(2025, 7, 1),
    )
    # Failed, no outcome date: its result falls on the planned end, 31/08/2025, in the year.
    place.contract(D(2023, 9, 4), D(2025, 8, 31), diploma_outcome=FAILED)
    place.contract(
        D(2023, 9, 4), D(2025, 8, 31), diploma_outcome=OBTAINED, diploma_outcome_date=D(2025, 6, 30)
    )
    # Obtained the year before, and a result still unknown: neither is in the population.
    place.contract(
        D(2022, 9, 5), D(2024, 8, 31), diploma_outcome=OBTAINED, diploma_outcome_date=D(2024, 7, 1)
    )
    place.contract(D(2023, 9, 4), D(2025, 8, 31))


def test_success_rate_counts_an_apprentice_with_two_contracts_once(place):
    success_dataset(place)

    # Apprentices presented: the one with two contracts, the failed one, the other admitted = 3;
    # admitted: 2 → 66.7 %
    assert figure("success_rate", place) == Figure(2, 3, Decimal("66.7"))


def test_success_rate_records_are_the_apprentices_behind_the_figure(place):
    success_dataset(place)
    result = figure("success_rate", place)

    # One row per apprentice presented (3), of which 2 admitted, as the figure counts them.

    assert_records_behind("success_rate", place, result)


def test_hours_realisation_sums_hours_of_the_contracts_running_in_the_year(place):
    place.contract(hours_planned=800, hours_done=250)
    place.contract(D(2023, 9, 4), D(2025, 6, 30), hours_planned=400, hours_done=400)
    place.contract(hours_planned=0, hours_done=0)  # no hours planned: left out
    place.contract(D(2022, 9, 5), D(2024, 8, 30), hours_planned=900, hours_done=900)  # ended before

    # (250 + 400) h done ÷ (800 + 400) h planned = 650 / 1200 = 54.166… → 54.2 %
    assert figure("hours_realisation", place) == Figure(650, 1200, Decimal("54.2"))


# Poste 3: follow-up ------------------------------------------------------------------------------


def test_sheets_on_time_wants_every_due_sheet_countersigned_by_its_day_in_paris(place):
    on_time = place.contract()
    # Countersigned at 23:30 in Paris on the day due (21:30 UTC): on time.
    sheet(on_time, D(2024, 11, 1), SheetStatus.COUNTERSIGNED, at(2024, 11, 1, 23, 30))
    sheet(on_time, D(2025, 1, 5), SheetStatus.REVIEWED, at(2025, 1, 4))
    # Countersigned at 00:30 in Paris the day after (still the day due in UTC): late.
    late = place.contract()
    sheet(late, D(2024, 11, 1), SheetStatus.COUNTERSIGNED, at(2024, 11, 2, 0, 30))
    never = place.contract()
    sheet(never, D(2025, 3, 1), SheetStatus.SUBMITTED)  # never countersigned: late
    next_year = place.contract()
    sheet(next_year, D(2025, 9, 10), SheetStatus.SUBMITTED)  # due after the year: not in the population
    place.contract()  # no sheet at all: not in the population

    result = figure("sheets_on_time", place)

    # 1 contract with all its due sheets on time of 3 with a sheet due → 33.3 %
    assert result == Figure(1, 3, Decimal("33.3"))
    assert_records_behind("sheets_on_time", place, result)


def test_sheets_reviewed_counts_sheets_countersigned_in_the_year_by_their_paris_day(place):
    contract = place.contract()
    # 1 September 00:30 in Paris is still 31 August in UTC: in the year all the same.
    sheet(contract, D(2024, 9, 1), SheetStatus.REVIEWED, at(2024, 9, 1, 0, 30))
    sheet(contract, D(2024, 12, 1), SheetStatus.REVIEWED, at(2024, 12, 1))
    sheet(contract, D(2025, 2, 1), SheetStatus.COUNTERSIGNED, at(2025, 2, 1))
    sheet(contract, D(2025, 3, 1), SheetStatus.SUBMITTED)  # not countersigned: out
    other = place.contract(D(2023, 9, 4))
    sheet(other, D(2024, 8, 20), SheetStatus.REVIEWED, at(2024, 8, 20))  # countersigned the year before: out

    result = figure("sheets_reviewed", place)

    # 2 reviewed of 3 countersigned in the year → 66.7 %
    assert result == Figure(2, 3, Decimal("66.7"))
    assert_records_behind("sheets_reviewed", place, result)


def test_two_meetings_rule_misses_a_visit_one_day_after_the_start_window(place):
    # Started 02/09/2024: the start window runs to 01/11/2024 (two months, less one day).
    last_day = place.contract(D(2024, 9, 2))
    held_visit(last_day, D(2024, 11, 1))  # on the window's last day: met
    day_after = place.contract(D(2024, 9, 2))
    held_visit(day_after, D(2024, 11, 2))  # one day outside: missed
    planned_only = place.contract(D(2024, 9, 2))
    VisitReportFactory(contract=planned_only, planned_date=D(2024, 10, 1))  # never held: missed
    # Started 01/08/2025: its start window is still open on as_of, no window closed: out.
    place.contract(D(2025, 8, 1), D(2027, 7, 31))

    result = figure("two_meetings_rule", place)

    # 1 contract meeting all its closed windows of 3 with a closed window → 33.3 %
    assert result == Figure(1, 3, Decimal("33.3"))
    assert_records_behind("two_meetings_rule", place, result)


def test_two_meetings_rule_of_a_closed_year_misses_the_end_window_of_a_contract_ending_with_it(place):
    contract = place.contract(D(2023, 9, 4), D(2025, 8, 31))
    # Year 1 (04/09/2023–03/09/2024) fully met: start window and two meetings.
    held_visit(contract, D(2023, 10, 2))
    held_visit(contract, D(2024, 3, 4))
    held_visit(contract, D(2024, 9, 2))
    # Year 2 (04/09/2024–31/08/2025): one meeting in October, none in July–August (the end window).
    held_visit(contract, D(2024, 10, 7))

    # The year is over: the end window (01/07–31/08/2025) was missed → 0 of 1 → 0.0 %
    assert figure("two_meetings_rule", place) == Figure(0, 1, Decimal("0.0"))


def test_grid_shared_first_month_counts_a_sharing_on_day_30_and_not_on_day_31(place):
    GridSharingFactory(contract=place.contract(D(2024, 10, 1)), shared_on=D(2024, 10, 31))  # day 30: counted
    GridSharingFactory(contract=place.contract(D(2024, 10, 1)), shared_on=D(2024, 11, 1))  # day 31: late
    place.contract(D(2024, 10, 1))  # never shared, more than 30 days old: in, not counted
    place.contract(D(2025, 8, 15))  # not shared, 16 days old on as_of: out
    GridSharingFactory(contract=place.contract(D(2025, 8, 15)), shared_on=D(2025, 8, 20))  # young but shared
    place.contract(D(2024, 6, 3))  # started the year before: out

    result = figure("grid_shared_first_month", place)

    # 2 shared within 30 days of 4 → 50.0 %
    assert result == Figure(2, 4, Decimal("50.0"))
    assert_records_behind("grid_shared_first_month", place, result)


def test_tutors_trained_counts_each_tutor_of_a_running_contract_once(place):
    trained = place.tutor(D(2024, 3, 1))
    place.contract(company_tutor=trained)
    place.contract(company_tutor=trained)  # a second apprentice: the tutor still counts once
    place.contract(company_tutor=place.tutor(D(2025, 8, 31)))  # trained on the year's last day: counted
    place.contract(company_tutor=place.tutor(None))  # not trained
    place.contract(company_tutor=place.tutor(D(2025, 9, 10)))  # trained after the year: not counted
    place.contract(D(2022, 9, 5), D(2024, 8, 30), company_tutor=place.tutor(None))  # ended before: out
    place.contract(company_tutor=None)  # no tutor named: out

    result = figure("tutors_trained", place)

    # 2 trained tutors of 4 tutors with a running contract → 50.0 %
    assert result == Figure(2, 4, Decimal("50.0"))
    assert_records_behind("tutors_trained", place, result)


def test_visit_reports_acknowledged_counts_held_visits_of_the_year(place):
    contract = place.contract(D(2023, 9, 4))
    held_visit(contract, D(2024, 10, 7), VisitStatus.ACKNOWLEDGED)
    held_visit(contract, D(2025, 1, 13), VisitStatus.REPORTED)
    held_visit(contract, D(2025, 8, 31), VisitStatus.REPORTED)  # held on as_of: in
    VisitReportFactory(contract=contract, planned_date=D(2025, 3, 3))  # planned, never held: out
    held_visit(contract, D(2024, 8, 30), VisitStatus.ACKNOWLEDGED)  # held the year before: out

    result = figure("visit_reports_acknowledged", place)

    # 1 acknowledged of 3 held in the year → 33.3 %
    assert result == Figure(1, 3, Decimal("33.3"))
    assert_records_behind("visit_reports_acknowledged", place, result)


def test_actions_closed_on_time_counts_actions_done_by_their_due_date(place):
    visit = held_visit(place.contract(D(2023, 9, 4)), D(2024, 9, 16))
    ActionItemFactory(opened_in=visit, due_date=D(2025, 1, 10), done_on=D(2025, 1, 10))  # on time
    ActionItemFactory(opened_in=visit, due_date=D(2025, 1, 10), done_on=D(2025, 1, 11))  # a day late
    ActionItemFactory(opened_in=visit, due_date=D(2025, 2, 1))  # never done: late
    ActionItemFactory(opened_in=visit, due_date=D(2025, 9, 30))  # due after the year: out
    ActionItemFactory(opened_in=visit, due_date=D(2024, 8, 15), done_on=D(2024, 8, 1))  # year before: out

    result = figure("actions_closed_on_time", place)

    # 1 done by its due date of 3 due in the year → 33.3 %
    assert result == Figure(1, 3, Decimal("33.3"))
    assert_records_behind("actions_closed_on_time", place, result)


def test_group_debriefs_counts_quarters_per_cohort(place, previous_year):
    older = CohortFactory(diploma=place.diploma, entry_year=previous_year, label="Promotion 2023")
    place.contract()
    place.contract(D(2023, 9, 4), D(2025, 8, 31), apprentice=place.apprentice(older))
    debrief = Meeting.Kind.DEBRIEF
    # Quarters: Q1 01/09–30/11, Q2 01/12–28/02, Q3 01/03–31/05, Q4 01/06–31/08.
    place.meeting(debrief, D(2024, 10, 15), cohorts=[place.cohort])  # Q1
    place.meeting(debrief, D(2025, 4, 10), cohorts=[place.cohort])  # Q3
    place.meeting(debrief, D(2025, 6, 20), cohorts=[place.cohort, older])  # Q4, both cohorts
    place.meeting(debrief, D(2025, 1, 20), cohorts=[older])  # Q2
    place.meeting(Meeting.Kind.COUNCIL, D(2024, 12, 10), cohorts=[place.cohort])  # no debrief: ignored

    result = figure("group_debriefs", place)

    # 2 cohorts × 4 quarters = 8; held: 2024 cohort Q1, Q3, Q4 + 2023 cohort Q2, Q4 = 5 → 62.5 %
    assert result == Figure(5, 8, Decimal("62.5"))
    assert_records_behind("group_debriefs", place, result)


def test_group_debriefs_of_a_closed_year_counts_a_missed_last_quarter(place):
    place.contract()
    for day in (D(2024, 10, 15), D(2025, 1, 20), D(2025, 4, 10)):  # Q1, Q2, Q3; none in Q4
        place.meeting(Meeting.Kind.DEBRIEF, day, cohorts=[place.cohort])

    # The year is over: 3 held of 4 quarters → 75.0 %
    assert figure("group_debriefs", place) == Figure(3, 4, Decimal("75.0"))


def test_referents_named_counts_the_two_referents_of_the_organisation(place):
    organisation = place.organisation
    organisation.disability_referent = UserFactory(organisation=organisation)
    organisation.save()

    result = figure("referents_named", place)

    # disability referent named, mobility referent not: 1 of 2 → 50.0 %
    assert result == Figure(1, 2, Decimal("50.0"))
    assert_records_behind("referents_named", place, result)


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
