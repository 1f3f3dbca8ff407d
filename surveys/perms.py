"""Who may do what with the surveys: the CFA's team (staff and admins) of the organisation runs them.
An invited person answers from their link, without an account."""

from __future__ import annotations

from core.perms import is_organisation_staff


def can_manage(user, organisation_id) -> bool:
    return is_organisation_staff(user, organisation_id)


def manages_surveys(user) -> bool:
    """The menu entry and the pages without an object: the team of the person's own organisation."""
    return bool(user.is_authenticated and user.organisation_id and can_manage(user, user.organisation_id))
