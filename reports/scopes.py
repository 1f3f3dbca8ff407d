"""The dashboard's scope as its query string asks for it: read the same way by the page and by the
worker that computes a kept dashboard again (``reports.tasks.refresh_dashboard``), so that both keep
it under the same key."""

from __future__ import annotations

import datetime

from core.models import AcademicYear
from reports import dashboard as board
from reports.forms import DashboardFilterForm


def dashboard_scope(user, query, today: datetime.date) -> tuple[board.Scope | None, DashboardFilterForm]:
    """The scope of ``query`` (a ``QueryDict``) for ``user`` on ``today``, and its form; None without
    any academic year. A filter that makes no sense (an unknown diploma, another organisation's
    cohort, a year that does not exist) empties everything and is marked in error on its field."""
    form = DashboardFilterForm(query or None, user=user)
    default_year = AcademicYear.objects.current(today) or AcademicYear.objects.order_by("-start_date").first()
    if default_year is None:
        return None, form
    if not form.is_bound:
        return board.Scope(user=user, year=default_year, today=today), form
    if not form.is_valid():
        return board.Scope(user=user, year=default_year, today=today, invalid=True), form
    data = form.cleaned_data
    scope = board.Scope(
        user=user,
        year=data["year"] or default_year,
        today=today,
        diploma=data["diploma"],
        cohort=data["cohort"],
        school_tutor=data["school_tutor"],
    )
    return scope, form
