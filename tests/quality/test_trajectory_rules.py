"""The rules of the trajectory (:func:`quality.levels.evaluate`): a périmètre's level is the highest L
such that every requirement of levels 1…L holds, a poste stands at its weakest périmètre, each year is
judged on its own thresholds; and the referential that migrate loads is the annex's."""

from __future__ import annotations

import datetime
import html
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quality import referential
from quality.indicators import INDICATORS
from quality.levels import evaluate, evaluate_years
from quality.models import (
    Attestation,
    Evidence,
    IndicatorValue,
    Milestone,
    Perimeter,
    Poste,
    ReferentialItem,
    Requirement,
    Threshold,
)
from quality.snapshot import serialize
from tests.apprentices.factories import DiplomaFactory
from tests.core.factories import AcademicYearFactory

ANNEX = next(Path("/work/shared/seeds").glob("002_*.txt"))


def figure(diploma, year, indicator, value, *, numerator=100, denominator=100):
    return IndicatorValue.objects.update_or_create(
        diploma=diploma,
        academic_year=year,
        indicator=indicator,
        defaults={
            "numerator": numerator,
            "denominator": denominator,
            "value": None if value is None else Decimal(value),
            "computed_at": timezone.now(),
            "as_of": year.end_date,
        },
    )[0]


END_OF_YEAR = object()


def document(diploma, year, kind, *, organisation=None, attested_on=None, valid_until=END_OF_YEAR):
    return Evidence.objects.create(
        organisation=organisation or diploma.organisation,
        diploma=diploma,
        academic_year=year,
        kind=kind,
        title=f"Document {kind}",
        file="quality/x.pdf",
        token="0" * 32,
        extension=".pdf",
        original_name="x.pdf",
        size=1,
        content_type="application/pdf",
        sha256="0" * 64,
        attested_on=attested_on or year.start_date,
        valid_until=year.end_date if valid_until is END_OF_YEAR else valid_until,
    )


def meet(diploma, year, perimeter_code, *, skip=()):
    """Make every socle and cible requirement of the périmètre hold, but those whose code is in ``skip``."""
    perimeter = Perimeter.objects.get(code=perimeter_code)
    for requirement in Requirement.objects.filter(item__perimeters=perimeter).distinct():
        if requirement.code in skip:
            continue
        if requirement.kind == Requirement.Kind.COMPUTED:
            figure(diploma, year, requirement.indicator, 0 if requirement.comparison == "<=" else 1000)
        elif requirement.kind == Requirement.Kind.EVIDENCE:
            if not Evidence.objects.filter(diploma=diploma, kind=requirement.evidence_kind).exists():
                document(diploma, year, requirement.evidence_kind)
        elif not Attestation.objects.filter(requirement=requirement, diploma=diploma).exists():
            Attestation.objects.create(
                requirement=requirement, diploma=diploma, academic_year=year, statement="Fait."
            )


def perimeter_state(diploma, year, code):
    trajectory = evaluate([diploma], year)[diploma.pk]
    return next(p for p in trajectory.perimeters if p.perimeter.code == code)


def requirement_state(diploma, year, code):
    trajectory = evaluate([diploma], year)[diploma.pk]
    return next(
        state
        for perimeter in trajectory.perimeters
        for level in perimeter.levels
        for state in level.requirements
        if state.requirement.code == code
    )


def jalon(diploma, year, perimeter_code, rank, **requirement):
    milestone = Milestone.objects.create(
        diploma=diploma,
        academic_year=year,
        perimeter=Perimeter.objects.get(code=perimeter_code),
        rank=rank,
        title=f"Palier {rank}",
    )
    Requirement.objects.create(milestone=milestone, label=f"Exigence du palier {rank}", **requirement)
    return milestone


# Levels ------------------------------------------------------------------------------------------


def test_every_requirement_of_a_perimeter_met_reaches_the_cible(world):
    diploma, year = world.mine.diploma, world.academic_year
    meet(diploma, year, "3.1")

    state = perimeter_state(diploma, year, "3.1")

    assert (state.label, state.stage, state.reached, state.next_level) == ("Cible", "cible", 2, None)


