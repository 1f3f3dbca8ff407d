"""The thresholds and jalons of a diploma through :mod:`quality.services.thresholds`: bad values
refused in French and writing nothing, changes versioned and audited, jalons ranked and deleted."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.models import AuditEvent
from core.workflow import Refusal
from quality.models import Milestone, Perimeter, Requirement
from quality.services import thresholds
from tests.quality import quality_services_support
from tests.quality.quality_services_support import checklist_jalon, counts, requirement

# Shared fixtures: pytest finds a fixture by its name in the test module.
_media = quality_services_support._media


# Thresholds --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "reason", "message"),
    [
        pytest.param(
            "p2-missions-sous-une-semaine",
            "80",
            "Moins exigeant",
            r"au moins 90.*pas l'abaisser",
            id="below-floor",
        ),
        pytest.param(
            "p2-delai-median", "10", "Plus de temps", r"au plus 7.*pas l'abaisser", id="above-at-most"
        ),
        pytest.param("p3-deux-rencontres", "beaucoup", "Motif", "doit être un nombre", id="not-a-number"),
        pytest.param("p3-deux-rencontres", "-5", "Motif", "nombre positif", id="negative"),
        pytest.param("p3-deux-rencontres", "95", "   ", "Dites pourquoi le seuil change", id="no-reason"),
        pytest.param("p3-deux-rencontres", "90", "Inchangé", "déjà de 90", id="same-value"),
        pytest.param("p4-taux-rupture", "10", "Motif", "n'a pas de seuil", id="figure-to-produce"),
        pytest.param("p3-secretariat", "10", "Motif", "n'a pas de seuil", id="checklist"),
    ],
)
def test_a_bad_threshold_is_refused_in_french_and_writes_nothing(world, code, value, reason, message):
    before = counts()
    with pytest.raises(Refusal, match=message):
        thresholds.set_threshold(
            requirement=requirement(code),
            diploma=world.mine.diploma,
            year=world.academic_year,
            value=value,
            reason=reason,
            by=world.users["head_of_diploma"],
        )
    assert counts() == before


def test_a_threshold_change_is_versioned_with_its_previous_value_and_audited(world):
    diploma, year, head = world.mine.diploma, world.academic_year, world.users["head_of_diploma"]
    rule = requirement("p3-deux-rencontres")
    events = AuditEvent.objects.count()

    first = thresholds.set_threshold(
        requirement=rule, diploma=diploma, year=year, value="92", reason="Objectif de l'équipe", by=head
    )
    second = thresholds.set_threshold(
        requirement=rule, diploma=diploma, year=year, value="95,0", reason="Relevé au copil", by=head
    )

    assert (first.version, first.value, first.previous_value) == (1, Decimal("92.0"), Decimal("90.0"))
    assert (second.version, second.value, second.previous_value) == (2, Decimal("95.0"), Decimal("92.0"))
    assert (second.changed_by, second.reason) == (head, "Relevé au copil")
    audit = list(AuditEvent.objects.order_by("pk")[events:])
    assert [e.action for e in audit] == ["quality.threshold.changed"] * 2
    assert audit[-1].actor == head
    assert audit[-1].data["reason"] == "Relevé au copil"
    assert thresholds.current_threshold(rule, diploma, year) == Decimal("95.0")


# Jalons ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requirements", "message"),
    [
        pytest.param([], "au moins une exigence", id="none"),
        pytest.param([{"kind": "checklist", "label": "   "}], "au moins une exigence", id="blank-rows"),
        pytest.param(
            [
                {
                    "kind": "computed",
                    "label": "Missions",
                    "indicator": "mission_decided_on_time",
                    "comparison": ">=",
                    "threshold": "80",
                }
            ],
            r"au moins 90.*pas l'abaisser",
            id="under-the-floor",
        ),
        pytest.param(
            [
                {
                    "kind": "computed",
                    "label": "Délai",
                    "indicator": "mission_median_delay",
                    "comparison": "<=",
                    "threshold": "10",
                }
            ],
            r"au plus 7.*pas l'abaisser",
            id="above-an-at-most-floor",
        ),
        pytest.param(
            [
                {
                    "kind": "computed",
                    "label": "Inconnu",
                    "indicator": "nope",
                    "comparison": ">=",
                    "threshold": "1",
                }
            ],
            "choisissez un indicateur",
            id="unknown-indicator",
        ),
        pytest.param(
            [{"kind": "evidence", "label": "Document", "evidence_kind": "nope"}],
            "type de document",
            id="unknown-evidence-kind",
        ),
        pytest.param(
            checklist_jalon()
            + [
                {"kind": "computed", "label": "Sans seuil", "indicator": "tutors_trained", "comparison": ">="}
            ],
            "Exigence 2 : indiquez le seuil",
            id="second-requirement-without-threshold",
        ),
    ],
)
def test_a_bad_jalon_is_refused_in_french_and_writes_nothing(world, requirements, message):
    before = counts()
    with pytest.raises(Refusal, match=message):
        thresholds.create_milestone(
            diploma=world.mine.diploma,
            year=world.academic_year,
            perimeter=Perimeter.objects.get(code="2.2"),
            title="Palier",
            requirements=requirements,
            by=world.users["head_of_diploma"],
        )
    assert counts() == before


def test_jalons_are_ranked_after_the_existing_ones_and_audited(world):
    head, perimeter = world.users["head_of_diploma"], Perimeter.objects.get(code="3.1")

    first, second = (
        thresholds.create_milestone(
            diploma=world.mine.diploma,
            year=world.academic_year,
            perimeter=perimeter,
            title=title,
            requirements=[
                {"kind": "checklist", "label": "Point tenu"},
                {
                    "kind": "computed",
                    "label": "Tuteurs",
                    "indicator": "tutors_trained",
                    "comparison": ">=",
                    "threshold": "50",
                },
                {"kind": "evidence", "label": "Programme", "evidence_kind": "tutor_training"},
            ],
            by=head,
        )
        for title in ("Premier palier", "Second palier")
    )

    assert (first.rank, second.rank) == (1, 2)
    assert list(second.requirements.values_list("kind", "order", "threshold")) == [
        ("checklist", 1, None),
        ("computed", 2, Decimal("50.0")),
        ("evidence", 3, None),
    ]
    assert AuditEvent.objects.filter(action="quality.milestone.created").count() == 2


def test_deleting_a_jalon_moves_the_ones_above_it_down(world):
    head, perimeter = world.users["head_of_diploma"], Perimeter.objects.get(code="3.1")
    milestones = [
        thresholds.create_milestone(
            diploma=world.mine.diploma,
            year=world.academic_year,
            perimeter=perimeter,
            title=title,
            requirements=checklist_jalon(),
            by=head,
        )
        for title in ("A", "B", "C")
    ]

    deleted = milestones[0].pk
    thresholds.delete_milestone(milestone=milestones[0], by=head)

    assert list(Milestone.objects.order_by("rank").values_list("rank", "title")) == [(1, "B"), (2, "C")]
    assert not Requirement.objects.filter(milestone_id=deleted).exists()
    assert AuditEvent.objects.filter(action="quality.milestone.deleted").count() == 1
