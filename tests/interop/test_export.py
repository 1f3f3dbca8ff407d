"""The export is the official template: its header row, its columns in its order, one row per apprentice
and training with the contracts in the slots _2 to _4, the required cells filled from the platform's data
(or the row flagged), as XLSX and CSV; and the platform imports it back without a change."""

import csv
import datetime
import io
import os
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from apprentices.models import Contract
from core.models import Role
from interop.columns import COLUMNS, TEMPLATE_COLUMNS, TEMPLATE_HEADERS, Need
from interop.export import Exporter, export_text, export_xlsx
from interop.readers import read_table
from interop.services import planning
from interop.template import DESCRIPTION_SHEET, MODEL_SHEET, template_workbook
from tests.apprentices.factories import (
    ApprenticeFactory,
    CohortFactory,
    ContractFactory,
    DiplomaFactory,
    LegalRepresentativeFactory,
)
from tests.core.factories import AcademicYearFactory, OrganisationFactory, UserFactory
from tests.employers.factories import EmployerFactory, valid_siret

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "modele-import-29012025.xlsx"
ALWAYS = [c.name for c in COLUMNS if c.need is Need.ALWAYS]


def reference_or_skip() -> Path:
    if REFERENCE.exists():
        return REFERENCE
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"Le modèle officiel est absent ({REFERENCE}).")
    pytest.skip(f"Le modèle officiel n'est pas là ({REFERENCE}) : comparé à interop/columns.py seulement.")


def sheet_rows(data: bytes, name: str = MODEL_SHEET) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [tuple(row) for row in workbook[name].iter_rows(values_only=True)]


def by_name(rows: list[tuple]) -> list[dict]:
    return [dict(zip(TEMPLATE_COLUMNS, row, strict=True)) for row in rows[1:]]


class CFA:
    """An organisation with its UAI and SIRET, a diploma and its cohort of this year, and three
    apprentices: ``moved`` (a contract ruptured, then a second one, with another employer), ``waiting``
    (enrolled, no contract yet) and ``unknown_address`` (the platform lacks their address)."""

    def __init__(self):
        self.organisation = OrganisationFactory(
            name="CFA de l'export", uai="0751234J", siret=valid_siret(9000)
        )
        self.year = AcademicYearFactory()
        self.diploma = DiplomaFactory(
            organisation=self.organisation, rncp_code="RNCP37111", cfd_code="37111001", duration_years=2
        )
        self.cohort = CohortFactory(
            diploma=self.diploma,
            entry_year=self.year,
            start_date=self.year.start_date + datetime.timedelta(days=14),
        )
        org = self.organisation
        self.moved = ApprenticeFactory(
            organisation=org,
            cohort=self.cohort,
            ine="123456789AB",
            address="3 rue des Lilas",
            last_name="Martin",
            first_name="Léa",
        )
        start = self.cohort.start_date
        self.first = ContractFactory(
            apprentice=self.moved,
            employer=EmployerFactory(organisation=org),
            start_date=start,
            planned_end_date=start + datetime.timedelta(days=700),
            status=Contract.Status.RUPTURED,
            rupture_date=start + datetime.timedelta(days=50),
            rupture_cause=Contract.RuptureCause.MUTUAL,
        )
        self.second = ContractFactory(
            apprentice=self.moved,
            employer=EmployerFactory(organisation=org),
            start_date=start + datetime.timedelta(days=70),
            planned_end_date=start + datetime.timedelta(days=700),
        )
        self.waiting = ApprenticeFactory(
            organisation=org, cohort=self.cohort, address="8 avenue Foch", last_name="Petit", first_name="Jo"
        )
        self.unknown_address = ApprenticeFactory(
            organisation=org, cohort=self.cohort, address="", last_name="Roux", first_name="Sam"
        )
        self.staff = UserFactory(organisation=org, roles=[Role.STAFF], is_staff=True)


@pytest.fixture
def cfa(db):
    return CFA()


def test_the_platforms_template_has_the_official_header_row_and_descriptions():
    data = template_workbook()
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == [MODEL_SHEET, DESCRIPTION_SHEET]
    assert sheet_rows(data) == [TEMPLATE_HEADERS]
    described = sheet_rows(data, DESCRIPTION_SHEET)[1:]
    assert [row[1] for row in described] == list(TEMPLATE_HEADERS)
    assert [row[2] for row in described] == [c.need.value for c in COLUMNS]
    assert all(row[3] and row[4] and row[5] for row in described)


