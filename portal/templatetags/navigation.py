"""What the main menu shows each person: each entry asks the rule of the app it leads to."""

from django import template

from apprentices.perms import can_list_people
from core.perms import FOLLOW_UP_ROLES
from core.perms import is_staff_or_admin as _is_staff_or_admin
from interop.perms import can_import
from jobs.perms import posts_offers, reads_offers
from livret.perms import can_follow_visits
from privacy.perms import has_personal_data
from quality.perms import can_see_quality
from reports.perms import can_see_dashboard
from surveys.perms import manages_surveys

register = template.Library()

register.filter("can_list_people", can_list_people)
register.filter("follows_visits", can_follow_visits)
register.filter("sees_quality", can_see_quality)
register.filter("sees_dashboard", can_see_dashboard)
register.filter("can_import", can_import)
register.filter("has_personal_data", has_personal_data)
register.filter("manages_surveys", manages_surveys)
register.filter("posts_offers", posts_offers)
register.filter("reads_offers", reads_offers)


@register.filter
def is_staff_or_admin(user) -> bool:
    return _is_staff_or_admin(user)


@register.filter
def sees_directories(user) -> bool:
    """The lists of employers and tutors, beside the diplomas: for those who follow apprentices of
    several companies. A company tutor would find there only their own company and themself."""
    return can_list_people(user) and bool(user.is_superuser or user.roles & FOLLOW_UP_ROLES)
