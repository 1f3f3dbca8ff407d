"""Shared permission helpers: who can see what.

Every model a person can reach has ``QuerySet.visible_to(user)`` built with :func:`visibility_q`:
each role reaches objects along one relation path to a user id. Rules are plain predicates on a user
and an object, so tasks, the admin and commands reuse them.
"""

from __future__ import annotations

import functools

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.db.models.constants import LOOKUP_SEP

from core.models import ORGANISATION_ROLES, Role

NOTHING = Q(pk__in=[])

# Those who follow apprentices across contracts: their school tutors, the heads of their diplomas and
# the CFA's team. They have a dashboard and the register of company visits.
FOLLOW_UP_ROLES = frozenset({Role.SCHOOL_TUTOR, Role.HEAD_OF_DIPLOMA, *ORGANISATION_ROLES})


def is_platform_admin(user) -> bool:
    """A superuser without an organisation: the administrator of every organisation on the platform.
    A superuser with an organisation is an administrator of that organisation only."""
    return bool(user.is_authenticated and user.is_superuser and user.organisation_id is None)


def visibility_paths(
    user,
    *,
    organisation: str | None = None,
    apprentice: str | None = None,
    company_tutor: str | None = None,
    school_tutor: str | None = None,
    head: str | None = None,
) -> list[tuple[str, int]] | None:
    """The lookups (and the id each must equal) along which ``user`` reaches objects, given for
    each role the lookup that leads to a user id (``organisation`` leads to an organisation id).
    ``None`` means everything (the platform's administrator); an empty list, nothing."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if is_platform_admin(user):
        return None
    roles = user.roles
    paths = []
    if organisation and (roles & ORGANISATION_ROLES or user.is_superuser) and user.organisation_id:
        paths.append((organisation, user.organisation_id))
    for role, path in (
        (Role.APPRENTICE, apprentice),
        (Role.COMPANY_TUTOR, company_tutor),
        (Role.SCHOOL_TUTOR, school_tutor),
        (Role.HEAD_OF_DIPLOMA, head),
    ):
        if path and role in roles:
            paths.append((path, user.pk))
    return paths


def _q(paths: list[tuple[str, int]] | None) -> Q:
    if paths is None:
        return Q()
    q = NOTHING
    for path, value in paths:
        q |= Q(**{path: value})
    return q


def visibility_q(user, **lookups: str | None) -> Q:
    """The filter of what ``user`` may see, given for each role the lookup that leads to a user id
    (``organisation`` leads to an organisation id)."""
    return _q(visibility_paths(user, **lookups))


@functools.cache
def is_multivalued(model: type[models.Model], path: str) -> bool:
    """Whether the lookup ``path`` from ``model`` crosses a to-many relation (a reverse foreign key
    or a many-to-many), so that one object may match along it more than once."""
    for name in path.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False  # a transform or a lookup (``__in``, ``__gte``…): the path has ended
        if not field.is_relation:
            return False
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model
    return False


def is_organisation_staff(user, organisation_id) -> bool:
    """The CFA's team of that organisation (staff, admins), who act on all of its records."""
    if is_platform_admin(user):
        return True
    return bool(
        user.is_authenticated
        and organisation_id is not None
        and user.organisation_id == organisation_id
        and (user.roles & ORGANISATION_ROLES or user.is_superuser)
    )


def is_organisation_admin(user, organisation_id) -> bool:
    """An administrator of that organisation: closes its campaigns, configures it."""
    if is_platform_admin(user):
        return True
    return bool(
        user.is_authenticated
        and organisation_id is not None
        and user.organisation_id == organisation_id
        and (Role.ADMIN in user.roles or user.is_superuser)
    )


def is_staff_or_admin(user) -> bool:
    return bool(user.is_authenticated and (user.roles & ORGANISATION_ROLES or user.is_superuser))


def is_admin(user) -> bool:
    return bool(user.is_authenticated and (Role.ADMIN in user.roles or user.is_superuser))


def q_is_multivalued(model: type[models.Model], q: Q) -> bool:
    """Whether a filter on ``model`` follows a to-many relation somewhere, so that it may give one
    object several times (and needs ``distinct()``)."""
    for child in q.children:
        if isinstance(child, Q):
            if q_is_multivalued(model, child):
                return True
        elif is_multivalued(model, child[0]):
            return True
    return False


class VisibleQuerySet(models.QuerySet):
    """``visible_to(user)`` from the class's ``visibility``: for each role, the lookup to a user id
    (``organisation``: to an organisation id), as :func:`visibility_q` takes them."""

    visibility: dict[str, str] = {}

    def visible_to(self, user):
        paths = visibility_paths(user, **self.visibility)
        queryset = self.filter(_q(paths))
        # distinct() only where one object can be reached twice: along a multi-valued path (an
        # apprentice through several contracts). Elsewhere it would make PostgreSQL sort or hash
        # every visible row before the page's own sort and LIMIT.
        return queryset.distinct() if self._twice(paths) else queryset

    def visible_one_to(self, user):
        """The objects of :meth:`visible_to`, to fetch one of them by its key (a detail page) or the few
        of one apprentice (their booklet): a multi-valued path is followed in a subquery (``pk IN (…)``)
        rather than with ``DISTINCT``. ``DISTINCT`` compares every selected column: over a detail page's
        joined tables PostgreSQL spent 24 ms planning it for a head of diploma's liaison sheet, read in
        under one (EXPLAIN ANALYZE at 20,000 apprentices). A list keeps :meth:`visible_to`: there the
        subquery is slower to run over thousands of rows than ``DISTINCT`` is to plan."""
        paths = visibility_paths(user, **self.visibility)
        if self._twice(paths):
            return self.filter(pk__in=self.model._base_manager.filter(_q(paths)).values("pk"))
        return self.filter(_q(paths))

    def reached_through(self, user, prefix: str) -> Q | None:
        """What ``user`` may see of these objects, as a filter on rows that reach one of them by the
        lookup ``prefix`` (``"contract__"``): a join along the one path by which the person sees them,
        instead of ``IN`` the keys of every object they see. None when there are several paths, or one
        that can reach an object twice: then the keys, in a subquery (:meth:`visible_one_to`)."""
        paths = visibility_paths(user, **self.visibility)
        if paths is None:
            return Q()
        if len(paths) != 1 or self._twice(paths):
            return None
        path, value = paths[0]
        return Q(**{f"{prefix}{path}": value})

    def _twice(self, paths) -> bool:
        """Whether one object can be reached twice along ``paths``: one of them is multi-valued (an
        apprentice through several contracts)."""
        return bool(paths) and any(is_multivalued(self.model, path) for path, _value in paths)
