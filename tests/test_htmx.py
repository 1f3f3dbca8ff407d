"""What htmx asks of the server: the results region of a filtered list (a filter, the sort, the search
or the page changed) and the next state of a background job's progress bar.

A list's region comes with the same rows as the page, for each role, in no more queries than the page
(fewer: the filters' choices and the navigation are not rendered), without the page around it."""

import re
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interop.models import ImportReport
from interop.services import writing as imports
from quality.models import ComputationRun
from reports.models import Export
from tests.conftest import ROLES
from tests.helpers import listed
from tests.livret.factories import LiaisonSheetFactory, MissionDescriptionFactory, VisitReportFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
# session, user, roles, the count and the page of rows
RESULTS_QUERIES = 5


@dataclass
class ListPage:
    url_name: str
    template: str
    results: str
    # what the page shows of a row, to find it in the region
    marker: object
    # the page's queries beyond the filtered rows' (the other sections of the mission list)
    extra_queries: dict | None = None

    def queries(self, role: str) -> int:
        return RESULTS_QUERIES + (self.extra_queries or {}).get(role, 0)


def url_of(obj) -> str:
    return obj.get_absolute_url()


LISTS = {
    # + the page's keys read first (core.viewutils.NarrowPaginator), for every list but the missions'
    # (whose count is below)
    "apprentices": ListPage(
        "apprentices:apprentice_list",
        "apprentices/apprentice_list.html",
        "apprentices/_apprentice_results.html",
        url_of,
        extra_queries=dict.fromkeys(ROLES, 1),
    ),
    "contracts": ListPage(
        "apprentices:contract_list",
        "apprentices/contract_list.html",
        "apprentices/_contract_results.html",
        url_of,
        extra_queries=dict.fromkeys(ROLES, 1),
    ),
    "employers": ListPage(
        "employers:employer_list",
        "employers/employer_list.html",
        "employers/_employer_results.html",
        url_of,
        extra_queries=dict.fromkeys(ROLES, 1),
    ),
    "tutors": ListPage(
        "tutors:tutor_list",
        "tutors/tutor_list.html",
        "tutors/_tutor_results.html",
        lambda tutor: tutor.email,
        extra_queries=dict.fromkeys(ROLES, 1),
    ),
    "sheets": ListPage(
        "livret:sheet_list",
        "livret/sheet_list.html",
        "livret/_sheet_results.html",
        url_of,
        extra_queries=dict.fromkeys(ROLES, 1),
    ),
    "visit_register": ListPage(
        "livret:visit_report_list",
        "livret/visits/visit_report_list.html",
        "livret/visits/_visit_report_results.html",
        url_of,
        extra_queries=dict.fromkeys(ROLES, 1),
    ),
    # session, user, roles, the count, keys and page of contracts, their visits, their open actions
    "visits": ListPage(
        "livret:visit_list",
        "livret/visits/visit_list.html",
        "livret/visits/_visit_results.html",
        lambda contract: reverse("livret:contract_visits", args=[contract.pk]),
        extra_queries=dict.fromkeys(ROLES, 3),
    ),
    # + the page's keys; what waits for a head's decision;
    # the academic year and the contracts to describe for the apprentice and the company tutor (the
    # view's context is the page's)
    "missions": ListPage(
        "livret:mission_list",
        "livret/missions/list.html",
        "livret/missions/_results.html",
        url_of,
        extra_queries={**dict.fromkeys(ROLES, 1), "head_of_diploma": 2, "apprentice": 3, "company_tutor": 3},
    ),
}


@pytest.fixture
def documents(world):
    """A liaison sheet, a visit and a validated mission description on each contract of the world."""
    for chain in (world.mine, world.other, world.foreign):
        LiaisonSheetFactory(contract=chain.contract)
        VisitReportFactory(contract=chain.contract)
        MissionDescriptionFactory(contract=chain.contract, validated=True)


def queries_of(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


def assert_no_inline_style_or_script(html: str) -> None:
    """What a Content-Security-Policy without ``unsafe-inline`` would block."""
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"<style\b", html)
    assert not re.search(r"<script\b(?![^>]*\bsrc=)", html)


