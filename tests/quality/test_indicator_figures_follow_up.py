"""The figures of the charter's follow-up indicators (poste 3) on a tiny dataset, worked out by hand:
liaison sheets, the two meetings rule (a visit one day outside its window), the grid sharing,
trained tutors, visit reports, actions, group debriefs and referents. Academic year 2024-2025,
figures taken on its last day."""

from __future__ import annotations

from decimal import Decimal

from quality.indicators import Figure
from quality.models import Meeting
from tests.apprentices.factories import CohortFactory
from tests.core.factories import UserFactory
from tests.livret.factories import ActionItemFactory, GridSharingFactory, VisitReportFactory
from tests.quality import indicator_figures_support
from tests.quality.indicator_figures_support import (
    D,
    SheetStatus,
    VisitStatus,
    assert_records_behind,
    at,
    figure,
    held_visit,
    sheet,
)

# Shared fixtures: pytest finds a fixture by its name in the test module.
place = indicator_figures_support.place
previous_year = indicator_figures_support.previous_year
year = indicator_figures_support.year


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
    mixed = place.contract()  # one sheet on time, one late: late, counted once
    sheet(mixed, D(2024, 12, 1), SheetStatus.REVIEWED, at(2024, 11, 30))
    sheet(mixed, D(2025, 2, 1), SheetStatus.COUNTERSIGNED, at(2025, 2, 3))
    twice = place.contract()  # two sheets late: counted once
    sheet(twice, D(2024, 12, 1), SheetStatus.SUBMITTED)
    sheet(twice, D(2025, 2, 1), SheetStatus.SUBMITTED)
    next_year = place.contract()
    sheet(next_year, D(2025, 9, 10), SheetStatus.SUBMITTED)  # due after the year: not in the population
    place.contract()  # no sheet at all: not in the population

    result = figure("sheets_on_time", place)

    # 1 contract with all its due sheets on time of 5 with a sheet due → 20 %
    assert result == Figure(1, 5, Decimal("20.0"))
    # The figures' single pass over the sheets and the population's flag per contract agree.
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
