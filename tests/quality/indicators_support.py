"""What the tests of the charter's indicators on hand-made datasets share: the academic year
2025-2026 taken on ``AS_OF`` (30 June 2026), a diploma, contracts named after what they test, and
the sheets, visits and decisions built on them; a figure and the flags of its records."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from apprentices.models import Cohort, Contract
from livret.models import LiaisonSheet, MissionDecision, MissionDescription, VisitReport
from quality.indicators import INDICATORS, Figure
from tests.apprentices.factories import ApprenticeFactory, CohortFactory, ContractFactory, DiplomaFactory
from tests.core.factories import AcademicYearFactory
from tests.livret.factories import LiaisonSheetFactory, VisitReportFactory

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
