"""The copies of what the liaison sheets' and the mission descriptions' lists sort by (a period's or an
academic year's start, the apprentice's name: ``core.copies``): kept by the database's triggers whichever
way a row is written, on the database the tests run on, so that each list sorted by the copies is the
list sorted through the joins."""

import datetime
from dataclasses import dataclass

import pytest

from apprentices.models import AlternancePeriod, Apprentice, Contract
from core import csvexport
from core.models import AcademicYear
from livret.filters import APPRENTICE_ORDER, SUBMITTED_FIRST, MissionFilterSet, SheetFilterSet
from livret.models import LiaisonSheet, MissionDescription
from tests.apprentices.factories import ApprenticeFactory
from tests.conftest import grow
from tests.core.factories import AcademicYearFactory
from tests.livret.factories import LiaisonSheetFactory, MissionDescriptionFactory

NAMES_COPIED = ("sort_last_name", "sort_first_name")
NAMES = ("contract__apprentice__last_name", "contract__apprentice__first_name")
# Ties on purpose: a name shared whole, a last name shared, accents and case.
PEOPLE = [
    ("Martin", "Léa"),
    ("Martin", "Léa"),
    ("Martin", "Zoé"),
    ("Durand", "Éric"),
    ("Ábel", "jo"),
    ("martin", "A"),
]


@dataclass(frozen=True, eq=False)
class Kind:
    model: type
    export: str
    filterset: type
    start: str  # the copy of the start
    start_source: str  # where it comes from
    # each order of the list as it was written before the copies: through the joins
    through_joins: dict


SHEETS = Kind(
    LiaisonSheet,
    "sheets",
    SheetFilterSet,
    "sort_period_start",
    "period__start_date",
    {
        "-period": ("-period__start_date", *APPRENTICE_ORDER),
        "period": ("period__start_date", *APPRENTICE_ORDER),
        "due": ("due_date", *APPRENTICE_ORDER),
        "apprentice": (*APPRENTICE_ORDER, "-period__start_date"),
        "status": ("status", "due_date"),
    },
)
MISSIONS = Kind(
    MissionDescription,
    "missions",
    MissionFilterSet,
    "sort_year_start",
    "academic_year__start_date",
    {
        "-year": ("-academic_year__start_date", *APPRENTICE_ORDER),
        "apprentice": (*APPRENTICE_ORDER, "-academic_year__start_date"),
        "submitted": (SUBMITTED_FIRST,),
        "status": ("status", *APPRENTICE_ORDER),
    },
)
KINDS = {"sheets": SHEETS, "missions": MISSIONS}


def copies(kind, row) -> tuple:
    return kind.model.objects.filter(pk=row.pk).values_list(kind.start, *NAMES_COPIED).get()


def sources(kind, row) -> tuple:
    return kind.model.objects.filter(pk=row.pk).values_list(kind.start_source, *NAMES).get()


def assert_every_copy_holds(kind):
    rows = kind.model.objects.values_list("pk", kind.start, *NAMES_COPIED, kind.start_source, *NAMES)
    assert rows.exists()
    for pk, *values in rows:
        assert tuple(values[:3]) == tuple(values[3:]), f"{kind.export} {pk}"


def years() -> list[AcademicYear]:
    current = AcademicYearFactory()
    return [current, *(AcademicYearFactory(start_year=current.start_date.year - n) for n in (1, 2))]


def booklets(world, role) -> list[Contract]:
    """Six more contracts that ``role`` sees, each with three sheets (the calendars' periods shared) and
    three mission descriptions (one per academic year)."""
    before = set(Contract.objects.values_list("pk", flat=True))
    grow(world, role, len(PEOPLE))
    seen = Contract.objects.visible_to(world.users[role]).exclude(pk__in=before)
    contracts = list(seen.order_by("pk")[: len(PEOPLE)])
    for index, (contract, (last, first)) in enumerate(zip(contracts, PEOPLE, strict=True)):
        Apprentice.objects.filter(pk=contract.apprentice_id).update(last_name=last, first_name=first)
        for _ in range(3):
            LiaisonSheetFactory(contract=contract)
        for year in years():
            MissionDescriptionFactory(contract=contract, academic_year=year, submitted=index % 2 == 0)
    return contracts


def listed(kind, user, order) -> list[int]:
    _filterset, rows = csvexport.filtered(kind.export, user, f"order={order}")
    return list(rows.values_list("pk", flat=True))


def through_joins(kind, user, order) -> list[int]:
    rows = csvexport.EXPORTS[kind.export].base_queryset(user).order_by(*kind.through_joins[order], "pk")
    return list(rows.values_list("pk", flat=True))


@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS)
def test_every_order_of_the_list_is_compared(kind):
    assert set(kind.filterset.base_filters["order"].orderings) == set(kind.through_joins)


