"""``manage.py benchmark`` on a tiny synthetic CFA: it prints its table and leaves nothing behind."""

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
def test_benchmark_prints_every_daily_page_and_leaves_no_row_behind(tmp_path):
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


@pytest.mark.django_db
def test_benchmark_refuses_an_unknown_role():
    with pytest.raises(CommandError, match="inconnu"):
        call_command("benchmark", apprentices=5, roles="stagiaire", stdout=StringIO(), stderr=StringIO())
