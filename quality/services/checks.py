"""What every write of the quality app checks before it writes: the year's campaign is still open, the
person may change the diploma's trajectory, a jalon's requirement is the diploma's own."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.models import AcademicYear
from core.workflow import Refusal
from quality import perms
from quality.models import Campaign, Requirement


def ensure_open(organisation_id: int, year: AcademicYear) -> None:
    """A closed campaign's year is frozen: nothing of it changes any more."""
    if Campaign.objects.filter(organisation_id=organisation_id, academic_year=year).exists():
        raise Refusal(
            _("La campagne %(year)s est close : ses valeurs, seuils, jalons et preuves sont figés.")
            % {"year": year}
        )


def ensure_requirement_of(requirement: Requirement, diploma, year: AcademicYear) -> None:
    """A jalon's requirement belongs to its own diploma and year; the referential's to every diploma."""
    if requirement.milestone_id and (
        requirement.milestone.diploma_id != diploma.pk or requirement.milestone.academic_year_id != year.pk
    ):
        raise Refusal(_("Ce jalon appartient à une autre formation ou une autre année."))


def ensure_may_edit(user, diploma) -> None:
    if not perms.can_edit_diploma(user, diploma):
        raise PermissionDenied(_("Vous ne pouvez pas modifier la trajectoire de cette formation."))
