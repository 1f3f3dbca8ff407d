"""Level gating: the socle first, each year on its own thresholds; the computation twice gives the
same rows, and through a real Celery worker on Redis."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from core.workflow import Refusal
from quality.levels import evaluate
from quality.models import (
    Attestation,
    Evidence,
    IndicatorValue,
    Milestone,
    Perimeter,
    Requirement,
    Threshold,
)
from quality.services import computation, thresholds
from tests.core.factories import AcademicYearFactory


def meet_everything(diploma, year, perimeter_code, *, skip=()):
    """Make every requirement of the périmètre's socle and cible hold, but those named in ``skip``."""
    perimeter = Perimeter.objects.get(code=perimeter_code)
    now = timezone.now()
    for requirement in Requirement.objects.filter(item__perimeters=perimeter).distinct():
        if requirement.code in skip:
            continue
        if requirement.kind == Requirement.Kind.COMPUTED:
            value = Decimal(0) if requirement.comparison == "<=" else Decimal(1000)
            IndicatorValue.objects.update_or_create(
                diploma=diploma,
                academic_year=year,
                indicator=requirement.indicator,
                defaults={
                    "numerator": 100,
                    "denominator": 100,
                    "value": value,
                    "computed_at": now,
                    "as_of": year.end_date,
                },
            )
        elif requirement.kind == Requirement.Kind.EVIDENCE:
            Evidence.objects.get_or_create(
                organisation=diploma.organisation,
                diploma=diploma,
                academic_year=year,
                kind=requirement.evidence_kind,
                defaults={
                    "title": requirement.label,
                    "file": "quality/x.pdf",
                    "token": "x",
                    "extension": ".pdf",
                    "original_name": "x.pdf",
                    "size": 1,
                    "content_type": "application/pdf",
                    "sha256": "0" * 64,
                    "attested_on": year.start_date,
                    "valid_until": year.end_date,
                },
            )
        else:
            Attestation.objects.get_or_create(
                requirement=requirement, diploma=diploma, academic_year=year, defaults={"statement": "Fait."}
            )


def perimeter_state(diploma, year, code):
    trajectory = evaluate([diploma], year)[diploma.pk]
    return next(p for p in trajectory.perimeters if p.perimeter.code == code)


def test_every_requirement_met_reaches_the_cible(world):
    diploma, year = world.mine.diploma, world.academic_year
    meet_everything(diploma, year, "3.3")
    state = perimeter_state(diploma, year, "3.3")
    assert (state.label, state.stage, state.next_level) == ("Cible", "cible", None)


def test_a_met_cible_does_not_lift_a_missing_socle(world):
    diploma, year = world.mine.diploma, world.academic_year
    meet_everything(diploma, year, "3.3", skip={"p3-evaluation-fin"})
    state = perimeter_state(diploma, year, "3.3")
    assert (state.reached, state.label) == (0, "Sous le socle")
    cible = state.levels[-1]
    assert cible.kind == "cible" and cible.met
    assert [r.requirement.code for r in state.next_level.missing] == ["p3-evaluation-fin"]


def test_jalons_sit_between_socle_and_cible_and_gate_in_their_rank(world):
    diploma, year = world.mine.diploma, world.academic_year
    meet_everything(diploma, year, "3.3")
    perimeter = Perimeter.objects.get(code="3.3")
    for rank, held in ((1, True), (2, False)):
        milestone = Milestone.objects.create(
            diploma=diploma, academic_year=year, perimeter=perimeter, rank=rank, title=f"Palier {rank}"
        )
        requirement = Requirement.objects.create(milestone=milestone, kind="checklist", label=f"Point {rank}")
        if held:
            Attestation.objects.create(
                requirement=requirement, diploma=diploma, academic_year=year, statement="Oui"
            )
    state = perimeter_state(diploma, year, "3.3")
    assert [level.label for level in state.levels] == ["Socle", "Jalon 1", "Jalon 2", "Cible"]
    assert (state.label, state.stage) == ("Jalon 1", "jalon")
    assert state.next_level.milestone.title == "Palier 2"


