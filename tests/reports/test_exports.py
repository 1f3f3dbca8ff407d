"""Background exports: who may ask, the run, a failure and its retry, the download, the purge."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from core.workflow import Refusal
from reports import services
from reports.models import Export


@pytest.fixture
def compliance(world, committed):
    def ask(role="staff"):
        with committed():
            return services.request_compliance_export(by=world.users[role], year=world.academic_year)

    return ask


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_the_quality_team_asks_for_the_establishment_compliance_pdf(world, fake_writer, compliance, role):
    export = compliance(role)
    export.refresh_from_db()

    assert export.status == Export.Status.DONE  # no broker in tests: run inline on commit
    with export.file.open("rb") as handle:
        assert handle.read() == b"%PDF-1.7 contenu"
    assert (export.done, export.total) == (2, 2)
    assert export.expires_at > timezone.now()
    assert AuditEvent.objects.filter(action="export.requested", target_id=export.pk).exists()


@pytest.mark.parametrize("role", ["apprentice", "company_tutor", "school_tutor", "head_of_diploma"])
def test_no_one_else_asks_for_the_establishment_pdf(world, fake_writer, compliance, role):
    with pytest.raises(PermissionDenied):
        compliance(role)

    assert not Export.objects.exists()


@pytest.mark.parametrize("role", ["apprentice", "head_of_diploma"])
def test_the_compliance_export_page_is_a_404_for_others(world, client_for, fake_writer, role):
    response = client_for(world.users[role]).post(reverse("reports:compliance_export"))

    assert response.status_code == 404
    assert not Export.objects.exists()


def test_a_failed_export_says_so_keeps_no_file_and_a_retry_works(world, monkeypatch, client_for, committed):
    def broken(export, handle, progress):
        handle.write(b"moitie")
        raise ValueError("boom")

    monkeypatch.setattr(services, "_write", broken)
    client = client_for(world.users["staff"])
    with committed():
        response = client.post(reverse("reports:compliance_export"), {"year": world.academic_year.label})
    export = Export.objects.get()

    assert response.url == export.get_absolute_url()
    assert export.status == Export.Status.FAILED
    assert not export.file
    assert "Vous pouvez le relancer" in client.get(export.get_absolute_url()).text
    assert client.get(reverse("reports:export_download", args=[export.pk])).status_code == 404

    monkeypatch.setattr(services, "_write", lambda export, handle, progress: handle.write(b"%PDF ok"))
    with committed():
        response = client.post(reverse("reports:export_retry", args=[export.pk]))
    again = Export.objects.exclude(pk=export.pk).get()

    assert response.url == again.get_absolute_url()
    assert again.status == Export.Status.DONE
    download = client.get(reverse("reports:export_download", args=[again.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF ok"
    download.close()
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]


def test_a_finished_export_cannot_be_retried(world, fake_writer, compliance):
    export = compliance()
    export.refresh_from_db()

    with pytest.raises(Refusal):
        services.retry_export(export=export, by=world.users["staff"])


def test_an_export_is_its_requesters_only(world, client_for, fake_writer, compliance):
    export = compliance("staff")
    admin = client_for(world.users["admin"])

    for name in ("export_detail", "export_status", "export_download"):
        assert admin.get(reverse(f"reports:{name}", args=[export.pk])).status_code == 404
    assert admin.post(reverse("reports:export_retry", args=[export.pk])).status_code == 404
    assert export.title not in admin.get(reverse("reports:export_list")).text


def test_a_requester_who_lost_the_right_no_longer_downloads(world, client_for, fake_writer, compliance):
    staff = world.users["staff"]
    export = compliance("staff")
    staff.role_grants.all().delete()
    staff.__dict__.pop("roles", None)

    assert client_for(staff).get(reverse("reports:export_download", args=[export.pk])).status_code == 404


def test_the_status_is_given_as_json_for_the_progress_bar(world, client_for, fake_writer, compliance):
    export = compliance()

    data = client_for(world.users["staff"]).get(reverse("reports:export_status", args=[export.pk])).json()

    assert data["status"] == "done"
    assert (data["done"], data["total"]) == (2, 2)


def test_an_export_is_claimed_once(world, fake_writer, compliance):
    export = compliance()

    services.run_export(export.pk)

    assert fake_writer == [export.pk]


def test_expired_exports_are_deleted_with_their_file_and_stuck_ones_fail(
    world, fake_writer, compliance, settings
):
    done = compliance()
    done.refresh_from_db()
    storage, name = done.file.storage, done.file.name
    stuck = Export.objects.create(
        requested_by=world.users["staff"],
        organisation=world.organisation,
        kind=Export.Kind.COMPLIANCE,
        title="Bloqué",
        filename="x.pdf",
        status=Export.Status.RUNNING,
        requested_at=timezone.now() - datetime.timedelta(hours=3),
    )

    deleted = services.purge_exports(
        now=timezone.now() + datetime.timedelta(hours=settings.EXPORT_RETENTION_HOURS + 1)
    )

    assert deleted >= 1
    assert not Export.objects.filter(pk=done.pk).exists()
    assert not storage.exists(name)
    stuck.refresh_from_db()
    assert stuck.status == Export.Status.FAILED


def test_an_expired_export_is_no_longer_listed_nor_downloaded(world, client_for, fake_writer, compliance):
    export = compliance()
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    client = client_for(world.users["staff"])

    assert export.title not in client.get(reverse("reports:export_list")).text
    assert client.get(reverse("reports:export_download", args=[export.pk])).status_code == 404


def test_the_export_pages_have_a_constant_query_count(
    world, client_for, fake_writer, compliance, django_assert_num_queries
):
    client = client_for(world.users["staff"])
    compliance()
    client.get(reverse("reports:export_list"))
    with django_assert_num_queries(5):
        client.get(reverse("reports:export_list"))
    for _ in range(3):
        compliance()
    with django_assert_num_queries(5):
        client.get(reverse("reports:export_list"))


def test_a_long_list_is_exported_in_the_background_with_its_filters(world, client_for, committed, settings):
    settings.EXPORT_BACKGROUND_ROWS = 1
    client = client_for(world.users["staff"])
    page = client.get(reverse("apprentices:apprentice_list"))
    assert "Préparer l'export CSV" in page.text

    query = f"q={world.other.apprentice.last_name}&page=2"
    with committed():
        response = client.post(reverse("reports:csv_export"), {"liste": "apprentices", "filtres": query})
    export = Export.objects.get()

    assert response.url == export.get_absolute_url()
    assert export.status == Export.Status.DONE, export.error
    assert export.params == {"list": "apprentices", "query": f"q={world.other.apprentice.last_name}"}
    download = client.get(reverse("reports:export_download", args=[export.pk]))
    text = b"".join(download.streaming_content).decode("utf-8")
    download.close()
    assert text.startswith("\ufeff")
    assert world.other.apprentice.last_name in text
    assert world.mine.apprentice.last_name not in text
    assert world.foreign.apprentice.last_name not in text


def test_a_short_list_is_streamed_at_once(world, client_for):
    page = client_for(world.users["staff"]).get(reverse("apprentices:apprentice_list"))

    assert "Exporter en CSV" in page.text
    assert "Préparer l'export CSV" not in page.text


def test_an_unknown_list_cannot_be_exported(world, client_for, committed):
    with committed():
        response = client_for(world.users["staff"]).post(reverse("reports:csv_export"), {"liste": "nope"})

    assert response.status_code == 302
    assert not Export.objects.exists()


def test_a_background_csv_holds_only_what_its_requester_sees(world, client_for, committed):
    with committed():
        export = services.request_csv_export(by=world.users["school_tutor"], name="apprentices", query="")
    export.refresh_from_db()

    with export.file.open("rb") as handle:
        text = handle.read().decode("utf-8")
    assert world.mine.apprentice.last_name in text
    assert world.other.apprentice.last_name not in text