def test_the_platforms_template_agrees_with_the_official_one():
    # Read from bytes: a read-only workbook opened on a path keeps its file open until it is closed.
    official = openpyxl.load_workbook(io.BytesIO(reference_or_skip().read_bytes()), read_only=True)
    ours = openpyxl.load_workbook(io.BytesIO(template_workbook()), read_only=True)
    assert next(ours[MODEL_SHEET].iter_rows(values_only=True)) == next(
        official[MODEL_SHEET].iter_rows(values_only=True)
    )
    names = [row[1] for row in official[DESCRIPTION_SHEET].iter_rows(min_row=2, values_only=True) if row[1]]
    assert [row[1] for row in ours[DESCRIPTION_SHEET].iter_rows(min_row=2, values_only=True)] == names


def test_the_xlsx_export_has_the_templates_sheet_and_exact_header_row(cfa):
    rows = sheet_rows(export_xlsx(cfa.organisation.pk))
    assert openpyxl.load_workbook(io.BytesIO(export_xlsx(cfa.organisation.pk))).sheetnames == [MODEL_SHEET]
    assert rows[0] == TEMPLATE_HEADERS
    if REFERENCE.exists():
        official = openpyxl.load_workbook(io.BytesIO(REFERENCE.read_bytes()), read_only=True)[MODEL_SHEET]
        assert rows[0] == next(official.iter_rows(values_only=True))


def test_the_csv_export_has_the_same_header_row_and_columns(cfa):
    text = export_text(cfa.organisation.pk).removeprefix("\ufeff")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert tuple(lines[0]) == TEMPLATE_HEADERS
    assert len(lines) == 4 and all(len(line) == 62 for line in lines)


def test_the_export_read_with_the_templates_rules_fills_every_required_cell_the_platform_holds(cfa):
    table = read_table(export_xlsx(cfa.organisation.pk), "effectifs.xlsx")
    assert table.kind == "xlsx" and list(table.columns) == list(TEMPLATE_COLUMNS)
    rows = {}
    for _line, cells in table.rows:
        rows[cells[0]] = dict(zip(TEMPLATE_COLUMNS, cells + [""] * (62 - len(cells)), strict=True))
    for name in ("Martin", "Petit"):
        assert [c for c in ALWAYS if not rows[name][c]] == [], name
    moved, waiting = rows["Martin"], rows["Petit"]
    entry = cfa.cohort.start_date.isoformat()
    assert (moved["etablissement_responsable_uai"], moved["etablissement_responsable_siret"]) == (
        "0751234J",
        cfa.organisation.siret,
    )
    assert moved["date_inscription_formation"] == moved["date_entree_formation"] == entry
    assert moved["duree_theorique_formation_mois"] == "24" and moved["annee_formation"] == "1"
    assert moved["annee_scolaire"] == cfa.year.label and moved["formation_rncp"] == "RNCP37111"
    # The two contracts of one training are one row, the second in the slot _2.
    assert (moved["contrat_date_debut"], moved["siret_employeur"]) == (
        cfa.first.start_date.isoformat(),
        cfa.first.employer.siret,
    )
    assert moved["contrat_date_rupture"] == cfa.first.rupture_date.isoformat()
    assert moved["cause_rupture_contrat"] == "Rupture d'un commun accord"
    assert (moved["contrat_date_debut_2"], moved["siret_employeur_2"]) == (
        cfa.second.start_date.isoformat(),
        cfa.second.employer.siret,
    )
    assert moved["contrat_date_rupture_2"] == "" and moved["contrat_date_debut_3"] == ""
    # Enrolled without a contract: the cohort's training, dates and end.
    assert waiting["date_entree_formation"] == entry and waiting["contrat_date_debut"] == ""
    assert waiting["date_fin_formation"] == datetime.date(cfa.year.end_date.year + 1, 8, 31).isoformat()


def test_a_row_the_platform_cannot_complete_says_what_it_lacks(cfa):
    rows = {row.label: row for row in Exporter(cfa.organisation.pk).rows()}
    assert rows["Roux Sam"].missing == ["adresse_apprenant"]
    assert rows["Martin Léa"].missing == [] and rows["Petit Jo"].missing == []


def test_the_organisations_missing_siret_and_a_diploma_over_48_months_are_flagged(cfa):
    type(cfa.organisation).objects.filter(pk=cfa.organisation.pk).update(siret="")
    type(cfa.diploma).objects.filter(pk=cfa.diploma.pk).update(duration_years=5)
    row = next(r for r in Exporter(cfa.organisation.pk).rows() if r.label == "Petit Jo")
    assert row.missing == [
        "etablissement_responsable_siret",
        "etablissement_formateur_siret",
        "duree_theorique_formation_mois",
    ]


