"""interop/columns.py against the official template of the Tableau de bord de l'apprentissage
(``modele-import-29012025.xlsx``, kept out of the project in ``../shared/reference/``, or in the folder
``SHARED_DIR`` names): its header row and order (sheet "Modèle"), whether each column is required (sheet
"Description des données"), and the template itself read by the import as a CFA would upload it.

Where the file is absent the tests skip, saying so; under ``REQUIRE_SERVICES=1`` (CI, which has it) they
fail."""

from __future__ import annotations

import datetime
import io
import os
from pathlib import Path

import openpyxl
import pytest

from core.validators import validate_siret, validate_uai
from interop.columns import BY_NAME, COLUMNS, REQUIRED_COLUMNS, TEMPLATE_COLUMNS, TEMPLATE_HEADERS, Need
from interop.readers import read_table
from interop.services import planning
from tests.apprentices.factories import DiplomaFactory
from tests.conftest import REQUIRE_SERVICES
from tests.employers.factories import valid_siret

FILE_NAME = "modele-import-29012025.xlsx"
MODEL_SHEET = "Modèle"
DESCRIPTION_SHEET = "Description des données"
# The template's words in its column "Obligatoire", as interop/columns.py's Need says them. The second to
# fourth contracts' columns are required "le cas échéant": when the row has that contract.
OBLIGATOIRE = {
    "Oui": Need.ALWAYS,
    "Non": Need.OPTIONAL,
    "Oui, s'il y a un contrat": Need.IF_CONTRACT,
    "Oui, le cas échéant": Need.IF_CONTRACT,
    "Oui, s'il y a rupture du contrat": Need.IF_RUPTURE,
    "Oui, s'il y a rupture dans le contrat d'apprentissage": Need.IF_RUPTURE,
    "Oui, s'il y a une rupture de formation": Need.IF_EXCLUSION,
}
# On the 2nd to 4th contracts "le cas échéant" covers the rupture date too: required when it is ruptured.
SLOT_RUPTURES = {f"contrat_date_rupture{slot}" for slot in ("_2", "_3", "_4")}


def reference_path() -> Path:
    shared = os.environ.get("SHARED_DIR")
    if shared:
        base = Path(shared)
        return base / FILE_NAME if (base / FILE_NAME).exists() else base / "reference" / FILE_NAME
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / FILE_NAME


@pytest.fixture(scope="module")
def official() -> openpyxl.Workbook:
    path = reference_path()
    if not path.exists():
        reason = f"Le modèle officiel {FILE_NAME} est absent ({path.resolve()}) : colonnes non comparées."
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 : {reason}", pytrace=False)
        pytest.skip(reason)
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def template_bytes(official) -> bytes:
    return reference_path().read_bytes()


def description(official) -> dict[str, str]:
    """The header (with its marks) -> the words of its column "Obligatoire"."""
    rows = official[DESCRIPTION_SHEET].iter_rows(min_row=2, values_only=True)
    return {str(r[1]).strip(): str(r[2]).strip() for r in rows if r[1]}


def test_the_header_row_is_the_templates_in_its_order(official):
    headers = [cell for cell in next(official[MODEL_SHEET].iter_rows(max_row=1, values_only=True)) if cell]
    assert tuple(headers) == TEMPLATE_HEADERS
    assert len(COLUMNS) == 62


def test_the_description_sheet_lists_the_same_columns_in_the_same_order(official):
    assert tuple(description(official)) == TEMPLATE_HEADERS


def test_each_column_is_required_as_the_description_says(official):
    words = description(official)
    unknown = {w for w in words.values() if w not in OBLIGATOIRE}
    assert not unknown, f"Des mentions « Obligatoire » du modèle ne sont pas connues : {unknown}"
    for column in COLUMNS:
        expected = OBLIGATOIRE[words[column.header]]
        if column.name in SLOT_RUPTURES:
            expected = Need.IF_RUPTURE if expected is Need.IF_CONTRACT else expected
        assert column.need is expected, (column.name, words[column.header])
    always = [h.rstrip(" *") for h, w in words.items() if w == "Oui"]
    assert list(REQUIRED_COLUMNS) == always


def test_the_formats_are_the_templates(official):
    rows = official[DESCRIPTION_SHEET].iter_rows(min_row=2, values_only=True)
    formats = {str(r[1]).strip(): " ".join(str(r[4]).split()) for r in rows if r[1]}
    for column in COLUMNS:
        assert " ".join(column.format.split()) == formats[column.header], column.name


