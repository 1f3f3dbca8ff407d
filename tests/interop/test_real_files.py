"""Issue 14, "Found": the official template and files shaped like real ERP exports, built in the tests,
read as a CFA would send them. One test (or a few) per case found; each failed before its fix."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pytest

from apprentices.models import Apprentice, Contract
from interop.columns import (
    TEMPLATE_COLUMNS,
    clean_phone,
    clean_postal_code,
    clean_siret,
    parse_date,
    rupture_cause,
)
from interop.export import spreadsheet_safe
from interop.models import ImportRow
from interop.readers import read_table
from interop.services import planning, writing
from tests.employers.factories import valid_siret
from tests.interop.factories import csv_bytes, ine, row, template_xlsx, xlsx_bytes

TODAY = datetime.date(2026, 1, 15)
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def preview(organisation, staff, data, name="effectifs.csv"):
    return planning.preview_import(
        organisation=organisation, data=data, file_name=name, by=staff, today=TODAY
    )


def run(organisation, staff, data, name="effectifs.csv"):
    return writing.confirm_import(report=preview(organisation, staff, data, name), by=staff)


def only_row(report) -> ImportRow:
    rows = list(report.rows.all())
    assert len(rows) == 1
    return rows[0]


def serial(day: str) -> int:
    """The number Excel keeps for a date cell without a date format."""
    return (datetime.date.fromisoformat(day) - EXCEL_EPOCH).days


def dotted(siret: str) -> str:
    return f"{siret[:3]}.{siret[3:6]}.{siret[6:9]}.{siret[9:]}"


# 1. The template itself ------------------------------------------------------------------------


def test_the_templates_headers_with_their_required_marks_are_recognised(organisation, staff, diploma):
    report = preview(organisation, staff, template_xlsx([row(1)]), "modele-import.xlsx")
    assert report.ignored_columns == []
    line = only_row(report)
    assert line.action == ImportRow.Action.CREATE, line.errors
    assert line.values["apprentice"]["last_name"] == "Nom1"
    table = read_table(template_xlsx([row(1)]), "modele-import.xlsx")
    assert set(table.columns) == set(TEMPLATE_COLUMNS)
    assert {"contrat_date_fin_2", "nom_apprenant", "contrat_date_debut"} <= set(table.columns)


# 2. Valid values that were rejected ---------------------------------------------------------------


def test_dates_kept_by_excel_as_serial_numbers_or_as_datetimes_are_read(organisation, staff, diploma):
    as_number = {
        "contrat_date_debut": lambda v: serial(v),
        "contrat_date_fin": lambda v: float(serial(v)),
        "date_de_naissance_apprenant": lambda v: datetime.datetime.fromisoformat(v),
    }
    report = run(organisation, staff, template_xlsx([row(1)], cells=as_number), "effectifs.xlsx")
    assert report.rows_rejected == 0
    assert serial("2025-09-01") == 45901
    contract = Contract.objects.get()
    assert (contract.start_date, contract.planned_end_date) == (
        datetime.date(2025, 9, 1),
        datetime.date(2027, 8, 31),
    )
    assert Apprentice.objects.get().birth_date == datetime.date(2004, 3, 15)


def test_a_number_in_a_column_that_is_no_date_is_not_read_as_a_date():
    table = read_table(template_xlsx([row(1)], cells={"annee_formation": int}), "effectifs.xlsx")
    assert table.rows[0][1][table.columns["annee_formation"]] == "1"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("01/09/25", datetime.date(2025, 9, 1)),
        ("24/12/04", datetime.date(2004, 12, 24)),
        ("24/12/98", datetime.date(1998, 12, 24)),
        ("24/12/2004 00:00:00", datetime.date(2004, 12, 24)),
        ("2004-12-24 00:00:00", datetime.date(2004, 12, 24)),
        ("2004-12-24T00:00:00", datetime.date(2004, 12, 24)),
        ("24/12/2004 08:30", datetime.date(2004, 12, 24)),
        ("24.12.2004", datetime.date(2004, 12, 24)),
        ("24-12-2004", datetime.date(2004, 12, 24)),
    ],
)
def test_two_digit_years_and_dates_with_a_time_are_read(text, day):
    assert parse_date(text) == day


def test_a_csv_with_short_years_and_times_imports(organisation, staff, diploma):
    data = csv_bytes(
        [row(1, date_de_naissance_apprenant="15/03/2004 00:00:00", contrat_date_debut="01/09/25")]
    )
    report = run(organisation, staff, data)
    assert report.rows_rejected == 0
    assert Contract.objects.get().start_date == datetime.date(2025, 9, 1)
    assert Apprentice.objects.get().birth_date == datetime.date(2004, 3, 15)


@pytest.mark.parametrize(
    "written", ["800.000.020.00019", "800 000 020 00019", "800-000-020-00019", "'80000002000019"]
)
def test_a_siret_with_dots_dashes_or_spaces_is_its_14_digits(written):
    assert clean_siret(written) == "80000002000019"


def test_a_row_with_dotted_sirets_imports_with_their_digits(organisation, staff, diploma):
    employer = valid_siret(7)
    data = csv_bytes([row(1, siret_employeur=dotted(employer))])
    report = run(organisation, staff, data)
    assert report.rows_rejected == 0
    assert Contract.objects.get().employer.siret == employer


def test_a_postal_code_behind_an_apostrophe_in_a_csv_is_read(organisation, staff, diploma):
    report = run(organisation, staff, csv_bytes([row(1, code_postal_apprenant="'01000")]))
    assert report.rows_rejected == 0
    assert Apprentice.objects.get().postal_code == "01000"


@pytest.mark.parametrize(("kind", "cells"), [("csv", None), ("xlsx", {"code_postal_apprenant": int})])
def test_a_postal_code_kept_as_a_number_regains_its_leading_zero(organisation, staff, diploma, kind, cells):
    rows = [row(1, code_postal_apprenant="1000")]
    data = (
        csv_bytes(rows)
        if kind == "csv"
        else template_xlsx([row(1, code_postal_apprenant="01000")], cells=cells)
    )
    report = run(organisation, staff, data, f"effectifs.{kind}")
    assert report.rows_rejected == 0
    assert Apprentice.objects.get().postal_code == "01000"
    assert clean_postal_code("2a004") == "2A004"


# 3. Values that were misread ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "cause"),
    [
        ("Rupture à l’initiative de l’apprenti", "apprentice"),
        ("« à l’initiative de l’apprenti »", "apprentice"),
        ("Rupture à l‘initiative de l‘apprenti", "apprentice"),
        ("A l’initiative de l’employeur", "employer"),
        ("Rupture d’un commun accord", "mutual"),
        ("Cessation d’activité de l’entreprise", "closure"),
        ("Absences répétées et injustifiées", "other"),
    ],
)
def test_rupture_causes_with_typographic_apostrophes_find_their_cause(label, cause):
    assert rupture_cause(label) == cause


def test_every_cause_the_export_writes_is_read_back_as_itself():
    from interop.export import CAUSES

    assert {code: rupture_cause(label) for code, label in CAUSES.items()} == {code: code for code in CAUSES}


def test_a_rupture_cause_with_typographic_apostrophes_is_stored_as_that_cause(organisation, staff, diploma):
    data = csv_bytes(
        [
            row(
                1,
                contrat_date_rupture="2025-11-30",
                cause_rupture_contrat="« à l’initiative de l’apprenti »",
            )
        ]
    )
    run(organisation, staff, data)
    assert Contract.objects.get().rupture_cause == Contract.RuptureCause.APPRENTICE


@pytest.mark.parametrize(
    ("written", "phone"),
    [
        ("'0612345678", "0612345678"),
        ("612345678", "0612345678"),
        ("06 12 34 56 78", "0612345678"),
        ("06.12.34.56.78", "0612345678"),
        ("(+)33612345678", "+33612345678"),
        ("33612345678", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
    ],
)
def test_phones_are_read_as_the_template_asks(written, phone):
    assert clean_phone(written) == phone


@pytest.mark.parametrize(
    ("kind", "written", "cells"),
    [("csv", "'0612345678", None), ("xlsx", "0612345678", {"tel_apprenant": int})],
)
def test_a_phone_behind_an_apostrophe_or_kept_as_a_number_is_read_whole(
    organisation, staff, diploma, kind, written, cells
):
    rows = [row(1, tel_apprenant=written)]
    data = csv_bytes(rows) if kind == "csv" else template_xlsx(rows, cells=cells)
    run(organisation, staff, data, f"effectifs.{kind}")
    assert Apprentice.objects.get().phone == "0612345678"


def test_a_phone_written_otherwise_is_no_change(organisation, staff, diploma):
    run(organisation, staff, csv_bytes([row(1)]))
    Apprentice.objects.update(phone="06 01 02 03 04")
    report = preview(organisation, staff, csv_bytes([row(1, tel_apprenant="06.01.02.03.04")]))
    assert only_row(report).action == ImportRow.Action.UNCHANGED


# Readers that take what real exports contain ------------------------------------------------------


def test_trailing_blank_rows_and_columns_are_ignored(organisation, staff, diploma):
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx([row(1)])))
    sheet = workbook.active
    for number in range(3, 40):
        sheet.cell(row=number, column=70, value=" ")
        sheet.cell(row=number, column=1, value="")
    sheet.cell(row=1, column=70, value="")
    out = io.BytesIO()
    workbook.save(out)
    report = preview(organisation, staff, out.getvalue(), "effectifs.xlsx")
    assert (report.rows_total, report.rows_create, report.ignored_columns) == (1, 1, [])
    text = csv_bytes([row(1)]).decode().replace("\r\n", ";;;\r\n") + ";;;;;;\r\n\r\n;;\r\n"
    report = preview(organisation, staff, text.encode())
    assert (report.rows_total, report.rows_create, report.ignored_columns) == (1, 1, [])


def test_the_data_is_read_on_a_second_sheet_after_a_notice(organisation, staff, diploma):
    workbook = openpyxl.Workbook()
    notice = workbook.active
    notice.title = "Notice"
    notice.append(["Export de l'ERP du 01/09/2025"])
    notice.append(["Ne pas modifier les colonnes"])
    data_sheet = workbook.create_sheet("Export apprentis")
    headers = list(row(1))
    data_sheet.append(headers)
    data_sheet.append([row(1)[h] for h in headers])
    out = io.BytesIO()
    workbook.save(out)
    report = preview(organisation, staff, out.getvalue(), "export.xlsx")
    assert "Export apprentis" in report.file_format
    assert (report.rows_total, report.rows_create) == (1, 1)


def test_spaces_around_values_and_mixed_case_headers_are_read(organisation, staff, diploma):
    padded = {key: f"  {value}  " if value else value for key, value in row(1).items()}
    headers = [h.upper() if i % 2 else h.title() for i, h in enumerate(padded)]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(headers)
    writer.writerow(list(padded.values()))
    report = run(organisation, staff, out.getvalue().encode())
    assert (report.rows_rejected, report.ignored_columns) == (0, [])
    apprentice = Apprentice.objects.get()
    assert (apprentice.last_name, apprentice.postal_code, apprentice.sex) == ("Nom1", "75005", "F")
    assert Contract.objects.get().start_date == datetime.date(2025, 9, 1)


def test_windows_1252_with_typographic_quotes_and_quoted_line_breaks(organisation, staff, diploma):
    rows = [
        row(
            1,
            adresse_apprenant="12 rue de l’Église\nBâtiment « B »",
            contrat_date_rupture="2025-11-30",
            cause_rupture_contrat="Rupture à l’initiative de l’apprenti",
        )
    ]
    report = run(organisation, staff, csv_bytes(rows, encoding="cp1252"))
    assert "Windows-1252" in report.file_format
    assert report.rows_rejected == 0
    assert Apprentice.objects.get().address == "12 rue de l’Église Bâtiment « B »"
    assert Contract.objects.get().rupture_cause == Contract.RuptureCause.APPRENTICE


@pytest.mark.parametrize("value", ["=SOMME(A1)", "-Dupont", "@cmd", "+Nom"])
def test_the_exports_formula_guard_is_not_read_back_as_data(value):
    data = csv_bytes([row(1, adresse_apprenant=spreadsheet_safe(value))])
    assert spreadsheet_safe(value) == "'" + value
    table = read_table(data, "effectifs.csv")
    assert table.rows[0][1][table.columns["adresse_apprenant"]] == value


def test_an_apostrophe_that_begins_a_name_is_kept():
    table = read_table(csv_bytes([row(1, nom_apprenant="'t Hooft")]), "effectifs.csv")
    assert table.rows[0][1][table.columns["nom_apprenant"]] == "'t Hooft"


def test_the_guard_is_not_read_back_from_a_workbook_either():
    table = read_table(xlsx_bytes([row(1, adresse_apprenant="'=1+1")]), "effectifs.xlsx")
    assert table.rows[0][1][table.columns["adresse_apprenant"]] == "=1+1"


# 3. (cont.) The exclusion from the CFA, and a CFD that contradicts the RNCP code -------------------


def test_an_exclusion_after_a_ruptured_last_contract_is_kept_on_the_apprentice(organisation, staff, diploma):
    data = csv_bytes(
        [
            row(
                1,
                contrat_date_rupture="2025-11-30",
                cause_rupture_contrat="Rupture d'un commun accord",
                date_exclusion_formation="2026-01-10",
                cause_exclusion_formation="Absences répétées et injustifiées",
            )
        ]
    )
    report = run(organisation, staff, data)
    assert report.rows_rejected == 0
    apprentice = Apprentice.objects.get()
    assert (apprentice.training_exit_date, apprentice.training_exit_reason) == (
        datetime.date(2026, 1, 10),
        "Absences répétées et injustifiées",
    )
    contract = Contract.objects.get()
    assert (contract.status, contract.rupture_date) == (Contract.Status.RUPTURED, datetime.date(2025, 11, 30))
    again = preview(organisation, staff, data)
    assert only_row(again).action == ImportRow.Action.UNCHANGED


def test_an_exclusion_without_any_contract_is_kept_on_the_apprentice(organisation, staff, diploma):
    data = csv_bytes(
        [
            row(
                1,
                contrat_date_debut="",
                contrat_date_fin="",
                siret_employeur="",
                date_exclusion_formation="15/12/2025",
                cause_exclusion_formation="Changement de CFA",
            )
        ]
    )
    report = run(organisation, staff, data)
    assert report.rows_rejected == 0
    apprentice = Apprentice.objects.get()
    assert (apprentice.training_exit_date, apprentice.training_exit_reason) == (
        datetime.date(2025, 12, 15),
        "Changement de CFA",
    )
    assert not Contract.objects.exists()


def test_an_exclusion_of_an_apprentice_already_known_updates_them(organisation, staff, diploma):
    run(
        organisation,
        staff,
        csv_bytes([row(1, contrat_date_debut="", contrat_date_fin="", siret_employeur="")]),
    )
    data = csv_bytes(
        [
            row(
                1,
                contrat_date_debut="",
                contrat_date_fin="",
                siret_employeur="",
                date_exclusion_formation="2026-01-05",
            )
        ]
    )
    line = only_row(preview(organisation, staff, data))
    assert line.action == ImportRow.Action.UPDATE
    assert ["Apprenti", "sortie de la formation le", "", "05/01/2026"] in line.changes


def test_the_apprentice_page_shows_the_exit_from_the_training(client, organisation, staff, diploma):
    run(
        organisation,
        staff,
        csv_bytes(
            [
                row(
                    1,
                    date_exclusion_formation="2026-01-10",
                    cause_exclusion_formation="Exclusion disciplinaire",
                )
            ]
        ),
    )
    client.force_login(staff)
    response = client.get(Apprentice.objects.get().get_absolute_url())
    text = response.content.decode()
    assert "Sortie de la formation" in text
    assert "10 janvier 2026 — Exclusion disciplinaire" in text


def test_a_cfd_that_contradicts_the_rncp_code_gives_a_warning_on_the_row(organisation, staff, diploma):
    from tests.apprentices.factories import DiplomaFactory

    DiplomaFactory(organisation=organisation, title="BTS Autre", rncp_code="RNCP36999", cfd_code="32099999")
    line = only_row(preview(organisation, staff, csv_bytes([row(1, formation_cfd="32099999")])))
    assert line.action == ImportRow.Action.CREATE
    assert any(
        "Le code CFD 32099999 ne correspond pas au code RNCP35123" in note for note in line.values["notes"]
    ), line.values["notes"]
    line = only_row(preview(organisation, staff, csv_bytes([row(1, formation_cfd="11111111")])))
    assert any("Le code CFD 11111111 ne correspond pas" in note for note in line.values["notes"])
    line = only_row(preview(organisation, staff, csv_bytes([row(1, formation_rncp="RNCP40000")])))
    assert any("Le code RNCP40000 ne correspond pas au code CFD" in note for note in line.values["notes"])
    line = only_row(preview(organisation, staff, csv_bytes([row(1)])))
    assert not any("ne correspond pas" in note for note in line.values["notes"])


# 4. One apprentice, however many rows ------------------------------------------------------------


def next_contract(n: int, **overrides) -> dict:
    """Apprentice ``n``'s second contract, on a row of its own without the INE (as ERPs write it)."""
    values = row(
        n,
        ine_apprenant="",
        nom_apprenant=f"NOM{n}",
        prenom_apprenant=f"PRENOM{n}",
        contrat_date_debut="2025-12-01",
        contrat_date_fin="2027-08-31",
        siret_employeur=valid_siret(500 + n),
    )
    values.update(overrides)
    return values


