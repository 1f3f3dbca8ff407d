from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from surveys.selectors import format_percent

register = template.Library()


@register.simple_tag
def insertion_rate(figure):
    """« 75 % (6/8) », or « effectif insuffisant (6/8) » below the published population, or « — »."""
    if figure is None or figure.rate is None:
        return "—"
    counts = f"({figure.employed}/{figure.denominator})"
    if figure.insufficient:
        return format_html('{} <span class="muted">{}</span>', _("effectif insuffisant"), counts)
    return format_html('{} <span class="muted">{}</span>', format_percent(figure.rate), counts)
