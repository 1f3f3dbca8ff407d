"""``{% training_status apprentice today %}``: the Tableau de bord status of an apprentice read through
``apprentices.status.annotate``, as a badge with the days left of its legal delay."""

from django import template

from apprentices.status import situation_of

register = template.Library()


@register.inclusion_tag("components/training_status.html")
def training_status(apprentice, today):
    situation = situation_of(apprentice)
    delay = situation.delay
    return {
        "situation": situation,
        "delay": delay,
        "days_left": delay.days_left(today) if delay is not None else None,
    }
