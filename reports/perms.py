"""Who sees a dashboard, and who may export what."""

from __future__ import annotations

from core.csvexport import EXPORTS
from core.perms import FOLLOW_UP_ROLES, is_staff_or_admin
from interop.perms import can_import_for
from quality.perms import can_export_establishment_compliance


def can_see_dashboard(user) -> bool:
    """The CFA's staff see their organisation; a head of diploma their diplomas; a school tutor the
    apprentices they follow. The scope itself is the contracts ``visible_to`` the person."""
    if not (user.is_authenticated and user.is_active):
        return False
    if is_staff_or_admin(user):
        return bool(user.organisation_id or user.is_superuser)
    return bool(user.roles & FOLLOW_UP_ROLES)


def can_manage_contracts(user) -> bool:
    """An alert about an apprentice without a contract links to the contract form for those who may
    fill it in."""
    return is_staff_or_admin(user)


def can_download(user, export) -> bool:
    """Its requester, while they still hold the right that let them ask for it."""
    if export.requested_by_id != user.pk or not user.is_active:
        return False
    if export.kind == export.Kind.COMPLIANCE:
        return can_export_establishment_compliance(user, export.organisation_id)
    if export.kind == export.Kind.EFFECTIFS:
        return can_import_for(user, export.organisation_id)
    return can_export_list(user, export.params.get("list", ""))


def can_export_list(user, name: str) -> bool:
    """Every list is scoped to what its reader may see (``visible_to``), so whoever reads a list may
    export it."""
    return name in EXPORTS and user.is_authenticated and user.is_active
