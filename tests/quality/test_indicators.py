"""The indicators of the charter, each on a small dataset built here, with its figure worked out by hand.

Every test takes the academic year 2025-2026 (1 September 2025 to 31 August 2026) on ``AS_OF``, 30 June
2026, unless it says otherwise; contracts are named after what they test, their apprentice's last name
heading each record's label, so that the records are checked by name.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apprentices.models import Cohort, Contract
from livret.models import LiaisonSheet, MissionDecision, MissionDescription, VisitReport
from quality.indicators import INDICATORS, MIN_PUBLISHED_POPULATION, Figure
from quality.models import Meeting
from tests.apprentices.factories import (
    ApprenticeFactory,
    CalendarFactory,
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
from tests.quality.factories import (
    FollowedIndicatorFactory,
    MeetingFactory,
    MilestoneFactory,
    ThresholdFactory,
)
from tests.tutors.factories import CompanyTutorFactory

date = datetime.date
AS_OF = date(2026, 6, 30)
YEAR_END = date(2026, 8, 31)
PARIS = ZoneInfo("Europe/Paris")
OBTAINED, FAILED = Contract.Outcome.OBTAINED, Contract.Outcome.FAILED
SheetStatus = LiaisonSheet.Status
VisitStatus = VisitReport.Status
MissionStatus = MissionDescription.Status
ONE_DAY = datetime.timedelta(days=1)


def paris(year, month, day, hour=12, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def year(db):
    return AcademicYearFactory(start_year=2025)


@pytest.fixture
def diploma(db):
    return DiplomaFactory()


def cohort_of(diploma, start_year=2025) -> Cohort:
    entry = AcademicYearFactory(start_year=start_year)
    return Cohort.objects.filter(diploma=diploma, entry_year=entry).first() or CohortFactory(
        diploma=diploma, entry_year=entry
    )


def contract(diploma, name, start, end=None, *, cohort=None, apprentice=None, **values) -> Contract:
    """A contract of ``diploma`` from ``start`` to ``end`` (two years by default) for a new apprentice
    called ``name`` of the diploma's 2025 cohort (or ``apprentice``)."""
    if apprentice is None:
        apprentice = ApprenticeFactory(
            organisation=diploma.organisation, cohort=cohort or cohort_of(diploma), last_name=name
        )
    end = end or start.replace(year=start.year + 2) - ONE_DAY
    return ContractFactory(
        apprentice=apprentice, diploma=diploma, start_date=start, planned_end_date=end, **values
    )


def ruptured(on) -> dict:
    return {
        "status": Contract.Status.RUPTURED,
        "rupture_date": on,
        "rupture_cause": Contract.RuptureCause.MUTUAL,
    }


def figure(code, diploma, year, as_of=AS_OF) -> Figure:
    return INDICATORS[code].compute([diploma.pk], year, as_of)[diploma.pk]


def flags(records) -> dict[str, bool]:
    """``counted`` of each record, by the first word of its label (the apprentice's last name)."""
    return {record.label.split()[0]: record.counted for record in records}


def sheet(contract, due, signed=None, **values) -> LiaisonSheet:
    return LiaisonSheetFactory(
        contract=contract,
        due_date=due,
        status=values.pop("status", SheetStatus.COUNTERSIGNED if signed else SheetStatus.SUBMITTED),
        submitted_at=paris(2025, 9, 15),
        countersigned_at=signed,
        signatures=False,
        **values,
    )


def visit(contract, held_on, status=VisitStatus.REPORTED, **values) -> VisitReport:
    return VisitReportFactory(
        contract=contract,
        status=status,
        planned_date=held_on,
        held_on=None if status in (VisitStatus.PLANNED, VisitStatus.CANCELLED) else held_on,
        signatures=False,
        **values,
    )


def decision(mission, submitted, decided, outcome=MissionDecision.Outcome.VALIDATED) -> MissionDecision:
    return MissionDecision.objects.create(
        mission=mission,
        outcome=outcome,
        submitted_at=submitted,
        decided_at=decided,
        delay=decided - submitted,
    )


# Contracts: ruptures, interruptions, success, hours -----------------------------------------------


