"""``manage.py benchmark`` on a tiny synthetic CFA: it prints its table and leaves nothing behind."""

from io import StringIO

import pytest
from django.core.management import call_command

from apprentices.models import Apprentice, Contract, Diploma
from core.models import AcademicYear, Organisation, User
from employers.models import Employer
from livret.models import LiaisonSheet, MissionDescription, Signature, VisitReport
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
        "Fiches de liaison",
        "Visites",
        "Missions",
        "Livret d'un apprenti",
        "Contrat",
        "Fiche de liaison",
        "Qualité : tableau de bord",
        "Qualité : trajectoire",
        "Tableau de bord",
    ):
        assert f"\n{page} " in text, page
    for role in ("Apprenti", "Maître d'apprentissage", "Tuteur pédagogique", "Responsable de formation"):
        assert role in text
    assert "Recalcul des indicateurs" in text and "SQL brut" in text
    assert "PDF de conformité" in text
    assert "annulées (rollback)" in text
    assert counts() == before
    assert results.read_text(encoding="utf-8").count('"p95_ms"') >= 12
