from django import template
from django.utils import translation

from core import perms
from core.models import Role

register = template.Library()

LIST_ROLES = {Role.COMPANY_TUTOR, Role.SCHOOL_TUTOR, Role.HEAD_OF_DIPLOMA, Role.STAFF, Role.ADMIN}


@register.filter
def can_list_people(user) -> bool:
    """Everyone but a person who is only an apprentice browses lists of apprentices and employers."""
    return bool(user.is_authenticated and (user.roles & LIST_ROLES or user.is_superuser))


VISIT_ROLES = frozenset({Role.SCHOOL_TUTOR, Role.HEAD_OF_DIPLOMA, Role.STAFF, Role.ADMIN})


@register.filter
def follows_visits(user) -> bool:
    """School tutors, heads of diploma and staff follow company visits across their contracts."""
    return bool(user.is_authenticated and (user.roles & VISIT_ROLES or user.is_superuser))


@register.filter
def is_staff_or_admin(user) -> bool:
    return perms.is_staff_or_admin(user)


@register.filter
def sees_quality(user) -> bool:
    """Staff, admins and heads of diploma follow the trajectoire qualité."""
    from quality.perms import can_see_quality

    return can_see_quality(user)


@register.filter
def startswith(value, prefix) -> bool:
    return bool(prefix) and str(value).startswith(str(prefix))


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs) -> str:
    """The current query string with some parameters replaced, to keep filters across pages."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


@register.filter
def ordinal(value) -> str:
    """Ordinal abbreviation in the active language: 1re, 2e in French; 1st, 2nd in English."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return str(value)
    if translation.get_language() == "en":
        suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
        return f"{number}{suffix}"
    return f"{number}re" if number == 1 else f"{number}e"


@register.filter
def sees_dashboard(user) -> bool:
    """Staff, heads of diploma and school tutors have a dashboard of what they follow."""
    from reports.perms import can_see_dashboard

    return can_see_dashboard(user)
