"""PDF/UA-1 (ISO 14289-1) on the documents the platform writes: the booklet, a visit report, a diploma's
charter compliance and the personal-data archive, read back with pypdf (tests/pdf_ua_support.py).

- every marked content of every page is reached by the structure tree or is an artifact, and nothing
  is painted outside a marked content (7.1);
- the running header and footer (the title, « Page X sur Y », the generation date) are pagination
  artifacts (7.8), not tagged content that the tree does not reach (what WeasyPrint 70 writes);
- a list holds list items only (no L > Div > LI, 7.6) and headings never skip a level (7.4.2);
- the catalog names the language and displays the title, MarkInfo says Marked, XMP says PDF/UA-1.

Each document is rendered once per test process, the first time a test asks for it: rendering is
what costs, and the checks only read.
"""

from __future__ import annotations

import re

import pytest

from livret.pdf import booklet_pdf, visit_report_pdf
from privacy.export import personal_data_pdf
from quality.pdf import diploma_compliance_pdf
from tests.livret.test_pdf import booklet  # noqa: F401 (a fixture)
from tests.pdf_ua_support import read_tagged, verapdf, verapdf_command
from tests.quality.test_compliance_pdf import dataset  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

TITLES = {
    "booklet": "Livret d'apprentissage",
    "visit": "Compte rendu de visite en entreprise",
    "compliance": "Conformité à la charte de l'apprentissage",
    "personal_data": "Données personnelles",
}


def _render(name, request) -> bytes:
    world = request.getfixturevalue("world")
    by = world.users["staff"]
    if name == "booklet":
        request.getfixturevalue("booklet")
        return booklet_pdf(world.mine.apprentice, by=by)
    if name == "visit":
        visit = request.getfixturevalue("booklet")["visit"]
        return visit_report_pdf(visit, by=by)
    if name == "compliance":
        request.getfixturevalue("dataset")
        return diploma_compliance_pdf(world.mine.diploma, world.academic_year, by=by)
    request.getfixturevalue("booklet")
    return personal_data_pdf(world.mine.apprentice, by=by)


_rendered: dict[str, tuple[bytes, object]] = {}


@pytest.fixture(params=list(TITLES))
def document(request):
    """(name, PDF bytes, the PDF read back)."""
    name = request.param
    if name not in _rendered:
        data = _render(name, request)
        _rendered[name] = (data, read_tagged(data))
    return (name, *_rendered[name])


def test_every_marked_content_is_in_the_structure_tree_or_an_artifact(document):
    name, _, tagged = document
    assert tagged.elements, name
    for page in tagged.pages:
        assert page.outside_tree == [], f"{name}, page {page.number}: MCID hors de l'arbre"
        assert page.unmarked == [], f"{name}, page {page.number}: contenu ni balisé ni artefact"
        assert page.tagged_text, f"{name}, page {page.number}"


def test_the_running_header_and_footer_are_artifacts(document):
    name, _, tagged = document
    total = len(tagged.pages)
    assert total >= 2
    for page in tagged.pages:
        artifacts = " ".join(page.artifact_text)
        tagged_text = " ".join(page.tagged_text)
        assert f"Page {page.number} sur {total}" in artifacts, (name, page.number, artifacts)
        assert "Généré le " in artifacts
        assert not re.search(r"Page \d+ sur \d+", tagged_text)
        assert not re.search(r"Généré le \d\d/\d\d/\d{4} à", tagged_text)
        if page.number > 1:  # the cover's header is empty, its title is its heading
            assert TITLES[name] in artifacts
            assert TITLES[name] not in tagged_text


def test_lists_hold_only_list_items(document):
    name, _, tagged = document
    assert tagged.bad_list_nesting() == [], name


def test_headings_never_skip_a_level(document):
    name, _, tagged = document
    assert tagged.headings[:1] == [1], name
    assert tagged.heading_jumps() == [], (name, tagged.headings)


def test_language_title_and_marked_are_declared(document):
    name, _, tagged = document
    catalog = tagged.catalog
    assert catalog["/Lang"] == "fr"
    assert tagged.metadata["/Title"].startswith(TITLES[name])
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert 'pdfuaid:part="1"' in tagged.xmp
    assert f">{TITLES[name]}" in tagged.xmp  # dc:title


def test_verapdf_finds_the_document_pdf_ua_1_compliant(document):
    if verapdf_command() is None:
        pytest.skip(
            "veraPDF n'est pas installé (ni `verapdf` sur le PATH ni VERAPDF) : ce poste n'atteint pas "
            "le site de veraPDF ni Maven Central, et aucun registre joignable ne le fournit"
        )
    name, data, _ = document
    compliant, report = verapdf(data)
    assert compliant, f"{name}:\n{report}"
