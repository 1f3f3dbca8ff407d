"""A large fichier d'effectifs is only stored by the request; Celery reads it and the page follows."""

import datetime
import io
from pathlib import Path
from unittest import mock

import openpyxl
import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apprentices.models import Apprentice
from interop import tasks
from interop.columns import normalize_header
from interop.models import ImportReport, ImportRow
from interop.services import planning, reading, writing
from tests.apprentices.factories import DiplomaFactory
from tests.employers.factories import valid_siret
from tests.interop.factories import row, xlsx_bytes

# The state's template, in ../shared/reference/ beside the checkout (CI has it).
OFFICIAL_TEMPLATE = Path(__file__).resolve().parents[3] / "shared/reference/modele-import-29012025.xlsx"
# Above IMPORT_INLINE_BYTES (256 KiB; 2,500 rows are 290 KiB) and over several of the preview's batches of
# 1,000 rows: large enough to be read in Celery, small enough to be read twice in seconds. Ten thousand rows
# are read, previewed and imported in tests/interop/test_services.py.
LARGE_ROWS = 2_500


@pytest.fixture(scope="module")
def large_xlsx():
    # Built once for the module, one row in a hundred rejected.
    data = xlsx_bytes(
        [
            row(n, formation_rncp="RNCP99999", formation_cfd="") if n % 100 == 0 else row(n)
            for n in range(LARGE_ROWS)
        ]
    )
    assert len(data) > settings.IMPORT_INLINE_BYTES
    return data


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def upload(client, data, name):
    return client.post(reverse("interop:import_home"), {"file": SimpleUploadedFile(name, data)})


def preview_rows(report):
    return list(
        report.rows.order_by("line").values_list("line", "action", "label", "errors", "changes", "values")
    )


def test_a_large_upload_is_stored_and_read_in_celery_not_in_the_request(
    staff_client, organisation, diploma, large_xlsx, django_assert_num_queries
):
    ContentType.objects.get_for_model(ImportReport)  # cached, as in a process that has served a page
    with (
        mock.patch.object(planning, "read_table", wraps=planning.read_table) as reader,
        mock.patch.object(reading, "enqueue") as enqueue,
        # session, user, roles, organisation; in a savepoint: the report, its audit event
        django_assert_num_queries(8),
    ):
        response = upload(staff_client, large_xlsx, "effectifs.xlsx")
    report = ImportReport.objects.get()
    assert response.status_code == 302 and response.url == report.get_absolute_url()
    assert reader.call_count == 0 and not ImportRow.objects.exists()
    assert report.status == ImportReport.Status.READING and report.size == len(large_xlsx)
    enqueue.assert_called_once_with("interop.tasks.read_import", report.pk)
    with report.file.open("rb") as stored:
        assert stored.read() == large_xlsx


def test_the_preview_read_in_celery_matches_the_inline_preview(staff, organisation, diploma, large_xlsx):
    stored = reading.store_import(
        organisation=organisation, upload=SimpleUploadedFile("effectifs.xlsx", large_xlsx), by=staff
    )
    assert tasks.read_import(stored.pk) == ImportReport.Status.PREVIEW
    inline = planning.preview_import(
        organisation=organisation, data=large_xlsx, file_name="effectifs.xlsx", by=staff
    )
    stored.refresh_from_db()
    assert stored.rows_total == LARGE_ROWS and stored.rows_rejected == LARGE_ROWS // 100
    fields = [
        "rows_total",
        "rows_create",
        "rows_update",
        "rows_unchanged",
        "rows_rejected",
        "sha256",
        "file_format",
    ]
    assert {f: getattr(stored, f) for f in fields} == {f: getattr(inline, f) for f in fields}
    assert preview_rows(stored) == preview_rows(inline)


def test_a_file_read_in_celery_is_deleted_once_read(staff, organisation, diploma):
    report = reading.store_import(
        organisation=organisation, upload=SimpleUploadedFile("e.xlsx", xlsx_bytes([row(1), row(2)])), by=staff
    )
    storage, name = report.file.storage, report.file.name
    assert storage.exists(name)
    tasks.read_import(report.pk)
    report.refresh_from_db()
    assert report.status == ImportReport.Status.PREVIEW and report.rows_create == 2
    assert not report.file and not storage.exists(name)


def test_a_stored_upload_is_named_by_a_token_not_by_the_file_name(staff, organisation):
    report = reading.store_import(
        organisation=organisation,
        upload=SimpleUploadedFile("../../etc/passwd.xlsx", b"PK\x03\x04x"),
        by=staff,
    )
    assert report.file.name.startswith(f"imports/{organisation.pk}/") and "passwd" not in report.file.name
    assert report.file.name.endswith(".xlsx") and report.file_name == "passwd.xlsx"


