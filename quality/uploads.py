"""The content check of uploaded evidence: PDF and office documents only, recognised by what they
contain (never by their name alone), size-limited, zip bombs refused without extracting anything.

Python's ``zipfile`` reads the central directory of OOXML and ODF files, which is all the check needs;
a signature library would tell a zip from a PDF but not a spreadsheet from a text document.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PDF = b"%PDF-"
OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024  # members smaller than this may compress as they like
MAX_MEMBERS = 10_000

# extension: (family, content type, what it must contain, French name)
FORMATS = {
    ".pdf": ("pdf", "application/pdf", None, "PDF"),
    ".docx": (
        "ooxml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "word/",
        "Word",
    ),
    ".xlsx": ("ooxml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xl/", "Excel"),
    ".pptx": (
        "ooxml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "ppt/",
        "PowerPoint",
    ),
    ".odt": ("odf", "application/vnd.oasis.opendocument.text", None, "OpenDocument texte"),
    ".ods": ("odf", "application/vnd.oasis.opendocument.spreadsheet", None, "OpenDocument tableur"),
    ".odp": ("odf", "application/vnd.oasis.opendocument.presentation", None, "OpenDocument présentation"),
    ".doc": ("ole2", "application/msword", None, "Word 97-2003"),
    ".xls": ("ole2", "application/vnd.ms-excel", None, "Excel 97-2003"),
    ".ppt": ("ole2", "application/vnd.ms-powerpoint", None, "PowerPoint 97-2003"),
}
ALLOWED_EXTENSIONS = tuple(FORMATS)


class UploadRefused(ValidationError):
    """The file is refused; the message says why, in French."""


@dataclass(frozen=True)
class CheckedUpload:
    extension: str
    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    return getattr(settings, "QUALITY_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",").removesuffix(",0") + " Mo"


def _zip_holds(upload, family: str, expected: str | None) -> bool:
    """A readable zip of the right kind, with no member that would blow up when read."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise UploadRefused(_("L'archive contient trop d'éléments pour un document bureautique."))
            total = 0
            for member in members:
                total += member.file_size
                ratio_too_high = member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(
                    member.compress_size, 1
                )
                if total > MAX_UNCOMPRESSED or ratio_too_high:
                    raise UploadRefused(_("Ce fichier se décompresse en un volume anormal : il est refusé."))
            names = {member.filename for member in members}
            if family == "ooxml":
                return "[Content_Types].xml" in names and any(name.startswith(expected) for name in names)
            if "mimetype" not in names:
                return False
            return archive.read("mimetype").strip().decode("ascii", "replace") == expected
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError):
        return False


def check_upload(upload) -> CheckedUpload:
    """Check ``upload`` (a Django UploadedFile); return what was found, or raise :class:`UploadRefused`.
    The file is left positioned at its start."""
    name = upload.name or ""
    extension = os.path.splitext(name)[1].lower()
    if extension not in FORMATS:
        raise UploadRefused(
            _("Formats acceptés : PDF et documents bureautiques (%(types)s) ; « %(name)s » n'en est pas un.")
            % {"types": ", ".join(ALLOWED_EXTENSIONS), "name": name}
        )
    size = upload.size or 0
    if size == 0:
        raise UploadRefused(_("Le fichier est vide."))
    limit = max_bytes()
    if size > limit:
        raise UploadRefused(
            _("Le fichier pèse %(size)s : la limite est de %(limit)s.")
            % {"size": megabytes(size), "limit": megabytes(limit)}
        )
    family, content_type, expected, label = FORMATS[extension]
    upload.seek(0)
    head = upload.read(8)
    if family == "pdf":
        valid = head.startswith(PDF)
    elif family == "ole2":
        valid = head == OLE2
    else:
        odf_type = content_type if family == "odf" else expected
        valid = head.startswith(b"PK\x03\x04") and _zip_holds(upload, family, odf_type)
    if not valid:
        upload.seek(0)
        raise UploadRefused(
            _("Le contenu de « %(name)s » n'est pas un document %(label)s.") % {"name": name, "label": label}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(extension=extension, content_type=content_type, size=size, sha256=digest.hexdigest())
