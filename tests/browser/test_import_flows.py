"""The import of the fichier d'effectifs as staff do it: upload a file, read the preview (rejected rows
with their reasons per column), confirm, read the report and download the rejected rows. axe-core checks
each page."""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from apprentices.models import Apprentice
from tests.browser.conftest import assert_no_axe_violations, log_in
from tests.browser.test_livret_flows import shoot
from tests.interop.factories import csv_bytes, row

pytestmark = pytest.mark.browser

STAFF = "staff@demo.test"
# The demo's engineering diploma.
DIPLOMA = {"formation_rncp": "RNCP37543", "formation_cfd": "17025306"}


def test_staff_upload_preview_confirm_and_download_the_rejected_rows(phone_page, server, demo_data, tmp_path):
    page = phone_page
    rows = [row(900 + n, **DIPLOMA) for n in range(3)]
    rows.append(row(950, **{**DIPLOMA, "code_postal_apprenant": "750"}))
    path = tmp_path / "effectifs.csv"
    path.write_bytes(csv_bytes(rows, encoding="cp1252", delimiter=","))
    before = Apprentice.objects.count()

    log_in(page, server.url, STAFF)
    page.locator(".main-nav__toggle").click()
    page.locator(".main-nav__more > summary").click()
    page.get_by_role("link", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r"/import/$"))
    assert_no_axe_violations(page)
    page.get_by_label("Fichier d'effectifs").set_input_files(str(path))
    page.get_by_role("button", name="Lire le fichier et voir l'aperçu").click()

    page.wait_for_url(re.compile(r"/import/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Aperçu de l'import")
    expect(page.locator(".import-row--rejected")).to_contain_text("Le code postal doit comporter 5 chiffres")
    expect(page.locator(".import-row--create")).to_have_count(3)
    assert_no_axe_violations(page)
    shoot(page, "import-preview")
    assert Apprentice.objects.count() == before

    page.get_by_role("button", name="Confirmer et importer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapport d'import")
    expect(page.locator(".messages")).to_contain_text("Import terminé")
    assert_no_axe_violations(page)
    assert Apprentice.objects.count() == before + 3

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger les lignes rejetées (CSV)").click()
    content = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert lines[0][:2] == ["ligne", "motifs_du_rejet"]
    assert len(lines) == 2 and "code_postal_apprenant" in lines[1][1]
    assert not page.js_errors
