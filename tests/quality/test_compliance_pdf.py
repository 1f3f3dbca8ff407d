"""The charter compliance PDFs, read back with pypdf on a known dataset: the sections, the levels, the
figures with their numerators and denominators, the evidence; who may download them; the command."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone

from quality.levels import evaluate
from quality.models import Campaign, IndicatorValue
from quality.pdf import diploma_compliance_pdf, establishment_compliance_pdf
from quality.snapshot import serialize
from tests.conftest import ROLES
from tests.helpers import pdf_reader, pdf_text
from tests.quality.factories import EvidenceFactory
from tests.quality.test_gating import meet_everything

SECTIONS = (
    "Trajectoire par poste et périmètre",
    "Prochaines étapes",
    "Exigences, niveau par niveau",
    "Indicateurs de l'année",
    "Preuves",
    "Points attestés",
    "Historique des niveaux",
    "Tendances",
)


@pytest.fixture
def dataset(world):
    """Périmètre 3.3 at the cible; a rupture rate of 3 on 12 contracts (too few people to publish);
    an establishment-wide survey report."""
    diploma, year = world.mine.diploma, world.academic_year
    meet_everything(diploma, year, "3.3")
    IndicatorValue.objects.update_or_create(
        diploma=diploma,
        academic_year=year,
        indicator="rupture_rate",
        defaults={
            "numerator": 3,
            "denominator": 12,
            "value": Decimal("25.0"),
            "computed_at": timezone.now(),
            "as_of": year.end_date,
        },
    )
    EvidenceFactory(
        organisation=world.organisation,
        academic_year=year,
        kind="jobdating",
        title="Jobdating des anciens 2025",
        sha256="abcdef012345" + "9" * 52,
    )
    return world


def test_a_diplomas_pdf_has_every_section_its_levels_figures_and_evidence(dataset):
    diploma, year = dataset.mine.diploma, dataset.academic_year
    data = diploma_compliance_pdf(diploma, year, by=dataset.users["staff"])
    reader = pdf_reader(data)
    assert reader.metadata.title == f"Conformité à la charte de l'apprentissage {year.label}"
    assert reader.metadata.author == dataset.organisation.name
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    text = pdf_text(data)
    assert f"{diploma.code} — {diploma.title}" in text
    for section in SECTIONS:
        assert section in text, section
    assert "3.3 Accompagnements spécifiques" in text or "3.3 " in text
    assert "Cible" in text and "Sous le socle" in text
    # The rupture rate: its value, numerator and denominator, and too few people to be judged.
    assert "Taux de rupture" in text
    assert "25 % (3/12)" in text
    assert "effectif insuffisant" in text
    # The establishment-wide document, its kind, its short hash.
    assert "Jobdating des anciens 2025" in text
    assert "abcdef012345…" in text.replace(" ", "")
    assert "Généré par " + str(dataset.users["staff"]) in text
    pages = len(reader.pages)
    assert f"Page {pages} sur {pages}" in text


def test_the_pdf_of_a_closed_year_shows_the_frozen_snapshot(dataset):
    diploma, year = dataset.mine.diploma, dataset.academic_year
    frozen = serialize(evaluate([diploma], year)[diploma.pk])
    snapshot = json.loads(json.dumps({"year": year.label, "diplomas": [frozen]}, cls=DjangoJSONEncoder))
    Campaign.objects.create(
        organisation=dataset.organisation, academic_year=year, snapshot=snapshot, sha256="f" * 64
    )
    IndicatorValue.objects.filter(diploma=diploma).delete()  # the live data changes after the close
    text = pdf_text(diploma_compliance_pdf(diploma, year, by=None))
    assert "Campagne close le" in text
    assert "f" * 64 in text.replace(" ", "")
    assert "25 % (3/12)" in text  # the frozen figure, not today's (none)


def test_the_establishments_pdf_summarises_every_diploma_then_details_each(dataset):
    calls = []
    data = establishment_compliance_pdf(
        dataset.organisation,
        dataset.academic_year,
        by=dataset.users["admin"],
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1, 2), (2, 2)]
    text = pdf_text(data)
    summary = text.split(" ¶ ")[1]  # the page after the cover
    assert "Synthèse de l'établissement" in summary
    for diploma in (dataset.mine.diploma, dataset.other.diploma):
        assert diploma.code in summary
        assert f"{diploma.code} — {diploma.title}" in text.split("Niveau de chaque poste")[1]
    assert dataset.foreign.diploma.code not in text
    assert "2 formations" in summary


# The download ------------------------------------------------------------------------------------

# Session, user, roles, diploma (and its heads, for a head), year, campaign, years, trend values, the
# campaigns and the years with figures, then one evaluation (eight) of the year and of every open year
# of the history together.
COMPLIANCE_QUERIES = {"staff": 18, "admin": 18, "head_of_diploma": 19}


def url(diploma, year):
    return reverse("quality:compliance_pdf", args=[diploma.pk, year.label])


@pytest.fixture
def html_only(monkeypatch):
    """The downloads are about who gets them and their queries: the HTML is rendered from the same
    templates (a wrong variable still fails), WeasyPrint's layout is left to the tests above that read
    the PDF back. Each call's HTML is kept."""
    from core.pdf import render_html

    pages = []

    def render(template_name, context, *, title, author, subject="", lang="fr", by=None, fetcher=None):
        pages.append(
            render_html(template_name, context, title=title, author=author, subject=subject, lang=lang, by=by)
        )
        return b"%PDF-1.7\n%rendu en test\n"

    monkeypatch.setattr("quality.pdf.render_pdf", render)
    return pages


