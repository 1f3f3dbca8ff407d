"""What the quality pages share: the scoped fetches (someone else's diploma is a 404) and the year."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.models import AcademicYear
from quality import perms


def require_quality(user) -> None:
    if not perms.can_see_quality(user):
        raise Http404


def diploma_for(user, pk):
    """A diploma whose trajectory ``user`` follows, or a 404."""
    require_quality(user)
    return get_object_or_404(perms.quality_diplomas(user).select_related("organisation"), pk=pk)


def organisation_of(user, diplomas) -> int | None:
    """The organisation whose quality ``user`` follows: their own, else (a platform admin) that of the
    first of ``diplomas``."""
    return user.organisation_id or (diplomas[0].organisation_id if diplomas else None)


def year_for(label):
    return get_object_or_404(AcademicYear, label=label)


def chosen_year(request, years):
    """The year named by ``?annee=``, else the current one, else the latest."""
    label = request.GET.get("annee")
    by_label = {year.label: year for year in years}
    if label in by_label:
        return by_label[label]
    current = AcademicYear.objects.current(timezone.localdate())
    if current and current.label in by_label:
        return by_label[current.label]
    return years[0] if years else None
