"""Small helpers shared by the tests."""

from __future__ import annotations

import datetime
import html
import re

from django.contrib.messages import get_messages
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


def messages_of(response) -> list[str]:
    """The texts of the messages the request left for the next page."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def csv_of(response) -> list[list[str]]:
    """The rows of a streamed CSV export (header first); fails unless it starts with the UTF-8 BOM
    and uses ``;`` as French spreadsheet software expects."""
    import csv
    import io

    assert response.streaming, "a CSV export is streamed"
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf"), "the file starts with the UTF-8 byte order mark"
    text = raw.decode("utf-8")[1:]
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows and len(rows[0]) > 1, "cells are separated by ;"
    return rows


def listed(response) -> list:
    return list(response.context["page"].object_list)


def assert_marked_in_error(response, field: str) -> None:
    """200, no row, the French explanation, and the field marked invalid and described by its error."""
    assert response.status_code == 200
    assert listed(response) == []
    assert "Un filtre n'est pas valide" in text_of(response)
    html = response.content.decode()
    tag = re.search(rf'<(?:input|select)[^>]*name="{field}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in tag
    described_by = re.search(r'aria-describedby="([^"]+)"', tag).group(1)
    assert f'id="{described_by}"' in html


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


def summary_links(page: str) -> list[tuple[str, str]]:
    """(href, text) of each link of the error summary of the HTML ``page``."""
    match = re.search(r"<div[^>]*data-error-summary[^>]*>(.*?)</div>", page, re.S)
    assert match, "no error summary"
    return [
        (href, html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip()))
        for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', match.group(1), re.S)
    ]