def test_the_diplomas_theoretical_months_win_over_its_years(cfa):
    type(cfa.diploma).objects.filter(pk=cfa.diploma.pk).update(duration_months=18)
    row = next(r for r in Exporter(cfa.organisation.pk).rows() if r.label == "Petit Jo")
    assert row.cells["duree_theorique_formation_mois"] == "18"


def test_an_apprentice_with_two_trainings_has_one_row_for_each(cfa):
    other = DiplomaFactory(organisation=cfa.organisation, rncp_code="RNCP38222", cfd_code="")
    ContractFactory(
        apprentice=cfa.waiting,
        diploma=other,
        start_date=cfa.year.start_date - datetime.timedelta(days=400),
        planned_end_date=cfa.year.start_date - datetime.timedelta(days=40),
        status=Contract.Status.COMPLETED,
        diploma_outcome=Contract.Outcome.OBTAINED,
        diploma_outcome_date=cfa.year.start_date - datetime.timedelta(days=60),
    )
    rows = [r for r in Exporter(cfa.organisation.pk).rows() if r.label == "Petit Jo"]
    assert [r.cells["formation_rncp"] for r in rows] == ["RNCP38222", "RNCP37111"]
    earlier = rows[0].cells
    assert earlier["obtention_diplome_formation"] == "VRAI" and earlier["annee_formation"] == "2"
    assert earlier["date_entree_formation"] == earlier["contrat_date_debut"]
    report = planning.preview_import(
        organisation=cfa.organisation, data=export_xlsx(cfa.organisation.pk), file_name="e.xlsx", by=cfa.staff
    )
    # Both rows are the one apprentice, and import back unchanged.
    assert [r.action for r in report.rows.all() if r.label.startswith("Petit Jo")] == ["unchanged"] * 2
    # Nothing else changes; the one row refused is Roux Sam's, whose address the platform lacks (flagged).
    assert report.rows_create == report.rows_update == 0
    refused = [r.label for r in report.rows.all() if r.action == "rejected"]
    assert len(refused) == report.rows_rejected == 1 and refused[0].startswith("Roux Sam")


def test_legal_representatives_and_the_disability_referent_fill_their_columns(cfa):
    LegalRepresentativeFactory(apprentice=cfa.waiting, email="mere@exemple.test")
    referent = UserFactory(organisation=cfa.organisation, first_name="Inès", last_name="Garnier")
    type(cfa.organisation).objects.filter(pk=cfa.organisation.pk).update(disability_referent=referent)
    cells = next(r for r in Exporter(cfa.organisation.pk).rows() if r.label == "Petit Jo").cells
    assert cells["responsable_apprenant_mail1"] == "mere@exemple.test"
    assert (cells["nom_referent_handicap_formation"], cells["email_referent_handicap_formation"]) == (
        "Garnier",
        referent.email,
    )


def test_a_value_that_looks_like_a_formula_is_text_in_the_workbook(cfa):
    type(cfa.waiting).objects.filter(pk=cfa.waiting.pk).update(address='=HYPERLINK("x")')
    data = export_xlsx(cfa.organisation.pk)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for row in workbook[MODEL_SHEET].iter_rows() for c in row if c.value == '=HYPERLINK("x")']
    assert len(cells) == 1 and cells[0].data_type == "s"
    csv_text = export_text(cfa.organisation.pk)
    assert ';"\'=HYPERLINK(""x"")";' in csv_text


def test_the_export_rows_take_seven_queries_whatever_their_number(cfa, django_assert_num_queries):
    for _ in range(5):
        ContractFactory(apprentice=ApprenticeFactory(organisation=cfa.organisation, cohort=cfa.cohort))
    # organisation, academic year; diplomas, cohorts, contracts, legal representatives, apprentices
    with django_assert_num_queries(7):
        rows = list(Exporter(cfa.organisation.pk).rows())
    assert len(rows) == 8