def first_contract(n: int) -> dict:
    return row(
        n,
        contrat_date_rupture="2025-10-31",
        cause_rupture_contrat="Rupture d'un commun accord",
    )


def people_and_contracts():
    return (
        sorted(Apprentice.objects.values_list("pk", "last_name", "first_name", "ine", "updated_at")),
        sorted(Contract.objects.values_list("pk", "apprentice_id", "status", "start_date", "updated_at")),
    )


def test_a_row_with_the_ine_then_one_without_are_one_apprentice_and_their_two_contracts(
    organisation, staff, diploma
):
    data = csv_bytes([first_contract(1), next_contract(1), row(2)])
    report = run(organisation, staff, data)
    assert (report.rows_create, report.rows_update, report.rows_rejected) == (2, 1, 0)
    second = report.rows.get(line=3)
    assert "Même apprenti qu'à la ligne 2 : les deux lignes sont réunies." in second.values["notes"]
    apprentice = Apprentice.objects.get(ine=ine(1))
    assert Apprentice.objects.count() == 2
    # The same name however written: the platform's spelling stays.
    assert (apprentice.last_name, apprentice.first_name) == ("Nom1", "Prénom1")
    contracts = list(apprentice.contracts.order_by("start_date"))
    assert [(c.start_date, c.status) for c in contracts] == [
        (datetime.date(2025, 9, 1), Contract.Status.RUPTURED),
        (datetime.date(2025, 12, 1), Contract.Status.ACTIVE),
    ]