def test_a_postes_level_is_its_weakest_perimeter(world):
    diploma, year = world.mine.diploma, world.academic_year
    meet_everything(diploma, year, "3.3")
    trajectory = evaluate([diploma], year)[diploma.pk]
    poste = next(p for p in trajectory.postes if p.poste.number == 3)
    assert poste.weakest.perimeter.code == "3.1"
    assert poste.label == "Sous le socle"


def test_last_years_result_is_judged_on_last_years_thresholds(world):
    diploma = world.mine.diploma
    this_year = world.academic_year
    last_year = AcademicYearFactory(start_year=this_year.start_date.year - 1)
    requirement = Requirement.objects.get(code="p3-grille-partagee")  # socle: at least 90 %
    Threshold.objects.create(
        requirement=requirement,
        diploma=diploma,
        academic_year=last_year,
        version=1,
        value=95,
        previous_value=90,
        reason="Relevé l'an dernier",
    )
    for year in (last_year, this_year):
        IndicatorValue.objects.create(
            diploma=diploma,
            academic_year=year,
            indicator="grid_shared_first_month",
            numerator=92,
            denominator=100,
            value=Decimal("92.0"),
            computed_at=timezone.now(),
            as_of=year.end_date,
        )

    def grid_state(year):
        state = perimeter_state(diploma, year, "3.3")
        return next(r for r in state.levels[0].requirements if r.requirement.code == "p3-grille-partagee")

    assert (grid_state(last_year).met, grid_state(last_year).threshold) == (False, 95)
    assert (grid_state(this_year).met, grid_state(this_year).threshold) == (True, 90)


def test_a_diploma_cannot_lower_the_socle(world):
    head = world.users["head_of_diploma"]
    requirement = Requirement.objects.get(code="p3-deux-rencontres")
    with pytest.raises(Refusal, match="pas l'abaisser"):
        thresholds.set_threshold(
            requirement=requirement,
            diploma=world.mine.diploma,
            year=world.academic_year,
            value="85",
            reason="x",
            by=head,
        )
    assert not Threshold.objects.exists()


def rows():
    return sorted(
        IndicatorValue.objects.values_list(
            "pk", "diploma", "academic_year", "indicator", "numerator", "denominator", "value"
        )
    )


def test_computing_twice_gives_the_same_rows(world):
    computation.compute_indicators(year=world.academic_year)
    first = rows()
    computation.compute_indicators(year=world.academic_year)
    assert rows() == first
    assert len(first) == 3 * 37  # three diplomas, 37 indicators


def test_a_cohort_owes_a_debrief_only_in_the_quarters_it_is_under_contract(db):
    import datetime

    from quality.indicators import INDICATORS
    from tests.apprentices.factories import ApprenticeFactory, CohortFactory, ContractFactory, DiplomaFactory

    year = AcademicYearFactory(
        label="2024-2025", start_date=datetime.date(2024, 9, 1), end_date=datetime.date(2025, 8, 31)
    )
    earlier = AcademicYearFactory(start_year=2023)
    diploma = DiplomaFactory()
    for entry, label, start in (
        (earlier, "Promotion A", datetime.date(2024, 8, 26)),
        (year, "Promotion B", datetime.date(2025, 3, 10)),
    ):
        cohort = CohortFactory(diploma=diploma, entry_year=entry, label=label)
        ContractFactory(
            apprentice=ApprenticeFactory(organisation=diploma.organisation, cohort=cohort),
            diploma=diploma,
            start_date=start,
            planned_end_date=datetime.date(2027, 8, 31),
        )
    # A is under contract in the four quarters, B from the third (March–May) on: 4 + 2 = 6, none held.
    figure = INDICATORS["group_debriefs"].compute([diploma.pk], year, year.end_date)[diploma.pk]
    assert (figure.numerator, figure.denominator, figure.value) == (0, 6, Decimal("0.0"))
