"""Reading a fichier d'effectifs: CSV (UTF-8 with or without BOM, or Windows-1252; ``;``, ``,`` or a tab
detected; quoted line breaks kept in their cell) or XLSX (the sheet named "Modèle", else the first sheet
whose header row names a column of the template, else the first one; dates kept as serial numbers read
as dates). Every cell comes out trimmed, without the apostrophe a spreadsheet or the platform's own
export writes before a value to keep it as text (``'01000``, ``'=…``); blank rows are skipped.

Everything that is not plainly one of these is refused with one French message, before any row is read:
an empty file, one over ``IMPORT_MAX_BYTES``, a binary file, another encoding, a zip that would blow up
when read or that is no workbook.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from interop.columns import DATE_COLUMNS, KNOWN, normalize_header, unguard

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
# Zip bomb thresholds, read from the central directory only. Module constants so tests can lower them.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
MAX_MEMBERS = 2_000
MAX_ROWS = 100_000
CORRUPT_ZIP = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,
)
# Text may hold tabs and line ends; any other control character means a binary file.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class FileRefused(Exception):
    """The whole file is refused; ``message`` says why, in French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    headers: list[str]  # as written in the file
    rows: list[tuple[int, list[str]]]  # (line or row number in the file, cells)
    kind: str  # "csv" or "xlsx"
    detail: str = ""  # the encoding and separator, or the sheet
    columns: dict[str, int] = field(default_factory=dict)  # normalised header -> index


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def check_size(size: int) -> None:
    """Refuse an empty file or one over ``IMPORT_MAX_BYTES``, before anything is read or stored."""
    if not size:
        raise FileRefused(_("Le fichier est vide."))
    if size > max_bytes():
        raise FileRefused(
            _("Le fichier pèse %(size)s octets : la limite est de %(limit)s octets.")
            % {"size": f"{size:,}".replace(",", " "), "limit": f"{max_bytes():,}".replace(",", " ")}
        )


def read_table(data: bytes, name: str = "") -> Table:
    check_size(len(data))
    if data.startswith(ZIP_MAGIC):
        table = _read_xlsx(data)
    elif data.startswith(OLE2_MAGIC):
        raise FileRefused(
            _(
                "Les classeurs Excel 97-2003 (.xls) ne sont pas lus : "
                "enregistrez le fichier en .xlsx ou en .csv."
            )
        )
    elif name.lower().endswith((".xlsx", ".xlsm")):
        raise FileRefused(_("Le fichier « %(name)s » n'est pas un classeur Excel lisible.") % {"name": name})
    else:
        table = _read_csv(data)
    if not any(cell.strip() for cell in table.headers):
        raise FileRefused(_("La première ligne du fichier doit porter les noms des colonnes."))
    for index, header in enumerate(table.headers):
        key = normalize_header(header)
        if key and key not in table.columns:
            table.columns[key] = index
    return table


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused(_("Le fichier est encodé en UTF-16 : enregistrez-le en CSV UTF-8 ou Windows-1252."))
    if b"\x00" in data:
        raise FileRefused(_("Ce fichier n'est pas un fichier texte CSV (il contient des données binaires)."))
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            raise FileRefused(
                _("Le fichier annonce l'UTF-8 mais n'en est pas : vérifiez son encodage.")
            ) from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise FileRefused(
            _("L'encodage du fichier n'est pas reconnu : enregistrez-le en CSV UTF-8 ou Windows-1252.")
        ) from None


def _read_csv(data: bytes) -> Table:
    text, encoding = _decode(data)
    if CONTROL.search(text):
        raise FileRefused(_("Ce fichier n'est pas un fichier texte CSV (il contient des données binaires)."))
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader, [])
        rows = []
        for cells in reader:
            cells = [unguard(cell.strip()) for cell in cells]
            if any(cells):
                rows.append((reader.line_num, cells))
                if len(rows) > MAX_ROWS:
                    raise FileRefused(_("Le fichier a plus de %(n)s lignes.") % {"n": MAX_ROWS})
    except csv.Error as error:
        raise FileRefused(_("Le fichier CSV est mal formé (%(error)s).") % {"error": error}) from None
    shown = "tabulation" if delimiter == "\t" else delimiter
    return Table([h.strip() for h in headers], rows, "csv", f"{encoding}, « {shown} »")


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise FileRefused(_("Ce classeur contient trop d'éléments : il est refusé."))
            total = 0
            for member in members:
                total += member.file_size
                ratio = member.file_size / max(member.compress_size, 1)
                if total > MAX_UNCOMPRESSED or (member.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
                    raise FileRefused(_("Ce fichier se décompresse en un volume anormal : il est refusé."))
            names = {member.filename for member in members}
    except CORRUPT_ZIP:
        raise FileRefused(_("Ce fichier n'est pas un classeur Excel lisible (archive abîmée).")) from None
    if "xl/workbook.xml" not in names:
        raise FileRefused(_("Cette archive n'est pas un classeur Excel (.xlsx)."))


# Excel's serial numbers of the days 1900-01-01 to 9999-12-31.
SERIAL_DATES = (1, 2958465)


def _serial_date(value, epoch) -> str | None:
    """A date column's number as the date it stands for (``45901`` → ``2025-09-01``), else None."""
    from openpyxl.utils.datetime import from_excel

    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not SERIAL_DATES[0] <= value <= SERIAL_DATES[1]:
        return None
    try:
        return from_excel(int(value), epoch).date().isoformat()
    except (ValueError, OverflowError):
        return None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unguard(str(value).strip())


def _choose_sheet(workbook) -> str:
    """The sheet named "Modèle"; else the first whose header row names a column of the template; else the
    first that holds anything; else the first."""
    names = workbook.sheetnames
    modele = [n for n in names if normalize_header(n) == "modele"]
    with_data = []
    for name in modele + [n for n in names if n not in modele]:
        first = next(workbook[name].iter_rows(max_row=1, values_only=True), ())
        headers = {normalize_header(_cell(value)) for value in first}
        if headers & KNOWN:
            return name
        if any(headers):
            with_data.append(name)
    return with_data[0] if with_data else names[0]


def _read_xlsx(data: bytes) -> Table:
    import openpyxl

    _check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 (openpyxl raises many kinds of errors on a damaged workbook)
        raise FileRefused(_("Ce fichier n'est pas un classeur Excel lisible.")) from None
    try:
        names = workbook.sheetnames
        if not names:
            raise FileRefused(_("Le classeur n'a aucune feuille."))
        chosen = _choose_sheet(workbook)
        sheet = workbook[chosen]
        iterator = sheet.iter_rows(values_only=True)
        headers = [_cell(value) for value in next(iterator, ())]
        dates = [i for i, header in enumerate(headers) if normalize_header(header) in DATE_COLUMNS]
        epoch = workbook.epoch
        rows = []
        for number, values in enumerate(iterator, start=2):
            cells = [_cell(value) for value in values]
            for index in dates:
                if index < len(values):
                    cells[index] = _serial_date(values[index], epoch) or cells[index]
            if any(cells):
                rows.append((number, cells))
                if len(rows) > MAX_ROWS:
                    raise FileRefused(_("Le fichier a plus de %(n)s lignes.") % {"n": MAX_ROWS})
    except FileRefused:
        raise
    except Exception:  # noqa: BLE001 (a damaged file raises any kind of error: it is refused, not a 500)
        raise FileRefused(_("Ce fichier n'est pas un classeur Excel lisible.")) from None
    finally:
        workbook.close()
    while headers and not headers[-1]:
        headers.pop()
    return Table(headers, rows, "xlsx", _("feuille « %(name)s »") % {"name": chosen})