def test_rupture_rate_counts_the_years_ruptures_among_the_contracts_active_in_it(diploma, year):
    contract(diploma, "Actif", date(2025, 9, 1))
    contract(diploma, "Rompu", date(2025, 9, 1), **ruptured(date(2025, 12, 15)))
    contract(diploma, "Sansdate", date(2025, 9, 1), **ruptured(date(2026, 3, 1)), diploma_outcome=OBTAINED)
    contract(diploma, "Apres", date(2025, 9, 1), **ruptured(date(2026, 7, 10)))
    contract(
        diploma, "Abandon", date(2025, 9, 1), status=Contract.Status.ABANDONED, rupture_date=date(2026, 2, 1)
    )
    contract(diploma, "Termine", date(2023, 9, 15), date(2025, 9, 14), status=Contract.Status.COMPLETED)
    # Not active in the year: over before it, ruptured before it, not started on AS_OF.
    contract(diploma, "Ancien", date(2023, 9, 1), date(2025, 8, 31), status=Contract.Status.COMPLETED)
    contract(diploma, "Rompuavant", date(2024, 9, 1), **ruptured(date(2025, 8, 31)))
    contract(diploma, "Futur", date(2026, 7, 1))

    # Ruptured in the year by AS_OF: Rompu, Sansdate (diploma obtained, on an unknown day: the rupture
    # is not known to follow it). Active: Actif, Rompu, Sansdate, Apres, Abandon, Termine (1-14 Sept.)
    # → 2 of 6 = 33.3 %
    assert figure("rupture_rate", diploma, year) == Figure(2, 6, Decimal("33.3"))


def test_rupture_after_the_diploma_is_obtained_is_not_a_rupture(diploma, year):
    after = {"diploma_outcome": OBTAINED, "diploma_outcome_date": date(2026, 6, 10)}
    contract(diploma, "Diplome", date(2024, 9, 1), **ruptured(date(2026, 6, 20)), **after)
    contract(diploma, "Memejour", date(2024, 9, 1), **ruptured(date(2026, 6, 10)), **after)
    contract(diploma, "Avant", date(2024, 9, 1), **ruptured(date(2026, 6, 1)), **after)

    indicator = INDICATORS["rupture_rate"]
    # Only Avant broke off before its diploma (1 June < 10 June); the other two stay in the
    # denominator as active contracts → 1 of 3 = 33.3 %
    assert figure("rupture_rate", diploma, year) == Figure(1, 3, Decimal("33.3"))
    records = indicator.records(diploma, year, AS_OF)
    assert flags(records) == {"AVANT": True, "DIPLOME": False, "MEMEJOUR": False}
    assert [r.detail for r in records if r.counted] == ["rompu le 01/06/2026"]


def test_rupture_rate_records_are_the_active_contracts_flagged_when_ruptured(diploma, year):
    contract(diploma, "Actif", date(2025, 9, 1))
    contract(diploma, "Rompu", date(2025, 9, 1), **ruptured(date(2025, 12, 15)))
    contract(diploma, "Apres", date(2025, 9, 1), **ruptured(date(2026, 7, 10)))
    contract(diploma, "Ancien", date(2023, 9, 1), date(2025, 8, 31), status=Contract.Status.COMPLETED)

    records = INDICATORS["rupture_rate"].records(diploma, year, AS_OF)

    # 1 ruptured (Rompu) of 3 active: the records are those 3, one counted.
    assert flags(records) == {"ACTIF": False, "APRES": False, "ROMPU": True}
    assert figure("rupture_rate", diploma, year) == Figure(1, 3, Decimal("33.3"))


def test_nine_month_rupture_counts_the_day_before_nine_months_not_the_day_itself(diploma, year):
    contract(diploma, "Veille", date(2025, 10, 15), **ruptured(date(2026, 7, 14)))
    contract(diploma, "Jour", date(2025, 10, 15), **ruptured(date(2026, 7, 15)))

    indicator = INDICATORS["rupture_rate_9_months"]
    # Started 15 October 2025, nine months on 15 July 2026: broken off on the 14th is within them,
    # on the 15th is not → 1 of 2 = 50.0 %
    assert indicator.compute([diploma.pk], year, YEAR_END)[diploma.pk] == Figure(1, 2, Decimal("50.0"))
    assert flags(indicator.records(diploma, year, YEAR_END)) == {"JOUR": False, "VEILLE": True}