@pytest.mark.parametrize("role", ROLES)
def test_the_download_answers_the_heads_and_the_quality_team_and_is_a_404_for_the_others(
    client_for, dataset, role, html_only
):
    client = client_for(dataset.users[role])
    for chain in ("mine", "other", "foreign"):
        diploma = getattr(dataset, chain).diploma
        allowed = (role == "head_of_diploma" and chain == "mine") or (
            role in ("staff", "admin") and chain != "foreign"
        )
        response = client.get(url(diploma, dataset.academic_year))
        assert response.status_code == (200 if allowed else 404), (role, chain)
        if allowed:
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"] == (
                f'attachment; filename="conformite-{diploma.code.lower()}-{dataset.academic_year.label}.pdf"'
            )
            assert response.content.startswith(b"%PDF-")
            assert diploma.code in html_only[-1]


@pytest.mark.parametrize("role", sorted(COMPLIANCE_QUERIES))
def test_the_download_runs_a_fixed_number_of_queries(
    client_for, dataset, role, django_assert_num_queries, html_only
):
    client = client_for(dataset.users[role])
    with django_assert_num_queries(COMPLIANCE_QUERIES[role]):
        response = client.get(url(dataset.mine.diploma, dataset.academic_year))
    assert response.status_code == 200


def test_the_download_needs_a_login_and_a_known_year(client, client_for, dataset):
    response = client.get(url(dataset.mine.diploma, dataset.academic_year))
    assert response.status_code == 302
    response = client_for(dataset.users["staff"]).get(
        reverse("quality:compliance_pdf", args=[dataset.mine.diploma.pk, "1999-2000"])
    )
    assert response.status_code == 404


def test_the_trajectory_page_links_to_its_pdf(client_for, dataset):
    response = client_for(dataset.users["head_of_diploma"]).get(
        reverse("quality:trajectory", args=[dataset.mine.diploma.pk, dataset.academic_year.label])
    )
    assert url(dataset.mine.diploma, dataset.academic_year) in response.content.decode()


# The command -------------------------------------------------------------------------------------


def test_the_command_writes_one_diplomas_pdf(dataset, tmp_path, capsys):
    out = tmp_path / "conformite.pdf"
    call_command(
        "export_compliance_pdf",
        "--year",
        dataset.academic_year.label,
        "--diploma",
        dataset.mine.diploma.code,
        "--out",
        str(out),
    )
    assert str(out) in capsys.readouterr().out
    assert "25 % (3/12)" in pdf_text(out.read_bytes())
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_the_command_writes_the_establishments_pdf_of_the_organisation_named(dataset, tmp_path):
    out = tmp_path / "etablissement.pdf"
    with pytest.raises(CommandError, match="Plusieurs organisations"):
        call_command(
            "export_compliance_pdf", "--year", dataset.academic_year.label, "--all", "--out", str(out)
        )
    assert not out.exists()
    call_command(
        "export_compliance_pdf",
        "--year",
        dataset.academic_year.label,
        "--all",
        "--organisation",
        dataset.organisation.name,
        "--out",
        str(out),
    )
    text = pdf_text(out.read_bytes())
    assert "Synthèse de l'établissement" in text and dataset.other.diploma.code in text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--year", "1999-2000", "--diploma", "X"], "Année scolaire inconnue"),
        (["--diploma", "NOPE"], "Formation inconnue : NOPE"),
        (["--all", "--organisation", "Nulle part"], "Organisation inconnue"),
        (["--diploma", "X", "--all"], "not allowed with argument"),
        ([], "one of the arguments --diploma --all is required"),
    ],
)
def test_the_command_refuses_what_it_cannot_do(dataset, tmp_path, arguments, message):
    if "--year" not in arguments:
        arguments = ["--year", dataset.academic_year.label, *arguments]
    with pytest.raises(CommandError, match=message):
        call_command("export_compliance_pdf", *arguments, "--out", str(tmp_path / "x.pdf"))
    assert not list(tmp_path.iterdir())
