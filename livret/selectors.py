"""Reads of the booklet for pages: each runs a fixed number of queries."""

from django.utils import timezone

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


def contract_follow_up(contract, today) -> dict:
    """What the contract page shows of the visits and the grid: the charter window to act on, the
    missed ones, the meetings held, the visit planned next, and when the grid was shared. Two queries."""
    from livret.models import GridSharing, VisitReport
    from livret.windows import summarize

    visits = list(VisitReport.objects.filter(contract=contract).exclude(status=VisitReport.Status.CANCELLED))
    return {
        "visits": summarize(contract, visits, today),
        "grid_sharing": GridSharing.objects.filter(contract=contract).first(),
    }


def timeline(*, sheets, visits, missions, evaluations) -> list[dict]:
    """Booklet entries of every document, newest first, each placed at the date it belongs to."""
    entries = [{"date": sheet.period.end_date, "kind": "sheet", "document": sheet} for sheet in sheets]
    entries += [{"date": visit.date, "kind": "visit", "document": visit} for visit in visits]
    entries += [
        {
            "date": timezone.localdate(mission.decided_at or mission.submitted_at or mission.created_at),
            "kind": "mission",
            "document": mission,
        }
        for mission in missions
    ]
    entries += [
        {"date": evaluation.period.end_date, "kind": "evaluation", "document": evaluation}
        for evaluation in evaluations
    ]
    for entry in entries:
        entry["url"] = entry["document"].get_absolute_url()
    return sorted(entries, key=lambda entry: (entry["date"], entry["kind"]), reverse=True)