def test_re_importing_the_same_file_changes_nothing_and_rejects_nothing(organisation, staff, diploma):
    data = csv_bytes([first_contract(1), next_contract(1), row(2), row(2)])
    run(organisation, staff, data)
    before = people_and_contracts()
    for _time in range(2):
        again = run(organisation, staff, data)
        assert (again.rows_unchanged, again.rows_rejected, again.rows_create, again.rows_update) == (
            4,
            0,
            0,
            0,
        )
    assert people_and_contracts() == before


def test_a_row_without_ine_first_then_one_with_it_are_one_apprentice_who_gets_the_ine(
    organisation, staff, diploma
):
    data = csv_bytes([next_contract(1), first_contract(1)])
    report = run(organisation, staff, data)
    assert (report.rows_create, report.rows_update, report.rows_rejected) == (1, 1, 0)
    apprentice = Apprentice.objects.get()
    assert apprentice.ine == ine(1)
    assert apprentice.contracts.count() == 2
    again = run(organisation, staff, data)
    assert (again.rows_unchanged, again.rows_rejected) == (2, 0)


def test_a_row_without_ine_is_the_one_known_apprentice_of_that_name_and_birth_date(
    organisation, staff, diploma
):
    run(organisation, staff, csv_bytes([row(1, nom_apprenant="Lefèvre", prenom_apprenant="Jean-Émile")]))
    data = csv_bytes([row(1, ine_apprenant="", nom_apprenant="LEFEVRE", prenom_apprenant="JEAN EMILE")])
    line = only_row(preview(organisation, staff, data))
    assert line.action == ImportRow.Action.UNCHANGED, (line.errors, line.changes)
    assert Apprentice.objects.get().last_name == "Lefèvre"


