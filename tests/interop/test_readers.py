import datetime
import io
import zipfile

import pytest

from interop import readers
from interop.columns import CellError, normalize_header, parse_bool, parse_date, parse_rncp, parse_sex
from interop.readers import FileRefused, read_table
from tests.interop.factories import csv_bytes, row, xlsx_bytes


def test_headers_match_without_regard_to_case_accents_or_spaces():
    assert normalize_header("  Date_De_Naissance_Apprenant ") == "date_de_naissance_apprenant"
    assert normalize_header("Année Scolaire") == "annee_scolaire"


def test_headers_match_without_the_official_templates_required_marks():
    # The official template marks its required columns "nom_apprenant *", its conditional ones "**".
    assert normalize_header("nom_apprenant *") == "nom_apprenant"
    assert normalize_header("contrat_date_fin_2**") == "contrat_date_fin_2"
    assert normalize_header(" siret_employeur_3 ** ") == "siret_employeur_3"


@pytest.mark.parametrize("text", ["2025-09-01", "01/09/2025", "1/9/2025"])
def test_dates_are_read_in_both_styles(text):
    assert parse_date(text) == datetime.date(2025, 9, 1)


def test_an_impossible_date_is_an_error_in_french():
    with pytest.raises(CellError, match="n'est pas une date valide"):
        parse_date("31/02/2025")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("VRAI", True), ("faux", False), ("OUI", True), ("Non", False), ("1", True), ("0", False), ("", None)],
)
def test_booleans_are_read_in_every_style(text, expected):
    assert parse_bool(text) is expected


@pytest.mark.parametrize(("text", "expected"), [("1", "M"), ("2", "F"), ("H", "M"), ("F", "F"), ("M", "M")])
def test_sex_is_read_as_numbers_or_letters(text, expected):
    assert parse_sex(text) == expected


@pytest.mark.parametrize("text", ["RNCP35123", "rncp 35123", "35123"])
def test_rncp_is_read_with_or_without_its_prefix(text):
    assert parse_rncp(text) == "35123"


@pytest.mark.parametrize(
    ("kwargs", "detail"),
    [
        ({"delimiter": ";"}, "UTF-8, « ; »"),
        ({"delimiter": ","}, "UTF-8, « , »"),
        ({"bom": True}, "UTF-8, « ; »"),
        ({"encoding": "cp1252"}, "Windows-1252, « ; »"),
    ],
)
def test_csv_encoding_and_separator_are_detected(kwargs, detail):
    table = read_table(csv_bytes([row(1, prenom_apprenant="Léa")], **kwargs), "effectifs.csv")
    assert table.detail == detail
    assert table.rows[0][1][table.columns["prenom_apprenant"]] == "Léa"


def test_xlsx_reads_the_sheet_named_modele_even_when_it_is_not_the_first():
    table = read_table(xlsx_bytes([row(1)], other_sheet_first=True), "effectifs.xlsx")
    assert "Modèle" in table.detail
    assert table.rows[0][1][table.columns["nom_apprenant"]] == "Nom1"


def test_xlsx_without_a_modele_sheet_reads_the_first_one():
    table = read_table(xlsx_bytes([row(1)], sheet="Effectifs"), "effectifs.xlsx")
    assert "Effectifs" in table.detail


def test_an_empty_file_is_refused():
    with pytest.raises(FileRefused, match="vide"):
        read_table(b"", "effectifs.csv")


def test_a_file_over_the_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(FileRefused, match="la limite est de 100 octets"):
        read_table(csv_bytes([row(1)]), "effectifs.csv")


def test_a_binary_file_named_csv_is_refused():
    with pytest.raises(FileRefused, match="binaires"):
        read_table(b"nom;prenom\n\x00\x01\x02\x03", "effectifs.csv")


def test_a_utf16_file_is_refused_for_its_encoding():
    with pytest.raises(FileRefused, match="UTF-16"):
        read_table(csv_bytes([row(1)], encoding="utf-16"), "effectifs.csv")


def test_an_undecodable_file_is_refused_for_its_encoding():
    with pytest.raises(FileRefused, match="encodage"):
        read_table("nom;prénom\n".encode() + b"\x81\x8d\x8f\x90\x9d", "effectifs.csv")


def test_a_zip_bomb_is_refused_without_being_extracted(monkeypatch):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (3 * 1024 * 1024))
    with pytest.raises(FileRefused, match="volume anormal"):
        read_table(out.getvalue(), "effectifs.xlsx")


def test_a_zip_that_is_no_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "bonjour")
    with pytest.raises(FileRefused, match="n'est pas un classeur"):
        read_table(out.getvalue(), "effectifs.xlsx")


def test_an_old_excel_file_is_refused_with_what_to_do():
    with pytest.raises(FileRefused, match=r"\.xlsx ou en \.csv"):
        read_table(readers.OLE2_MAGIC + b"\x00" * 100, "effectifs.xls")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-cmd", "'-cmd"),
        ("+33 6 01 02 03 04", "+33 6 01 02 03 04"),
    ],
)
def test_formulas_are_defused_but_phone_numbers_kept(value, written):
    from interop.export import spreadsheet_safe

    assert spreadsheet_safe(value) == written
