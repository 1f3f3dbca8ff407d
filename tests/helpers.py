"""Small helpers shared by the tests."""

from __future__ import annotations

import datetime
import html
import re

from django.db.models import Model


def _post_value(value):
    if value is None:
        return ""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, list | tuple):
        return [_post_value(v) for v in value]
    return value


def model_form_data(form_class, instance=None, /, **overrides) -> dict:
    """What a browser would post for ``form_class`` showing ``instance``, with ``overrides``.

    Keyword arguments that the form's constructor takes (``user``) are passed to it; the rest
    replace posted values.
    """
    init_kwargs = {k: overrides.pop(k) for k in ("user",) if k in overrides}
    form = form_class(instance=instance, **init_kwargs)
    data = {}
    for name, bound_field in form.fields.items():
        value = form.initial.get(name, bound_field.initial)
        if callable(value):
            value = value()
        data[name] = _post_value(value)
    for name, value in overrides.items():
        data[name] = _post_value(value)
    return data


def text_of(response) -> str:
    """The page's text with tags removed and entities decoded, whitespace collapsed."""
    content = response.content.decode()
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", content, flags=re.S | re.I)
    content = re.sub(r"<[^>]+>", " ", content)
    return re.sub(r"\s+", " ", html.unescape(content)).strip()


def pdf_reader(data: bytes):
    import io

    from pypdf import PdfReader

    assert data[:5] == b"%PDF-", "ce n'est pas un PDF"
    return PdfReader(io.BytesIO(data))


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF, whitespace collapsed, pages separated by « ¶ », words that
    WeasyPrint hyphenated at a line's end (with U+2010) joined again."""
    reader = pdf_reader(data)
    pages = (re.sub(r"\s+", " ", page.extract_text() or "").replace("\u2010 ", "") for page in reader.pages)
    return " ¶ ".join(pages)
