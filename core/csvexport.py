"""CSV exports of the filtered lists, for the browser (streamed) and for background tasks (to a file).

One :class:`CsvExport` per list, registered in :data:`EXPORTS` under its name. A list page and its
export both go through :func:`filtered`, so the file holds exactly the rows of the page, in its
order: the same scoping (``visible_to``), the same filters, the same sort; an invalid filter gives
no rows (the file then has only its header).

The files are what French spreadsheet software opens without a question: UTF-8 with a byte order
mark, ``;`` between cells, French headers, dates as JJ/MM/AAAA. A cell that a spreadsheet would
read as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a
leading apostrophe.

A background task calls, with the person's id, the export's name and the list's query string::

    export = EXPORTS[name]
    _filterset, queryset = filtered(name, user, query_string)
    write(export, queryset, fileobj, progress=lambda done, total: ...)
"""

from __future__ import annotations

import csv
import datetime
import decimal
from collections.abc import Callable, Iterator
from typing import IO

from django.db.models import QuerySet
from django.http import QueryDict, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

BOM = "\ufeff"
DELIMITER = ";"
CHUNK_SIZE = 2000
# Rows gathered before a chunk goes to the browser: fewer, larger writes to the socket.
ROWS_PER_CHUNK = 200
PROGRESS_EVERY = 1000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class CsvExport:
    """The export of one list. Subclasses set the attributes and write ``base_queryset``."""

    name: str  # the key in EXPORTS: "apprentices", "contracts", …
    title: str  # French, for a person: "Apprentis"
    filename: str  # the file's name before its date: "apprentis"
    url_name: str  # the export view: "apprentices:apprentice_export"
    filterset_class: type
    columns: list[tuple[str, Callable[[object], object]]]  # (French header, accessor)
    # The list page reads its rows in two steps (``core.viewutils.NarrowPaginator``): for lists over a
    # network's many rows whose sort crosses several tables (missions), or whose rows join many (visits,
    # contracts: planning nine joins costs PostgreSQL more than reading the page's 25 keys by index).
    narrow_pages: bool = False

    def base_queryset(self, user) -> QuerySet:
        """Everything ``user`` may see in this list, with what the columns read joined in."""
        raise NotImplementedError

    def headers(self) -> list[str]:
        return [str(header) for header, _accessor in self.columns]

    def row(self, obj) -> list[str]:
        return [cell(accessor(obj)) for _header, accessor in self.columns]


EXPORTS: dict[str, CsvExport] = {}


def register(export_class: type[CsvExport]) -> type[CsvExport]:
    """Class decorator: registers one instance of the export under its name."""
    EXPORTS[export_class.name] = export_class()
    return export_class


def cell(value) -> str:
    """One value as a spreadsheet cell: French dates and booleans, formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | decimal.Decimal):
        return str(value).replace(".", ",")
    text = str(value) if isinstance(value, Promise) else f"{value}"
    if text.startswith(FORMULA_STARTS):
        return f"'{text}"
    return text


def filtered(name: str, user, querydict: QueryDict | str | None):
    """The list ``name`` for ``user`` filtered by ``querydict`` (or a query string): the bound
    FilterSet and the rows, in the list's order. Invalid filters give no rows."""
    export = EXPORTS[name]
    if not isinstance(querydict, QueryDict):
        querydict = QueryDict(querydict or "")
    filterset = export.filterset_class(querydict, queryset=export.base_queryset(user), user=user)
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    return filterset, queryset


class _Echo:
    """The file-like object csv.writer needs: it hands back what is written."""

    def write(self, value: str) -> str:
        return value


def _lines(export: CsvExport, queryset: QuerySet) -> Iterator[str]:
    """The header line, then one line per row; the queryset is read in chunks, never all at once."""
    writer = csv.writer(_Echo(), delimiter=DELIMITER)
    yield writer.writerow(export.headers())
    for obj in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield writer.writerow(export.row(obj))


def stream(export: CsvExport, queryset: QuerySet) -> Iterator[str]:
    """The CSV text in chunks: the first starts with the byte order mark and holds the header."""
    lines = _lines(export, queryset)
    yield BOM + next(lines)
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= ROWS_PER_CHUNK:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def write(
    export: CsvExport,
    queryset: QuerySet,
    fileobj: IO[bytes],
    progress: Callable[[int, int], None] | None = None,
    every: int = PROGRESS_EVERY,
) -> int:
    """Write the CSV as UTF-8 bytes to ``fileobj``; call ``progress(done, total)`` every ``every``
    rows and once at the end. Returns the number of rows written (header excluded)."""
    total = queryset.count() if progress else 0
    lines = _lines(export, queryset)
    fileobj.write((BOM + next(lines)).encode("utf-8"))
    done = 0
    for line in lines:
        fileobj.write(line.encode("utf-8"))
        done += 1
        if progress and done % every == 0:
            progress(done, total)
    if progress and (done == 0 or done % every):
        progress(done, max(total, done))
    return done


def filename_of(export: CsvExport, day: datetime.date | None = None) -> str:
    return f"{export.filename}-{(day or timezone.localdate()):%Y-%m-%d}.csv"


def streaming_response(export: CsvExport, queryset: QuerySet) -> StreamingHttpResponse:
    response = StreamingHttpResponse(stream(export, queryset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename_of(export)}"'
    # Personal data: no shared cache keeps a copy.
    response["Cache-Control"] = "private, no-store"
    return response


def export_response(request, name: str) -> StreamingHttpResponse:
    """The body of a list's export view: the list of the page, filtered by the same query string."""
    _filterset, queryset = filtered(name, request.user, request.GET)
    return streaming_response(EXPORTS[name], queryset)


def columns(*pairs: tuple[object, Callable[[object], object]]) -> list[tuple[str, Callable]]:
    """Columns from (header, accessor) pairs; an accessor may be a dotted attribute path."""
    return [(header, _accessor(accessor)) for header, accessor in pairs]


def _accessor(accessor) -> Callable[[object], object]:
    if callable(accessor):
        return accessor
    path = accessor.split(".")

    def read(obj):
        for part in path:
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        return obj() if callable(obj) else obj

    return read