def test_a_met_cible_with_one_socle_requirement_missing_stays_under_the_socle(world):
    diploma, year = world.mine.diploma, world.academic_year
    meet(diploma, year, "3.1", skip={"p3-secretariat"})

    state = perimeter_state(diploma, year, "3.1")

    assert (state.reached, state.label, state.stage) == (0, "Sous le socle", "below")
    cible = state.levels[-1]
    assert cible.kind == "cible"
    assert cible.requirements and all(r.met for r in cible.requirements)
    assert [r.requirement.code for r in state.levels[0].missing] == ["p3-secretariat"]


def test_jalon_1_met_and_jalon_2_not_stands_at_jalon_1(world):
    diploma, year = world.mine.diploma, world.academic_year
    meet(diploma, year, "3.3")
    first = jalon(diploma, year, "3.3", 1, kind="checklist")
    Attestation.objects.create(
        requirement=first.requirements.get(), diploma=diploma, academic_year=year, statement="Tenu."
    )
    jalon(diploma, year, "3.3", 2, kind="evidence", evidence_kind="other")

    state = perimeter_state(diploma, year, "3.3")

    assert [level.label for level in state.levels] == ["Socle", "Jalon 1", "Jalon 2", "Cible"]
    assert (state.label, state.stage, state.reached) == ("Jalon 1", "jalon", 2)
    assert state.next_level.milestone.title == "Palier 2"
    assert state.levels[-1].met  # the cible holds, and still does not lift the missing jalon 2


def test_a_postes_level_is_its_weakest_perimeter(world):
    diploma, year = world.mine.diploma, world.academic_year
    meet(diploma, year, "3.1")
    meet(diploma, year, "3.3", skip={"p3-modalites-evaluation"})

    trajectory = evaluate([diploma], year)[diploma.pk]

    poste = next(p for p in trajectory.postes if p.poste.number == 3)
    assert [(p.perimeter.code, p.label) for p in poste.perimeters] == [
        ("3.1", "Cible"),
        ("3.2", "Cible"),  # 3.1 and 3.2 share their socle and cible cells
        ("3.3", "Socle"),
    ]
    assert (poste.weakest.perimeter.code, poste.label, poste.stage) == ("3.3", "Socle", "socle")


# Computed requirements --------------------------------------------------------------------------


@pytest.mark.parametrize(("people", "status", "met"), [(5, "insufficient", False), (25, "met", True)])
def test_a_published_rate_on_fewer_than_20_people_is_insufficient_not_met(world, people, status, met):
    diploma, year = world.mine.diploma, world.academic_year
    assert INDICATORS["rupture_rate"].published
    milestone = jalon(
        diploma, year, "4.1", 1, kind="computed", indicator="rupture_rate", comparison="<=", threshold=10
    )
    figure(diploma, year, "rupture_rate", 0, numerator=0, denominator=people)

    state = perimeter_state(diploma, year, "4.1").levels[1].requirements[0]

    assert state.requirement.milestone == milestone
    assert (state.status, state.met) == (status, met)


@pytest.mark.parametrize("value", ["0", "12.5", "100"])
def test_a_figure_to_produce_is_met_whatever_its_value(world, value):
    diploma, year = world.mine.diploma, world.academic_year
    figure(diploma, year, "success_rate", value, numerator=1, denominator=40)

    state = requirement_state(diploma, year, "p4-taux-obtention")

    assert state.requirement.comparison == "ok"
    assert (state.status, state.met) == ("met", True)


def test_a_figure_to_produce_is_not_met_without_a_value(world):
    diploma, year = world.mine.diploma, world.academic_year
    figure(diploma, year, "success_rate", None, numerator=0, denominator=0)

    state = requirement_state(diploma, year, "p4-taux-obtention")

    assert (state.status, state.met) == ("no_data", False)


def test_a_figure_to_produce_is_not_met_before_it_is_computed(world):
    state = requirement_state(world.mine.diploma, world.academic_year, "p4-taux-rupture")
    assert (state.status, state.met) == ("not_computed", False)


