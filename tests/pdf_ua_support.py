"""Reading a tagged PDF back with pypdf, for the rules of PDF/UA-1 (ISO 14289-1) that our documents
can break: the structure tree (which marked contents it reaches, how lists nest, the heading levels in
reading order), the marked contents of each page (tagged, artifact or neither) and the text each holds,
and the catalog's language, title and MarkInfo.

veraPDF, the reference validator, is a Java program: :func:`verapdf` runs it when a ``verapdf``
command is on the PATH (or named by the ``VERAPDF`` environment variable), and says why not otherwise.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field

from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, IndirectObject

from tests.helpers import pdf_reader

# The operators that put something on the page (ISO 32000-1, tables 51, 59, 77, 87, 107): each must be
# inside a marked content that the structure tree reaches, or inside an artifact. Clipping paths
# (« re W n ») paint nothing.
PAINTING = {b"Tj", b"TJ", b"'", b'"', b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"sh", b"Do"}

# What each list element may hold (ISO 32000-1, 14.8.4.3.3).
LIST_KIDS = {"/L": {"/LI", "/Caption", "/L"}, "/LI": {"/Lbl", "/LBody"}}


@dataclass
class Element:
    tag: str
    parent: Element | None = None
    kids: list[Element] = field(default_factory=list)

    def path(self) -> str:
        tags = []
        node = self
        while node is not None:
            tags.append(node.tag)
            node = node.parent
        return " > ".join(reversed(tags))


@dataclass
class PageContent:
    """What one page paints, sorted by how it is marked."""

    number: int
    tagged_text: list[str] = field(default_factory=list)
    artifact_text: list[str] = field(default_factory=list)
    outside_tree: list[int] = field(default_factory=list)  # MCIDs no element of the tree reaches
    unmarked: list[str] = field(default_factory=list)  # painting operators in no marked content


@dataclass
class TaggedPdf:
    catalog: DictionaryObject
    metadata: dict
    xmp: str
    elements: list[Element]  # in reading order (depth first)
    pages: list[PageContent]

    @property
    def headings(self) -> list[int]:
        return [int(e.tag[2:]) for e in self.elements if re.fullmatch(r"/H[1-6]", e.tag)]

    def heading_jumps(self) -> list[tuple[int, int]]:
        """Each heading more than one level below the one before it (H1 then H4), and a first heading
        that is not H1."""
        levels = [0, *self.headings]
        return [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]

    def bad_list_nesting(self) -> list[str]:
        """The path of every list element holding what a list element may not hold (L > Div > LI)."""
        return [
            kid.path()
            for e in self.elements
            if e.tag in LIST_KIDS
            for kid in e.kids
            if kid.tag not in LIST_KIDS[e.tag]
        ]


def _walk(node, parent: Element | None, page: int | None, elements: list, reached: set) -> None:
    if isinstance(node, IndirectObject):
        node = node.get_object()
    if isinstance(node, int):
        reached.add((page, int(node)))
        return
    if isinstance(node, ArrayObject):
        for kid in node:
            _walk(kid, parent, page, elements, reached)
        return
    kind = node.get("/Type")
    if kind == "/MCR":
        reached.add((node.raw_get("/Pg").idnum if "/Pg" in node else page, int(node["/MCID"])))
        return
    if kind == "/OBJR":
        return
    element = Element(str(node["/S"]), parent)
    if parent is not None:
        parent.kids.append(element)
    elements.append(element)
    if "/Pg" in node:
        page = node.raw_get("/Pg").idnum
    if "/K" in node:
        _walk(node.raw_get("/K"), element, page, elements, reached)


def _page_content(number: int, page, reader, reached: set) -> PageContent:
    found = PageContent(number)
    page_id = page.indirect_reference.idnum
    stack: list[tuple[str, int | None]] = []
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator in (b"BDC", b"BMC"):
            properties = operands[1] if len(operands) > 1 else None
            mcid = properties.get("/MCID") if isinstance(properties, DictionaryObject) else None
            if mcid is not None and (page_id, int(mcid)) not in reached:
                found.outside_tree.append(int(mcid))
            stack.append((str(operands[0]), mcid))
        elif operator == b"EMC":
            stack.pop()
        elif operator in PAINTING and not any(tag == "/Artifact" or mcid is not None for tag, mcid in stack):
            found.unmarked.append(operator.decode())

    marks: list[str] = []

    def before(operator, args, cm, tm):
        if operator in (b"BDC", b"BMC"):
            marks.append(str(args[0]))
        elif operator == b"EMC":
            marks.pop()

    def text(value, cm, tm, font, size):
        if value.strip():
            bucket = found.artifact_text if "/Artifact" in marks else found.tagged_text
            bucket.append(" ".join(value.split()))

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return found


def read_tagged(data: bytes) -> TaggedPdf:
    reader = pdf_reader(data)
    catalog = reader.trailer["/Root"]
    elements: list[Element] = []
    reached: set[tuple[int, int]] = set()
    if "/StructTreeRoot" in catalog:
        _walk(catalog["/StructTreeRoot"].raw_get("/K"), None, None, elements, reached)
    xmp = catalog["/Metadata"].get_data().decode() if "/Metadata" in catalog else ""
    return TaggedPdf(
        catalog=catalog,
        metadata=dict(reader.metadata or {}),
        xmp=xmp,
        elements=elements,
        pages=[_page_content(n, page, reader, reached) for n, page in enumerate(reader.pages, start=1)],
    )


def verapdf_command() -> str | None:
    return os.environ.get("VERAPDF") or shutil.which("verapdf")


def verapdf(data: bytes) -> tuple[bool, str]:
    """Whether veraPDF finds ``data`` compliant with PDF/UA-1, and its report."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        run = subprocess.run(
            [verapdf_command(), "--flavour", "ua1", "--format", "text", file.name],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    report = run.stdout + run.stderr
    return run.returncode == 0 and report.lstrip().startswith("PASS"), report
