"""The liaison sheets' copies of what the lists sort by (``LiaisonSheet.sort_period_start``, the
apprentice's name): kept by the database's triggers whichever way a row is written, on the database the
tests run on, so that the list sorted by the copies is the list sorted through the joins."""

import datetime

import pytest

from apprentices.models import AlternancePeriod, Apprentice, Contract
from core import csvexport
from livret.filters import APPRENTICE_ORDER, SheetFilterSet
from livret.models import LiaisonSheet
from tests.apprentices.factories import ApprenticeFactory
from tests.conftest import grow
from tests.livret.factories import LiaisonSheetFactory

COPIES = ("sort_period_start", "sort_last_name", "sort_first_name")
SOURCES = ("period__start_date", "contract__apprentice__last_name", "contract__apprentice__first_name")
# Each order of the list as it was written before the copies: through the period and the apprentice.
THROUGH_JOINS = {
    "-period": ("-period__start_date", *APPRENTICE_ORDER),
    "period": ("period__start_date", *APPRENTICE_ORDER),
    "due": ("due_date", *APPRENTICE_ORDER),
    "apprentice": (*APPRENTICE_ORDER, "-period__start_date"),
    "status": ("status", "due_date"),
}
# Ties on purpose: a name shared whole, a last name shared, accents and case.
NAMES = [
    ("Martin", "Léa"),
    ("Martin", "Léa"),
    ("Martin", "Zoé"),
    ("Durand", "Éric"),
    ("Ábel", "jo"),
    ("martin", "A"),
]


def copies(sheet) -> tuple:
    return LiaisonSheet.objects.filter(pk=sheet.pk).values_list(*COPIES).get()


def sources(sheet) -> tuple:
    return LiaisonSheet.objects.filter(pk=sheet.pk).values_list(*SOURCES).get()


def assert_every_copy_holds():
    rows = LiaisonSheet.objects.values_list("pk", *COPIES, *SOURCES)
    assert rows.exists()
    for pk, *values in rows:
        assert tuple(values[:3]) == tuple(values[3:]), f"fiche {pk}"


def booklets(world, role) -> list[Contract]:
    """Six more contracts that ``role`` sees, three sheets each (the calendars' periods shared)."""
    before = set(Contract.objects.values_list("pk", flat=True))
    grow(world, role, len(NAMES))
    seen = Contract.objects.visible_to(world.users[role]).exclude(pk__in=before)
    contracts = list(seen.order_by("pk")[: len(NAMES)])
    for contract, (last, first) in zip(contracts, NAMES, strict=True):
        Apprentice.objects.filter(pk=contract.apprentice_id).update(last_name=last, first_name=first)
        for _ in range(3):
            LiaisonSheetFactory(contract=contract)
    return contracts


def listed(user, order) -> list[int]:
    _filterset, rows = csvexport.filtered("sheets", user, f"order={order}")
    return list(rows.values_list("pk", flat=True))


def through_joins(user, order) -> list[int]:
    rows = csvexport.EXPORTS["sheets"].base_queryset(user).order_by(*THROUGH_JOINS[order], "pk")
    return list(rows.values_list("pk", flat=True))


def test_every_order_of_the_list_is_compared():
    assert set(SheetFilterSet.base_filters["order"].orderings) == set(THROUGH_JOINS)


@pytest.mark.parametrize("order", THROUGH_JOINS)
@pytest.mark.parametrize("role", ["staff", "head_of_diploma", "school_tutor"])
def test_each_order_of_the_list_is_the_order_through_the_joins(world, order, role):
    contracts = booklets(world, role)
    user = world.users[role]
    assert len(listed(user, order)) == 3 * len(NAMES)
    assert listed(user, order) == through_joins(user, order)
    # Renamed, an apprentice's sheets move in the list; a period moved, its sheets too.
    Apprentice.objects.filter(pk=contracts[3].apprentice_id).update(last_name="Zola")
    Apprentice.objects.filter(pk=world.mine.apprentice.pk).update(first_name="Aïcha", last_name="Martin")
    period = LiaisonSheet.objects.filter(contract=contracts[0]).latest("period__start_date").period
    AlternancePeriod.objects.filter(pk=period.pk).update(
        start_date=period.start_date - datetime.timedelta(days=1)
    )
    assert listed(user, order) == through_joins(user, order)
    assert_every_copy_holds()


def test_a_sheet_written_any_way_holds_the_copies(world):
    contract = world.mine.contract
    created = LiaisonSheetFactory(contract=contract)
    assert copies(created) == sources(created)
    assert created.sort_last_name == ""  # the row in memory is not read again: the database holds them

    # bulk_create, which no save() sees.
    period = LiaisonSheetFactory.build(contract=contract).period
    [bulk] = LiaisonSheet.objects.bulk_create(
        [LiaisonSheet(contract=contract, period=period, due_date=period.end_date)]
    )
    assert (
        copies(bulk)
        == sources(bulk)
        == (period.start_date, contract.apprentice.last_name, contract.apprentice.first_name)
    )

    # A save of the whole row with copies gone stale in memory writes the sources' values, not them.
    Apprentice.objects.filter(pk=contract.apprentice_id).update(last_name="Nouveau")
    stale = LiaisonSheet.objects.get(pk=created.pk)
    stale.sort_last_name, stale.sort_period_start = "Ancien", datetime.date(2000, 1, 1)
    stale.save()
    assert copies(created) == sources(created)
    assert copies(created)[1] == "Nouveau"

    # Moved to another contract by QuerySet.update.
    other = world.other.contract
    LiaisonSheet.objects.filter(pk=bulk.pk).update(contract=other)
    assert copies(bulk)[1:] == (other.apprentice.last_name, other.apprentice.first_name)


def test_a_change_at_the_source_reaches_the_sheets_it_concerns_only(world):
    mine = LiaisonSheetFactory(contract=world.mine.contract)
    theirs = LiaisonSheetFactory(contract=world.other.contract)
    untouched = copies(theirs)

    person = Apprentice.objects.get(pk=world.mine.apprentice.pk)
    person.first_name = "Noémie"
    person.save()
    assert copies(mine)[1:] == (person.last_name, "Noémie")
    Apprentice.objects.filter(pk=person.pk).update(last_name="Erasée")  # as an erasure writes it
    assert copies(mine)[1:] == ("Erasée", "Noémie")

    period = mine.period
    AlternancePeriod.objects.filter(pk=period.pk).update(
        start_date=period.start_date + datetime.timedelta(days=2)
    )
    assert copies(mine)[0] == period.start_date + datetime.timedelta(days=2)

    newcomer = ApprenticeFactory(organisation=world.organisation, last_name="Autre", first_name="Personne")
    Contract.objects.filter(pk=world.mine.contract.pk).update(apprentice=newcomer)
    assert copies(mine)[1:] == ("Autre", "Personne")

    assert copies(theirs) == untouched == sources(theirs)