def test_the_apprentices_exit_from_the_training_is_on_their_latest_row(cfa):
    left = cfa.cohort.start_date + datetime.timedelta(days=90)
    type(cfa.waiting).objects.filter(pk=cfa.waiting.pk).update(
        training_exit_date=left, training_exit_reason="Absences répétées et injustifiées"
    )
    cells = next(r for r in Exporter(cfa.organisation.pk).rows() if r.label == "Petit Jo").cells
    assert cells["date_exclusion_formation"] == left.isoformat()
    assert cells["cause_exclusion_formation"] == "Absences répétées et injustifiées"


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_reimporting_the_export_changes_nothing(cfa, kind):
    type(cfa.waiting).objects.filter(pk=cfa.waiting.pk).update(
        training_exit_date=cfa.cohort.start_date + datetime.timedelta(days=90), training_exit_reason="Abandon"
    )
    data = export_xlsx(cfa.organisation.pk) if kind == "xlsx" else export_text(cfa.organisation.pk).encode()
    report = planning.preview_import(
        organisation=cfa.organisation, data=data, file_name=f"effectifs.{kind}", by=cfa.staff
    )
    rows = {row.label.split(" (")[0]: row for row in report.rows.all()}
    assert report.rows_create == 0 and report.rows_update == 0
    for name in ("Martin Léa", "Petit Jo"):
        assert rows[name].action == rows[name].Action.UNCHANGED, (name, rows[name].errors, rows[name].changes)
    assert rows["Roux Sam"].action in {rows["Roux Sam"].Action.UNCHANGED, rows["Roux Sam"].Action.REJECTED}


def test_the_csv_formula_guard_is_not_read_back_as_data(cfa):
    """The export writes a cell a spreadsheet would run behind an apostrophe; the import takes it off."""
    type(cfa.waiting).objects.filter(pk=cfa.waiting.pk).update(address='=HYPERLINK("x")')
    data = export_text(cfa.organisation.pk)
    assert ';"\'=HYPERLINK(""x"")";' in data
    report = planning.preview_import(
        organisation=cfa.organisation, data=data.encode(), file_name="effectifs.csv", by=cfa.staff
    )
    row = next(r for r in report.rows.all() if r.label.startswith("Petit Jo"))
    assert row.action == row.Action.UNCHANGED, (row.errors, row.changes)


def test_staff_see_the_export_page_with_its_incomplete_rows(client, cfa, django_assert_num_queries):
    client.force_login(cfa.staff)
    # session, user, roles; organisation, academic year; diplomas, cohorts, contracts, legal
    # representatives, apprentices
    with django_assert_num_queries(10):
        response = client.get(reverse("interop:export_home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Roux Sam" in body and "<code>adresse_apprenant</code>" in body
    assert "Martin Léa" not in body
    assert reverse("interop:export_xlsx") in body and reverse("interop:export") in body


def test_the_export_downloads_as_a_workbook_and_the_template_too(client, cfa):
    client.force_login(cfa.staff)
    response = client.get(reverse("interop:export_xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="effectifs-' in response["Content-Disposition"]
    assert sheet_rows(response.content)[0] == TEMPLATE_HEADERS
    template = client.get(reverse("interop:template"))
    assert sheet_rows(template.content) == [TEMPLATE_HEADERS]
    page = client.get(reverse("interop:import_home")).content.decode()
    assert reverse("interop:template") in page and reverse("interop:export_home") in page


def test_a_large_cfas_workbook_is_prepared_in_the_background(
    client, cfa, monkeypatch, django_capture_on_commit_callbacks
):
    from interop import export, views
    from reports.models import Export

    monkeypatch.setattr(views, "INLINE_XLSX_ROWS", 2)
    monkeypatch.setattr(export, "PROGRESS_EVERY", 1)
    client.force_login(cfa.staff)
    page = client.get(reverse("interop:export_home")).content.decode()
    assert reverse("reports:effectifs_export") in page and reverse("interop:export_xlsx") not in page
    response = client.get(reverse("interop:export_xlsx"))
    assert response.status_code == 302 and response.url == reverse("interop:export_home")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:effectifs_export"))
    job = Export.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert (job.kind, job.status, job.done, job.total) == ("effectifs", "done", 3, 3)
    download = client.get(reverse("reports:export_download", args=[job.pk]))
    data = b"".join(download.streaming_content)
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert sheet_rows(data)[0] == TEMPLATE_HEADERS and len(sheet_rows(data)) == 4


def test_only_the_cfa_staff_ask_for_the_background_workbook(client, cfa):
    from reports.models import Export

    tutor = UserFactory(organisation=cfa.organisation, roles=[Role.SCHOOL_TUTOR])
    client.force_login(tutor)
    assert client.post(reverse("reports:effectifs_export")).status_code == 404
    assert not Export.objects.exists()
