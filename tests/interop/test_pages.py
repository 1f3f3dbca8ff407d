import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apprentices.models import Apprentice
from interop.models import ImportReport
from interop.services import planning, writing
from tests.apprentices.factories import DiplomaFactory
from tests.conftest import ORGANISATION_WIDE, ROLES
from tests.interop.factories import csv_bytes, row

NOT_ORGANISATION_WIDE = [role for role in ROLES if role not in ORGANISATION_WIDE]


@pytest.fixture
def import_diploma(world):
    return DiplomaFactory(organisation=world.organisation, rncp_code="RNCP36000", cfd_code="36000001")


def rows_for_world(n=3, **overrides):
    return [row(100 + i, formation_rncp="RNCP36000", formation_cfd="36000001", **overrides) for i in range(n)]


def upload(client, data, name="effectifs.csv"):
    return client.post(reverse("interop:import_home"), {"file": SimpleUploadedFile(name, data)})


@pytest.fixture
def report(world, import_diploma):
    return planning.preview_import(
        organisation=world.organisation,
        data=csv_bytes([*rows_for_world(2), row(200, formation_rncp="RNCP99999", formation_cfd="")]),
        file_name="effectifs.csv",
        by=world.users["staff"],
    )


@pytest.mark.parametrize("role", ORGANISATION_WIDE)
def test_staff_see_the_import_page(client_for, world, role, django_assert_num_queries):
    client = client_for(world.users[role])
    # session, user, roles, the reports
    with django_assert_num_queries(4):
        response = client.get(reverse("interop:import_home"))
    assert response.status_code == 200
    assert "Import du fichier d'effectifs" in response.content.decode()


