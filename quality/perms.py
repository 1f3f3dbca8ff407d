"""Who sees and changes the trajectory: staff and admins of the organisation for all its diplomas,
heads of diploma for theirs. Plain predicates on a user and an object."""

from __future__ import annotations

from apprentices.models import Diploma
from core.models import ORGANISATION_ROLES, Role
from core.perms import is_organisation_admin, is_organisation_staff, visibility_q


def quality_diplomas(user):
    """The diplomas whose trajectory ``user`` follows: a queryset, empty for everyone else."""
    return Diploma.objects.filter(visibility_q(user, organisation="organisation", head="heads")).distinct()


def can_see_quality(user) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.roles & ORGANISATION_ROLES or Role.HEAD_OF_DIPLOMA in user.roles)
    )


def is_head_of_diploma(user, diploma) -> bool:
    return bool(
        user.is_authenticated
        and Role.HEAD_OF_DIPLOMA in user.roles
        and any(head.pk == user.pk for head in diploma.heads.all())
    )


def can_edit_diploma(user, diploma) -> bool:
    """Thresholds, jalons, evidence, attestations, followed indicators, meetings of the diploma."""
    return is_organisation_staff(user, diploma.organisation_id) or is_head_of_diploma(user, diploma)


def can_act_for_establishment(user, organisation_id) -> bool:
    """The establishment's quality team (its staff and admins), who act for every diploma and for the
    establishment as a whole: evidence for all, minutes of a meeting of several diplomas."""
    return is_organisation_staff(user, organisation_id)


def can_close_campaign(user, organisation_id) -> bool:
    return is_organisation_admin(user, organisation_id)


def can_recompute(user, organisation_id) -> bool:
    """The quality team of the organisation, and its heads of diploma (whose dashboard it refreshes)."""
    if is_organisation_staff(user, organisation_id):
        return True
    return bool(
        user.is_authenticated
        and Role.HEAD_OF_DIPLOMA in user.roles
        and user.headed_diplomas.filter(organisation_id=organisation_id).exists()
    )


def can_export_diploma_compliance(user, diploma) -> bool:
    """The compliance PDF of a diploma: its heads, and the quality team of its organisation. Reads
    ``diploma.heads``: prefetch it."""
    return is_organisation_staff(user, diploma.organisation_id) or is_head_of_diploma(user, diploma)


def can_export_establishment_compliance(user, organisation_id) -> bool:
    """The establishment-wide compliance document: the quality team (staff and admins) only; a head of
    diploma exports their own diplomas' documents from their trajectory pages."""
    return bool(organisation_id) and is_organisation_staff(user, organisation_id)