@pytest.mark.parametrize(
    ("kind", "order"), [(kind, order) for kind in KINDS.values() for order in kind.through_joins]
)
@pytest.mark.parametrize("role", ["staff", "head_of_diploma", "school_tutor"])
def test_each_order_of_the_list_is_the_order_through_the_joins(world, kind, order, role):
    contracts = booklets(world, role)
    user = world.users[role]
    assert len(listed(kind, user, order)) == 3 * len(PEOPLE)
    assert listed(kind, user, order) == through_joins(kind, user, order)
    # Renamed, an apprentice's rows move in the list; a period or a year moved, its rows too.
    Apprentice.objects.filter(pk=contracts[3].apprentice_id).update(last_name="Zola")
    Apprentice.objects.filter(pk=contracts[5].apprentice_id).update(first_name="Aïcha", last_name="Martin")
    period = LiaisonSheet.objects.filter(contract=contracts[0]).latest("period__start_date").period
    AlternancePeriod.objects.filter(pk=period.pk).update(
        start_date=period.start_date - datetime.timedelta(days=1)
    )
    year = AcademicYear.objects.order_by("start_date").first()
    AcademicYear.objects.filter(pk=year.pk).update(start_date=year.start_date + datetime.timedelta(days=1))
    assert listed(kind, user, order) == through_joins(kind, user, order)
    assert_every_copy_holds(kind)


def test_a_row_written_any_way_holds_the_copies(world):
    contract = world.mine.contract
    sheet = LiaisonSheetFactory(contract=contract)
    mission = MissionDescriptionFactory(contract=contract)
    for kind, row in ((SHEETS, sheet), (MISSIONS, mission)):
        assert copies(kind, row) == sources(kind, row)
        assert row.sort_last_name == ""  # the row in memory is not read again: the database holds them

    # bulk_create, which no save() sees.
    period = LiaisonSheetFactory.build(contract=contract).period
    [bulk] = LiaisonSheet.objects.bulk_create(
        [LiaisonSheet(contract=contract, period=period, due_date=period.end_date)]
    )
    person = contract.apprentice
    assert (
        copies(SHEETS, bulk)
        == sources(SHEETS, bulk)
        == (period.start_date, person.last_name, person.first_name)
    )
    earlier = AcademicYearFactory(start_year=world.academic_year.start_date.year - 1)
    [bulk_mission] = MissionDescription.objects.bulk_create(
        [MissionDescription(contract=contract, academic_year=earlier)]
    )
    assert copies(MISSIONS, bulk_mission) == (earlier.start_date, person.last_name, person.first_name)

    # A save of the whole row with copies gone stale in memory writes the sources' values, not them.
    Apprentice.objects.filter(pk=contract.apprentice_id).update(last_name="Nouveau")
    for kind, row in ((SHEETS, sheet), (MISSIONS, mission)):
        stale = kind.model.objects.get(pk=row.pk)
        stale.sort_last_name = "Ancien"
        setattr(stale, kind.start, datetime.date(2000, 1, 1))
        stale.save()
        assert copies(kind, row) == sources(kind, row)
        assert copies(kind, row)[1] == "Nouveau"

    # Moved to another contract by QuerySet.update.
    other = world.other.contract
    LiaisonSheet.objects.filter(pk=bulk.pk).update(contract=other)
    MissionDescription.objects.filter(pk=bulk_mission.pk).update(contract=other)
    for kind, row in ((SHEETS, bulk), (MISSIONS, bulk_mission)):
        assert copies(kind, row)[1:] == (other.apprentice.last_name, other.apprentice.first_name)


def test_a_change_at_the_source_reaches_the_rows_it_concerns_only(world):
    mine = {SHEETS: LiaisonSheetFactory(contract=world.mine.contract)}
    mine[MISSIONS] = MissionDescriptionFactory(contract=world.mine.contract)
    theirs = {SHEETS: LiaisonSheetFactory(contract=world.other.contract)}
    earlier = AcademicYearFactory(start_year=world.academic_year.start_date.year - 1)
    theirs[MISSIONS] = MissionDescriptionFactory(contract=world.other.contract, academic_year=earlier)
    untouched = {kind: copies(kind, row) for kind, row in theirs.items()}

    person = Apprentice.objects.get(pk=world.mine.apprentice.pk)
    person.first_name = "Noémie"
    person.save()
    Apprentice.objects.filter(pk=person.pk).update(last_name="Effacée")  # as an erasure writes it
    for kind, row in mine.items():
        assert copies(kind, row)[1:] == ("Effacée", "Noémie")

    period = mine[SHEETS].period
    moved = period.start_date + datetime.timedelta(days=2)
    AlternancePeriod.objects.filter(pk=period.pk).update(start_date=moved)
    assert copies(SHEETS, mine[SHEETS])[0] == moved
    year = mine[MISSIONS].academic_year
    AcademicYear.objects.filter(pk=year.pk).update(start_date=year.start_date + datetime.timedelta(days=3))
    assert copies(MISSIONS, mine[MISSIONS])[0] == year.start_date + datetime.timedelta(days=3)

    newcomer = ApprenticeFactory(organisation=world.organisation, last_name="Autre", first_name="Personne")
    Contract.objects.filter(pk=world.mine.contract.pk).update(apprentice=newcomer)
    for kind, row in mine.items():
        assert copies(kind, row)[1:] == ("Autre", "Personne")

    for kind, row in theirs.items():
        assert copies(kind, row) == untouched[kind] == sources(kind, row)