def test_nine_month_rupture_rate_takes_the_contracts_started_in_the_year_with_nine_months_behind_them(
    diploma, year
):
    contract(diploma, "Veille", date(2025, 10, 15), **ruptured(date(2026, 7, 14)))
    contract(diploma, "Actif", date(2025, 9, 1))
    contract(diploma, "Jeune", date(2026, 2, 1), **ruptured(date(2026, 4, 1)))
    contract(diploma, "Neufmois", date(2025, 11, 30))
    contract(
        diploma,
        "Diplome",
        date(2025, 9, 10),
        **ruptured(date(2026, 5, 1)),
        diploma_outcome=OBTAINED,
        diploma_outcome_date=date(2026, 4, 20),
    )
    # Out: under nine months old on 31 August 2026 and not ruptured, or started the year before.
    contract(diploma, "Huitmois", date(2025, 12, 1))
    contract(diploma, "Precedent", date(2025, 8, 20), **ruptured(date(2025, 10, 1)))

    # On 31 August 2026, nine months back is 30 November 2025. Started in the year: Veille, Actif,
    # Neufmois (30 Nov.), Diplome, and Jeune (under nine months old but already broken off). Ruptured
    # within nine months: Veille, Jeune (Diplome broke off after its diploma) → 2 of 5 = 40.0 %
    assert figure("rupture_rate_9_months", diploma, year, YEAR_END) == Figure(2, 5, Decimal("40.0"))


def test_interruption_rate_counts_the_abandons_that_ended_in_the_year(diploma, year):
    abandoned = Contract.Status.ABANDONED
    contract(diploma, "Abandon", date(2025, 9, 1), status=abandoned, rupture_date=date(2026, 1, 10))
    contract(diploma, "Sansdate", date(2024, 4, 1), date(2026, 3, 31), status=abandoned)
    contract(diploma, "Encours", date(2025, 9, 1), date(2027, 8, 31), status=abandoned)
    contract(diploma, "Rompu", date(2025, 9, 1), **ruptured(date(2026, 2, 1)))
    contract(diploma, "Actif", date(2025, 9, 1))
    contract(diploma, "Ancien", date(2024, 9, 1), status=abandoned, rupture_date=date(2025, 8, 20))

    # Abandons ended by AS_OF: Abandon (10 Jan.), Sansdate (no date: its planned end, 31 March).
    # Active: Abandon, Sansdate, Encours, Rompu, Actif → 2 of 5 = 40.0 %
    assert figure("interruption_rate", diploma, year) == Figure(2, 5, Decimal("40.0"))


def test_success_rate_counts_apprentices_not_contracts(diploma, year):
    contract(
        diploma, "Admis", date(2024, 9, 1), diploma_outcome=OBTAINED, diploma_outcome_date=date(2026, 6, 15)
    )
    contract(
        diploma, "Ajourne", date(2024, 9, 1), diploma_outcome=FAILED, diploma_outcome_date=date(2026, 6, 15)
    )
    twice = contract(
        diploma,
        "Deuxfois",
        date(2023, 9, 1),
        date(2025, 8, 31),
        status=Contract.Status.COMPLETED,
        diploma_outcome=FAILED,
        diploma_outcome_date=date(2025, 10, 1),
    )
    contract(
        diploma,
        "Deuxfois",
        date(2025, 9, 1),
        date(2026, 6, 30),
        apprentice=twice.apprentice,
        diploma_outcome=OBTAINED,
        diploma_outcome_date=date(2026, 6, 20),
    )
    contract(diploma, "Sansdate", date(2024, 7, 1), date(2026, 6, 30), diploma_outcome=OBTAINED)
    # Out: a result of the year before, none yet, one after AS_OF.
    contract(
        diploma,
        "Anterieur",
        date(2023, 9, 1),
        diploma_outcome=OBTAINED,
        diploma_outcome_date=date(2025, 7, 1),
    )
    contract(diploma, "Inconnu", date(2024, 9, 1))
    contract(
        diploma, "Futur", date(2024, 9, 1), diploma_outcome=OBTAINED, diploma_outcome_date=date(2026, 7, 5)
    )

    indicator = INDICATORS["success_rate"]
    # Presented: Admis, Ajourne, Deuxfois (failed in October, then admitted: one apprentice), Sansdate
    # (no date: its planned end, AS_OF itself). Admitted: Admis, Deuxfois, Sansdate → 3 of 4 = 75.0 %
    # (per contract it would have been 3 of 5).
    assert figure("success_rate", diploma, year) == Figure(3, 4, Decimal("75.0"))
    records = indicator.records(diploma, year, AS_OF)
    assert flags(records) == {"ADMIS": True, "AJOURNE": False, "DEUXFOIS": True, "SANSDATE": True}
    assert len(records) == 4


