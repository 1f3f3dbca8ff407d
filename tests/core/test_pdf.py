"""The PDF machinery: metadata, tags, cover and page numbers, and a fetcher that serves only our static
files (no network, no file:// outside static)."""

from __future__ import annotations

import socket

import pytest

from core import pdf
from tests.core.factories import UserFactory
from tests.helpers import pdf_reader, pdf_text


def render(**extra):
    return pdf.render_pdf(
        "pdf/base.html",
        {"cover_facts": [("Formation", "ING-TEST — Ingénieur de test")], **extra},
        title="Document d'essai",
        author="CFA des Tests",
        subject="Sujet de l'essai",
        **{k: v for k, v in extra.items() if k == "by"},
    )


def test_metadata_title_author_subject_and_language_are_set(db):
    reader = pdf_reader(render())
    meta = reader.metadata
    assert (meta.title, meta.author, meta.subject) == (
        "Document d'essai",
        "CFA des Tests",
        "Sujet de l'essai",
    )
    assert meta.creation_date is not None
    assert reader.trailer["/Root"]["/Lang"] == "fr"


def test_the_pdf_is_tagged_for_accessibility(db):
    root = pdf_reader(render()).trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root


def test_the_cover_names_who_generated_it_and_every_page_is_numbered(db):
    user = UserFactory(first_name="Anne", last_name="Auditrice")
    text = pdf_text(render(by=user))
    assert "Document d'essai" in text and "ING-TEST — Ingénieur de test" in text
    assert "Généré par Anne Auditrice" in text
    cover, body = text.split(" ¶ ")
    assert "Page 1 sur 2" in cover and "Page 2 sur 2" in body
    assert "Généré le " in body and "Document d'essai" in body  # the running header


def test_a_title_with_quotes_does_not_break_the_running_header(db):
    data = pdf.render_pdf("pdf/base.html", {}, title='Titre "entre" </style> guillemets', author="CFA")
    assert pdf_reader(data).metadata.title == 'Titre "entre" </style> guillemets'
    assert 'Titre "entre" </style> guillemets' in pdf_text(data)


def test_the_fetcher_serves_our_static_files():
    fetched = pdf.static_only_fetcher().fetch(pdf.BASE_URL + "static/css/pdf.css")
    assert b"@page" in fetched.read()
    assert fetched.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/style.css",
        "file:///etc/passwd",
        "ftp://example.com/x",
        pdf.BASE_URL + "static/../../config/settings.py",
        pdf.BASE_URL + "static/%2e%2e/%2e%2e/manage.py",
        pdf.BASE_URL + "media/quality/1/preuve.pdf",
        pdf.BASE_URL + "static/css/absent.css",
    ],
)
def test_the_fetcher_refuses_everything_else(url):
    fetcher = pdf.static_only_fetcher()
    with pytest.raises(pdf.RefusedResource):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_a_document_asking_for_the_network_or_a_local_file_gets_neither(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("une connexion réseau a été tentée")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    fetcher = pdf.static_only_fetcher()
    html = pdf.load_weasyprint().HTML
    data = html(
        string='<p>Texte</p><img src="http://example.com/x.png" alt=""><img src="file:///etc/passwd" alt="">'
        '<link rel="stylesheet" href="https://example.com/s.css"><img src="/static/img/favicon.svg" alt="">',
        base_url=pdf.BASE_URL,
        url_fetcher=fetcher,
    ).write_pdf()
    assert sorted(fetcher.refused) == [
        "file:///etc/passwd",
        "http://example.com/x.png",
        "https://example.com/s.css",
    ]
    assert "Texte" in pdf_text(data)


def test_an_inline_data_uri_is_allowed():
    fetcher = pdf.static_only_fetcher()
    svg = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='4' height='4'/%3E"
    assert fetcher.fetch(svg).read().startswith(b"<svg")


def test_a_filename_is_ascii():
    assert pdf.pdf_filename("conformité", "ING-ALB", "2025-2026") == "conformite-ing-alb-2025-2026.pdf"
