"""PDF documents: a template per document, rendered by WeasyPrint.

Every document extends ``templates/pdf/base.html`` (A4, a cover, the title in the running header,
« Page X sur Y » and the generation date in the footer) and is written with its metadata (title,
author, subject, language, creation date) and tagged for accessibility (PDF/UA-1).

WeasyPrint fetches nothing but our own static files: :class:`StaticOnlyFetcher` serves ``/static/…``
through the static files finders (or ``STATIC_ROOT``), and ``data:`` URIs (inline SVG); it refuses every
other URL (no network, no ``file://`` outside the static folders).

WeasyPrint is imported only when a PDF is made (:func:`load_weasyprint`): it loads Pango and HarfBuzz,
system libraries a development machine may lack, and the rest of the site must run without them. When
they are missing a PDF view answers a French page saying so (:class:`PdfUnavailable`, turned into a 503
by ``core.middleware.PdfUnavailableMiddleware``) and ``manage.py check`` warns (``core.W001``).
"""

from __future__ import annotations

import functools
import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.text import slugify

# The base URL the documents are rendered against: a reserved name that no resolver answers, so a
# relative URL can only ever mean one of our static files.
BASE_URL = "https://pdf.invalid/"
PDF_VARIANT = "pdf/ua-1"


# What PDFs need on Debian or Ubuntu (README, "Documents PDF"; the Dockerfile installs the same).
SYSTEM_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"


class RefusedResource(ValueError):
    """A document asked for something other than our static files."""


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot be loaded on this machine: no PDF can be made."""


def load_weasyprint():
    """The ``weasyprint`` module, or :class:`PdfUnavailable` saying what is missing."""
    try:
        # Imported here, not at the top: it loads Pango and HarfBuzz, which the rest of the site does
        # not need (module docstring).
        import weasyprint
    except (ImportError, OSError) as error:
        raise PdfUnavailable(
            f"WeasyPrint ne peut pas être chargé ({error}). Les documents PDF ont besoin des paquets "
            f"système : {SYSTEM_PACKAGES} (Debian, Ubuntu : apt-get install {SYSTEM_PACKAGES})."
        ) from error
    return weasyprint


def weasyprint_problem() -> str | None:
    """Why no PDF can be made here, or None when WeasyPrint loads."""
    try:
        load_weasyprint()
    except PdfUnavailable as error:
        return str(error)
    return None


def _static_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT)] if settings.STATIC_ROOT else []
    roots += [Path(d[1] if isinstance(d, tuple | list) else d) for d in settings.STATICFILES_DIRS]
    return [root.resolve() for root in roots]


def static_file(url: str) -> Path | None:
    """The file of one of our static URLs (``/static/…`` under :data:`BASE_URL`, or a ``file://`` path
    inside a static folder), or None for anything else."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if path.is_file() and any(path.is_relative_to(root) for root in _static_roots()):
            return path
        return None
    prefix = urlsplit(BASE_URL)
    if (parts.scheme, parts.netloc) != (prefix.scheme, prefix.netloc):
        return None
    static_url = urlsplit(settings.STATIC_URL).path
    if not parts.path.startswith(static_url):
        return None
    relative = unquote(parts.path[len(static_url) :])
    normalized = posixpath.normpath(relative)
    if not relative or normalized.startswith(("..", "/")) or normalized != relative:
        return None
    found = finders.find(normalized)
    if found:
        return Path(found)
    if settings.STATIC_ROOT:
        candidate = (Path(settings.STATIC_ROOT) / normalized).resolve()
        if candidate.is_file() and candidate.is_relative_to(Path(settings.STATIC_ROOT).resolve()):
            return candidate
    return None


