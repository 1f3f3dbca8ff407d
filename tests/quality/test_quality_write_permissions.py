"""Who may write in the quality app: a write by someone who may not edit the diploma is denied and
writes nothing, closing a campaign, another diploma's requirement, requesting a computation."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from apprentices.models import Diploma
from core.models import Role
from core.workflow import Refusal
from quality.models import (
    Attestation,
    Campaign,
    ComputationRun,
    IndicatorValue,
    Milestone,
    Perimeter,
    Requirement,
)
from quality.services import campaigns, computation, evidence
from tests.core.factories import UserFactory
from tests.quality import quality_services_support
from tests.quality.quality_services_support import WRITES, counts, last_year, quality_writes

# Shared fixtures: pytest finds a fixture by its name in the test module.
_media = quality_services_support._media


# Permissions -------------------------------------------------------------------------------------


def forbidden_writes(world, user, diploma):
    return quality_writes(world, user=user, diploma=diploma, year=world.academic_year)


@pytest.mark.parametrize(
    "who", ["company_tutor_of_the_diploma", "head_of_another_diploma", "staff_of_another_organisation"]
)
@pytest.mark.parametrize(
    "write",
    [w for w in WRITES if w != "request_computation"] + ["add_establishment_evidence", "close_campaign"],
)
def test_a_write_by_someone_who_may_not_edit_the_diploma_is_denied_and_writes_nothing(world, who, write):
    user, diploma = {
        "company_tutor_of_the_diploma": (world.users["company_tutor"], world.mine.diploma),
        "head_of_another_diploma": (world.users["head_of_diploma"], world.other.diploma),
        "staff_of_another_organisation": (
            UserFactory(organisation=world.other_organisation, roles=[Role.STAFF], is_staff=True),
            world.mine.diploma,
        ),
    }[who]
    writes = forbidden_writes(world, user, diploma)
    before = counts()

    with pytest.raises(PermissionDenied):
        writes[write]()

    assert counts() == before


@pytest.mark.parametrize("role", ["head_of_diploma", "staff"])
def test_a_head_or_staff_may_not_close_a_campaign(world, role):
    before = counts()
    with pytest.raises(PermissionDenied, match="administrateur"):
        campaigns.close_campaign(
            organisation_id=world.organisation.pk, year=last_year(world), by=world.users[role]
        )
    assert counts() == before


def test_a_jalon_requirement_of_another_diploma_cannot_be_attested(world):
    other = Milestone.objects.create(
        diploma=world.other.diploma,
        academic_year=world.academic_year,
        perimeter=Perimeter.objects.get(code="2.1"),
        rank=1,
        title="Palier d'une autre formation",
    )
    requirement = Requirement.objects.create(
        milestone=other, kind="checklist", label="Point de l'autre formation"
    )
    with pytest.raises(Refusal, match="autre formation"):
        evidence.attest(
            requirement=requirement,
            diploma=world.mine.diploma,
            year=world.academic_year,
            statement="Fait.",
            by=world.users["head_of_diploma"],
        )
    assert not Attestation.objects.exists()


@pytest.mark.parametrize("role", ["company_tutor", "apprentice", "school_tutor"])
def test_only_the_quality_team_and_heads_may_request_a_recomputation(world, role):
    with pytest.raises(PermissionDenied):
        computation.request_computation(
            organisation_id=world.organisation.pk, year=world.academic_year, by=world.users[role]
        )
    assert not ComputationRun.objects.exists()
    run = computation.request_computation(
        organisation_id=world.organisation.pk, year=world.academic_year, by=world.users["head_of_diploma"]
    )
    assert run.requested_by == world.users["head_of_diploma"]


def test_the_command_leaves_out_an_organisation_whose_year_is_closed(world):
    Campaign.objects.create(
        organisation=world.organisation,
        academic_year=world.academic_year,
        snapshot={"diplomas": []},
        sha256="0" * 64,
    )
    out = StringIO()
    call_command("compute_indicators", year=world.academic_year.label, stdout=out)
    computed = set(IndicatorValue.objects.values_list("diploma__organisation", flat=True))
    assert computed == {world.other_organisation.pk}
    left_out = Diploma.objects.filter(organisation=world.organisation).count()
    assert (
        f"Formations laissées de côté, leur campagne {world.academic_year.label} étant close : {left_out}."
        in out.getvalue()
    )
