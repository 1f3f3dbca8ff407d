"""The booklet's filtered lists (liaison sheets, the register of visits, mission descriptions) and
their CSV exports."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apprentices.models import Contract
from livret.models import LiaisonSheet, MissionDescription, VisitReport
from tests.conftest import ORGANISATION_WIDE, ROLES, grow
from tests.core.factories import AcademicYearFactory
from tests.helpers import assert_marked_in_error, csv_of, listed, text_of
from tests.livret.factories import LiaisonSheetFactory, MissionDescriptionFactory, VisitReportFactory

TODAY = timezone.localdate
SHEETS, SHEETS_CSV = reverse("livret:sheet_list"), reverse("livret:sheet_export")
VISITS, VISITS_CSV = reverse("livret:visit_report_list"), reverse("livret:visit_report_export")
MISSIONS, MISSIONS_CSV = reverse("livret:mission_list"), reverse("livret:mission_export")
# session, user, roles, count, keys and rows of the page (core.viewutils.NarrowPaginator), the choices
# of the contract's filters (diplomas, cohorts, employers, school tutors)
LIST_QUERIES = 10
# + the academic years of the mission filter
MISSION_LIST_QUERIES = 11
# session, user, roles, the rows read in chunks
EXPORT_QUERIES = 4


def days(n: int) -> datetime.date:
    return TODAY() + datetime.timedelta(days=n)


def new_contracts(world, n):
    """``n`` more contracts that staff sees."""
    before = set(Contract.objects.values_list("pk", flat=True))
    grow(world, "staff", n)
    return list(Contract.objects.exclude(pk__in=before).filter(diploma__organisation=world.organisation))


def chains_seen_by(role) -> list[str]:
    return ["mine", "other"] if role in ORGANISATION_WIDE else ["mine"]


# Liaison sheets ------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [3, 10])
def test_sheet_list_and_export_run_a_fixed_number_of_queries(client, world, django_assert_num_queries, extra):
    for contract in [world.mine.contract, *new_contracts(world, extra)]:
        LiaisonSheetFactory(contract=contract, submitted=True)
    client.force_login(world.users["staff"])
    query = {"status": "submitted", "order": "apprentice"}

    with django_assert_num_queries(LIST_QUERIES):
        page = client.get(SHEETS, query)
    with django_assert_num_queries(EXPORT_QUERIES):
        rows = csv_of(client.get(SHEETS_CSV, query))

    assert len(listed(page)) == 1 + extra
    assert len(rows) == 2 + extra


@pytest.mark.parametrize("role", ROLES)
def test_sheet_list_and_export_hold_only_the_sheets_the_role_sees(client, world, role):
    sheets = {
        chain: LiaisonSheetFactory(contract=getattr(world, chain).contract)
        for chain in ("mine", "other", "foreign")
    }
    client.force_login(world.users[role])
    expected = {sheets[chain] for chain in chains_seen_by(role)}

    page = client.get(SHEETS)
    rows = csv_of(client.get(SHEETS_CSV))

    assert set(listed(page)) == expected
    assert sorted(row[0] for row in rows[1:]) == sorted(s.contract.apprentice.last_name for s in expected)


@pytest.fixture
def sheets(world):
    """``late`` (mine, submitted, was due three days ago), ``next`` (mine, the next company period,
    draft) and ``other`` (countersigned)."""
    late = LiaisonSheetFactory(contract=world.mine.contract, submitted=True, due_date=days(-3))
    return {
        "late": late,
        "next": LiaisonSheetFactory(contract=world.mine.contract),
        "other": LiaisonSheetFactory(contract=world.other.contract, countersigned=True),
    }


SHEET_FILTERS = {
    "q": (lambda w, s: {"q": w.other.apprentice.last_name}, {"other"}),
    "status": (lambda w, s: {"status": LiaisonSheet.Status.COUNTERSIGNED}, {"other"}),
    "late": (lambda w, s: {"late": "yes"}, {"late"}),
    "not late": (lambda w, s: {"late": "no"}, {"next", "other"}),
    "diploma": (lambda w, s: {"diploma": w.mine.diploma.pk}, {"late", "next"}),
    "cohort": (lambda w, s: {"cohort": w.other.apprentice.cohort_id}, {"other"}),
    "employer": (lambda w, s: {"employer": w.other.employer.pk}, {"other"}),
    "school_tutor": (lambda w, s: {"school_tutor": w.mine.school_tutor.pk}, {"late", "next"}),
    "period after": (lambda w, s: {"period_after": s["next"].period.start_date.isoformat()}, {"next"}),
    "period before": (
        lambda w, s: {"period_before": s["late"].period.end_date.isoformat()},
        {"late", "other"},
    ),
    "due before": (lambda w, s: {"due_before": TODAY().isoformat()}, {"late"}),
    "due after": (lambda w, s: {"due_after": TODAY().isoformat()}, {"next", "other"}),
}


@pytest.mark.parametrize("case", SHEET_FILTERS, ids=list(SHEET_FILTERS))
def test_each_sheet_filter_narrows_the_list_and_its_export_alike(client, world, sheets, case):
    params, expected_keys = SHEET_FILTERS[case]
    client.force_login(world.users["staff"])
    query = params(world, sheets)

    page = client.get(SHEETS, query)
    rows = csv_of(client.get(SHEETS_CSV, query))

    assert set(listed(page)) == {sheets[key] for key in expected_keys}
    assert len(rows) == 1 + len(expected_keys)


def test_sheets_come_latest_period_first_and_the_export_follows(client, world, sheets):
    client.force_login(world.users["staff"])

    page = listed(client.get(SHEETS))
    response = client.get(SHEETS_CSV)
    rows = csv_of(response)

    assert page[0] == sheets["next"]
    assert response["Content-Disposition"].startswith('attachment; filename="fiches-de-liaison-')
    header = rows[0]
    assert [row[header.index("Période en entreprise du")] for row in rows[1:]] == [
        s.period.start_date.strftime("%d/%m/%Y") for s in page
    ]
    late = next(row for row in rows[1:] if row[header.index("À rendre le")] == days(-3).strftime("%d/%m/%Y"))
    assert late[header.index("En retard")] == "Oui"
    assert late[header.index("État")] == "Transmise au maître d'apprentissage"


def test_an_invalid_sheet_date_shows_no_rows_and_marks_the_field(client, world, sheets):
    client.force_login(world.users["staff"])
    query = {"period_after": "2025-13-45"}

    page = client.get(SHEETS, query)

    assert_marked_in_error(page, "period_after")
    assert "Saisissez une date valide." in text_of(page)
    assert len(csv_of(client.get(SHEETS_CSV, query))) == 1


# The register of visits ----------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [3, 10])
def test_visit_register_and_export_run_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, extra
):
    for contract in [world.mine.contract, *new_contracts(world, extra)]:
        VisitReportFactory(contract=contract, planned_date=days(-20), reported=True)
    client.force_login(world.users["staff"])
    query = {"status": VisitReport.Status.REPORTED, "date_before": TODAY().isoformat()}

    with django_assert_num_queries(LIST_QUERIES):
        page = client.get(VISITS, query)
    with django_assert_num_queries(EXPORT_QUERIES):
        rows = csv_of(client.get(VISITS_CSV, query))

    assert len(listed(page)) == 1 + extra
    assert len(rows) == 2 + extra


@pytest.mark.parametrize("role", ROLES)
def test_visit_register_and_export_hold_only_the_visits_the_role_sees(client, world, role):
    visits = {
        chain: VisitReportFactory(contract=getattr(world, chain).contract)
        for chain in ("mine", "other", "foreign")
    }
    client.force_login(world.users[role])
    expected = {visits[chain] for chain in chains_seen_by(role)}

    page = client.get(VISITS)
    rows = csv_of(client.get(VISITS_CSV))

    assert page.status_code == 200
    assert set(listed(page)) == expected
    assert len(rows) == 1 + len(expected)


@pytest.fixture
def visits(world):
    """``planned`` (mine, in ten days), ``held`` (mine, the start meeting a month ago, by video) and
    ``cancelled`` (other, five days ago)."""
    return {
        "planned": VisitReportFactory(contract=world.mine.contract, planned_date=days(10)),
        "held": VisitReportFactory(
            contract=world.mine.contract,
            planned_date=days(-32),
            held_on=days(-30),
            reported=True,
            is_start_meeting=True,
            mode=VisitReport.Mode.VIDEO,
        ),
        "cancelled": VisitReportFactory(contract=world.other.contract, planned_date=days(-5), cancelled=True),
    }


VISIT_FILTERS = {
    "q": (lambda w: {"q": w.other.employer.legal_name}, {"cancelled"}),
    "status": (lambda w: {"status": VisitReport.Status.PLANNED}, {"planned"}),
    "mode": (lambda w: {"mode": VisitReport.Mode.VIDEO}, {"held"}),
    "start meeting": (lambda w: {"start_meeting": "yes"}, {"held"}),
    "diploma": (lambda w: {"diploma": w.other.diploma.pk}, {"cancelled"}),
    "school_tutor": (lambda w: {"school_tutor": w.mine.school_tutor.pk}, {"planned", "held"}),
    # The day of a visit is the day it was held, else the day it is planned.
    "held after": (lambda w: {"date_after": days(-31).isoformat()}, {"held", "planned", "cancelled"}),
    "between": (
        lambda w: {"date_after": days(-30).isoformat(), "date_before": days(0).isoformat()},
        {"held", "cancelled"},
    ),
    "before": (lambda w: {"date_before": days(-31).isoformat()}, set()),
}


@pytest.mark.parametrize("case", VISIT_FILTERS, ids=list(VISIT_FILTERS))
def test_each_visit_filter_narrows_the_register_and_its_export_alike(client, world, visits, case):
    params, expected_keys = VISIT_FILTERS[case]
    client.force_login(world.users["staff"])
    query = params(world)

    page = client.get(VISITS, query)
    rows = csv_of(client.get(VISITS_CSV, query))

    assert set(listed(page)) == {visits[key] for key in expected_keys}
    assert len(rows) == 1 + len(expected_keys)


def test_visits_come_latest_first_and_the_export_follows_in_french(client, world, visits):
    client.force_login(world.users["staff"])

    page = listed(client.get(VISITS))
    oldest_first = listed(client.get(VISITS, {"order": "date"}))
    rows = csv_of(client.get(VISITS_CSV))

    assert page == [visits["planned"], visits["cancelled"], visits["held"]]
    assert oldest_first == page[::-1]
    header = rows[0]
    held = rows[3]
    assert held[header.index("Date")] == days(-30).strftime("%d/%m/%Y")
    assert held[header.index("Modalité")] == "Visioconférence"
    assert held[header.index("Entretien de démarrage")] == "Oui"
    assert rows[2][header.index("Motif d'annulation")] == "Entreprise fermée ce jour-là."


@pytest.mark.parametrize(
    ("field", "value"), [("mode", "télépathie"), ("date_after", "2025-13-45"), ("order", "pk")]
)
def test_an_invalid_visit_filter_shows_no_rows_and_marks_the_field(client, world, visits, field, value):
    client.force_login(world.users["staff"])

    assert_marked_in_error(client.get(VISITS, {field: value}), field)
    assert len(csv_of(client.get(VISITS_CSV, {field: value}))) == 1


def test_the_follow_up_of_visits_links_to_the_register(client, world):
    client.force_login(world.users["school_tutor"])

    assert f'href="{VISITS}"' in client.get(reverse("livret:visit_list")).content.decode()


# Mission descriptions ------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [3, 10])
def test_mission_list_and_export_run_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, extra
):
    for contract in [world.mine.contract, *new_contracts(world, extra)]:
        MissionDescriptionFactory(contract=contract)
    client.force_login(world.users["staff"])
    query = {"status": MissionDescription.Status.DRAFT, "order": "apprentice"}

    with django_assert_num_queries(MISSION_LIST_QUERIES):
        page = client.get(MISSIONS, query)
    with django_assert_num_queries(EXPORT_QUERIES):
        rows = csv_of(client.get(MISSIONS_CSV, query))

    assert len(listed(page)) == 1 + extra
    assert len(rows) == 2 + extra


@pytest.mark.parametrize("role", ROLES)
def test_mission_export_holds_only_the_descriptions_the_role_sees(client, world, role):
    missions = {
        chain: MissionDescriptionFactory(contract=getattr(world, chain).contract, submitted=True)
        for chain in ("mine", "other", "foreign")
    }
    client.force_login(world.users[role])

    rows = csv_of(client.get(MISSIONS_CSV))

    expected = [missions[chain] for chain in chains_seen_by(role)]
    assert sorted(row[0] for row in rows[1:]) == sorted(m.contract.apprentice.last_name for m in expected)


@pytest.fixture
def missions(world):
    """``draft`` (mine, this year), ``submitted`` (other, this year, five days ago) and ``old``
    (mine, validated, last year)."""
    last_year = AcademicYearFactory(start_year=world.academic_year.start_date.year - 1)
    submitted = MissionDescriptionFactory(contract=world.other.contract, submitted=True)
    MissionDescription.objects.filter(pk=submitted.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=5)
    )
    return {
        "draft": MissionDescriptionFactory(contract=world.mine.contract),
        "submitted": submitted,
        "old": MissionDescriptionFactory(
            contract=world.mine.contract, academic_year=last_year, validated=True
        ),
    }


MISSION_FILTERS = {
    "q": (lambda w: {"q": w.other.apprentice.last_name}, {"submitted"}),
    "status": (lambda w: {"status": MissionDescription.Status.VALIDATED}, {"old"}),
    "academic year": (lambda w: {"academic_year": w.academic_year.pk}, {"draft", "submitted"}),
    "diploma": (lambda w: {"diploma": w.mine.diploma.pk}, {"draft", "old"}),
    "employer": (lambda w: {"employer": w.other.employer.pk}, {"submitted"}),
    "submitted before": (lambda w: {"submitted_before": days(-1).isoformat()}, {"submitted"}),
    "submitted after": (lambda w: {"submitted_after": days(-1).isoformat()}, {"old"}),
}


@pytest.mark.parametrize("case", MISSION_FILTERS, ids=list(MISSION_FILTERS))
def test_each_mission_filter_narrows_the_list_and_its_export_alike(client, world, missions, case):
    params, expected_keys = MISSION_FILTERS[case]
    client.force_login(world.users["staff"])
    query = params(world)

    page = client.get(MISSIONS, query)
    rows = csv_of(client.get(MISSIONS_CSV, query))

    assert set(listed(page)) == {missions[key] for key in expected_keys}
    assert len(rows) == 1 + len(expected_keys)


def test_the_mission_export_follows_the_list_order(client, world, missions):
    client.force_login(world.users["staff"])
    query = {"order": "submitted"}

    page = listed(client.get(MISSIONS, query))
    rows = csv_of(client.get(MISSIONS_CSV, query))

    assert page == [missions["submitted"], missions["old"], missions["draft"]]
    header = rows[0]
    assert [row[header.index("Année scolaire")] for row in rows[1:]] == [m.academic_year.label for m in page]
    assert rows[1][header.index("État")] == "Soumise au responsable de formation"


def test_a_heads_export_also_holds_what_waits_for_their_decision(client, world):
    waiting = MissionDescriptionFactory(contract=world.mine.contract, submitted=True)
    client.force_login(world.users["head_of_diploma"])

    page = client.get(MISSIONS)
    rows = csv_of(client.get(MISSIONS_CSV))

    assert page.context["waiting"] == [waiting]
    assert listed(page) == []
    assert [row[0] for row in rows[1:]] == [world.mine.apprentice.last_name]


@pytest.mark.parametrize(
    ("field", "value"), [("academic_year", "999999"), ("status", "perdue"), ("submitted_after", "32/01/2025")]
)
def test_an_invalid_mission_filter_shows_no_rows_and_marks_the_field(client, world, missions, field, value):
    client.force_login(world.users["staff"])

    assert_marked_in_error(client.get(MISSIONS, {field: value}), field)
    assert len(csv_of(client.get(MISSIONS_CSV, {field: value}))) == 1
