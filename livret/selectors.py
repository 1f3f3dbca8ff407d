"""Reads of the booklet for pages: each runs a fixed number of queries."""

from livret.models import LiaisonSheet

S = LiaisonSheet.Status


def sheets_with_context(queryset):
    return queryset.select_related(
        "contract__apprentice",
        "contract__employer",
        "contract__company_tutor",
        "contract__school_tutor__user",
        "period",
    )


def timeline(sheets) -> list[dict]:
    """Booklet entries in time order, each with the date it is placed at and what it is.

    Liaison sheets only for now; visit reports, mission descriptions and evaluations join the same
    list as they are built (issue 3).
    """
    entries = [
        {"date": sheet.period.end_date, "kind": "sheet", "sheet": sheet, "url": sheet.get_absolute_url()}
        for sheet in sheets
    ]
    return sorted(entries, key=lambda entry: entry["date"], reverse=True)
