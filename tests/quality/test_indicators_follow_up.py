"""The charter's follow-up indicators, each on a small dataset with its figure worked out by hand:
liaison sheets, visits and their reports, actions, the grid sharing and trained tutors.

Every test takes the academic year 2025-2026 on ``AS_OF``, 30 June 2026, unless it says otherwise;
records are checked by their apprentice's last name.
"""

from __future__ import annotations

from decimal import Decimal

from quality.indicators import INDICATORS, Figure
from tests.employers.factories import EmployerFactory
from tests.livret.factories import ActionItemFactory, GridSharingFactory
from tests.quality import indicators_support
from tests.quality.indicators_support import (
    AS_OF,
    YEAR_END,
    SheetStatus,
    VisitStatus,
    contract,
    date,
    figure,
    flags,
    paris,
    ruptured,
    sheet,
    visit,
)
from tests.tutors.factories import CompanyTutorFactory

# Shared fixtures: pytest finds a fixture by its name in the test module.
diploma = indicators_support.diploma
year = indicators_support.year


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


def test_two_meetings_rule_counted_from_plain_rows_judges_each_contract_as_its_records_do(diploma, year):
    """The figures count the contracts read as plain rows (``verdicts``), the records name them read as
    models (``judge``): on two diplomas, with met, missed, open, ruptured, planned, cancelled and
    acknowledged meetings over several contract years, each contract gets the same verdict both ways."""
    from apprentices.models import Contract
    from tests.apprentices.factories import DiplomaFactory

    other = DiplomaFactory(organisation=diploma.organisation)
    for place in (diploma, other):
        visit(contract(place, "Tard", date(2025, 9, 1)), date(2025, 11, 1))
        met = contract(place, "Atemps", date(2025, 9, 1))
        visit(met, date(2025, 10, 31), status=VisitStatus.ACKNOWLEDGED)
        visit(met, date(2026, 2, 1), status=VisitStatus.CANCELLED)
        old = contract(place, "Ancien", date(2023, 9, 1), date(2026, 3, 31))
        for day in (
            date(2023, 10, 1),
            date(2024, 3, 1),
            date(2024, 10, 1),
            date(2025, 2, 1),
            date(2026, 3, 1),
        ):
            visit(old, day)
        ending = contract(place, "Fin", date(2024, 9, 1), date(2026, 5, 31))
        visit(ending, date(2025, 10, 1))
        broken = contract(place, "Rompu", date(2025, 9, 1), date(2027, 8, 31), **ruptured(date(2026, 1, 31)))
        visit(broken, date(2025, 10, 15))
        visit(contract(place, "Recent", date(2026, 5, 15)), date(2026, 6, 1))
        visit(contract(place, "Prevue", date(2025, 9, 1)), date(2025, 10, 10), status=VisitStatus.PLANNED)
    indicator = INDICATORS["two_meetings_rule"]
    contracts = Contract.objects.filter(diploma__in=[diploma, other])

    judged = indicator.judge(contracts, year, AS_OF)
    verdicts = indicator.verdicts(contracts, year, AS_OF)

    assert sorted(verdicts) == sorted((c.diploma_id, c.counted) for c in judged)
    assert {True, False} <= {counted for _diploma, counted in verdicts}
    figures = indicator.compute([diploma.pk, other.pk], year, AS_OF)
    for place in (diploma, other):
        records = indicator.records(place, year, AS_OF)
        assert (
            (figures[place.pk].numerator, figures[place.pk].denominator)
            == (
                sum(record.counted for record in records),
                len(records),
            )
            > (0, 4)
        )


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
