"""The readers of the fichier d'effectifs (CSV and XLSX), fed anything by Hypothesis: either rows or
the whole file refused with a French message (``FileRefused``), never another exception."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from interop.readers import FileRefused, Table, read_table
from interop.services import planning
from tests.interop.factories import HEADERS, csv_bytes, row, xlsx_bytes
from tests.properties_support import hostile_text

NAMES = st.sampled_from(["effectifs.csv", "effectifs.xlsx", "effectifs.xlsm", "effectifs", "EFFECTIFS.CSV"])
MAGIC = st.sampled_from(
    [b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", b"\xff\xfe"]
)
CELLS = st.one_of(
    hostile_text(),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)),
    st.none(),
)


def assert_read_or_refused(read) -> object:
    """The result of ``read()``, or None when it refused the file with a message in French."""
    try:
        return read()
    except FileRefused as refusal:
        assert isinstance(refusal.message, str) and refusal.message.strip()
        return None


@given(magic=MAGIC, data=st.binary(max_size=3000), name=NAMES)
def test_any_bytes_are_read_as_rows_or_refused_in_french(magic, data, name):
    table = assert_read_or_refused(lambda: read_table(magic + data, name))
    assert table is None or isinstance(table, Table)


@given(position=st.integers(0, 10**6), noise=st.binary(min_size=1, max_size=40))
def test_a_damaged_workbook_is_read_or_refused_in_french(position, noise):
    good = xlsx_bytes([row(1), row(2)])
    index = position % len(good)
    damaged = good[:index] + noise + good[index + len(noise) :]
    table = assert_read_or_refused(lambda: read_table(damaged, "effectifs.xlsx"))
    assert table is None or isinstance(table, Table)


def _cell_for_xlsx(value):
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)  # openpyxl cannot even write these
    return value


@given(
    overrides=st.lists(st.dictionaries(st.sampled_from(HEADERS), CELLS, max_size=6), min_size=1, max_size=4),
    kind=st.sampled_from(["csv", "xlsx"]),
    delimiter=st.sampled_from([";", ",", "\t"]),
)
def test_any_cells_give_a_preview_or_a_french_refusal(world, overrides, kind, delimiter):
    rows = [{**row(number + 1), **cells} for number, cells in enumerate(overrides)]
    if kind == "xlsx":
        data = xlsx_bytes([{key: _cell_for_xlsx(value) for key, value in r.items()} for r in rows])
    else:
        data = csv_bytes(
            [{k: "" if v is None else str(v) for k, v in r.items()} for r in rows], delimiter=delimiter
        )
    preview = assert_read_or_refused(
        lambda: planning.build_preview(organisation=world.organisation, data=data, file_name=f"e.{kind}")
    )
    if preview is not None:
        assert len(preview.plans) == len(rows)