def test_a_figure_to_produce_on_fewer_than_20_people_is_met_as_computed(world):
    """The socle's « réalisation et exploitation des enquêtes » asks for the rupture rate to be produced:
    comparison "ok" is checked before the population, so a small cohort's rate still counts as produced
    (the indicator list shows it « effectif insuffisant »)."""
    diploma, year = world.mine.diploma, world.academic_year
    figure(diploma, year, "rupture_rate", 0, numerator=0, denominator=5)

    state = requirement_state(diploma, year, "p4-taux-rupture")

    assert (state.status, state.met) == ("met", True)


def test_last_years_result_is_judged_on_last_years_thresholds(world):
    diploma, this_year = world.mine.diploma, world.academic_year
    last_year = AcademicYearFactory(start_year=this_year.start_date.year - 1)
    requirement = Requirement.objects.get(code="p3-deux-rencontres")
    assert requirement.threshold == 90
    Threshold.objects.create(
        requirement=requirement,
        diploma=diploma,
        academic_year=last_year,
        version=1,
        value=95,
        previous_value=90,
        reason="Relevé pour l'année passée",
    )
    for year in (last_year, this_year):
        figure(diploma, year, "two_meetings_rule", "92", numerator=92, denominator=100)

    last = requirement_state(diploma, last_year, "p3-deux-rencontres")
    current = requirement_state(diploma, this_year, "p3-deux-rencontres")

    assert (last.threshold, last.status) == (95, "unmet")
    assert (current.threshold, current.status) == (90, "met")


def test_the_latest_threshold_version_is_the_one_in_force(world):
    diploma, year = world.mine.diploma, world.academic_year
    requirement = Requirement.objects.get(code="p3-deux-rencontres")
    # Version 2 written first: the version number decides, not the row's order.
    for version, value in ((2, 91), (1, 95)):
        Threshold.objects.create(
            requirement=requirement,
            diploma=diploma,
            academic_year=year,
            version=version,
            value=value,
            reason=f"Version {version}",
        )
    figure(diploma, year, "two_meetings_rule", "92", numerator=92, denominator=100)

    state = requirement_state(diploma, year, "p3-deux-rencontres")

    assert (state.threshold, state.status) == (91, "met")


def test_a_threshold_of_another_diploma_does_not_apply(world):
    diploma, year = world.mine.diploma, world.academic_year
    Threshold.objects.create(
        requirement=Requirement.objects.get(code="p3-deux-rencontres"),
        diploma=world.other.diploma,
        academic_year=year,
        version=1,
        value=99,
        reason="Autre formation",
    )
    figure(diploma, year, "two_meetings_rule", "92")

    state = requirement_state(diploma, year, "p3-deux-rencontres")

    assert (state.threshold, state.status) == (90, "met")


# Evidence and attestations ----------------------------------------------------------------------


def test_evidence_valid_during_the_year_counts(world):
    diploma, year = world.mine.diploma, world.academic_year
    proof = document(diploma, year, "jobdating")

    state = requirement_state(diploma, year, "p4-jobdating")

    assert (state.status, state.evidence) == ("met", [proof])


@pytest.mark.parametrize(
    ("attested_on", "valid_until"),
    [
        pytest.param(-400, -1, id="expired-before-the-year"),
        pytest.param(+366, None, id="dated-after-the-year-open-ended"),
    ],
)
def test_evidence_outside_the_year_does_not_count(world, attested_on, valid_until):
    diploma, year = world.mine.diploma, world.academic_year
    day = datetime.timedelta(days=1)
    document(
        diploma,
        year,
        "jobdating",
        attested_on=year.start_date + attested_on * day,
        valid_until=year.start_date + valid_until * day if valid_until is not None else None,
    )

    state = requirement_state(diploma, year, "p4-jobdating")

    assert (state.status, state.evidence) == ("unmet", [])


def test_establishment_wide_evidence_counts_for_every_diploma(world):
    year = world.academic_year
    proof = document(None, year, "jobdating", organisation=world.organisation)

    for diploma in (world.mine.diploma, world.other.diploma):
        state = requirement_state(diploma, year, "p4-jobdating")
        assert (state.status, state.evidence) == ("met", [proof])
    foreign = requirement_state(world.foreign.diploma, year, "p4-jobdating")
    assert foreign.status == "unmet"