def test_the_same_row_twice_is_one_apprentice_and_one_contract(organisation, staff, diploma):
    report = run(organisation, staff, csv_bytes([row(1), row(1)]))
    lines = {r.line: r for r in report.rows.all()}
    assert (lines[2].action, lines[3].action) == (ImportRow.Action.CREATE, ImportRow.Action.UNCHANGED)
    assert Apprentice.objects.count() == 1 and Contract.objects.count() == 1


def test_two_rows_of_a_known_apprentice_changing_one_contract_write_it_once(organisation, staff, diploma):
    run(organisation, staff, csv_bytes([row(1)]))
    data = csv_bytes(
        [
            row(1, contrat_date_rupture="2025-11-30"),
            row(1, ine_apprenant="", contrat_date_rupture="2025-11-30", cause_rupture_contrat="Démission"),
        ]
    )
    report = run(organisation, staff, data)
    assert (report.rows_update, report.rows_rejected) == (2, 0)
    contract = Contract.objects.get()
    assert (contract.status, contract.rupture_cause) == (Contract.Status.RUPTURED, "apprentice")
    assert (run(organisation, staff, data).rows_unchanged) == 2


def test_a_later_row_of_a_new_apprentice_completes_the_contract_an_earlier_row_creates(
    organisation, staff, diploma
):
    data = csv_bytes([row(1), row(1, ine_apprenant="", contrat_date_rupture="2025-11-30")])
    report = run(organisation, staff, data)
    assert (report.rows_create, report.rows_update, report.rows_rejected) == (1, 1, 0)
    contract = Contract.objects.get()
    assert (contract.status, contract.rupture_date, contract.rupture_cause) == (
        Contract.Status.RUPTURED,
        datetime.date(2025, 11, 30),
        Contract.RuptureCause.OTHER,
    )
    assert run(organisation, staff, data).rows_unchanged == 2
