"""Who may do what with the job offers: the CFA's team (staff and admins) runs them and keeps the register
of former employers; a company tutor posts and edits their own employer's offers; an apprentice, current
or former, reads the offers of their diplomas (a former one also from the link of their weekly digest,
without an account)."""

from __future__ import annotations

from core.models import Role
from core.perms import is_organisation_staff
from jobs.models import JobOffer, tutor_employer_id


def manages_offers(user) -> bool:
    """The team of the person's own organisation: every offer, the register of former employers."""
    return bool(
        user.is_authenticated and user.organisation_id and is_organisation_staff(user, user.organisation_id)
    )


def posts_offers(user) -> bool:
    """The menu entry « Offres d'emploi » for those who post: the team, and company tutors (read from the
    roles alone, without a query; the pages check the tutor's employer)."""
    return manages_offers(user) or bool(user.is_authenticated and Role.COMPANY_TUTOR in user.roles)


def may_post(user) -> bool:
    """The offers' pages: the team, or a company tutor with their employer."""
    return manages_offers(user) or tutor_employer_id(user) is not None


def reads_offers(user) -> bool:
    """An apprentice reads the offers of their diplomas on their own page (the page finds their record)."""
    return bool(user.is_authenticated and Role.APPRENTICE in user.roles)


def can_edit(user, offer: JobOffer) -> bool:
    if is_organisation_staff(user, offer.organisation_id):
        return True
    return tutor_employer_id(user) == offer.employer_id