def test_the_template_itself_is_read_whole(template_bytes):
    table = read_table(template_bytes, FILE_NAME)
    assert table.detail == "feuille « Modèle »"
    assert set(table.columns) == set(TEMPLATE_COLUMNS)
    assert [header for header in table.headers if header] == list(TEMPLATE_HEADERS)
    assert len(table.rows) == 1


def test_the_templates_example_row_is_read_and_fails_only_on_its_dummy_identifiers(
    organisation, template_bytes
):
    """The example row carries dummy identifiers (UAI 0123456A, SIRET 12345678901235) whose check keys
    are wrong, four identical contracts and an exclusion dated before them: those are its only faults."""
    DiplomaFactory(organisation=organisation, rncp_code="RNCP12345", cfd_code="50022145")
    preview = planning.build_preview(
        organisation=organisation, data=template_bytes, file_name=FILE_NAME, today=datetime.date(2025, 1, 15)
    )
    assert preview.ignored_columns == []
    (plan,) = preview.plans
    apprentice = plan.values["apprentice"]
    assert (apprentice["last_name"], apprentice["first_name"], apprentice["birth_date"]) == (
        "Dupuis",
        "Gaston",
        "1998-01-24",
    )
    assert (apprentice["postal_code"], apprentice["phone"], apprentice["rqth"]) == (
        "44000",
        "0612345678",
        True,
    )
    assert plan.values["contracts"][0]["start"] == "2023-01-11"
    assert plan.values["exclusion_cause"] == "Absences répétées et injustifiées"
    faulty = {column for column, _message in plan.errors}
    dummies = {
        "etablissement_responsable_uai",
        "etablissement_formateur_uai",
        "etablissement_responsable_siret",
        "etablissement_formateur_siret",
        "siret_employeur",
        "siret_employeur_2",
        "siret_employeur_3",
        "siret_employeur_4",
    }
    assert faulty <= dummies | {"date_exclusion_formation", "contrat_date_debut"}, plan.errors
    for code in ("0123456A",):
        with pytest.raises(Exception, match="lettre de contrôle"):
            validate_uai(code)
    with pytest.raises(Exception, match="Luhn"):
        validate_siret("12345678901235")


def test_the_template_filled_with_real_identifiers_imports_its_example(organisation, template_bytes):
    """The example row with identifiers whose keys are right, one contract and no exclusion: created."""
    DiplomaFactory(organisation=organisation, rncp_code="RNCP12345", cfd_code="50022145")
    workbook = openpyxl.load_workbook(io.BytesIO(template_bytes))
    sheet = workbook[MODEL_SHEET]
    index = {BY_NAME[name].header: n + 1 for n, name in enumerate(TEMPLATE_COLUMNS)}
    real = {
        "etablissement_responsable_uai *": "0751234J",
        "etablissement_formateur_uai *": "0751234J",
        "etablissement_lieu_de_formation_uai": "0751234J",
        "etablissement_responsable_siret *": valid_siret(1),
        "etablissement_formateur_siret *": valid_siret(1),
        "etablissement_lieu_de_formation_siret": valid_siret(1),
        "siret_employeur **": valid_siret(2),
        "date_fin_formation *": datetime.datetime(2025, 6, 30),
        "date_exclusion_formation **": None,
        "cause_exclusion_formation": None,
        "obtention_diplome_formation": None,
        "date_obtention_diplome_formation": None,
    }
    for slot in ("_2", "_3", "_4"):
        for name in ("contrat_date_debut", "contrat_date_fin", "siret_employeur", "contrat_date_rupture"):
            real[BY_NAME[f"{name}{slot}"].header] = None
        real[BY_NAME[f"cause_rupture_contrat{slot}"].header] = None
    for header, value in real.items():
        sheet.cell(row=2, column=index[header]).value = value  # cell(value=None) would leave it
    out = io.BytesIO()
    workbook.save(out)
    preview = planning.build_preview(
        organisation=organisation, data=out.getvalue(), file_name=FILE_NAME, today=datetime.date(2025, 1, 15)
    )
    (plan,) = preview.plans
    assert plan.errors == []
    assert plan.action == "create"
    assert plan.values["contracts"][0]["rupture"] == "2024-06-11"
