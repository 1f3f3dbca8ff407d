"""The dashboard's documents of its contracts: a join along the one path the person sees contracts by,
else their keys in a subquery; either way the same rows as ``contract__in`` the scope's contracts."""

import datetime
import itertools

import pytest
from django.db import connection
from django.utils import timezone

from apprentices.models import Contract
from core.models import Role
from livret.models import LiaisonSheet, MissionDescription
from reports import dashboard as board
from tests.apprentices.factories import ContractFactory
from tests.core.factories import UserFactory
from tests.livret.factories import LiaisonSheetFactory, MissionDescriptionFactory

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def _documents(world):
    """Sheets and missions on running contracts of each chain, and on contracts that ended (ruptured
    yesterday, over last month, signed to start next week), in both organisations."""
    for chain in (world.mine, world.other, world.foreign):
        contracts = [
            chain.contract,
            ContractFactory(
                apprentice=chain.apprentice,
                diploma=chain.diploma,
                school_tutor=chain.school_tutor,
                status=Contract.Status.RUPTURED,
                start_date=TODAY() - 200 * DAY,
                rupture_date=TODAY() - DAY,
            ),
            ContractFactory(
                apprentice=chain.apprentice,
                diploma=chain.diploma,
                school_tutor=chain.school_tutor,
                start_date=TODAY() - 400 * DAY,
                planned_end_date=TODAY() - 30 * DAY,
            ),
            ContractFactory(
                apprentice=chain.apprentice,
                diploma=chain.diploma,
                school_tutor=chain.school_tutor,
                start_date=TODAY() + 7 * DAY,
            ),
        ]
        for contract in contracts:
            LiaisonSheetFactory(contract=contract, due_date=TODAY() - 3 * DAY)
            MissionDescriptionFactory(contract=contract, submitted=True)


def _filters(world):
    return [
        {},
        {"diploma": world.other.diploma},
        {"cohort": world.mine.apprentice.cohort},
        {"school_tutor": world.other.school_tutor},
    ]


def _expected(scope, model, running):
    contracts = scope.running_contracts() if running else scope.contracts()
    return set(model.objects.filter(contract__in=contracts).values_list("pk", flat=True))


@pytest.mark.parametrize("role", ["school_tutor", "head_of_diploma", "staff", "admin"])
def test_the_documents_of_a_scope_are_those_of_its_contracts(world, role):
    _documents(world)
    for filters, running, model in itertools.product(
        _filters(world), (False, True), (LiaisonSheet, MissionDescription)
    ):
        scope = board.Scope(user=world.users[role], year=world.academic_year, today=TODAY(), **filters)
        found = set(scope.of_contracts(model.objects.all(), running=running).values_list("pk", flat=True))
        assert found == _expected(scope, model, running), (role, filters, running, model)
    # Something to compare: the staff's whole scope holds both chains' documents, not the other
    # organisation's, and the running ones only the running contracts'.
    staff = board.Scope(user=world.users["staff"], year=world.academic_year, today=TODAY())
    assert staff.of_contracts(LiaisonSheet.objects.all()).count() == 8
    assert staff.of_contracts(LiaisonSheet.objects.all(), running=True).count() == 2


def _sql(queryset) -> str:
    return str(queryset.query)


def test_the_staff_reach_their_documents_by_a_join_not_by_every_contracts_key(world):
    staff = board.Scope(user=world.users["staff"], year=world.academic_year, today=TODAY())
    sql = _sql(staff.of_contracts(LiaisonSheet.objects.all(), running=True))
    assert "IN (SELECT" not in sql
    assert f'"organisation_id" = {world.organisation.pk}' in sql
    # A school tutor sees contracts along one path too.
    tutor = board.Scope(user=world.users["school_tutor"], year=world.academic_year, today=TODAY())
    assert "IN (SELECT" not in _sql(tutor.of_contracts(LiaisonSheet.objects.all()))


def test_a_head_reaches_contracts_through_several_diplomas_so_by_their_keys(world):
    head = board.Scope(user=world.users["head_of_diploma"], year=world.academic_year, today=TODAY())
    assert "IN (SELECT" in _sql(head.of_contracts(LiaisonSheet.objects.all()))


def test_a_person_with_two_roles_reaches_by_keys_and_sees_both_shares(world):
    _documents(world)
    both = UserFactory(organisation=world.organisation, roles=[Role.SCHOOL_TUTOR, Role.HEAD_OF_DIPLOMA])
    world.other.diploma.heads.add(both)
    world.mine.school_tutor.user = both
    world.mine.school_tutor.save()
    scope = board.Scope(user=both, year=world.academic_year, today=TODAY())
    assert Contract.objects.reached_through(both, "contract__") is None
    found = set(scope.of_contracts(LiaisonSheet.objects.all()).values_list("pk", flat=True))
    assert found == _expected(scope, LiaisonSheet, False)
    assert len(found) == 8  # four contracts of each chain


def test_an_invalid_scope_reaches_nothing(world):
    _documents(world)
    scope = board.Scope(user=world.users["staff"], year=world.academic_year, today=TODAY(), invalid=True)
    assert not scope.of_contracts(LiaisonSheet.objects.all()).exists()


def test_the_platform_administrator_reaches_every_organisation(world):
    _documents(world)
    root = UserFactory(organisation=None, is_superuser=True, is_staff=True)
    assert Contract.objects.reached_through(root, "contract__") is not None
    scope = board.Scope(user=root, year=world.academic_year, today=TODAY())
    assert scope.of_contracts(LiaisonSheet.objects.all()).count() == 12


@pytest.mark.skipif(connection.vendor != "postgresql", reason="covering indexes: PostgreSQL only")
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "include"),
    [
        ("sheet_current_status_due_idx", "INCLUDE (contract_id, id)"),
        ("sheet_current_due_idx", "INCLUDE (contract_id, countersigned_at, id)"),
    ],
)
def test_the_sheets_dashboard_counts_read_are_covered_by_their_index(name, include):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        (definition,) = cursor.fetchone()
    assert include in definition
    assert "WHERE is_current" in definition
