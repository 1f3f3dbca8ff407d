"""The content check of uploaded evidence (les preuves du référentiel qualité): PDF and office
documents only, recognised by what they contain (never by their name alone), size-limited, zip bombs
refused without extracting anything.

Python's ``zipfile`` reads the central directory of OOXML and ODF files, which is all the check needs;
a signature library would tell a zip from a PDF but not a spreadsheet from a text document.
"""

from __future__ import annotations

import hashlib
import math
import os
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

PDF_MAGIC = b"%PDF-"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# Zip bomb thresholds, read from the central directory. Module constants so tests can lower them.
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024  # members up to this size may compress as well as they like
MAX_MEMBERS = 10_000

# Exceptions that mean "not a readable zip": BadZipFile also covers a bad CRC, RuntimeError covers an
# encrypted member and (through NotImplementedError) an unknown compression method.
CORRUPT_ZIP = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,
)


@dataclass(frozen=True)
class Format:
    family: str  # "pdf", "ooxml", "odf" or "ole2"
    content_type: str
    label: str  # what the refusal calls it: « n'est pas un document <label> »
    ooxml_folder: str = ""  # the part folder an OOXML package must hold


FORMATS = {
    ".pdf": Format("pdf", "application/pdf", "PDF"),
    ".docx": Format(
        "ooxml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word",
        ooxml_folder="word/",
    ),
    ".xlsx": Format(
        "ooxml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel",
        ooxml_folder="xl/",
    ),
    ".pptx": Format(
        "ooxml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "PowerPoint",
        ooxml_folder="ppt/",
    ),
    ".odt": Format("odf", "application/vnd.oasis.opendocument.text", gettext_lazy("OpenDocument texte")),
    ".ods": Format(
        "odf", "application/vnd.oasis.opendocument.spreadsheet", gettext_lazy("OpenDocument tableur")
    ),
    ".odp": Format(
        "odf", "application/vnd.oasis.opendocument.presentation", gettext_lazy("OpenDocument présentation")
    ),
    ".doc": Format("ole2", "application/msword", "Word 97-2003"),
    ".xls": Format("ole2", "application/vnd.ms-excel", "Excel 97-2003"),
    ".ppt": Format("ole2", "application/vnd.ms-powerpoint", "PowerPoint 97-2003"),
}
ALLOWED_EXTENSIONS = tuple(FORMATS)


class UploadRefused(ValidationError):
    """The file is refused; the one message says why, in French."""


@dataclass(frozen=True)
class CheckedUpload:
    extension: str
    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    return getattr(settings, "QUALITY_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)


def size_in_words(size: int, *, up: bool) -> str:
    """« 12,4 Mo », « 500 Ko », « 20 octets », to the tenth. A refused file's size is rounded up and
    the limit down, so that a file just over the limit never reads as weighing the limit itself."""
    if size < 1024:
        return ngettext("%(size)s octet", "%(size)s octets", size) % {"size": size}
    unit, template = (1024 * 1024, _("%(size)s Mo")) if size >= 1024 * 1024 else (1024, _("%(size)s Ko"))
    tenths = (math.ceil if up else math.floor)(size * 10 / unit)
    value = number_format(tenths // 10) if tenths % 10 == 0 else number_format(tenths / 10, decimal_pos=1)
    return template % {"size": value}


def _check_size(size: int) -> None:
    if size == 0:
        raise UploadRefused(_("Le fichier est vide."), code="empty")
    limit = max_bytes()
    if size > limit:
        raise UploadRefused(
            _("Le fichier pèse %(size)s : la limite est de %(limit)s.")
            % {"size": size_in_words(size, up=True), "limit": size_in_words(limit, up=False)},
            code="too_large",
        )


def _zip_is(upload, expected: Format) -> bool:
    """Whether ``upload`` is a readable zip of the expected kind; refuses outright an archive that
    would blow up when read. Only the central directory is read, plus the few bytes of an ODF
    ``mimetype`` member."""
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise UploadRefused(
                    _("L'archive contient trop d'éléments pour un document bureautique."), code="zip_bomb"
                )
            total = 0
            for member in members:
                total += member.file_size
                ratio = member.file_size / max(member.compress_size, 1)
                too_compressed = member.file_size > RATIO_FLOOR and ratio > MAX_RATIO
                if total > MAX_UNCOMPRESSED or too_compressed:
                    raise UploadRefused(
                        _("Ce fichier se décompresse en un volume anormal : il est refusé."), code="zip_bomb"
                    )
            names = {member.filename for member in members}
            if expected.family == "ooxml":
                return "[Content_Types].xml" in names and any(
                    name.startswith(expected.ooxml_folder) for name in names
                )
            if "mimetype" not in names:
                return False
            # Bounded read: the mimetype member is attacker-controlled like any other.
            with archive.open("mimetype") as member:
                mimetype = member.read(len(expected.content_type) + 2)
            return mimetype.strip() == expected.content_type.encode("ascii")
    except CORRUPT_ZIP:
        return False


def _content_is(upload, expected: Format) -> bool:
    upload.seek(0)
    head = upload.read(len(OLE2_MAGIC))
    if expected.family == "pdf":
        return head.startswith(PDF_MAGIC)
    if expected.family == "ole2":
        return head == OLE2_MAGIC
    return head.startswith(ZIP_MAGIC) and _zip_is(upload, expected)


def check_upload(upload) -> CheckedUpload:
    """Check ``upload`` (a Django UploadedFile) and return what it is, or raise :class:`UploadRefused`.

    The extension must be allowed and the content must be what the extension claims. The file is left
    positioned at its start, whether accepted or refused.
    """
    name = upload.name or ""
    extension = os.path.splitext(name)[1].lower()
    expected = FORMATS.get(extension)
    if expected is None:
        raise UploadRefused(
            _("Formats acceptés : PDF et documents bureautiques (%(types)s) ; « %(name)s » n'en est pas un.")
            % {"types": ", ".join(ALLOWED_EXTENSIONS), "name": name},
            code="extension",
        )
    _check_size(upload.size or 0)
    try:
        if not _content_is(upload, expected):
            raise UploadRefused(
                _("Le contenu de « %(name)s » n'est pas un document %(label)s.")
                % {"name": name, "label": expected.label},
                code="content",
            )
        digest, size = hashlib.sha256(), 0
        upload.seek(0)
        for chunk in upload.chunks():
            digest.update(chunk)
            size += len(chunk)
        # The bytes actually read are what is stored: their count, not the announced size, is recorded.
        _check_size(size)
    finally:
        upload.seek(0)
    return CheckedUpload(
        extension=extension, content_type=expected.content_type, size=size, sha256=digest.hexdigest()
    )
