"""The ORM indicators against their oracles: the three indicators that the benchmark writes a second time
in raw SQL (:mod:`benchmark.floors`) give the same numerator and denominator as
:data:`quality.indicators.INDICATORS`, for every diploma, on two academic years, on days inside each year
and on its last day.

The data are drawn at random with a fixed seed, over the edges that the definitions turn on: contracts
starting and ending on either side of each year, ruptures before and after the diploma (with and without
its date), abandons, liaison sheets countersigned on time, late, just before and just after midnight in
Paris, never, or superseded by a new version, and mission descriptions of either year in every state.
The raw SQL runs on PostgreSQL and on SQLite: these tests run on both.
"""

from __future__ import annotations

import datetime
import random
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apprentices.models import Contract
from benchmark.floors import FLOORS
from livret.models import LiaisonSheet, MissionDescription
from quality.indicators import INDICATORS
from tests.apprentices.factories import ApprenticeFactory, CohortFactory, ContractFactory, DiplomaFactory
from tests.core.factories import AcademicYearFactory, OrganisationFactory
from tests.employers.factories import EmployerFactory
from tests.livret.factories import LiaisonSheetFactory, MissionDescriptionFactory, free_company_period
from tests.tutors.factories import CompanyTutorFactory, SchoolTutorFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
D = datetime.date
DAY = datetime.timedelta(days=1)
CODES = sorted(FLOORS)
DIPLOMAS = 3
CONTRACTS_PER_DIPLOMA = 14
SheetStatus = LiaisonSheet.Status
MissionStatus = MissionDescription.Status


@pytest.fixture
def years():
    return [AcademicYearFactory(start_year=2023), AcademicYearFactory(start_year=2024)]


def judged_days(year) -> list[datetime.date]:
    """The days the figures are taken on: the first day, days inside the year, and its last day."""
    return [year.start_date, D(year.start_date.year, 12, 31), D(year.end_date.year, 3, 15), year.end_date]


def pick_day(rng: random.Random, edges: list[datetime.date], low: datetime.date, high: datetime.date):
    """Half the time one of the days the definitions turn on (a year's bounds, a judged day, the day
    either side), otherwise any day between ``low`` and ``high``."""
    if rng.random() < 0.5:
        day = rng.choice(edges) + rng.choice([-DAY, datetime.timedelta(0), DAY])
        return min(max(day, low), high)
    return low + datetime.timedelta(days=rng.randrange((high - low).days + 1))


def contract_fields(rng, edges) -> dict:
    start = pick_day(rng, edges, D(2022, 9, 1), D(2025, 6, 30))
    end = max(pick_day(rng, edges, D(2023, 6, 30), D(2027, 8, 31)), start + DAY)
    fields = {"start_date": start, "planned_end_date": end}
    status = rng.choice(["active", "active", "completed", "ruptured", "ruptured", "ruptured", "abandoned"])
    fields["status"] = status
    if status == "ruptured" or (status == "abandoned" and rng.random() < 0.7):
        fields["rupture_date"] = max(pick_day(rng, edges, start, end + 30 * DAY), start)
        fields["rupture_cause"] = Contract.RuptureCause.MUTUAL
    outcome = rng.choice(["unknown", "unknown", "yes", "yes", "no"])
    fields["diploma_outcome"] = outcome
    if outcome != "unknown" and rng.random() < 0.85:
        # The diploma obtained before, on, or after the rupture (or the planned end).
        around = fields.get("rupture_date") or end
        fields["diploma_outcome_date"] = around + rng.choice([-40, -1, 0, 0, 1, 60]) * DAY
    return fields


def countersigned_at(rng, due: datetime.date):
    """Never, on time, or late, with the two sides of midnight in Paris (where UTC is still the day
    before)."""
    moment = rng.choice(["never", "never", "days_before", "evening", "just_after_midnight", "days_late"])
    if moment == "never":
        return None
    day, time = {
        "days_before": (due - 3 * DAY, datetime.time(10)),
        "evening": (due, datetime.time(23, 30)),
        "just_after_midnight": (due + DAY, datetime.time(0, 30)),
        "days_late": (due + 6 * DAY, datetime.time(15)),
    }[moment]
    return datetime.datetime.combine(day, time, tzinfo=PARIS)


def sheets(rng, contract, edges) -> None:
    for _ in range(rng.randrange(4)):
        due = pick_day(rng, edges, D(2023, 8, 20), D(2025, 9, 10))
        signed = countersigned_at(rng, due)
        period = free_company_period(contract)
        if rng.random() < 0.25:
            # A first version superseded by a correction: only the current one is judged.
            first = LiaisonSheetFactory(
                contract=contract,
                period=period,
                due_date=due,
                status=SheetStatus.COUNTERSIGNED,
                countersigned_at=countersigned_at(rng, due),
                is_current=False,
                signatures=False,
            )
            LiaisonSheetFactory(
                contract=contract,
                period=period,
                due_date=due,
                version=2,
                previous=first,
                status=SheetStatus.COUNTERSIGNED if signed else SheetStatus.DRAFT,
                countersigned_at=signed,
                signatures=False,
            )
        else:
            LiaisonSheetFactory(
                contract=contract,
                period=period,
                due_date=due,
                status=SheetStatus.COUNTERSIGNED if signed else SheetStatus.SUBMITTED,
                countersigned_at=signed,
                signatures=False,
            )


