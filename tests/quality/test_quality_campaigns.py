"""Closing a year's campaign through :mod:`quality.services.campaigns`: the snapshot of every diploma,
what is refused, and every write refused in a closed year while the other organisations' stays open."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from apprentices.models import Diploma
from core.models import AuditEvent
from core.workflow import Refusal
from quality.levels import evaluate
from quality.models import Campaign
from quality.services import campaigns, computation, evidence
from tests.quality import quality_services_support
from tests.quality.quality_services_support import WRITES, counts, last_year, quality_writes, requirement

# Shared fixtures: pytest finds a fixture by its name in the test module.
_media = quality_services_support._media


def close(world, year):
    return Campaign.objects.create(
        organisation=world.organisation, academic_year=year, snapshot={"diplomas": []}, sha256="0" * 64
    )


# Campaigns ---------------------------------------------------------------------------------------


def levels(trajectory_data) -> list:
    return [
        (
            poste["number"],
            poste["label"],
            [(p["code"], p["reached"], p["label"]) for p in poste["perimeters"]],
        )
        for poste in trajectory_data["postes"]
    ]


def test_closing_a_campaign_snapshots_every_diploma_with_evaluates_levels(world):
    year = last_year(world)
    admin = world.users["admin"]
    evidence.attest(
        requirement=requirement("p3-secretariat"),
        diploma=world.mine.diploma,
        year=year,
        statement="Oui",
        by=admin,
    )

    campaign = campaigns.close_campaign(organisation_id=world.organisation.pk, year=year, by=admin)

    diplomas = list(Diploma.objects.filter(organisation=world.organisation).order_by("code"))
    assert [d["diploma"]["code"] for d in campaign.snapshot["diplomas"]] == [d.code for d in diplomas]
    trajectories = evaluate(diplomas, year)
    for diploma, frozen in zip(diplomas, campaign.snapshot["diplomas"], strict=True):
        live = trajectories[diploma.pk]
        assert levels(frozen) == [
            (p.poste.number, p.label, [(s.perimeter.code, s.reached, s.label) for s in p.perimeters])
            for p in live.postes
        ]
    assert campaign.snapshot["year"] == year.label and len(campaign.sha256) == 64
    assert AuditEvent.objects.filter(action="quality.campaign.closed").count() == 1


def test_closing_a_year_that_is_not_over_is_refused(world):
    before = counts()
    with pytest.raises(Refusal, match="n'est pas terminée"):
        campaigns.close_campaign(
            organisation_id=world.organisation.pk, year=world.academic_year, by=world.users["admin"]
        )
    assert counts() == before


def test_closing_a_year_twice_is_refused(world):
    year = last_year(world)
    campaigns.close_campaign(organisation_id=world.organisation.pk, year=year, by=world.users["admin"])
    before = counts()

    with pytest.raises(Refusal, match="est close"):
        campaigns.close_campaign(organisation_id=world.organisation.pk, year=year, by=world.users["admin"])

    assert counts() == before


def test_closing_while_a_computation_runs_is_refused(world):
    year = last_year(world)
    computation.request_computation(organisation_id=world.organisation.pk, year=year)
    before = counts()
    with pytest.raises(Refusal, match="calcul des indicateurs est en cours"):
        campaigns.close_campaign(organisation_id=world.organisation.pk, year=year, by=world.users["admin"])
    assert counts() == before


def test_a_closed_campaign_can_be_neither_saved_again_nor_deleted(world):
    campaign = close(world, last_year(world))

    campaign.snapshot = {"diplomas": ["changé"]}
    with pytest.raises(ValidationError, match="ne se modifie pas"):
        campaign.save()
    with pytest.raises(ValidationError, match="ne se supprime pas"):
        campaign.delete()

    assert Campaign.objects.get().snapshot == {"diplomas": []}


def closed_year_writes(world, year):
    return quality_writes(world, user=world.users["head_of_diploma"], diploma=world.mine.diploma, year=year)


@pytest.mark.parametrize("write", WRITES)
def test_writes_in_a_closed_campaigns_year_are_refused(world, write):
    year = last_year(world)
    close(world, year)
    writes = closed_year_writes(world, year)
    before = counts()

    with pytest.raises(Refusal, match=f"La campagne {year.label} est close"):
        writes[write]()

    assert counts() == before


def test_a_closed_campaign_leaves_the_other_organisations_year_open(world):
    year = last_year(world)
    close(world, year)
    run = computation.request_computation(organisation_id=world.other_organisation.pk, year=year)
    assert run.status == "queued"


def test_the_command_refuses_a_closed_year(world):
    year = last_year(world)
    close(world, year)
    with pytest.raises(CommandError, match="est close"):
        call_command("compute_indicators", year=year.label, diploma=world.mine.diploma.code)