def test_hours_realisation_sums_hours_done_over_hours_planned(diploma, year):
    contract(diploma, "Partiel", date(2025, 9, 1), hours_planned=800, hours_done=250)
    contract(diploma, "Complet", date(2025, 9, 1), hours_planned=400, hours_done=400)
    contract(diploma, "Sansheures", date(2025, 9, 1), hours_planned=0, hours_done=0)
    contract(diploma, "Ancien", date(2023, 9, 1), date(2025, 8, 31), hours_planned=600, hours_done=600)

    # Active with hours planned: Partiel, Complet → 650 h of 1200 h = 54.2 %
    assert figure("hours_realisation", diploma, year) == Figure(650, 1200, Decimal("54.2"))
    records = INDICATORS["hours_realisation"].records(diploma, year, AS_OF)
    assert [r.detail for r in records] == [
        "400 h réalisées sur 400 h prévues",
        "250 h réalisées sur 800 h prévues",
    ]


# Liaison sheets, visits, actions, grids, tutors ------------------------------------------------------


def test_sheets_on_time_requires_every_due_sheet_countersigned_by_its_day_in_paris(diploma, year):
    sheet(contract(diploma, "Atemps", date(2025, 9, 1)), date(2025, 11, 14), paris(2025, 11, 14, 23, 30))
    sheet(contract(diploma, "Minuit", date(2025, 9, 1)), date(2025, 11, 14), paris(2025, 11, 15, 0, 30))
    sheet(contract(diploma, "Nonsigne", date(2025, 9, 1)), date(2026, 6, 29))
    sheet(contract(diploma, "Ducejour", date(2025, 9, 1)), AS_OF)
    two = contract(diploma, "Deux", date(2025, 9, 1))
    sheet(two, date(2025, 10, 30), paris(2025, 10, 28))
    sheet(two, date(2026, 3, 10), paris(2026, 3, 12))
    corrected = contract(diploma, "Corrigee", date(2025, 9, 1))
    old = sheet(corrected, date(2025, 12, 1), is_current=False, status=SheetStatus.RETURNED)
    sheet(corrected, date(2025, 12, 1), paris(2025, 11, 30), period=old.period, version=2, previous=old)
    sheet(contract(diploma, "Horsannee", date(2024, 9, 1)), date(2025, 8, 29))

    indicator = INDICATORS["sheets_on_time"]
    # Due in the year by AS_OF: Atemps (signed 23:30 on the day), Minuit (00:30 the next day in Paris,
    # though still the 14th in UTC), Nonsigne (due yesterday), Deux (one late of two), Corrigee (its
    # current version on time; the replaced one does not count). Ducejour's sheet is due today: not
    # yet late. On time: Atemps, Corrigee → 2 of 5 = 40.0 %
    assert figure("sheets_on_time", diploma, year) == Figure(2, 5, Decimal("40.0"))
    assert flags(indicator.records(diploma, year, AS_OF)) == {
        "ATEMPS": True,
        "CORRIGEE": True,
        "DEUX": False,
        "MINUIT": False,
        "NONSIGNE": False,
    }


def test_sheets_reviewed_counts_the_sheets_countersigned_in_the_year_in_paris(diploma, year):
    c = contract(diploma, "Fiches", date(2025, 9, 1))
    sheet(c, date(2025, 10, 10), paris(2025, 10, 10), status=SheetStatus.REVIEWED)
    sheet(c, date(2026, 2, 10), paris(2026, 2, 10))
    sheet(c, date(2025, 8, 31), paris(2025, 8, 31, 23, 30), status=SheetStatus.REVIEWED)
    sheet(c, date(2025, 9, 1), paris(2025, 9, 1, 0, 30), status=SheetStatus.REVIEWED)
    sheet(c, date(2026, 7, 1), paris(2026, 7, 1, 9), status=SheetStatus.REVIEWED)
    sheet(c, date(2026, 3, 1), status=SheetStatus.DRAFT)

    # Countersigned from 1 September (00:30 in Paris is 22:30 UTC on 31 August: in) to AS_OF: the
    # sheets of 10 Oct. (read), 10 Feb. (not read), 1 Sept. (read) → 2 of 3 = 66.7 %
    assert figure("sheets_reviewed", diploma, year) == Figure(2, 3, Decimal("66.7"))