@pytest.mark.parametrize("role", NOT_ORGANISATION_WIDE)
def test_other_roles_do_not_find_the_import_pages(client_for, world, role, report):
    client = client_for(world.users[role])
    for url in (
        reverse("interop:import_home"),
        reverse("interop:export"),
        report.get_absolute_url(),
        reverse("interop:report_status", args=[report.pk]),
        reverse("interop:report_rejected", args=[report.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("interop:report_confirm", args=[report.pk])).status_code == 404


def test_staff_of_another_organisation_do_not_find_the_report(client_for, world, report):
    from core.models import Role
    from tests.core.factories import UserFactory

    foreign = UserFactory(organisation=world.other_organisation, roles=[Role.STAFF], is_staff=True)
    client = client_for(foreign)
    assert client.get(report.get_absolute_url()).status_code == 404
    assert client.post(reverse("interop:report_confirm", args=[report.pk])).status_code == 404


def test_an_upload_shows_its_preview_and_writes_nothing(client_for, world, import_diploma):
    client = client_for(world.users["staff"])
    before = Apprentice.objects.count()
    response = upload(client, csv_bytes(rows_for_world(3)))
    report = ImportReport.objects.get()
    assert response.status_code == 302 and response.url == report.get_absolute_url()
    assert report.status == ImportReport.Status.PREVIEW and Apprentice.objects.count() == before


def test_a_refused_file_is_told_on_the_form_in_french(client_for, world):
    client = client_for(world.users["staff"])
    response = upload(client, b"\x00\x01binaire", "effectifs.csv")
    assert response.status_code == 200
    assert "données binaires" in response.content.decode()
    assert not ImportReport.objects.exists()


def test_a_file_over_the_limit_is_refused_before_it_is_read(client_for, world, settings):
    settings.IMPORT_MAX_BYTES = 50
    response = upload(client_for(world.users["staff"]), csv_bytes(rows_for_world(3)))
    assert "la limite est de 50 octets" in response.content.decode()
    assert not ImportReport.objects.exists()


def test_the_preview_lists_rejections_by_column(client_for, world, report, django_assert_num_queries):
    client = client_for(world.users["staff"])
    # session, user, roles, report, count and page of rows
    with django_assert_num_queries(6):
        response = client.get(report.get_absolute_url())
    body = response.content.decode()
    assert "Aucune formation de l&#x27;organisme ne porte le code RNCP99999." in body
    assert "Confirmer et importer" in body


def test_confirming_imports_the_valid_rows_once(client_for, world, report):
    client = client_for(world.users["staff"])
    before = Apprentice.objects.count()
    response = client.post(reverse("interop:report_confirm", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ImportReport.Status.DONE and report.applied_by == world.users["staff"]
    assert Apprentice.objects.count() == before + 2
    client.post(reverse("interop:report_confirm", args=[report.pk]))
    assert Apprentice.objects.count() == before + 2


def test_the_rejected_rows_download_as_csv_with_their_reasons(client_for, world, report):
    response = client_for(world.users["staff"]).get(reverse("interop:report_rejected", args=[report.pk]))
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:3] == ["ligne", "motifs_du_rejet", "nom_apprenant"]
    assert len(lines) == 2 and lines[1][0] == "4" and "RNCP99999" in lines[1][1]


def test_the_status_answers_the_progress_as_json(client_for, world, report):
    data = client_for(world.users["staff"]).get(reverse("interop:report_status", args=[report.pk])).json()
    assert data == {
        "status": "preview",
        "status_label": "Aperçu, en attente de confirmation",
        "done": 0,
        "total": 3,
    }


def organisation_with_identifiers(world):
    """The export fills the responsible and training establishment's UAI and SIRET (required by the
    template) from the organisation: the world's gets them."""
    from tests.interop.factories import CFA_SIRET

    world.organisation.uai, world.organisation.siret = "0751234J", CFA_SIRET
    world.organisation.save()


def test_the_export_reimports_without_changing_anything(client_for, world, import_diploma):
    staff = world.users["staff"]
    organisation_with_identifiers(world)
    writing.confirm_import(
        report=planning.preview_import(
            organisation=world.organisation, data=csv_bytes(rows_for_world(3)), file_name="a.csv", by=staff
        ),
        by=staff,
    )
    response = client_for(staff).get(reverse("interop:export"))
    data = b"".join(response.streaming_content)
    header = data.decode("utf-8-sig").splitlines()[0].split(";")
    assert len(header) == 62 and header[0] == "nom_apprenant *"
    again = planning.preview_import(
        organisation=world.organisation, data=data, file_name="export.csv", by=staff
    )
    # The world's own apprentices have diplomas sharing one RNCP code: they are told apart or rejected,
    # never changed; the imported ones come back unchanged.
    assert again.rows_create == 0 and again.rows_update == 0
    assert again.rows_unchanged >= 3


def test_a_cell_that_a_spreadsheet_would_run_is_defused_in_the_rejected_rows(
    client_for, world, import_diploma
):
    staff = world.users["staff"]
    data = csv_bytes([row(400, nom_apprenant="=HYPERLINK(1)", formation_rncp="RNCP99999", formation_cfd="")])
    report = planning.preview_import(organisation=world.organisation, data=data, file_name="e.csv", by=staff)
    content = client_for(staff).get(reverse("interop:report_rejected", args=[report.pk])).content.decode()
    assert ";'=HYPERLINK(1);" in content


def test_the_status_follows_the_progress_of_an_import_in_celery(client_for, world, report):
    from django.core.cache import cache

    ImportReport.objects.filter(pk=report.pk).update(status=ImportReport.Status.APPLYING)
    cache.set(writing.progress_key(report.pk), 2)
    data = client_for(world.users["staff"]).get(reverse("interop:report_status", args=[report.pk])).json()
    assert (data["status"], data["done"], data["total"]) == ("applying", 2, 3)
    page = client_for(world.users["staff"]).get(report.get_absolute_url()).content.decode()
    status_url = reverse("interop:report_status", args=[report.pk])
    assert f'hx-get="{status_url}" hx-trigger="every 1s"' in page


def test_an_apprentice_enrolled_without_a_contract_is_exported_with_the_cohorts_training(
    client_for, world, import_diploma
):
    from tests.apprentices.factories import ApprenticeFactory, CohortFactory

    organisation_with_identifiers(world)
    cohort = CohortFactory(diploma=import_diploma, entry_year=world.academic_year)
    ApprenticeFactory(
        organisation=world.organisation, cohort=cohort, ine="123456789AB", address="1 rue Haute"
    )
    staff = world.users["staff"]
    data = b"".join(client_for(staff).get(reverse("interop:export")).streaming_content)
    line = next(line for line in data.decode("utf-8-sig").splitlines() if "123456789AB" in line)

    assert "RNCP36000" in line and "36000001" in line
    again = planning.preview_import(organisation=world.organisation, data=data, file_name="e.csv", by=staff)
    mine = next(r for r in again.rows.all() if "123456789AB" in str(r.raw) + str(r.values))
    assert mine.action == mine.Action.UNCHANGED, mine.errors
