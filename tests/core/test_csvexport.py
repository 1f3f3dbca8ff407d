"""The machinery of the CSV exports: cells, the streamed text, the file a background task writes."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest

from core import csvexport
from core.csvexport import EXPORTS, cell, filtered, stream, write
from tests.apprentices.factories import ApprenticeFactory


@pytest.mark.parametrize("text", ["=1+1", "+33 6 00", "-2", "@SUM(A1)", "\t=cmd", "\r=cmd"])
def test_a_cell_a_spreadsheet_would_read_as_a_formula_gets_a_leading_apostrophe(text):
    assert cell(text) == f"'{text}"


def test_an_ordinary_cell_is_left_as_it_is():
    assert cell("Dupont-Martin") == "Dupont-Martin"
    assert cell("") == ""
    assert cell(None) == ""


def test_numbers_are_never_taken_for_formulas_and_use_the_french_decimal_comma():
    assert cell(-3) == "-3"
    assert cell(2.5) == "2,5"


def test_dates_are_written_jj_mm_aaaa_and_times_in_paris():
    assert cell(datetime.date(2025, 3, 7)) == "07/03/2025"
    moment = datetime.datetime(2025, 3, 7, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert cell(moment) == "08/03/2025 00:30"


def test_booleans_are_oui_or_non():
    assert (cell(True), cell(False)) == ("Oui", "Non")


def test_every_list_has_its_export():
    assert set(EXPORTS) == {"apprentices", "contracts", "employers", "tutors", "sheets", "visits", "missions"}
    for export in EXPORTS.values():
        assert export.filename and export.title and export.columns


def test_filtered_takes_a_query_string_as_a_background_task_keeps_it(world):
    staff = world.users["staff"]
    name = world.other.apprentice.last_name

    _filterset, rows = filtered("apprentices", staff, f"q={name}")

    assert list(rows) == [world.other.apprentice]


def test_filtered_gives_no_rows_for_an_invalid_filter(world):
    filterset, rows = filtered("contracts", world.users["staff"], "start_after=2025-13-45")

    assert not filterset.is_valid()
    assert list(rows) == []


def test_the_stream_starts_with_the_bom_and_the_header_then_sends_rows_in_chunks(world, monkeypatch):
    monkeypatch.setattr(csvexport, "ROWS_PER_CHUNK", 2)
    for _ in range(3):
        ApprenticeFactory(organisation=world.organisation)
    export = EXPORTS["apprentices"]
    _filterset, rows = filtered("apprentices", world.users["staff"], "")

    chunks = list(stream(export, rows))

    assert chunks[0].startswith("\ufeffNom;Prénom;Date de naissance;")
    assert chunks[0].count("\r\n") == 1  # the header alone
    assert [chunk.count("\r\n") for chunk in chunks[1:]] == [2, 2, 1]  # 5 apprentices


def test_write_gives_the_same_bytes_as_the_stream_and_reports_its_progress(world):
    for _ in range(4):
        ApprenticeFactory(organisation=world.organisation)
    export = EXPORTS["apprentices"]
    _filterset, rows = filtered("apprentices", world.users["staff"], "order=-name")
    reports = []
    fileobj = io.BytesIO()

    done = write(export, rows, fileobj, progress=lambda done, total: reports.append((done, total)), every=2)

    assert done == 6
    assert reports == [(2, 6), (4, 6), (6, 6)]
    assert fileobj.getvalue() == "".join(stream(export, rows)).encode("utf-8")


def test_write_reports_once_the_end_of_a_file_that_does_not_fill_a_step(world):
    reports = []
    _filterset, rows = filtered("apprentices", world.users["staff"], "")

    write(
        EXPORTS["apprentices"], rows, io.BytesIO(), progress=lambda *report: reports.append(report), every=5
    )

    assert reports == [(2, 2)]


def test_write_without_progress_does_not_count_the_rows(world, django_assert_num_queries):
    export = EXPORTS["employers"]
    _filterset, rows = filtered("employers", world.users["staff"], "")

    with django_assert_num_queries(1):
        write(export, rows, io.BytesIO())
