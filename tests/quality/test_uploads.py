"""The content check of uploaded evidence: what is accepted, what is refused and in which words."""

import hashlib
import io
import random
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from quality import uploads
from quality.uploads import ALLOWED_EXTENSIONS, UploadRefused, check_upload

MIB = 1024 * 1024
PDF = b"%PDF-1.7\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
OLE2 = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)
ALLOWED_TYPES = ".pdf, .docx, .xlsx, .pptx, .odt, .ods, .odp, .doc, .xls, .ppt"


def zip_of(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def ooxml(part: str, **extra: bytes) -> bytes:
    return zip_of({"[Content_Types].xml": b"<Types/>", part: b"<document/>", **extra})


DOCX = ooxml("word/document.xml")
XLSX = ooxml("xl/workbook.xml")
PPTX = ooxml("ppt/presentation.xml")


def odf(mimetype: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # As LibreOffice writes it: first, stored uncompressed.
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", b"<office:document-content/>")
    return buffer.getvalue()


ODT = odf("application/vnd.oasis.opendocument.text")


def refusal(upload) -> UploadRefused:
    with pytest.raises(UploadRefused) as info:
        check_upload(upload)
    return info.value


def not_a(name: str, label: str) -> list[str]:
    return [f"Le contenu de « {name} » n'est pas un document {label}."]


ZIP_BOMB = ["Ce fichier se décompresse en un volume anormal : il est refusé."]


@pytest.mark.parametrize(
    ("name", "content", "extension", "content_type"),
    [
        ("rapport.pdf", PDF, ".pdf", "application/pdf"),
        (
            "compte-rendu.docx",
            DOCX,
            ".docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("budget.xlsx", XLSX, ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            "bilan.pptx",
            PPTX,
            ".pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("compte-rendu.odt", ODT, ".odt", "application/vnd.oasis.opendocument.text"),
        (
            "budget.ods",
            odf("application/vnd.oasis.opendocument.spreadsheet"),
            ".ods",
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
        (
            "bilan.odp",
            odf("application/vnd.oasis.opendocument.presentation"),
            ".odp",
            "application/vnd.oasis.opendocument.presentation",
        ),
        ("ancien.doc", OLE2, ".doc", "application/msword"),
        ("ancien.xls", OLE2, ".xls", "application/vnd.ms-excel"),
        ("ancien.ppt", OLE2, ".ppt", "application/vnd.ms-powerpoint"),
    ],
)
def test_a_valid_document_of_each_format_is_accepted_with_its_type_size_and_hash(
    name, content, extension, content_type
):
    checked = check_upload(SimpleUploadedFile(name, content))

    assert checked == uploads.CheckedUpload(
        extension=extension,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def test_every_allowed_extension_is_covered_and_no_other():
    assert ", ".join(ALLOWED_EXTENSIONS) == ALLOWED_TYPES


def test_the_checked_upload_cannot_be_altered():
    checked = check_upload(SimpleUploadedFile("rapport.pdf", PDF))

    with pytest.raises(AttributeError):
        checked.sha256 = "0" * 64


def test_an_extension_in_capitals_is_accepted_and_recorded_in_lowercase():
    assert check_upload(SimpleUploadedFile("RAPPORT.PDF", PDF)).extension == ".pdf"


def test_a_file_uploaded_to_disk_is_read_and_hashed_over_every_chunk():
    # Over FILE_UPLOAD_MAX_MEMORY_SIZE Django writes the upload to a temporary file read in 64 KiB chunks.
    content = ooxml("word/document.xml", **{"word/media/image.bin": random.Random(0).randbytes(256 * 1024)})
    upload = TemporaryUploadedFile("rapport.docx", "application/octet-stream", len(content), None)
    try:
        upload.write(content)
        assert len(list(upload.chunks())) > 1

        checked = check_upload(upload)

        assert checked.sha256 == hashlib.sha256(content).hexdigest()
        assert checked.size == len(content)
        assert upload.tell() == 0
    finally:
        upload.close()


@pytest.mark.parametrize("name", ["virus.exe", "notes.txt", "archive.zip", "rapport"])
def test_an_extension_outside_the_list_is_refused_naming_the_allowed_types(name):
    error = refusal(SimpleUploadedFile(name, PDF))

    assert error.messages == [
        f"Formats acceptés : PDF et documents bureautiques ({ALLOWED_TYPES}) ; « {name} » n'en est pas un."
    ]


def test_a_refusal_is_a_validation_error_with_one_message():
    error = refusal(SimpleUploadedFile("vide.pdf", b""))

    assert isinstance(error, ValidationError)
    assert len(error.messages) == 1
    assert error.code == "empty"


def test_an_empty_file_is_refused():
    assert refusal(SimpleUploadedFile("vide.pdf", b"")).messages == ["Le fichier est vide."]


def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit(settings):
    settings.QUALITY_EVIDENCE_MAX_BYTES = MIB
    content = PDF.ljust(1_363_148, b"0")  # 1,3 Mo

    assert refusal(SimpleUploadedFile("rapport.pdf", content)).messages == [
        "Le fichier pèse 1,3 Mo : la limite est de 1 Mo."
    ]


def test_a_file_at_the_limit_is_accepted(settings):
    settings.QUALITY_EVIDENCE_MAX_BYTES = len(PDF)

    assert check_upload(SimpleUploadedFile("rapport.pdf", PDF)).size == len(PDF)


def test_the_limit_is_ten_megabytes_when_the_setting_is_absent(settings):
    del settings.QUALITY_EVIDENCE_MAX_BYTES
    content = PDF.ljust(10 * MIB + 1, b"0")

    # Rounded up: a file one byte over the limit does not read as weighing the limit.
    assert refusal(SimpleUploadedFile("rapport.pdf", content)).messages == [
        "Le fichier pèse 10,1 Mo : la limite est de 10 Mo."
    ]


def test_a_limit_under_a_kilobyte_is_stated_in_bytes(settings):
    settings.QUALITY_EVIDENCE_MAX_BYTES = 20

    assert refusal(SimpleUploadedFile("rapport.pdf", b"%PDF-".ljust(21, b"0"))).messages == [
        "Le fichier pèse 21 octets : la limite est de 20 octets."
    ]


def test_a_pdf_named_docx_is_refused():
    assert refusal(SimpleUploadedFile("rapport.docx", PDF)).messages == not_a("rapport.docx", "Word")


def test_a_docx_named_pdf_is_refused():
    assert refusal(SimpleUploadedFile("rapport.pdf", DOCX)).messages == not_a("rapport.pdf", "PDF")


def test_an_executable_named_pdf_is_refused():
    executable = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(64)

    assert refusal(SimpleUploadedFile("rapport.pdf", executable)).messages == not_a("rapport.pdf", "PDF")


def test_plain_text_named_pdf_is_refused():
    text = "Compte rendu de la réunion du comité de pilotage.\n".encode()

    assert refusal(SimpleUploadedFile("rapport.pdf", text)).messages == not_a("rapport.pdf", "PDF")


def test_a_pdf_named_doc_is_refused():
    assert refusal(SimpleUploadedFile("ancien.doc", PDF)).messages == not_a("ancien.doc", "Word 97-2003")


def test_a_docx_named_xlsx_is_refused():
    assert refusal(SimpleUploadedFile("budget.xlsx", DOCX)).messages == not_a("budget.xlsx", "Excel")


def test_a_zip_without_content_types_named_docx_is_refused():
    content = zip_of({"word/document.xml": b"<document/>"})

    assert refusal(SimpleUploadedFile("rapport.docx", content)).messages == not_a("rapport.docx", "Word")


def test_a_text_document_named_ods_is_refused():
    assert refusal(SimpleUploadedFile("budget.ods", ODT)).messages == not_a(
        "budget.ods", "OpenDocument tableur"
    )


def test_an_odf_without_mimetype_is_refused():
    content = zip_of({"content.xml": b"<office:document-content/>"})

    assert refusal(SimpleUploadedFile("cr.odt", content)).messages == not_a("cr.odt", "OpenDocument texte")


def test_a_corrupt_zip_named_xlsx_is_refused():
    content = b"PK\x03\x04" + bytes(range(256)) * 4

    assert refusal(SimpleUploadedFile("budget.xlsx", content)).messages == not_a("budget.xlsx", "Excel")


def test_a_truncated_xlsx_is_refused():
    content = XLSX[: len(XLSX) // 2]

    assert refusal(SimpleUploadedFile("budget.xlsx", content)).messages == not_a("budget.xlsx", "Excel")


def test_an_odf_whose_mimetype_does_not_decompress_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text" * 20)
    content = bytearray(buffer.getvalue())
    data_start = 30 + len("mimetype")  # after the local file header
    content[data_start : data_start + 8] = b"\xff" * 8

    assert refusal(SimpleUploadedFile("cr.odt", bytes(content))).messages == not_a(
        "cr.odt", "OpenDocument texte"
    )


def test_an_odf_whose_mimetype_is_encrypted_is_refused():
    content = bytearray(ODT)
    # Raise the "encrypted" bit of the mimetype member, in its local header and its directory entry.
    content[6] |= 0x01
    content[content.index(b"PK\x01\x02") + 8] |= 0x01

    assert refusal(SimpleUploadedFile("cr.odt", bytes(content))).messages == not_a(
        "cr.odt", "OpenDocument texte"
    )


def test_a_member_of_two_megabytes_of_zeros_is_refused_as_a_zip_bomb():
    content = ooxml("word/document.xml", **{"word/media/zeros.bin": bytes(2 * MIB)})
    assert len(content) < 20_000  # over 100:1

    assert refusal(SimpleUploadedFile("rapport.docx", content)).messages == ZIP_BOMB


def test_a_highly_compressed_member_under_one_megabyte_is_accepted():
    content = ooxml("word/document.xml", **{"word/media/zeros.bin": bytes(MIB)})

    assert check_upload(SimpleUploadedFile("rapport.docx", content)).extension == ".docx"


def test_an_archive_over_the_uncompressed_total_is_refused_as_a_zip_bomb(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UNCOMPRESSED", 1_000)
    content = ooxml("xl/workbook.xml", **{f"xl/worksheets/sheet{n}.xml": bytes(600) for n in (1, 2)})

    assert refusal(SimpleUploadedFile("budget.xlsx", content)).messages == ZIP_BOMB


def test_an_archive_with_too_many_members_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_MEMBERS", 3)
    content = ooxml("ppt/presentation.xml", **{f"ppt/slides/slide{n}.xml": b"<slide/>" for n in (1, 2)})

    assert refusal(SimpleUploadedFile("bilan.pptx", content)).messages == [
        "L'archive contient trop d'éléments pour un document bureautique."
    ]


def test_an_archive_with_as_many_members_as_allowed_is_accepted(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_MEMBERS", 3)
    content = ooxml("ppt/presentation.xml", **{"ppt/slides/slide1.xml": b"<slide/>"})

    assert check_upload(SimpleUploadedFile("bilan.pptx", content)).extension == ".pptx"


@pytest.mark.parametrize(("name", "content"), [("rapport.pdf", PDF), ("cr.odt", ODT), ("budget.xlsx", XLSX)])
def test_the_file_is_positioned_at_its_start_after_it_is_accepted(name, content):
    upload = SimpleUploadedFile(name, content)
    upload.seek(5)

    check_upload(upload)

    assert upload.tell() == 0


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("rapport.pdf", DOCX),
        ("budget.xlsx", b"PK\x03\x04" + bytes(64)),
        ("rapport.docx", ooxml("word/document.xml", **{"word/media/zeros.bin": bytes(2 * MIB)})),
    ],
)
def test_the_file_is_positioned_at_its_start_after_it_is_refused(name, content):
    upload = SimpleUploadedFile(name, content)

    with pytest.raises(UploadRefused):
        check_upload(upload)

    assert upload.tell() == 0
