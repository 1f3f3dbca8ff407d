"""Without WeasyPrint's system libraries the site runs: pages render, a PDF view answers a French
page (503) instead of a server error, and ``manage.py check`` says what to install."""

import sys

import pytest
from django.core import checks
from django.urls import reverse

from core import pdf
from tests.helpers import text_of

pytestmark = [pytest.mark.django_db, pytest.mark.pdf_missing]


@pytest.fixture
def without_weasyprint(monkeypatch):
    """As on a machine where importing WeasyPrint fails (no Pango)."""
    pdf._fetcher_class.cache_clear()
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    yield
    pdf._fetcher_class.cache_clear()


def test_pages_render_without_weasyprint(client, world, without_weasyprint):
    client.force_login(world.users["staff"])

    for url in [reverse("home"), reverse("apprentices:apprentice_list"), reverse("quality:dashboard")]:
        assert client.get(url).status_code == 200, url


def test_a_pdf_view_answers_a_french_page_when_weasyprint_cannot_load(client, world, without_weasyprint):
    client.force_login(world.users["staff"])

    response = client.get(reverse("livret:booklet_pdf", args=[world.mine.apprentice.pk]))

    assert response.status_code == 503
    assert "Document PDF indisponible" in text_of(response)


def test_rendering_without_weasyprint_names_the_missing_packages(without_weasyprint):
    with pytest.raises(pdf.PdfUnavailable, match="libpango-1.0-0"):
        pdf.render_pdf("pdf/base.html", {}, title="Essai", author="CFA")


def test_the_system_check_warns_when_pdfs_cannot_be_made(without_weasyprint):
    warnings = [message for message in checks.run_checks() if message.id == "core.W001"]

    assert len(warnings) == 1
    assert warnings[0].level == checks.WARNING
    assert "apt-get install libpango-1.0-0" in warnings[0].hint


def test_the_system_check_is_silent_when_weasyprint_loads():
    if pdf.weasyprint_problem():
        pytest.skip(pdf.weasyprint_problem())

    assert [message for message in checks.run_checks() if message.id == "core.W001"] == []


def test_weasyprint_is_not_imported_by_the_site_modules():
    code = (
        "import sys, django; django.setup(); "
        "import config.urls, core.pdf, livret.pdf, quality.pdf, livret.views.exports; "
        "print('weasyprint' in sys.modules)"
    )
    from tests.test_settings import run

    result = run(["-c", code], DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
