"""Attested points and followed indicators through :mod:`quality.services`: attested then withdrawn,
added and removed, and what is refused without writing anything."""

from __future__ import annotations

import pytest

from core.models import AuditEvent
from core.workflow import Refusal
from quality.models import FollowedIndicator
from quality.services import evidence, thresholds
from tests.quality import quality_services_support
from tests.quality.quality_services_support import counts, requirement

# Shared fixtures: pytest finds a fixture by its name in the test module.
_media = quality_services_support._media


# Attestations and followed indicators ------------------------------------------------------------


def test_a_point_is_attested_then_withdrawn(world):
    head, diploma, year = world.users["head_of_diploma"], world.mine.diploma, world.academic_year
    point = requirement("p3-secretariat")

    attestation = evidence.attest(
        requirement=point, diploma=diploma, year=year, statement="Un secrétariat dédié.", by=head
    )
    assert (attestation.attested_by, attestation.withdrawn_at) == (head, None)
    with pytest.raises(Refusal, match="déjà attesté"):
        evidence.attest(requirement=point, diploma=diploma, year=year, statement="Encore.", by=head)

    evidence.withdraw_attestation(attestation=attestation, by=head)

    attestation.refresh_from_db()
    assert attestation.withdrawn_at is not None and attestation.withdrawn_by == head
    with pytest.raises(Refusal, match="déjà retirée"):
        evidence.withdraw_attestation(attestation=attestation, by=head)
    assert list(
        AuditEvent.objects.filter(action__startswith="quality.attestation")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["quality.attestation.created", "quality.attestation.withdrawn"]
    again = evidence.attest(requirement=point, diploma=diploma, year=year, statement="De nouveau.", by=head)
    assert again.pk != attestation.pk


@pytest.mark.parametrize(
    ("code", "statement", "message"),
    [("p3-deux-rencontres", "Oui", "ne s'atteste pas"), ("p3-secretariat", "  ", "Dites en une phrase")],
)
def test_a_bad_attestation_is_refused_and_writes_nothing(world, code, statement, message):
    before = counts()
    with pytest.raises(Refusal, match=message):
        evidence.attest(
            requirement=requirement(code),
            diploma=world.mine.diploma,
            year=world.academic_year,
            statement=statement,
            by=world.users["head_of_diploma"],
        )
    assert counts() == before


def test_followed_indicators_are_added_and_removed(world):
    head, diploma, year = world.users["head_of_diploma"], world.mine.diploma, world.academic_year

    def followed():
        return set(
            FollowedIndicator.objects.filter(diploma=diploma, academic_year=year).values_list(
                "indicator", flat=True
            )
        )

    assert (
        thresholds.set_followed_indicators(
            diploma=diploma, year=year, codes=["rupture_rate", "success_rate"], by=head
        )
        == 2
    )
    assert followed() == {"rupture_rate", "success_rate"}
    thresholds.set_followed_indicators(
        diploma=diploma, year=year, codes=["success_rate", "sheets_on_time"], by=head
    )
    assert followed() == {"success_rate", "sheets_on_time"}
    events = AuditEvent.objects.filter(action="quality.followed_indicators.changed").order_by("pk")
    assert [(e.data["added"], e.data["removed"]) for e in events] == [
        (["rupture_rate", "success_rate"], []),
        (["sheets_on_time"], ["rupture_rate"]),
    ]
    thresholds.set_followed_indicators(
        diploma=diploma, year=year, codes=["sheets_on_time", "success_rate"], by=head
    )
    assert events.count() == 2  # nothing changed, nothing audited


def test_an_unknown_followed_indicator_is_refused_and_writes_nothing(world):
    before = counts()
    with pytest.raises(Refusal, match="Indicateur inconnu : nope"):
        thresholds.set_followed_indicators(
            diploma=world.mine.diploma,
            year=world.academic_year,
            codes=["success_rate", "nope"],
            by=world.users["head_of_diploma"],
        )
    assert counts() == before
