"""What the tests of the indicators' figures on tiny datasets share: academic year 2024-2025 (and the
one before), figures taken on its last day, and a ``Place`` (one diploma, its cohort, an employer and
its tutors) on which contracts, sheets, visits, missions and meetings hang."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from apprentices.models import Contract
from livret.models import LiaisonSheet, MissionDescription, VisitReport
from quality.indicators import INDICATORS, Figure
from quality.models import Evidence, EvidenceKind, Meeting
from tests.apprentices.factories import ApprenticeFactory, CohortFactory, ContractFactory, DiplomaFactory
from tests.core.factories import AcademicYearFactory, OrganisationFactory
from tests.employers.factories import EmployerFactory
from tests.livret.factories import LiaisonSheetFactory, MissionDescriptionFactory, VisitReportFactory
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
