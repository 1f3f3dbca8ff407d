"""The apprentice's progression over the validated grids, and its chart: averages per block, the SVG
(accessible, phone-sized, in a PDF) and its edge cases."""

import xml.etree.ElementTree as ET

from core import charts
from core import pdf as core_pdf
from livret import selectors
from livret.charts import level_ticks, progression_chart
from livret.services import evaluations as workflow
from tests.livret import evaluations_support
from tests.livret.evaluations_support import MAY_RATE, Rater, all_levels
from tests.livret.factories import EvaluationFactory, competence_framework

# Shared fixtures: pytest finds a fixture by its name in the test module.
competences = evaluations_support.competences
world = evaluations_support.world


SVG = "{http://www.w3.org/2000/svg}"


# Progression ---------------------------------------------------------------------------------------


def rate(evaluation, rater, levels, *, submit=True, world):
    workflow.save_ratings(
        evaluation=evaluation, rater=rater, levels=levels, submit=submit, by=world.users[MAY_RATE[rater]]
    )


def test_progression_averages_each_block_over_the_validated_sides_only(
    world, competences, django_assert_num_queries
):
    block_a, block_b = competences[:3], competences[3:]
    first = EvaluationFactory(contract=world.mine.contract)
    second = EvaluationFactory(contract=world.mine.contract)
    rate(first, Rater.TUTOR, {**{c.pk: 1 for c in block_a}, **{c.pk: 2 for c in block_b}}, world=world)
    rate(
        first, Rater.APPRENTICE, {block_a[0].pk: 4}, submit=False, world=world
    )  # a draft: nobody's opinion yet
    rate(second, Rater.TUTOR, {**{c.pk: 3 for c in block_a}, **{c.pk: 4 for c in block_b}}, world=world)
    rate(
        second,
        Rater.APPRENTICE,
        {
            **dict.fromkeys([c.pk for c in block_a], 2),
            **{block_b[0].pk: 3, block_b[1].pk: 4, block_b[2].pk: 4},
        },
        world=world,
    )

    with django_assert_num_queries(2):
        progression = selectors.progression(world.mine.contract)

    a, b = (c[0].block for c in (block_a, block_b))
    assert [p["id"] for p in progression.periods] == [first.period_id, second.period_id]
    assert progression.series(a.pk, Rater.TUTOR) == [1.0, 3.0]
    assert progression.series(b.pk, Rater.TUTOR) == [2.0, 4.0]
    assert progression.series(a.pk, Rater.APPRENTICE) == [None, 2.0]
    assert progression.series(b.pk, Rater.APPRENTICE) == [None, 3.67]
    (row_one, row_two) = progression.rows()
    assert [(cell["tutor"], cell["apprentice"]) for cell in row_two["cells"]] == [(3.0, 2.0), (4.0, 3.67)]


def test_progression_of_a_contract_without_validated_evaluation_is_empty(world, competences):
    EvaluationFactory(contract=world.mine.contract)

    progression = selectors.progression(world.mine.contract)

    assert progression.is_empty
    assert progression.blocks == list(dict.fromkeys(c.block for c in competences))
    assert progression.rows() == []


# The chart -----------------------------------------------------------------------------------------


def parse(svg) -> ET.Element:
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox", "").startswith(f"0 0 {charts.WIDTH} ")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text
    assert desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "class" not in str(svg) and "<script" not in str(svg) and "@import" not in str(svg)
    return root


def paths(root):
    return root.findall(f".//{SVG}path")


def chart_for(world, periods_rated):
    competences = competence_framework(world.mine.diploma, blocks=2, per_block=2)
    for index in range(periods_rated):
        evaluation = EvaluationFactory(contract=world.mine.contract)
        rate(evaluation, Rater.TUTOR, all_levels(competences, 1 + index % 4), world=world)
        if index % 2 == 0:
            rate(evaluation, Rater.APPRENTICE, all_levels(competences, 2), world=world)
    progression = selectors.progression(world.mine.contract)
    return progression, progression_chart(progression, apprentice="Léa <Martin> & co")


def test_chart_draws_one_solid_path_per_block_for_the_tutor_and_one_dashed_for_the_apprentice(world):
    progression, svg = chart_for(world, 3)

    root = parse(svg)

    drawn = paths(root)
    assert len(drawn) == 4  # 2 blocks x (tutor, apprentice)
    dashed = [p for p in drawn if p.get("stroke-dasharray")]
    assert len(dashed) == 2
    tutor_path = next(p for p in drawn if not p.get("stroke-dasharray"))
    assert tutor_path.get("d").count("L") == 2  # three periods, one line
    apprentice_path = dashed[0]
    assert apprentice_path.get("d").count("M") == 2  # the middle period has no self-assessment: a gap
    assert "Léa <Martin> & co" in root.find(f"{SVG}title").text
    assert {t.text for t in root.iter(f"{SVG}text")} >= {"1", "4", "Non acquis", "Maîtrisé"}


def test_chart_legend_wraps_long_block_titles_on_two_lines_at_most():
    assert charts._wrap("BC1 — Concevoir et dimensionner des systèmes industriels", 32) == [
        "BC1 — Concevoir et dimensionner",
        "des systèmes industriels",
    ]
    assert charts._wrap("un " * 40, 20)[1].endswith("…")
    assert len(charts._wrap("un " * 40, 20)) == 2


def test_chart_renders_in_a_weasyprint_pdf_on_one_page(world):
    import io

    from pypdf import PdfReader

    _progression, svg = chart_for(world, 3)

    pdf = (
        core_pdf.load_weasyprint()
        .HTML(string=f"<html><body><div style='width:12cm'>{svg}</div></body></html>")
        .write_pdf()
    )

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Maître d'apprentissage (trait plein)" in text
    assert "Maîtrisé" in text


def test_chart_of_a_single_period_marks_its_points(world):
    _progression, svg = chart_for(world, 1)

    root = parse(svg)

    assert len(paths(root)) == 4
    assert all(p.get("d").count("M") == 1 and "L" not in p.get("d") for p in paths(root))
    assert len(root.findall(f".//{SVG}circle")) == 4


def test_chart_without_data_says_so(world):
    competence_framework(world.mine.diploma)
    progression = selectors.progression(world.mine.contract)

    root = parse(progression_chart(progression, apprentice="Léa"))

    assert paths(root) == []
    assert "Aucune évaluation validée pour l'instant." in {t.text for t in root.iter(f"{SVG}text")}


def test_chart_shows_few_enough_period_labels_for_a_phone():
    svg = charts.line_chart(
        title="t",
        description="d",
        x_labels=[f"P{i}" for i in range(16)],
        y_ticks=level_ticks(),
        series=[charts.Series("s", [1.0 + i % 4 for i in range(16)], "#1f3f8a")],
        legend=[],
    )

    labels = [t.text for t in parse(svg).iter(f"{SVG}text") if (t.text or "").startswith("P")]
    assert labels == ["P0", "P4", "P8", "P12"]
    assert len(labels) <= charts.MAX_X_LABELS