# Lists ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", LISTS)
def test_htmx_gets_the_results_region_with_the_pages_rows_in_fewer_queries(
    client, world, documents, django_assert_num_queries, name, role
):
    page = LISTS[name]
    url = reverse(page.url_name)
    client.force_login(world.users[role])
    full, page_queries = queries_of(client, url)

    with django_assert_num_queries(page.queries(role)):
        region = client.get(url, **HTMX)

    assert region.status_code == 200
    assert page.queries(role) <= page_queries
    rows = listed(full)
    assert rows and listed(region) == rows
    html = region.content.decode()
    for row in rows:
        assert page.marker(row) in html
    used = [template.name for template in region.templates]
    assert page.results in used and page.template not in used and "base.html" not in used
    assert "<html" not in html and 'id="contenu"' not in html and "main-nav" not in html
    assert 'class="list-filters' not in html and 'id="resultats"' not in html
    # The line a screen reader announces, out of band.
    assert '<p id="resultats-annonce" hx-swap-oob="innerHTML">' in html
    assert_no_inline_style_or_script(html)
    assert "HX-Request" in region["Vary"] and "HX-Request" in full["Vary"]


@pytest.mark.parametrize("name", LISTS)
def test_the_page_holds_the_region_that_its_form_refreshes(client, world, documents, name):
    page = LISTS[name]
    url = reverse(page.url_name)
    client.force_login(world.users["staff"])

    html = client.get(url).content.decode()

    assert html.count('id="resultats"') == 1
    assert re.search(r'<p id="resultats-annonce" class="visually-hidden" role="status"></p>', html)
    form = re.search(r'<form method="get" class="[^"]*" role="search"[^>]*>', html).group(0)
    assert f'hx-get="{url}"' in form and 'hx-target="#resultats"' in form and 'hx-push-url="true"' in form
    assert_no_inline_style_or_script(html)


def test_the_region_counts_the_filtered_rows_and_the_active_filters(client, world):
    client.force_login(world.users["staff"])

    region = client.get(
        reverse("apprentices:contract_list"), {"status": "active", "order": "apprentice"}, **HTMX
    ).content.decode()

    assert listed_count(region) == "Liste mise à jour : 2 contrats"
    assert (
        '<span id="filtres-actifs" hx-swap-oob="innerHTML"><span class="badge">1 filtre actif</span>'
        in region
    )


def listed_count(html: str) -> str:
    return re.search(r'<p id="resultats-annonce" hx-swap-oob="innerHTML">([^<]*)</p>', html).group(1)


def test_a_later_page_of_the_region_keeps_the_filters_in_its_links(client, world, monkeypatch):
    monkeypatch.setattr("core.viewutils.PAGE_SIZE", 1)
    client.force_login(world.users["staff"])

    region = client.get(reverse("apprentices:apprentice_list"), {"order": "-name", "page": 2}, **HTMX)

    html = region.content.decode()
    assert listed_count(html) == "Liste mise à jour : 2 apprentis — Page 2 sur 2"
    nav = re.search(r'<nav class="pagination"[^>]*>', html).group(0)
    assert 'hx-boost="true"' in nav and 'hx-target="#resultats"' in nav
    assert 'href="?order=-name&amp;page=1"' in html


def test_a_page_outside_a_results_region_is_not_boosted(client, world):
    client.force_login(world.users["staff"])

    html = client.get(reverse("reports:export_list")).content.decode()

    assert "hx-boost" not in html


def test_a_wrong_filter_asked_by_htmx_loads_the_whole_page_with_its_errors(client, world):
    client.force_login(world.users["staff"])
    url = reverse("apprentices:contract_list") + "?start_after=2025-13-45"

    response = client.get(url, **HTMX)
    page = client.get(url).content.decode()

    assert response.status_code == 200 and response["HX-Redirect"] == url
    assert response.content == b""
    # The form showing the error submits the whole page, which takes the errors away with it.
    form = re.search(r'<form method="get" class="list-filters"[^>]*>', page).group(0)
    assert "hx-get" not in form
    assert "Un filtre n'est pas valide" in page


def test_a_history_restore_gets_the_whole_page(client, world):
    client.force_login(world.users["staff"])

    response = client.get(
        reverse("apprentices:apprentice_list"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )

    assert "apprentices/apprentice_list.html" in [template.name for template in response.templates]


def test_an_anonymous_htmx_request_is_sent_to_the_login(client, world):
    response = client.get(reverse("apprentices:apprentice_list"), **HTMX)

    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_the_base_template_loads_htmx_configured_for_a_strict_csp(client, world):
    client.force_login(world.users["staff"])

    html = client.get(reverse("apprentices:apprentice_list")).content.decode()

    assert re.search(r'<script src="[^"]*js/htmx(\.[0-9a-f]+)?\.min\.js" defer></script>', html)
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html).group(1)
    assert '"includeIndicatorStyles": false' in config and '"allowEval": false' in config


