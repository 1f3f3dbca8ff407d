"""Reads of the booklet for pages: each runs a fixed number of queries."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Role
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


def todo_for(user, today=None) -> list[dict]:
    """The "À faire" inbox: what waits for this person, overdue first."""
    today = today or timezone.localdate()
    waiting = Q(pk__in=[])
    if Role.APPRENTICE in user.roles:
        waiting |= Q(contract__apprentice__user=user, status__in=[S.DRAFT, S.RETURNED])
    if Role.COMPANY_TUTOR in user.roles:
        waiting |= Q(contract__company_tutor__user=user, status=S.SUBMITTED)
    if Role.SCHOOL_TUTOR in user.roles:
        waiting |= Q(contract__school_tutor__user=user, status=S.COUNTERSIGNED)
    sheets = sheets_with_context(LiaisonSheet.objects.current().filter(waiting)).order_by("due_date", "pk")[
        :50
    ]
    items = []
    for sheet in sheets:
        if sheet.status in {S.DRAFT, S.RETURNED}:
            verb = (
                _("Compléter et transmettre") if sheet.status == S.DRAFT else _("Reprendre (fiche renvoyée)")
            )
        elif sheet.status == S.SUBMITTED:
            verb = _("Contresigner")
        else:
            verb = _("Lire et commenter")
        items.append({"sheet": sheet, "verb": verb, "overdue": sheet.due_date < today})
    return items


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