def test_a_diplomas_evidence_does_not_count_for_another(world):
    year = world.academic_year
    document(world.other.diploma, year, "jobdating")

    state = requirement_state(world.mine.diploma, year, "p4-jobdating")

    assert state.status == "unmet"


def test_an_attestation_counts_and_a_withdrawn_one_does_not(world):
    diploma, year = world.mine.diploma, world.academic_year
    requirement = Requirement.objects.get(code="p3-secretariat")
    attestation = Attestation.objects.create(
        requirement=requirement, diploma=diploma, academic_year=year, statement="Un secrétariat dédié."
    )
    assert requirement_state(diploma, year, "p3-secretariat").attestation == attestation

    attestation.withdrawn_at = timezone.now()
    attestation.save(update_fields=["withdrawn_at"])

    state = requirement_state(diploma, year, "p3-secretariat")
    assert (state.status, state.attestation) == ("unmet", None)


# Queries ----------------------------------------------------------------------------------------


def evaluate_queries(diplomas, year) -> int:
    with CaptureQueriesContext(connection) as queries:
        result = evaluate(diplomas, year)
    assert set(result) == {d.pk for d in diplomas}
    return len(queries)


def test_evaluate_runs_as_many_queries_for_five_diplomas_as_for_one(world):
    year = world.academic_year
    diplomas = [world.mine.diploma] + [DiplomaFactory(organisation=world.organisation) for _ in range(4)]
    for index, diploma in enumerate(diplomas):
        meet(diploma, year, "3.3")
        jalon(diploma, year, "3.3", 1, kind="checklist")
        jalon(
            diploma,
            year,
            "3.3",
            2,
            kind="computed",
            indicator="grid_shared_first_month",
            comparison=">=",
            threshold=95,
        )
        if index % 2:
            document(None, year, "alumni", organisation=world.organisation)

    assert evaluate_queries(diplomas, year) == evaluate_queries(diplomas[:1], year)


def three_years_that_differ(world):
    """Three years of the same diplomas, each with its own figures, thresholds, jalons, documents and
    attestations, so that a year judged on another year's records reads differently."""
    this_year = world.academic_year
    last_year = AcademicYearFactory(start_year=this_year.start_date.year - 1)
    first_year = AcademicYearFactory(start_year=this_year.start_date.year - 2)
    mine, other = world.mine.diploma, world.other.diploma
    meetings = Requirement.objects.get(code="p3-deux-rencontres")
    Threshold.objects.create(
        requirement=meetings, diploma=mine, academic_year=last_year, version=1, value=95, reason="Relevé"
    )
    for year, value in ((first_year, "80"), (last_year, "92"), (this_year, "96")):
        figure(mine, year, "two_meetings_rule", value, numerator=int(value), denominator=100)
        figure(other, year, "two_meetings_rule", "99", numerator=99, denominator=100)
    meet(mine, first_year, "3.3")
    jalon(mine, last_year, "3.3", 1, kind="checklist")
    jalon(mine, this_year, "4.1", 1, kind="computed", indicator="rupture_rate", comparison="<=", threshold=20)
    # Valid during the first year only; establishment-wide from last year on; dated this year.
    document(mine, first_year, "alumni")
    document(None, last_year, "jobdating", organisation=world.organisation, valid_until=None)
    document(other, this_year, "alumni")
    Attestation.objects.create(
        requirement=Requirement.objects.get(code="p3-secretariat"),
        diploma=mine,
        academic_year=last_year,
        statement="Un secrétariat dédié.",
    )
    Attestation.objects.create(
        requirement=Requirement.objects.get(code="p3-secretariat"),
        diploma=other,
        academic_year=this_year,
        statement="Retirée.",
        withdrawn_at=timezone.now(),
    )
    return [first_year, last_year, this_year]


