"""Mails in French, plain text with an HTML alternative, from a pair of templates.

Subjects are built from stored values (a person's name, a diploma's): every one
goes through :func:`header_text`, so that no value, however it was stored, can break a header.
"""

import re
from email.mime.base import MIMEBase

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

# Line breaks (CR, LF and Unicode's own), tabs and every other control character.
HEADER_BREAKERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_text(value) -> str:
    """``value`` on one line, fit for a mail header: every run of line breaks, tabs and control
    characters becomes one space, and spaces are collapsed."""
    return " ".join(HEADER_BREAKERS.sub(" ", str(value)).split())


def send_templated(*, subject: str, template: str, context: dict, to: list[str], attachments=()) -> None:
    """Send ``template``.txt as the body and ``template``.html as its HTML alternative, with
    ``attachments``: (file name, content, MIME type), or a ready MIME part (a calendar invitation, whose
    content type carries its method)."""
    message = EmailMultiAlternatives(
        subject=header_text(subject), body=render_to_string(f"{template}.txt", context), to=to
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    for attachment in attachments:
        if isinstance(attachment, MIMEBase):
            message.attach(attachment)
        else:
            message.attach(*attachment)
    message.send()
