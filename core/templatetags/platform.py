"""Template filters and tags every page uses."""

from django import template
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core import dates, form_errors, submissions

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
def human_date(value, format_string="j M Y") -> str:
    """A date as people read it: ``{{ day|human_date }}`` is "1er janv. 2026", ``{{ day|human_date:"j F" }}``
    "1er janvier" (core.dates.human_date); any Django date format, with French days and months."""
    return dates.human_date(value, format_string)


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


@register.simple_tag(takes_context=True)
def error_summary(context) -> dict:
    """What the error summary of a form lists (components/form_errors.html): each error of the context's
    ``form`` and, on a page with rows, of its ``formset`` (rows named ``row_label`` and their number), then
    ``extra_errors`` (a service's messages about the rows as a whole) leading to ``extra_anchor``."""
    items = form_errors.error_items(
        [context.get("form"), context.get("formset")],
        row_label=context.get("row_label") or _("Ligne"),
        extra=context.get("extra_errors") or (),
        extra_anchor=context.get("extra_anchor") or "",
    )
    return {"items": items, "count": len(items), "id": context.get("summary_id") or "erreurs"}
