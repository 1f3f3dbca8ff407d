"""The dashboard's scope as its query string asks for it: read the same way by the page and by the
worker that computes a kept dashboard again (``reports.tasks.refresh_dashboard``), so that both keep
it under the same key."""

from __future__ import annotations

import dataclasses
import datetime

from reports import dashboard as board
from reports.forms import DashboardFilterForm


def dashboard_scope(user, query, today: datetime.date) -> tuple[board.Scope | None, DashboardFilterForm]:
    """The scope of ``query`` (a ``QueryDict``) for ``user`` on ``today``, and its form; None without
    any academic year. A filter that makes no sense (an unknown diploma, another organisation's
    cohort, a year that does not exist) empties everything and is marked in error on its field."""
    form = DashboardFilterForm(query or None, user=user)
    # The whole of what the person sees (the staff home's scope too: the same kept dashboard).
    default = board.Scope.default(user, today)
    if default is None or not form.is_bound:
        return default, form
    if not form.is_valid():
        return dataclasses.replace(default, invalid=True), form
    data = form.cleaned_data
    scope = dataclasses.replace(
        default,
        year=data["year"] or default.year,
        diploma=data["diploma"],
        cohort=data["cohort"],
        school_tutor=data["school_tutor"],
    )
    return scope, form
