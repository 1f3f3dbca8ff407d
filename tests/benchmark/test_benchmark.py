"""``manage.py benchmark`` on a tiny synthetic CFA: it prints its table and leaves nothing behind."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apprentices.models import Apprentice, Contract, Diploma
from core.models import AcademicYear, Organisation, Signature, User
from employers.models import Employer
from livret.models import LiaisonSheet, MissionDescription, VisitReport
from quality.models import IndicatorValue, Meeting

MODELS = (
    Organisation,
    User,
    AcademicYear,
    Diploma,
    Apprentice,
    Contract,
    Employer,
    LiaisonSheet,
    Signature,
    VisitReport,
    MissionDescription,
    IndicatorValue,
    Meeting,
)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.django_db
def test_benchmark_prints_every_daily_page_and_leaves_no_row_behind(tmp_path, settings):
    settings.DASHBOARD_CACHE_SECONDS = 300  # as deployed: the staff's dashboard is kept
    before = counts()
    out = StringIO()
    results = tmp_path / "bench.json"

    call_command(
        "benchmark", apprentices=40, requests=2, json_path=str(results), stdout=out, stderr=StringIO()
    )

    text = out.getvalue()
    assert "p95 ms" in text and "requêtes" in text and "verdict" in text
    for page in (
        "Accueil",
        "Apprentis",
        "Employeurs",
        "Contrats",
        "Fiches de liaison",
        "Visites",
        "Registre des visites",
        "Missions",
        "Livret d'un apprenti",
        "Contrat",
        "Fiche de liaison",
        "Qualité : tableau de bord",
        "Qualité : trajectoire",
        "Tableau de bord",
    ):
        assert f"\n{page} " in text, page
    assert "Équipe du CFA" in text and "Apprenti " in text
    assert "Tableau de bord (Apprenti : 404)" in text
    assert "Recalcul des indicateurs" in text and "SQL brut" in text
    assert "PDF de conformité" in text
    assert "annulées (rollback)" in text
    assert counts() == before
    assert results.read_text(encoding="utf-8").count('"p95_ms"') >= 12 + 9
    # After a change, with a worker, the staff's dashboard shows what was kept and hands the work over;
    # recomputed, it reads the organisation's rows in the request.
    rows = {
        (row["page"], row["role"]): row for row in json.loads(results.read_text(encoding="utf-8"))["pages"]
    }
    handed = rows[("Tableau de bord, après un changement", "staff")]
    recomputed = rows[("Tableau de bord, recalculé", "staff")]
    assert handed["queries"] < recomputed["queries"] - 10, (handed, recomputed)


@pytest.mark.django_db
def test_benchmark_refuses_an_unknown_role():
    with pytest.raises(CommandError, match="inconnu"):
        call_command("benchmark", apprentices=5, roles="stagiaire", stdout=StringIO(), stderr=StringIO())
