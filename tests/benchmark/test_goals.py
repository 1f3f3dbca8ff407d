"""The benchmark's goals judged from a run's results: met, missed or not measured, each with its reason."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from benchmark import goals, load


def page(name, role, p95, queries=10):
    return {"page": name, "role": role, "p50_ms": p95 / 2, "p95_ms": p95, "queries": queries, "ok": p95 < 150}


def results(**overrides):
    base = {
        "apprentices": 20000,
        "cpu_count": 2,
        "generation_s": 102.4,
        "rows": {"apprentis": 20000, "fiches": 1170614},
        "pages": [page("Accueil", "apprentice", 60, 14), page("Tableau de bord", "staff", 980, 28)],
        "pdf": {"available": True, "best_s": 1.5, "worst_s": 1.7, "ok": True},
        "indicators": {
            "full_over_half": 1.87,
            "orm_vs_raw_sql": [
                {"indicator": "rupture_rate", "ratio": 1.9},
                {"indicator": "sheets_on_time", "ratio": 1.2},
            ],
        },
    }
    return {**base, **overrides}


def test_a_slow_page_misses_the_pages_goal_and_is_named_with_its_p95():
    goal = goals.pages(results())
    assert goal.verdict == goals.MISSED
    assert "1 sur 2 au-dessus" in goal.reason and "Tableau de bord (staff) 980 ms" in goal.reason

    goal = goals.pages(results(pages=[page("Accueil", "apprentice", 60)]))
    assert goal.verdict == goals.MET and "la plus lente : Accueil (apprentice), 60 ms" in goal.reason


def test_query_counts_are_judged_against_another_size():
    assert goals.queries(results(), None).verdict == goals.NOT_MEASURED

    small = results(apprentices=2000)
    assert goals.queries(results(), small).verdict == goals.MET

    one_more = results(
        pages=[page("Accueil", "apprentice", 60, 15), page("Tableau de bord", "staff", 980, 28)]
    )
    goal = goals.queries(one_more, small)
    assert goal.verdict == goals.MET and "Accueil (apprentice) 14 → 15" in goal.reason

    grown = results(pages=[page("Accueil", "apprentice", 60, 14), page("Tableau de bord", "staff", 980, 40)])
    goal = goals.queries(grown, small)
    assert goal.verdict == goals.MISSED and "Tableau de bord (staff) 28 → 40" in goal.reason


def test_the_pdf_and_the_recomputation_are_met_or_missed_with_their_figures():
    assert goals.pdf(results()).verdict == goals.MET
    slow = goals.pdf(results(pdf={"available": True, "best_s": 2.4, "worst_s": 2.7, "ok": False}))
    assert slow.verdict == goals.MISSED and "2.70 s au pire" in slow.reason
    assert goals.pdf(results(pdf={"available": False})).verdict == goals.NOT_MEASURED

    assert goals.recomputation(results()).verdict == goals.MET
    # Less than twice the time for twice the diplomas: the fixed cost of a recomputation, still linear.
    fixed_cost = results(indicators={**results()["indicators"], "full_over_half": 1.5})
    assert goals.recomputation(fixed_cost).verdict == goals.MET
    over = results(
        indicators={"full_over_half": 3.1, "orm_vs_raw_sql": [{"indicator": "rupture_rate", "ratio": 2.9}]}
    )
    goal = goals.recomputation(over)
    assert goal.verdict == goals.MISSED
    assert "pas linéaire" in goal.reason and "rupture_rate" in goal.reason


def test_load_is_not_measured_without_load_and_each_page_judged_with_it():
    (goal,) = goals.load(results())
    assert goal.verdict == goals.NOT_MEASURED and "--load" in goal.reason

    row = {"page": "Fiche de liaison", "rps": 87.8, "p95_ms": 204, "errors": 0, "clients": 16}
    measured = results(
        load={"workers": 3, "pages": [{**row, "rps_target": 100, "p95_target": 250, "ok": False}]}
    )
    (goal,) = goals.load(measured)
    assert goal.verdict == goals.MISSED
    assert "87.8 req/s" in goal.reason and "2 cœur(s)" in goal.reason
    assert goal.reason.endswith("limitées par le processeur")  # a run before the CPU was read, or no /proc

    def missed(cpu):
        slow = {**row, "rps_target": 100, "p95_target": 250, "ok": False, "cpu": cpu}
        (goal,) = goals.load(results(load={"workers": 3, "pages": [slow]}))
        return goal.reason

    cpu = {"server": 180, "database": 13, "clients": 3}
    assert missed(cpu).endswith("par le processeur : gunicorn 180 %, PostgreSQL 13 %, clients 3 % d'un cœur")
    # A database on another machine is not read: its share is left out, not written as 0.
    assert missed({**cpu, "database": None}).endswith(": gunicorn 180 %, clients 3 % d'un cœur")


def test_a_missed_page_under_load_says_what_it_costs_beyond_the_floor_which_is_no_goal():
    cpu = {"server": 180, "database": 13, "clients": 3}
    home = {"page": "Accueil de l'apprenti", "rps": 68.0, "p95_ms": 292, "errors": 0, "clients": 16}
    home |= {"rps_target": 100, "p95_target": 250, "ok": False, "cpu": cpu, "server_ms": 26.5}
    floor = {"page": "Mon compte (plancher)", "rps": 199.9, "p95_ms": 100, "errors": 0, "clients": 16}
    floor |= {"rps_target": None, "p95_target": None, "ok": True, "cpu": cpu, "server_ms": 8.8}

    judged = goals.load(results(load={"workers": 3, "pages": [home, floor]}))

    (goal,) = judged  # the floor is read with the pages, not judged
    assert goal.name.startswith("Sous charge : Accueil de l'apprenti")
    assert goal.reason.endswith(
        "d'un cœur ; 26.5 ms de processeur du serveur par requête, dont 8.8 ms pour toute page "
        "(« Mon compte (plancher) » à 199.9 req/s)"
    )
    # Without the floor measured (an older run), the page's own figure only.
    (goal,) = goals.load(results(load={"workers": 3, "pages": [home]}))
    assert goal.reason.endswith("d'un cœur ; 26.5 ms de processeur du serveur par requête")


@pytest.mark.parametrize(
    ("cpu", "rps", "expected"),
    [({"server": 180, "database": 13}, 68.0, 26.5), ({"server": 180}, 0, None), ({}, 68.0, None)],
)
def test_server_milliseconds_per_request_spread_the_servers_cpu_over_its_answers(cpu, rps, expected):
    assert load.server_ms(cpu, rps) == expected


def test_generation_is_projected_to_200000_or_measured_there():
    goal = goals.generation(results())
    assert goal.verdict == goals.MET and "17.1 min projetées" in goal.reason
    slow = goals.generation(results(apprentices=200000, generation_s=1500))
    assert slow.verdict == goals.MISSED and "25.0 min" in slow.reason
    assert goals.generation(results(generation_s=None)).verdict == goals.NOT_MEASURED


@pytest.mark.django_db
def test_the_command_prints_each_goal_and_refuses_a_file_to_compare_that_is_not_results(tmp_path):
    first = tmp_path / "small.json"
    out = StringIO()
    call_command("benchmark", apprentices=30, requests=1, json_path=str(first), stdout=out, stderr=StringIO())
    assert "Objectifs :" in out.getvalue()
    assert "[NON MESURÉ] Le même nombre de requêtes" in out.getvalue()

    again = StringIO()
    call_command("benchmark", apprentices=30, requests=1, compare=str(first), stdout=again, stderr=StringIO())
    text = again.getvalue()
    assert "Le même nombre de requêtes par page qu'à une autre taille —" in text
    assert "[NON MESURÉ] Le même nombre de requêtes" not in text
    assert {goal["verdict"] for goal in json.loads(first.read_text(encoding="utf-8"))["goals"]} <= {
        goals.MET,
        goals.MISSED,
        goals.NOT_MEASURED,
    }

    bad = tmp_path / "bad.json"
    bad.write_text("pas du JSON", encoding="utf-8")
    with pytest.raises(CommandError, match="ne se lit pas"):
        call_command("benchmark", apprentices=5, compare=str(bad), stdout=StringIO(), stderr=StringIO())
    bad.write_text("[]", encoding="utf-8")
    with pytest.raises(CommandError, match="pas de pages"):
        call_command("benchmark", apprentices=5, compare=str(bad), stdout=StringIO(), stderr=StringIO())
