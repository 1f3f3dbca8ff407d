"""Opening the sheets: one per company period about to end, for active contracts, never twice.

The calendar is the factory's, on a fixed school year (2030-2031), four weeks per period:
school 1-28 Sept., company 29 Sept.-26 Oct., school 27 Oct.-23 Nov., company 24 Nov.-21 Dec.,
school 22 Dec.-18 Jan., ...
"""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apprentices.models import AlternancePeriod, Contract
from core.models import AuditEvent, Role
from core.signals import records_written
from livret import tasks
from livret.models import LiaisonSheet
from livret.services import sheets as services
from tests.apprentices.factories import ApprenticeFactory, CalendarFactory, CohortFactory, ContractFactory
from tests.core.factories import AcademicYearFactory, UserFactory

D = datetime.date
FIRST_COMPANY_END = D(2030, 10, 26)
SECOND_COMPANY_END = D(2030, 12, 21)


@pytest.fixture(autouse=True)
def livret_settings(settings):
    settings.LIVRET_SHEET_OPEN_DAYS_BEFORE = 7
    settings.LIVRET_SHEET_CATCH_UP_DAYS = 60
    settings.LIVRET_SHEET_DUE_DAYS = 14


@pytest.fixture
def year(db):
    return AcademicYearFactory(start_year=2030)


@pytest.fixture
def calendar(year):
    cohort = CohortFactory(entry_year=year)
    return CalendarFactory(diploma=cohort.diploma, academic_year=year, year_of_study=1)


def contract_on(calendar, **kwargs):
    cohort = calendar.diploma.cohorts.get()
    kwargs.setdefault("start_date", D(2030, 9, 1))
    kwargs.setdefault("planned_end_date", D(2032, 8, 31))
    return ContractFactory(
        apprentice=ApprenticeFactory(organisation=calendar.diploma.organisation, cohort=cohort), **kwargs
    )


def company_periods(calendar):
    return list(calendar.periods.filter(kind=AlternancePeriod.Kind.COMPANY).order_by("start_date"))


def test_the_calendar_is_the_one_described(calendar):
    periods = company_periods(calendar)

    assert [(p.start_date, p.end_date) for p in periods[:2]] == [
        (D(2030, 9, 29), FIRST_COMPANY_END),
        (D(2030, 11, 24), SECOND_COMPANY_END),
    ]


@pytest.mark.parametrize(
    ("today", "ends"),
    [
        (D(2030, 10, 18), []),  # eight days before the end: not yet
        (D(2030, 10, 19), [FIRST_COMPANY_END]),  # seven days before
        (D(2030, 10, 26), [FIRST_COMPANY_END]),  # the last day
        (D(2030, 12, 14), [FIRST_COMPANY_END, SECOND_COMPANY_END]),  # caught up, and the next one
        (D(2030, 12, 25), [FIRST_COMPANY_END, SECOND_COMPANY_END]),  # 60 days after the first end
        (D(2030, 12, 26), [SECOND_COMPANY_END]),  # 61 days after: too old to catch up
    ],
)
def test_sheets_open_for_periods_ending_soon_or_ended_recently(calendar, today, ends):
    contract = contract_on(calendar)

    created = services.open_due_sheets(today=today)

    sheets = LiaisonSheet.objects.filter(contract=contract).order_by("period__start_date")
    assert [sheet.period.end_date for sheet in sheets] == ends
    assert created == len(ends)
    assert all((s.status, s.version, s.is_current) == ("draft", 1, True) for s in sheets)


def test_due_date_is_the_next_school_period_start_plus_the_due_days(calendar, settings):
    settings.LIVRET_SHEET_DUE_DAYS = 10
    contract = contract_on(calendar)

    services.open_due_sheets(today=D(2030, 10, 20))

    sheet = LiaisonSheet.objects.get(contract=contract)
    assert sheet.due_date == D(2030, 10, 27) + datetime.timedelta(days=10)


def test_due_date_of_the_last_company_period_counts_from_three_days_after_its_end(year):
    cohort = CohortFactory(entry_year=year)
    calendar = CalendarFactory(diploma=cohort.diploma, academic_year=year, periods=2)  # school, company
    contract = contract_on(calendar)

    services.open_due_sheets(today=FIRST_COMPANY_END)

    sheet = LiaisonSheet.objects.get(contract=contract)
    assert sheet.due_date == FIRST_COMPANY_END + datetime.timedelta(days=3 + 14)