def test_every_year_evaluated_at_once_reads_as_each_year_evaluated_alone(world):
    years = three_years_that_differ(world)
    diplomas = [world.mine.diploma, world.other.diploma, world.foreign.diploma]

    together = evaluate_years(diplomas, years)

    assert set(together) == {(d.pk, y.pk) for d in diplomas for y in years}
    for year in years:
        alone = evaluate(diplomas, year)
        for diploma in diplomas:
            assert serialize(together[(diploma.pk, year.pk)]) == serialize(alone[diploma.pk]), (diploma, year)
    # The years do differ: a year judged on another's records would not read the same.
    mine = [serialize(together[(world.mine.diploma.pk, y.pk)]) for y in years]
    assert mine[0]["postes"] != mine[1]["postes"] != mine[2]["postes"] != mine[0]["postes"]


def test_every_year_evaluated_at_once_runs_the_queries_of_one_year(world):
    years = three_years_that_differ(world)
    diplomas = [world.mine.diploma, world.other.diploma]

    with CaptureQueriesContext(connection) as queries:
        evaluate_years(diplomas, years)

    assert len(queries) == evaluate_queries(diplomas, years[-1])
    assert evaluate_years(diplomas, []) == {} and evaluate_years([], years) == {}


# The referential --------------------------------------------------------------------------------


def test_the_referential_has_4_postes_and_10_perimeters(db):
    assert list(Poste.objects.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert list(Perimeter.objects.values_list("code", flat=True)) == [
        "1.1",
        "1.2",
        "1.3",
        "2.1",
        "2.2",
        "3.1",
        "3.2",
        "3.3",
        "4.1",
        "4.2",
    ]


def annex_text() -> str:
    text = re.sub(r"<[^>]+>", " ", html.unescape(ANNEX.read_text(encoding="utf-8")))
    return " ".join(text.replace("’", "'").split())


@pytest.mark.parametrize(
    "text",
    [
        "Un comité de pilotage annuel impliquant toutes les parties prenantes et les représentants des "
        "branches ou organisations professionnelles, actualisant pour chaque diplôme les compétences "
        "attendues, le parcours de formation, le rythme d'alternance, etc.",
        "Un livret d'apprentissage",
        "Deux rencontres annuelles minimum avec l'employeur : dans les deux mois après le début de "
        "formation et dans les deux mois qui précèdent la fin de la formation",
        "Développement et animation d'un réseau Alumni des apprentis",
    ],
)
def test_item_texts_are_the_annexs_words(db, text):
    assert ReferentialItem.objects.filter(text=text).exists()
    assert text in annex_text()


def test_every_item_text_is_found_word_for_word_in_the_annex(db):
    annex = annex_text()
    missing = [
        item.text for item in ReferentialItem.objects.all() if " ".join(item.text.split()) not in annex
    ]
    assert missing == []


def test_every_item_has_a_requirement(db):
    assert ReferentialItem.objects.exists()
    assert not ReferentialItem.objects.filter(requirements__isnull=True).exists()


def test_every_computed_requirement_names_a_known_indicator(db):
    indicators = set(Requirement.objects.filter(kind="computed").values_list("indicator", flat=True))
    assert indicators and indicators <= set(INDICATORS)


def referential_state():
    return {
        "postes": sorted(Poste.objects.values_list("pk", "number", "title")),
        "perimeters": sorted(Perimeter.objects.values_list("pk", "code", "poste")),
        "items": sorted(ReferentialItem.objects.values_list("pk", "poste", "stage", "order", "text")),
        "item_perimeters": sorted(
            ReferentialItem.perimeters.through.objects.values_list("pk", "referentialitem", "perimeter")
        ),
        "requirements": sorted(
            Requirement.objects.filter(item__isnull=False).values_list("pk", "code", "item", "threshold")
        ),
    }


def test_loading_the_referential_twice_changes_no_count_and_no_id(db):
    before = referential_state()

    referential.load(apps)
    referential.load(apps)

    assert referential_state() == before


def test_establishment_wide_evidence_does_not_count_for_another_organisations_diploma(world):
    year = world.academic_year
    document(None, year, "jobdating", organisation=world.organisation)

    trajectories = evaluate([world.mine.diploma, world.foreign.diploma], year)

    foreign = next(
        state
        for perimeter in trajectories[world.foreign.diploma.pk].perimeters
        for level in perimeter.levels
        for state in level.requirements
        if state.requirement.code == "p4-jobdating"
    )
    assert (foreign.status, foreign.evidence) == ("unmet", [])