@functools.cache
def _fetcher_class():
    """:class:`StaticOnlyFetcher`, built on WeasyPrint's fetcher the first time a PDF is made."""
    weasyprint = load_weasyprint()

    class StaticOnlyFetcher(weasyprint.URLFetcher):
        """WeasyPrint's fetcher, narrowed to our static files and ``data:`` URIs. ``refused`` lists
        what a document asked for and did not get."""

        def __init__(self):
            super().__init__(timeout=1, allowed_protocols=("data",), allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = static_file(url)
            if path is None:
                self.refused.append(url)
                raise RefusedResource(f"Ressource refusée dans un PDF (seuls nos fichiers statiques) : {url}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return weasyprint.urls.URLFetcherResponse(
                url, body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticOnlyFetcher


def static_only_fetcher():
    """A fetcher that serves our static files and ``data:`` URIs only, and lists what it refused."""
    return _fetcher_class()()


def css_string(value) -> str:
    """``value`` as a CSS string literal, safe inside a ``<style>`` element."""
    text = " ".join(str(value).split())
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ").replace(">", "\\3E ")
    return mark_safe(f'"{text}"')


def render_html(template_name, context, *, title, author, subject="", lang="fr", by=None) -> str:
    generated_at = timezone.localtime()
    with translation.override(lang):
        return render_to_string(
            template_name,
            {
                **context,
                "pdf": {
                    "title": title,
                    "author": author,
                    "subject": subject,
                    "lang": lang,
                    "generated_at": generated_at,
                    "created": generated_at.isoformat(timespec="seconds"),
                    "generated_by": by,
                    "generator": f"{settings.PLATFORM_NAME} (WeasyPrint)",
                    "platform": settings.PLATFORM_NAME,
                    "css_title": css_string(title),
                },
            },
        )


def render_pdf(
    template_name, context, *, title, author, subject="", lang="fr", by=None, fetcher=None
) -> bytes:
    """The PDF of ``template_name`` (a template extending ``pdf/base.html``) rendered with ``context``.

    ``title``, ``author`` (the organisation), ``subject`` and ``lang`` become the document's metadata
    and its cover; ``by`` is who generated it, named on the cover.
    """
    weasyprint = load_weasyprint()
    html = render_html(template_name, context, title=title, author=author, subject=subject, lang=lang, by=by)
    fetcher = fetcher or static_only_fetcher()
    return weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(
        pdf_variant=PDF_VARIANT, finisher=running_texts_as_artifacts
    )


def _number(reference: bytes) -> int:
    return int(reference.split()[0])


def running_texts_as_artifacts(document, pdf) -> None:
    """Mark the page margin boxes' text (the running title, « Page X sur Y », the generation date) as
    pagination artifacts, as PDF/UA-1 asks of running headers and footers (ISO 14289-1, 7.8).

    WeasyPrint 70 tags that text like the body's (``/Span <</MCID n>> BDC``) and builds structure
    elements for it that it leaves out of the structure tree, since an artifact inside the tree is
    only allowed in PDF 2.0 (``weasyprint/pdf/tags.py``): marked content that no structure element of
    the tree reaches, which PDF/UA forbids. This finisher (``write_pdf(finisher=…)``: the PDF objects
    before they are written) turns each such sequence into ``/Artifact <</Type /Pagination>> BDC``,
    renumbers the page's remaining marked contents so that the parent tree lists only elements of the
    tree, and empties the detached elements. A page whose marked contents are not all in its own
    content stream (a transparency group) is left as WeasyPrint wrote it.
    """
    if "StructTreeRoot" not in pdf.catalog:
        return

    def get(reference):
        return pdf.objects[_number(reference)]

    root = get(pdf.catalog["StructTreeRoot"])
    in_tree = set()
    pending = [kid for kid in root["K"] if isinstance(kid, bytes)]
    while pending:
        reference = pending.pop()
        if reference in in_tree:
            continue
        in_tree.add(reference)
        element = get(reference)
        if element.get("Type") == "/StructElem":
            pending.extend(kid for kid in element.get("K", ()) if isinstance(kid, bytes))

    nums = get(root["ParentTree"])["Nums"]
    parents_of_page = dict(zip(nums[::2], nums[1::2], strict=True))
    for page_number in pdf.pages["Kids"][::3]:  # pydyf lists them as « number 0 R »
        page = pdf.objects[page_number]
        parents = parents_of_page.get(page.get("StructParents"))
        if not parents or all(parent in in_tree for parent in parents):
            continue
        content = get(page["Contents"]).stream
        opened = {
            item["MCID"]: (index, item)
            for index, item in enumerate(content[:-1])
            if isinstance(item, dict) and "MCID" in item and content[index + 1] == b"BDC"
        }
        if set(opened) != set(range(len(parents))):
            continue
        kept = [mcid for mcid, parent in enumerate(parents) if parent in in_tree]
        renumbered = {old: new for new, old in enumerate(kept)}
        for mcid, (index, properties) in opened.items():
            if mcid in renumbered:
                properties["MCID"] = renumbered[mcid]
            else:
                content[index - 1] = "/Artifact"
                properties.clear()
                properties["Type"] = "/Pagination"
        for reference in {parents[mcid] for mcid in kept}:
            kids = get(reference)["K"]
            kids[:] = [renumbered[kid] if isinstance(kid, int) else kid for kid in kids]
        parents[:] = [parents[mcid] for mcid in kept]

    for element in pdf.objects:
        if isinstance(element, dict) and element.get("Type") == "/StructElem":
            if element.reference not in in_tree:
                element.clear()


def pdf_filename(*parts) -> str:
    """« conformite-ing-alb-2025-2026.pdf »: ASCII, safe in a Content-Disposition header."""
    return "-".join(slugify(str(part)) for part in parts if part) + ".pdf"


def attachment(data: bytes, filename: str):
    """An HTTP response that downloads ``data`` as ``filename``."""
    from django.http import HttpResponse

    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
