"""Mails in French, plain text with an HTML alternative, from a pair of templates."""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated(*, subject: str, template: str, context: dict, to: list[str]) -> None:
    """Send ``template``.txt as the body and ``template``.html as its HTML alternative."""
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"{template}.txt", context), to=to
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()
