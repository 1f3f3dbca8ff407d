"""The livret factories give the states they name."""

import pytest

from core.workflow.signatures import signatures_of
from livret.models import LiaisonSheet
from tests.livret.factories import LiaisonSheetFactory

SheetStatus = LiaisonSheet.Status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("traits", "status", "acts"),
    [
        ({}, SheetStatus.DRAFT, []),
        ({"submitted": True}, SheetStatus.SUBMITTED, ["submit"]),
        ({"countersigned": True}, SheetStatus.COUNTERSIGNED, ["submit", "countersign"]),
        ({"reviewed": True}, SheetStatus.REVIEWED, ["submit", "countersign"]),
        ({"returned": True}, SheetStatus.RETURNED, []),
    ],
)
def test_factory_traits_give_the_state_and_its_signatures(traits, status, acts):
    sheet = LiaisonSheetFactory(**traits)

    sheet.refresh_from_db()
    assert sheet.status == status
    assert [s.act for s in signatures_of(sheet)] == acts
    assert sheet.period.kind == "company"
    assert bool(sheet.activities) == (status != SheetStatus.DRAFT)


@pytest.mark.django_db
def test_factory_gives_each_sheet_of_a_contract_its_own_company_period():
    first = LiaisonSheetFactory(countersigned=True)
    second = LiaisonSheetFactory(contract=first.contract)

    assert second.period != first.period
    assert second.period.kind == "company"
    assert second.period.start_date > first.period.start_date