def test_a_corrupt_file_read_in_celery_fails_with_a_french_message_on_its_page(
    staff_client, organisation, settings
):
    settings.IMPORT_INLINE_BYTES = 0
    upload(staff_client, b"PK\x03\x04" + b"\x00abime" * 100, "effectifs.xlsx")
    report = ImportReport.objects.get()
    name = report.file.name
    assert tasks.read_import(report.pk) == ImportReport.Status.FAILED
    report.refresh_from_db()
    assert not ImportRow.objects.exists() and not report.file.storage.exists(name)
    body = staff_client.get(report.get_absolute_url()).content.decode()
    assert "Le fichier n'a pas pu être lu" in body
    assert "Ce fichier n&#x27;est pas un classeur Excel lisible (archive abîmée)." in body
    assert "Confirmer et importer" not in body


def test_reading_twice_reads_once(staff, organisation, diploma):
    report = reading.store_import(
        organisation=organisation, upload=SimpleUploadedFile("e.xlsx", xlsx_bytes([row(1)])), by=staff
    )
    tasks.read_import(report.pk)
    assert tasks.read_import(report.pk) == ImportReport.Status.PREVIEW
    assert ImportRow.objects.filter(report=report).count() == 1


def test_the_page_follows_the_reading_with_htmx(staff_client, staff, organisation, django_assert_num_queries):
    report = reading.store_import(
        organisation=organisation, upload=SimpleUploadedFile("e.xlsx", xlsx_bytes([row(1)])), by=staff
    )
    status_url = reverse("interop:report_status", args=[report.pk])
    page = staff_client.get(report.get_absolute_url()).content.decode()
    assert "Lecture du fichier en cours" in page
    assert f'hx-get="{status_url}" hx-trigger="every 1s"' in page
    assert "Confirmer et importer" not in page
    # session, user, roles, report
    with django_assert_num_queries(4):
        polled = staff_client.get(status_url, headers={"HX-Request": "true"})
    assert polled.status_code == 200 and "HX-Refresh" not in polled
    data = staff_client.get(status_url).json()
    assert (data["status"], data["status_label"]) == ("reading", "Lecture du fichier en cours")
    tasks.read_import(report.pk)
    assert staff_client.get(status_url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"


def test_a_small_upload_is_still_read_in_the_request(staff_client, organisation, diploma, settings):
    settings.IMPORT_INLINE_BYTES = 1024 * 1024
    with mock.patch.object(reading, "enqueue") as enqueue:
        upload(staff_client, xlsx_bytes([row(1)]), "e.xlsx")
    report = ImportReport.objects.get()
    assert report.status == ImportReport.Status.PREVIEW and not report.file and not enqueue.called


def test_an_upload_never_read_is_purged_with_its_file(staff, organisation, settings):
    report = reading.store_import(
        organisation=organisation, upload=SimpleUploadedFile("e.xlsx", xlsx_bytes([row(1)])), by=staff
    )
    storage, name = report.file.storage, report.file.name
    assert tasks.purge_imports() == 0 and storage.exists(name)
    later = timezone.now() + datetime.timedelta(hours=settings.IMPORT_STALE_HOURS, minutes=1)
    assert reading.purge_stale_reads(now=later) == 1
    report.refresh_from_db()
    assert report.status == ImportReport.Status.FAILED and "n'a pas été lu à temps" in report.error
    assert not storage.exists(name) and not report.file


def official_template_filled() -> bytes:
    """The official template as a CFA fills it: its example row kept, its made-up identifiers (their
    check keys are wrong on purpose) replaced with valid ones, one contract."""
    workbook = openpyxl.load_workbook(OFFICIAL_TEMPLATE)
    sheet = workbook["Modèle"]
    headers = [normalize_header(cell.value) for cell in sheet[1]]
    example = {header: cell for header, cell in zip(headers, sheet[2], strict=True)}
    for header, cell in example.items():
        if header.endswith("_uai"):
            cell.value = "0751234J"
        elif header.endswith("_siret") or header == "siret_employeur":
            cell.value = valid_siret(7)
        elif header[-2:] in {"_2", "_3", "_4"} or "exclusion" in header:
            cell.value = None
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.skipif(
    not OFFICIAL_TEMPLATE.exists(), reason=f"le modèle officiel est absent ({OFFICIAL_TEMPLATE})"
)
def test_the_official_template_is_read_in_celery_and_imports(staff_client, staff, organisation, settings):
    settings.IMPORT_INLINE_BYTES = 0
    # The template's example row names the training RNCP12345 / 50022145.
    DiplomaFactory(organisation=organisation, rncp_code="RNCP12345", cfd_code="50022145")
    upload(staff_client, official_template_filled(), OFFICIAL_TEMPLATE.name)
    report = ImportReport.objects.get()
    assert tasks.read_import(report.pk) == ImportReport.Status.PREVIEW
    report.refresh_from_db()
    assert (report.rows_total, report.rows_create) == (1, 1), list(
        report.rows.values_list("errors", flat=True)
    )
    assert report.ignored_columns == []  # every header of the template is known
    assert writing.confirm_import(report=report, by=staff).status == ImportReport.Status.DONE
    gaston = Apprentice.objects.get(organisation=organisation, last_name="Dupuis", first_name="Gaston")
    assert gaston.birth_date == datetime.date(1998, 1, 24) and gaston.contracts.count() == 1