# Progress -------------------------------------------------------------------------------------------


def test_a_running_recomputation_is_polled_by_htmx(client, world, django_assert_num_queries):
    run = ComputationRun.objects.create(
        organisation=world.organisation,
        academic_year=world.academic_year,
        status=ComputationRun.Status.RUNNING,
        done=3,
        total=12,
    )
    status_url = reverse("quality:run_status", args=[run.pk])
    client.force_login(world.users["staff"])

    page = client.get(reverse("quality:dashboard"), {"annee": world.academic_year.label}).content.decode()
    # session, user, roles, the diplomas, the run
    with django_assert_num_queries(5):
        polled = client.get(status_url, **HTMX)

    assert f'hx-get="{status_url}" hx-trigger="every 1s" hx-target="find .progress__text"' in page
    assert "js/progress.js" not in page
    assert_no_inline_style_or_script(page)
    html = polled.content.decode()
    assert html.lstrip().startswith("3 indicateurs calculés sur 12.")
    assert '<progress id="progression" max="12" value="3" hx-swap-oob="true">25 %</progress>' in html
    assert "<html" not in html and "hx-trigger" not in html


def test_a_finished_recomputation_reloads_the_dashboard(client, world):
    run = ComputationRun.objects.create(
        organisation=world.organisation,
        academic_year=world.academic_year,
        status=ComputationRun.Status.DONE,
        done=12,
        total=12,
    )
    client.force_login(world.users["staff"])

    response = client.get(reverse("quality:run_status", args=[run.pk]), **HTMX)

    assert response["HX-Refresh"] == "true"


@pytest.mark.parametrize("status", [Export.Status.QUEUED, Export.Status.RUNNING])
def test_an_export_in_preparation_is_polled_then_reloaded_when_ready(client, world, status):
    staff = world.users["staff"]
    export = Export.objects.create(
        requested_by=staff,
        organisation=world.organisation,
        kind=Export.Kind.CSV,
        title="Contrats",
        status=status,
        done=2,
        total=8,
    )
    status_url = reverse("reports:export_status", args=[export.pk])
    client.force_login(staff)

    page = client.get(export.get_absolute_url()).content.decode()
    polled = client.get(status_url, **HTMX).content.decode()
    Export.objects.filter(pk=export.pk).update(status=Export.Status.DONE, done=8)
    finished = client.get(status_url, **HTMX)

    assert f'hx-get="{status_url}" hx-trigger="every 1s"' in page
    assert_no_inline_style_or_script(page)
    assert polled.lstrip().startswith(f"2 / 8 — {export.get_status_display()}")
    assert 'value="2" hx-swap-oob="true"' in polled
    assert finished["HX-Refresh"] == "true"
    assert client.get(status_url).json()["status"] == "done"


def test_an_export_is_polled_by_its_requester_only(client, world):
    export = Export.objects.create(
        requested_by=world.users["staff"], organisation=world.organisation, kind=Export.Kind.CSV, title="x"
    )
    client.force_login(world.users["admin"])

    assert client.get(reverse("reports:export_status", args=[export.pk]), **HTMX).status_code == 404


def test_an_import_being_applied_is_polled_then_reloaded(client, world):
    staff = world.users["staff"]
    report = ImportReport.objects.create(
        organisation=world.organisation,
        uploaded_by=staff,
        file_name="effectifs.csv",
        file_format="csv",
        size=10,
        sha256="0" * 64,
        status=ImportReport.Status.APPLYING,
        rows_total=4,
    )
    cache.set(imports.progress_key(report.pk), 1)
    status_url = reverse("interop:report_status", args=[report.pk])
    client.force_login(staff)

    page = client.get(report.get_absolute_url()).content.decode()
    polled = client.get(status_url, **HTMX).content.decode()
    ImportReport.objects.filter(pk=report.pk).update(status=ImportReport.Status.DONE)
    finished = client.get(status_url, **HTMX)

    assert f'hx-get="{status_url}" hx-trigger="every 1s"' in page
    assert_no_inline_style_or_script(page)
    assert polled.lstrip().startswith("1 lignes traitées sur 4.")
    assert '<progress id="progression" max="4" value="1" hx-swap-oob="true">' in polled
    assert finished["HX-Refresh"] == "true"