def missions(rng, contract, years) -> None:
    now = datetime.datetime(2024, 1, 10, 12, tzinfo=PARIS)
    for year in years:
        status = rng.choice(
            [
                None,
                MissionStatus.DRAFT,
                MissionStatus.SUBMITTED,
                MissionStatus.VALIDATED,
                MissionStatus.VALIDATED,
                MissionStatus.RETURNED,
            ]
        )
        if status is None:
            continue
        if status == MissionStatus.VALIDATED and rng.random() < 0.2:
            # Validated, then reopened for a correction: the validated version stays on record.
            MissionDescriptionFactory(contract=contract, academic_year=year, validated=True, is_current=False)
            MissionDescriptionFactory(contract=contract, academic_year=year, version=2, filled=True)
            continue
        submitted = {"submitted_at": now} if status != MissionStatus.DRAFT else {}
        MissionDescriptionFactory(contract=contract, academic_year=year, status=status, **submitted)


def sheets_on_the_edges(contract) -> None:
    """Sheets of a contract that has no other, each alone among its year's judged sheets on one of the
    judged days: due on the day itself (not judged yet), countersigned at 23:30 on the due day (on
    time), at 00:30 the day after (late in Paris, on time in UTC)."""
    for due, signed in (
        (D(2023, 12, 31), None),
        (D(2024, 3, 15), datetime.datetime(2024, 3, 15, 23, 30, tzinfo=PARIS)),
        (D(2024, 12, 31), datetime.datetime(2025, 1, 1, 0, 30, tzinfo=PARIS)),
        (D(2025, 3, 15), None),
    ):
        LiaisonSheetFactory(
            contract=contract,
            due_date=due,
            status=SheetStatus.COUNTERSIGNED if signed else SheetStatus.SUBMITTED,
            countersigned_at=signed,
            signatures=False,
        )


@pytest.fixture
def diplomas(years):
    """Three diplomas of one organisation, each with contracts, sheets and descriptions drawn from its
    own seed, and a contract whose sheets sit on the edges."""
    edges = [day for year in years for day in (*judged_days(year), year.end_date + DAY)]
    organisation = OrganisationFactory()
    employer = EmployerFactory(organisation=organisation)
    company_tutor = CompanyTutorFactory(employer=employer)
    school_tutor = SchoolTutorFactory(organisation=organisation)
    made = []
    for seed in range(DIPLOMAS):
        rng = random.Random(seed)
        diploma = DiplomaFactory(organisation=organisation)
        cohort = CohortFactory(diploma=diploma, entry_year=years[0])
        for _ in range(CONTRACTS_PER_DIPLOMA):
            contract = ContractFactory(
                apprentice=ApprenticeFactory(organisation=organisation, cohort=cohort),
                diploma=diploma,
                employer=employer,
                company_tutor=company_tutor,
                school_tutor=school_tutor,
                **contract_fields(rng, edges),
            )
            sheets(rng, contract, edges)
            missions(rng, contract, years)
        sheets_on_the_edges(
            ContractFactory(
                apprentice=ApprenticeFactory(organisation=organisation, cohort=cohort),
                diploma=diploma,
                employer=employer,
                company_tutor=company_tutor,
                school_tutor=school_tutor,
                start_date=years[0].start_date,
                planned_end_date=years[1].end_date,
            )
        )
        made.append(diploma)
    # A diploma with nothing: the ORM gives it 0 of 0, the SQL leaves it out.
    made.append(DiplomaFactory(organisation=organisation))
    return made


def figures(code, ids, year, as_of) -> tuple[dict, dict]:
    orm = INDICATORS[code].compute(ids, year, as_of)
    raw = FLOORS[code](ids, year, as_of)
    return (
        {pk: (figure.numerator, figure.denominator) for pk, figure in orm.items()},
        {pk: raw.get(pk, (0, 0)) for pk in ids},
    )


@pytest.mark.parametrize("code", CODES)
def test_the_orm_indicator_and_its_raw_sql_give_the_same_figures(code, diplomas, years):
    ids = [diploma.pk for diploma in diplomas]
    for year in years:
        for as_of in judged_days(year):
            orm, raw = figures(code, ids, year, as_of)

            assert orm == raw, f"{code} {year} au {as_of}"


@pytest.mark.parametrize("code", CODES)
def test_the_drawn_data_make_each_indicator_neither_empty_nor_whole(code, diplomas, years):
    """The comparison means something only if the figures vary: each indicator counts some and not all
    of its population, on each year's last day, for at least one diploma."""
    ids = [diploma.pk for diploma in diplomas]
    for year in years:
        orm, _raw = figures(code, ids, year, year.end_date)

        assert any(0 < numerator < denominator for numerator, denominator in orm.values()), (code, year, orm)


@pytest.mark.parametrize(("code", "distinct"), [("rupture_rate", False), ("tutors_trained", True)])
def test_distinct_is_counted_only_where_a_join_may_repeat_a_row(code, distinct, diplomas, years):
    """Over the contracts alone each row is counted once as it is (COUNT(DISTINCT) sorted the whole
    population: ×2.4 the raw SQL at 200,000 apprentices); a company tutor counted through their
    contracts may come once per contract, and is counted once."""
    ids = [diploma.pk for diploma in diplomas]
    with CaptureQueriesContext(connection) as queries:
        INDICATORS[code].compute(ids, years[-1], years[-1].end_date)

    assert ("COUNT(DISTINCT" in queries.captured_queries[-1]["sql"].upper()) is distinct