def test_two_meetings_rule_misses_a_visit_one_day_after_its_two_month_window(diploma, year):
    visit(contract(diploma, "Tard", date(2025, 9, 1)), date(2025, 11, 1))
    visit(contract(diploma, "Atemps", date(2025, 9, 1)), date(2025, 10, 31))
    broken = contract(diploma, "Rompu", date(2025, 9, 1), date(2027, 8, 31), **ruptured(date(2026, 1, 31)))
    visit(broken, date(2025, 10, 15))
    visit(contract(diploma, "Recent", date(2026, 5, 15)), date(2026, 6, 1))
    visit(contract(diploma, "Prevue", date(2025, 9, 1)), date(2025, 10, 10), status=VisitStatus.PLANNED)

    indicator = INDICATORS["two_meetings_rule"]
    # The start window runs 1 Sept. – 31 Oct. 2025: Tard's visit of 1 Nov. misses it, Atemps' of
    # 31 Oct. meets it; Prevue's visit was never held. Rompu's contract year ends with its rupture
    # (five months: one meeting asked), met by 15 Oct. The yearly windows close on 31 August, after
    # AS_OF; Recent's start window (15 May – 14 July) is still open: Recent has no closed window.
    # → 2 of 4 = 50.0 %
    assert figure("two_meetings_rule", diploma, year) == Figure(2, 4, Decimal("50.0"))
    records = indicator.records(diploma, year, AS_OF)
    assert flags(records) == {"ATEMPS": True, "PREVUE": False, "ROMPU": True, "TARD": False}
    late = next(r for r in records if r.label.startswith("TARD"))
    assert "01/09/2025–31/10/2025" in late.detail


def test_visit_reports_acknowledged_among_the_visits_held_in_the_year(diploma, year):
    c = contract(diploma, "Visites", date(2024, 9, 1))
    visit(c, date(2025, 10, 1), status=VisitStatus.ACKNOWLEDGED)
    visit(c, date(2026, 1, 15), status=VisitStatus.ACKNOWLEDGED)
    visit(c, AS_OF)
    visit(c, date(2026, 3, 1), status=VisitStatus.PLANNED)
    visit(c, date(2026, 3, 2), status=VisitStatus.CANCELLED)
    visit(c, date(2025, 8, 31), status=VisitStatus.ACKNOWLEDGED)

    # Held from 1 Sept. to AS_OF: 1 Oct. and 15 Jan. (read), 30 June (shared) → 2 of 3 = 66.7 %
    assert figure("visit_reports_acknowledged", diploma, year) == Figure(2, 3, Decimal("66.7"))


def test_actions_closed_on_time_judges_the_actions_due_in_the_year(diploma, year):
    opened_in = visit(contract(diploma, "Actions", date(2024, 9, 1)), date(2025, 10, 1))

    def action(due, done=None):
        ActionItemFactory(opened_in=opened_in, due_date=due, done_on=done)

    action(date(2025, 12, 1), date(2025, 12, 1))
    action(date(2025, 12, 1), date(2025, 12, 2))
    action(date(2026, 3, 1))
    action(AS_OF)
    action(date(2026, 7, 15), date(2026, 6, 1))
    action(date(2025, 8, 31), date(2025, 8, 31))

    # Due in the year and past (or done): 1 Dec. done that day (on time), 1 Dec. done the 2nd, 1 March
    # not done, 15 July done early (on time); the one due today is not late yet → 2 of 4 = 50.0 %
    assert figure("actions_closed_on_time", diploma, year) == Figure(2, 4, Decimal("50.0"))


def test_grid_shared_on_day_30_is_on_time_and_on_day_31_late(diploma, year):
    GridSharingFactory(
        contract=contract(diploma, "Trentieme", date(2025, 10, 1)), shared_on=date(2025, 10, 31)
    )
    GridSharingFactory(
        contract=contract(diploma, "Trenteetun", date(2025, 10, 1)), shared_on=date(2025, 11, 1)
    )
    contract(diploma, "Jamais", date(2025, 10, 1))
    contract(diploma, "Trentejours", date(2026, 5, 31))
    GridSharingFactory(contract=contract(diploma, "Deja", date(2026, 6, 20)), shared_on=date(2026, 6, 21))
    GridSharingFactory(contract=contract(diploma, "Avant", date(2025, 8, 15)), shared_on=date(2025, 10, 1))

    indicator = INDICATORS["grid_shared_first_month"]
    # Started in the year more than 30 days ago, or already shared: Trentieme (shared on day 30),
    # Trenteetun (day 31), Jamais, Deja (shared the day after its start). Trentejours started 30 days
    # before AS_OF: it can still be shared in time today. → 2 of 4 = 50.0 %
    assert figure("grid_shared_first_month", diploma, year) == Figure(2, 4, Decimal("50.0"))
    assert flags(indicator.records(diploma, year, AS_OF)) == {
        "DEJA": True,
        "JAMAIS": False,
        "TRENTEETUN": False,
        "TRENTIEME": True,
    }


