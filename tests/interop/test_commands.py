import io

import pytest
from django.core.management import CommandError, call_command

from apprentices.models import Apprentice
from interop.models import ImportReport
from tests.interop.factories import csv_bytes, row, xlsx_bytes


def test_dry_run_prints_the_preview_and_writes_nothing(organisation, diploma, tmp_path):
    path = tmp_path / "effectifs.csv"
    path.write_bytes(csv_bytes([row(1), row(2, code_postal_apprenant="750")]))
    out = io.StringIO()
    call_command("import_effectifs", str(path), "--dry-run", stdout=out)
    text = out.getvalue()
    assert "ligne 3 rejetée — code_postal_apprenant" in text
    assert "Création : 1" in text and "rien n'a été écrit" in text
    assert not Apprentice.objects.exists() and not ImportReport.objects.exists()


def test_the_command_imports_an_xlsx_file(organisation, diploma, staff, tmp_path):
    path = tmp_path / "effectifs.xlsx"
    path.write_bytes(xlsx_bytes([row(1), row(2)]))
    out = io.StringIO()
    call_command("import_effectifs", str(path), "--by", staff.email, stdout=out)
    report = ImportReport.objects.get()
    assert report.status == ImportReport.Status.DONE and report.applied_by == staff
    assert Apprentice.objects.count() == 2


def test_the_command_refuses_a_malformed_file_in_french(organisation, diploma, tmp_path):
    path = tmp_path / "effectifs.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="vide"):
        call_command("import_effectifs", str(path))
    assert not ImportReport.objects.exists()


def test_export_writes_the_template_columns(organisation, diploma, tmp_path):
    call_command("import_effectifs", str(_file(tmp_path, [row(1)])), stdout=io.StringIO())
    out = tmp_path / "export.csv"
    call_command("export_effectifs", "--output", str(out), stdout=io.StringIO())
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("nom_apprenant *;prenom_apprenant *;") and lines[1].startswith("Nom1;Prénom1;")


def _file(tmp_path, rows):
    path = tmp_path / "in.csv"
    path.write_bytes(csv_bytes(rows))
    return path


def test_export_writes_a_workbook_when_asked_for_xlsx(organisation, diploma, tmp_path):
    import openpyxl

    from interop.columns import TEMPLATE_HEADERS

    call_command("import_effectifs", str(_file(tmp_path, [row(1)])), stdout=io.StringIO())
    out = tmp_path / "effectifs.xlsx"
    call_command("export_effectifs", "--output", str(out), stdout=io.StringIO())
    rows = list(openpyxl.load_workbook(out)["Modèle"].iter_rows(values_only=True))
    assert rows[0] == TEMPLATE_HEADERS and rows[1][:2] == ("Nom1", "Prénom1")
