"""Template filters and tags every page uses."""

from django import template
from django.utils import translation
from django.utils.html import format_html

from core import submissions

register = template.Library()


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


@register.simple_tag
def submission_field() -> str:
    """The one-time token of a create form (core.submissions): a double click sends it once."""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', submissions.FIELD, submissions.new_token()
    )