def test_tutors_trained_counts_each_tutor_once_trained_by_the_end_of_the_year(diploma, year):
    def tutored(name, tutor=None, training_date=None, start=None, end=None):
        employer = tutor.employer if tutor else EmployerFactory(organisation=diploma.organisation)
        tutor = tutor or CompanyTutorFactory(employer=employer, first_name=name, training_date=training_date)
        contract(diploma, name, start or date(2025, 9, 1), end, employer=employer, company_tutor=tutor)
        return tutor

    trained = tutored("Forme", training_date=date(2024, 5, 1))
    tutored("Forme", tutor=trained)
    tutored("Nonforme")
    tutored("Finannee", training_date=YEAR_END)
    tutored("Apres", training_date=date(2026, 9, 1))
    tutored("Ancien", training_date=date(2024, 5, 1), start=date(2023, 9, 1), end=date(2025, 8, 31))
    contract(diploma, "Sanstuteur", date(2025, 9, 1), company_tutor=None)

    indicator = INDICATORS["tutors_trained"]
    # Tutors of the contracts active in the year: Forme (two contracts, once), Nonforme, Finannee,
    # Apres. Trained by 31 August 2026: Forme, Finannee → 2 of 4 = 50.0 %
    assert indicator.compute([diploma.pk], year, YEAR_END)[diploma.pk] == Figure(2, 4, Decimal("50.0"))
    assert flags(indicator.records(diploma, year, YEAR_END)) == {
        "Apres": False,
        "Finannee": True,
        "Forme": True,
        "Nonforme": False,
    }


# Mission descriptions --------------------------------------------------------------------------------


def test_mission_decided_on_day_7_is_on_time_on_day_8_late_in_paris(diploma, year):
    seventh = MissionDescriptionFactory(
        contract=contract(diploma, "Septieme", date(2025, 9, 1)), academic_year=year
    )
    eighth = MissionDescriptionFactory(
        contract=contract(diploma, "Huitieme", date(2025, 9, 1)), academic_year=year
    )
    decisions = [
        decision(seventh, paris(2025, 10, 1, 23, 30), paris(2025, 10, 8, 22)),
        # 00:30 on 9 October in Paris, 22:30 UTC on the 8th: the 8th calendar day where it counts.
        decision(
            eighth, paris(2025, 10, 1, 23, 30), paris(2025, 10, 9, 0, 30), MissionDecision.Outcome.RETURNED
        ),
    ]

    indicator = INDICATORS["mission_decided_on_time"]
    # 1 of 2 decisions within 7 calendar days → 50.0 %
    assert figure("mission_decided_on_time", diploma, year) == Figure(1, 2, Decimal("50.0"))
    assert [r.counted for r in indicator.records(diploma, year, AS_OF)] == [True, False]
    # The inbox's reading of the deadline agrees.
    assert [d.within_deadline for d in decisions] == [True, False]