def test_opening_twice_opens_nothing_the_second_time(calendar):
    contracts = [contract_on(calendar) for _ in range(3)]
    today = D(2030, 12, 14)

    first = services.open_due_sheets(today=today)
    sheets = set(LiaisonSheet.objects.values_list("pk", "contract_id", "period_id"))
    second = services.open_due_sheets(today=today)

    assert (first, second) == (6, 0)
    assert set(LiaisonSheet.objects.values_list("pk", "contract_id", "period_id")) == sheets
    assert {contract_id for _pk, contract_id, _period in sheets} == {c.pk for c in contracts}
    assert AuditEvent.objects.filter(action="livret.liaisonsheet.opened").count() == 6


def test_opening_says_it_wrote_sheets_without_save(calendar):
    """``bulk_create`` sends no ``post_save``: what keeps a copy of the sheets (the dashboards) is told."""
    contract_on(calendar)
    sent = []

    def receive(sender, *, models, **kwargs):
        sent.append(models)

    records_written.connect(receive)
    try:
        assert services.open_due_sheets(today=D(2030, 12, 14)) == 2
        assert services.open_due_sheets(today=D(2030, 12, 14)) == 0
    finally:
        records_written.disconnect(receive)
    assert sent == [(LiaisonSheet,)]


def test_a_corrected_sheet_does_not_open_again(calendar):
    contract = contract_on(calendar)
    services.open_due_sheets(today=FIRST_COMPANY_END)
    sheet = LiaisonSheet.objects.get(contract=contract)
    LiaisonSheet.objects.filter(pk=sheet.pk).update(status=LiaisonSheet.Status.COUNTERSIGNED)
    staff = UserFactory(organisation=contract.diploma.organisation, roles=[Role.STAFF])
    services.correct(sheet=sheet, by=staff)

    assert services.open_due_sheets(today=FIRST_COMPANY_END) == 0
    assert LiaisonSheet.objects.filter(contract=contract).count() == 2


@pytest.mark.parametrize(
    "contract_kwargs",
    [
        # The factory's rupture comes 60 days after the start: before or after today (20 Oct.).
        pytest.param({"ruptured": True, "start_date": D(2030, 9, 1)}, id="ruptured-soon"),
        pytest.param({"ruptured": True, "start_date": D(2030, 8, 1)}, id="ruptured"),
        pytest.param({"status": Contract.Status.ABANDONED}, id="abandoned"),
        pytest.param({"status": Contract.Status.COMPLETED}, id="completed"),
        pytest.param({"start_date": D(2030, 11, 1)}, id="starts-after-the-period"),
        pytest.param(
            {"start_date": D(2028, 9, 1), "planned_end_date": D(2030, 10, 1)}, id="ended-before-today"
        ),
    ],
)
def test_contracts_not_running_get_no_sheet(calendar, contract_kwargs):
    contract = contract_on(calendar, **contract_kwargs)
    running = contract_on(calendar)

    services.open_due_sheets(today=D(2030, 10, 20))

    assert not LiaisonSheet.objects.filter(contract=contract).exists()
    assert LiaisonSheet.objects.filter(contract=running).count() == 1


def test_a_contract_ending_before_the_period_gets_no_sheet_for_it(calendar):
    contract = contract_on(calendar, planned_end_date=D(2030, 12, 1))

    services.open_due_sheets(today=D(2030, 11, 30))

    assert [s.period.end_date for s in LiaisonSheet.objects.filter(contract=contract)] == [FIRST_COMPANY_END]


def test_no_sheet_without_a_calendar_for_the_apprentices_year_of_study(year):
    cohort = CohortFactory(entry_year=AcademicYearFactory(start_year=2029))  # second year in 2030-2031
    CalendarFactory(diploma=cohort.diploma, academic_year=year, year_of_study=1)
    contract = ContractFactory(
        apprentice=ApprenticeFactory(organisation=cohort.diploma.organisation, cohort=cohort),
        start_date=D(2029, 9, 1),
        planned_end_date=D(2031, 8, 31),
    )

    assert services.open_due_sheets(today=D(2030, 10, 20)) == 0
    assert not LiaisonSheet.objects.filter(contract=contract).exists()


def test_the_command_prints_how_many_sheets_it_opened(calendar):
    contract_on(calendar)
    contract_on(calendar)
    out = StringIO()

    call_command("open_due_sheets", "--date", "2030-10-20", stdout=out)
    call_command("open_due_sheets", "--date", "2030-10-20", stdout=out)

    assert out.getvalue().splitlines() == [
        "Fiches de liaison ouvertes : 2.",
        "Fiches de liaison ouvertes : 0.",
    ]


def test_the_command_refuses_a_malformed_date(db):
    with pytest.raises(CommandError, match="Date invalide"):
        call_command("open_due_sheets", "--date", "20/10/2030")


def test_the_task_opens_the_sheets_of_the_given_day(calendar):
    contract_on(calendar)

    assert tasks.open_due_sheets.delay("2030-10-20").get() == 1
    assert tasks.open_due_sheets.delay("2030-10-20").get() == 0
