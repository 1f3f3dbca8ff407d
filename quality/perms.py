"""Who sees and changes the trajectory: staff and admins of the organisation for all its diplomas,
heads of diploma for theirs. Plain predicates on a user and an object."""

from __future__ import annotations

from core.models import ORGANISATION_ROLES, Role
from core.perms import visibility_q


def quality_diplomas(user):
    """The diplomas whose trajectory ``user`` follows: a queryset, empty for everyone else."""
    from apprentices.models import Diploma

    return Diploma.objects.filter(visibility_q(user, organisation="organisation", head="heads")).distinct()


def can_see_quality(user) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.roles & ORGANISATION_ROLES or Role.HEAD_OF_DIPLOMA in user.roles)
    )


def is_quality_staff(user, organisation_id) -> bool:
    """Staff or admin of that organisation (or a superuser without one): the establishment's quality
    team, who act for every diploma and for the establishment as a whole."""
    if not user.is_authenticated:
        return False
    if user.is_superuser and user.organisation_id is None:
        return True
    return user.organisation_id == organisation_id and bool(user.roles & ORGANISATION_ROLES)


def is_head_of_diploma(user, diploma) -> bool:
    return bool(
        user.is_authenticated
        and Role.HEAD_OF_DIPLOMA in user.roles
        and any(head.pk == user.pk for head in diploma.heads.all())
    )


def can_edit_diploma(user, diploma) -> bool:
    """Thresholds, jalons, evidence, attestations, followed indicators, meetings of the diploma."""
    return is_quality_staff(user, diploma.organisation_id) or is_head_of_diploma(user, diploma)


def can_close_campaign(user, organisation_id) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser and user.organisation_id in (None, organisation_id):
        return True
    return user.organisation_id == organisation_id and Role.ADMIN in user.roles


def can_recompute(user, organisation_id) -> bool:
    """The quality team of the organisation, and its heads of diploma (whose dashboard it refreshes)."""
    if is_quality_staff(user, organisation_id):
        return True
    return bool(
        user.is_authenticated
        and Role.HEAD_OF_DIPLOMA in user.roles
        and user.headed_diplomas.filter(organisation_id=organisation_id).exists()
    )


def can_export_compliance(user, diploma) -> bool:
    """The compliance PDF of a diploma: its heads, and the quality team of its organisation. Reads
    ``diploma.heads``: prefetch it."""
    return is_quality_staff(user, diploma.organisation_id) or is_head_of_diploma(user, diploma)
