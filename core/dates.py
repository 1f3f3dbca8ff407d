"""Calendar arithmetic the domain's rules are written in: delays counted in months.

A delay "de trois mois" from a day runs to the same day of the month three months later, or to that
month's last day when it has fewer days (30 November + 3 months = 28 or 29 February). Every rule that
counts months (the charter's visit windows, the legal delays of an apprentice without a contract) uses
these functions, so a delay has one end wherever it is computed.
"""

from __future__ import annotations

import calendar
import datetime
import functools

from django.utils import dateformat, formats, timezone, translation

ONE_DAY = datetime.timedelta(days=1)


@functools.lru_cache(maxsize=1 << 16)
def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months`` (negative: back), on the same day of the month or the month's last
    day when it has fewer (31 August + 2 months = 31 October; 31 December + 2 months = 28 or 29 February).

    Kept in memory once computed (a pure function of a few thousand days and offsets): the visit windows
    of a network's contracts, judged in Python, add months tens of thousands of times per request with
    the same contract dates; a lookup costs a tenth of the calendar arithmetic."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def latest_start_reaching(day: datetime.date, months: int) -> datetime.date:
    """The last day ``start`` such that ``add_months(start, months) <= day``.

    ``add_months`` never decreases when its day grows, so "``months`` have passed since ``start`` by
    ``day``" is ``start <= latest_start_reaching(day, months)``: a comparison of a stored date with a
    constant, that SQL can do on a column without knowing how months are added. Several starts reach
    the same end at a month's end (28, 29, 30 and 31 November + 3 months = 28 February); this is the
    last of them."""
    start = add_months(day, -months)
    while add_months(start + ONE_DAY, months) <= day:
        start += ONE_DAY
    return start


# Months abbreviated as French typography does (no "jui" that reads as juin or juillet), and the first
# day of a month written "1er".
FRENCH_MONTHS_ABBREVIATED = {
    1: "janv.",
    2: "févr.",
    3: "mars",
    4: "avr.",
    5: "mai",
    6: "juin",
    7: "juil.",
    8: "août",
    9: "sept.",
    10: "oct.",
    11: "nov.",
    12: "déc.",
}


def human_date(value, format_string: str = "j M Y") -> str:
    """``value`` (a date, or a datetime shown in the current time zone) written with a Django date
    format (or a named one, "DATETIME_FORMAT") whose ``j`` (the day) and ``M`` (the month abbreviated)
    follow French usage in French: "1er", "janv.", "juil.", "sept."; other languages keep Django's. ""
    for no date."""
    if value in (None, ""):
        return ""
    if format_string.isupper():  # a named format of the active language: "DATETIME_FORMAT"
        format_string = formats.get_format(format_string)
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if not translation.get_language() or not translation.get_language().startswith("fr"):
        return dateformat.format(value, format_string)
    parts, plain, escaped = [], "", False
    for char in format_string:
        if escaped:
            plain, escaped = plain + "\\" + char, False
        elif char == "\\":
            escaped = True
        elif char in "jM":
            if plain:
                parts.append(dateformat.format(value, plain))
                plain = ""
            if char == "j":
                parts.append("1er" if value.day == 1 else str(value.day))
            else:
                parts.append(FRENCH_MONTHS_ABBREVIATED[value.month])
        else:
            plain += char
    if plain:
        parts.append(dateformat.format(value, plain))
    return "".join(parts)
