"""``core.viewutils.NarrowPaginator`` reads a page's keys, then its rows: the same rows in the same order
as Django's paginator on the same list, for every page, every sort and with orphans; three queries a
page (the count, the keys, the rows) whatever the list's length."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apprentices.models import Apprentice, Contract
from core import csvexport
from core.models import Role, User, UserRole
from core.viewutils import NarrowPaginator
from tests.conftest import grow
from tests.core.factories import UserFactory
from tests.livret.factories import LiaisonSheetFactory, MissionDescriptionFactory


@pytest.fixture
def documents(world):
    grow(world, "staff", 7)
    contracts = Contract.objects.filter(diploma__organisation=world.organisation).order_by("pk")
    for contract in contracts:
        LiaisonSheetFactory(contract=contract)
        MissionDescriptionFactory(contract=contract)
        # Names in the reverse order of the keys: a page put back in key order would show.
        Apprentice.objects.filter(pk=contract.apprentice_id).update(last_name=f"Nom{1000 - contract.pk:04d}")
    return contracts.count()


def shown(row) -> tuple:
    """A row's key with the figures a list computes for it (a status, a count of running contracts)."""
    return (row.pk, getattr(row, "training_status", None), getattr(row, "active_contracts", None))


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("sheets", ""),
        ("sheets", "order=apprentice"),
        ("sheets", "order=due"),
        ("sheets", "order=status"),
        ("missions", ""),
        ("missions", "order=submitted"),
        ("apprentices", ""),
        ("apprentices", "order=diploma"),
        ("apprentices", "status=apprenti&order=-name"),
        ("employers", ""),
        ("employers", "order=-contracts"),
        ("tutors", ""),
        ("tutors", "order=-contracts"),
    ],
)
@pytest.mark.parametrize(("per_page", "orphans"), [(3, 0), (4, 2), (25, 0)])
def test_every_page_holds_the_rows_of_django_paginator_in_its_order(
    world, documents, name, query, per_page, orphans
):
    _filters, queryset = csvexport.filtered(name, world.users["staff"], query)
    plain = Paginator(queryset, per_page, orphans=orphans)
    narrow = NarrowPaginator(queryset, per_page, orphans=orphans)
    assert plain.count == narrow.count
    if name in ("sheets", "missions"):
        assert narrow.count == documents
    assert narrow.num_pages == plain.num_pages
    for number in plain.page_range:
        expected = [shown(row) for row in plain.page(number)]
        page = narrow.page(number)
        assert [shown(row) for row in page] == expected
        assert (page.start_index(), page.end_index()) == (
            plain.page(number).start_index(),
            plain.page(number).end_index(),
        )


def test_a_page_reads_its_rows_with_what_the_list_shows_in_three_queries(world, documents):
    _filters, queryset = csvexport.filtered("sheets", world.users["staff"], "")
    paginator = NarrowPaginator(queryset, 5)

    with CaptureQueriesContext(connection) as queries:
        page = paginator.page(1)
        names = [(str(sheet.contract.apprentice), sheet.period.start_date) for sheet in page]

    assert len(queries) == 3  # the count, the page's keys, its rows with their joins
    assert len(names) == 5


def test_an_empty_list_has_one_empty_page(world):
    _filters, queryset = csvexport.filtered("sheets", world.users["staff"], "")
    page = NarrowPaginator(queryset.none(), 25).get_page(1)
    assert list(page) == [] and page.paginator.count == 0


@pytest.mark.parametrize("name", ["sheets", "missions", "apprentices"])
def test_a_list_reached_along_two_paths_counts_and_shows_each_row_once(world, documents, name):
    """A head who also follows the diploma's apprentices as school tutor, on a diploma with a second
    head: the list's joins give each row several times, its ``DISTINCT`` once; so do the count and the
    rows read by key, without ``DISTINCT`` over every column."""
    user = world.users["school_tutor"]
    UserRole.objects.create(user=user, role=Role.HEAD_OF_DIPLOMA)
    user = User.objects.get(pk=user.pk)
    diploma = world.mine.diploma
    diploma.heads.add(user, UserFactory(organisation=world.organisation, roles=[Role.HEAD_OF_DIPLOMA]))
    _filters, queryset = csvexport.filtered(name, user, "")
    assert queryset.query.distinct
    expected = list(queryset.values_list("pk", flat=True))
    assert expected and len(expected) == len(set(expected))

    plain = Paginator(queryset, 2)
    narrow = NarrowPaginator(queryset, 2)
    assert narrow.count == plain.count == len(expected)
    listed = [row.pk for number in narrow.page_range for row in narrow.page(number)]
    assert listed == expected