def test_missions_waiting_over_7_days_count_in_the_denominator(diploma, year):
    returned = MissionDescriptionFactory(
        contract=contract(diploma, "Renvoyee", date(2025, 9, 1)),
        academic_year=year,
        status=MissionStatus.VALIDATED,
        submitted_at=paris(2025, 10, 10, 9),
    )
    decision(returned, paris(2025, 10, 1, 9), paris(2025, 10, 9, 9), MissionDecision.Outcome.RETURNED)
    decision(returned, paris(2025, 10, 10, 9), paris(2025, 10, 11, 9))
    MissionDescriptionFactory(
        contract=contract(diploma, "Attentehuit", date(2025, 9, 1)),
        academic_year=year,
        status=MissionStatus.SUBMITTED,
        submitted_at=paris(2026, 6, 22, 10),
    )
    MissionDescriptionFactory(
        contract=contract(diploma, "Attentesept", date(2025, 9, 1)),
        academic_year=year,
        status=MissionStatus.SUBMITTED,
        submitted_at=paris(2026, 6, 23, 10),
    )
    after = MissionDescriptionFactory(
        contract=contract(diploma, "Apres", date(2025, 9, 1)),
        academic_year=year,
        status=MissionStatus.VALIDATED,
    )
    decision(after, paris(2026, 6, 25), paris(2026, 7, 2))
    previous = MissionDescriptionFactory(
        contract=contract(diploma, "Precedente", date(2024, 9, 1)),
        academic_year=AcademicYearFactory(start_year=2024),
        status=MissionStatus.VALIDATED,
    )
    decision(previous, paris(2025, 9, 1), paris(2025, 9, 2))

    indicator = INDICATORS["mission_decided_on_time"]
    # Decisions of the year by AS_OF: Renvoyee returned on day 8 (late), then validated on day 1.
    # Waiting on AS_OF: Attentehuit since 22 June (its 8th day: late), Attentesept since 23 June (its
    # 7th day: still in time). Apres was decided after AS_OF, Precedente belongs to 2024-2025.
    # → 1 on time of 2 decisions + 1 late waiting = 1 of 3 = 33.3 %
    assert figure("mission_decided_on_time", diploma, year) == Figure(1, 3, Decimal("33.3"))
    records = indicator.records(diploma, year, AS_OF)
    assert [(r.label.split()[0], r.counted, r.detail) for r in records] == [
        ("RENVOYEE", False, "Renvoyée au 8e jour"),
        ("RENVOYEE", True, "Validée au 1e jour"),
        ("ATTENTEHUIT", False, "en attente depuis 8 jours"),
    ]


def test_mission_median_delay_in_days(diploma, year):
    hours = datetime.timedelta(hours=1)
    for name, delay in (
        ("Demi", 12 * hours),
        ("Deux", 48 * hours),
        ("Trois", 72 * hours),
        ("Neuf", 216 * hours),
    ):
        mission = MissionDescriptionFactory(
            contract=contract(diploma, name, date(2025, 9, 1)), academic_year=year
        )
        decision(mission, paris(2025, 10, 1), paris(2025, 10, 1) + delay)
    late = MissionDescriptionFactory(
        contract=contract(diploma, "Apres", date(2025, 9, 1)), academic_year=year
    )
    decision(late, paris(2026, 6, 25), paris(2026, 7, 5))

    indicator = INDICATORS["mission_median_delay"]
    # Delays 0.5, 2, 3, 9 days (the decision of 5 July comes after AS_OF) → median (2 + 3) / 2 = 2.5 days
    assert figure("mission_median_delay", diploma, year) == Figure(None, 4, Decimal("2.5"))
    records = indicator.records(diploma, year, AS_OF)
    assert [(r.label.split()[0], r.detail) for r in records] == [
        ("DEMI", "0,5 j"),
        ("DEUX", "2 j"),
        ("TROIS", "3 j"),
        ("NEUF", "9 j"),
    ]


def test_missions_validated_counts_the_active_contracts_with_this_years_description_validated(diploma, year):
    MissionDescriptionFactory(
        contract=contract(diploma, "Validee", date(2025, 9, 1)),
        academic_year=year,
        status=MissionStatus.VALIDATED,
    )
    MissionDescriptionFactory(
        contract=contract(diploma, "Soumise", date(2025, 9, 1)),
        academic_year=year,
        status=MissionStatus.SUBMITTED,
        submitted_at=paris(2026, 6, 1),
    )
    MissionDescriptionFactory(
        contract=contract(diploma, "Anneeprec", date(2024, 9, 1)),
        academic_year=AcademicYearFactory(start_year=2024),
        status=MissionStatus.VALIDATED,
    )
    contract(diploma, "Sans", date(2025, 9, 1))
    MissionDescriptionFactory(
        contract=contract(diploma, "Ancien", date(2023, 9, 1), date(2025, 8, 31)),
        academic_year=year,
        status=MissionStatus.VALIDATED,
    )

    # Active: Validee, Soumise, Anneeprec (validated for 2024-2025 only), Sans → 1 of 4 = 25.0 %
    assert figure("missions_validated", diploma, year) == Figure(1, 4, Decimal("25.0"))


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
}
PUBLISHED = {"rupture_rate", "rupture_rate_9_months", "interruption_rate", "success_rate"}


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
