"""The template of the fichier d'effectifs as staff use it: download it from the import page, fill two
rows (openpyxl, as a spreadsheet would), upload it, read the preview (the headers recognised) and
confirm; then the export page. axe-core checks each page."""

import datetime
import io
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from apprentices.models import Apprentice
from core.models import AcademicYear, Role
from interop.columns import TEMPLATE_HEADERS, normalize_header
from tests.apprentices.factories import DiplomaFactory
from tests.browser.conftest import assert_no_axe_violations, log_in
from tests.browser.test_livret_flows import shoot
from tests.core.factories import DEFAULT_PASSWORD, AcademicYearFactory, OrganisationFactory, UserFactory
from tests.employers.factories import valid_siret

pytestmark = pytest.mark.browser


@pytest.fixture
def staff(server):
    """A CFA with its UAI and SIRET, its diploma for this school year, and one of its staff."""
    organisation = OrganisationFactory(name="CFA du modèle", uai="0751234J", siret=valid_siret(8100))
    AcademicYearFactory()
    DiplomaFactory(organisation=organisation, rncp_code="RNCP37543", cfd_code="17025306", duration_years=3)
    return UserFactory(
        email="equipe@cfa-modele.test", organisation=organisation, roles=[Role.STAFF], is_staff=True
    )


def filled_row(organisation, n: int) -> list:
    year = AcademicYear.objects.current(datetime.date.today())
    start = year.start_date + datetime.timedelta(days=20)
    values = {
        "nom_apprenant": f"Modèle{n}",
        "prenom_apprenant": "Camille",
        "date_de_naissance_apprenant": datetime.date(2004, 5, n + 1),
        "sexe_apprenant": "F",
        "email_contact": f"modele{n}@exemple.test",
        "adresse_apprenant": f"{n} place de la Mairie",
        "code_postal_apprenant": "81000",
        "etablissement_responsable_uai": organisation.uai,
        "etablissement_responsable_siret": organisation.siret,
        "etablissement_formateur_uai": organisation.uai,
        "etablissement_formateur_siret": organisation.siret,
        "annee_scolaire": year.label,
        "annee_formation": 1,
        "formation_rncp": "RNCP37543",
        "formation_cfd": "17025306",
        "date_inscription_formation": start,
        "date_entree_formation": start,
        "date_fin_formation": start.replace(year=start.year + 3),
        "duree_theorique_formation_mois": 36,
        "contrat_date_debut": start,
        "contrat_date_fin": start.replace(year=start.year + 3),
        "siret_employeur": valid_siret(7700 + n),
    }
    return [values.get(normalize_header(header), None) for header in TEMPLATE_HEADERS]


def test_staff_fill_the_downloaded_template_upload_it_and_confirm(phone_page, server, staff, tmp_path):
    page = phone_page
    before = Apprentice.objects.count()

    log_in(page, server.url, staff.email, DEFAULT_PASSWORD)
    page.goto(f"{server.url}/import/")
    assert_no_axe_violations(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le modèle (.xlsx)").click()
    assert download_info.value.suggested_filename == "modele-fichier-effectifs.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    sheet = workbook["Modèle"]
    assert tuple(next(sheet.iter_rows(values_only=True))) == TEMPLATE_HEADERS
    assert workbook.sheetnames == ["Modèle", "Description des données"]
    for n in (1, 2):
        sheet.append(filled_row(staff.organisation, n))
    path = tmp_path / "modele-rempli.xlsx"
    workbook.save(path)

    page.get_by_label("Fichier d'effectifs").set_input_files(str(path))
    page.get_by_role("button", name="Lire le fichier et voir l'aperçu").click()
    page.wait_for_url(re.compile(r"/import/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Aperçu de l'import")
    expect(page.locator(".import-row--create")).to_have_count(2)
    columns = page.locator(".import-columns")
    columns.locator("summary").click()
    expect(columns.locator("summary")).to_have_text("62 colonnes reconnues, et ce que la plateforme en fait")
    expect(columns.get_by_role("row", name=re.compile(r"^nom_apprenant \*"))).to_contain_text(
        "Apprenti — nom"
    )
    assert_no_axe_violations(page)
    shoot(page, "import-template-preview")
    assert Apprentice.objects.count() == before

    page.get_by_role("button", name="Confirmer et importer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapport d'import")
    expect(page.locator("#ecrit").locator("..")).to_contain_text("Apprentis : 2 créés")
    assert_no_axe_violations(page)
    assert Apprentice.objects.filter(last_name__startswith="Modèle").count() == 2

    page.goto(f"{server.url}/import/export/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Export du fichier d'effectifs")
    assert_no_axe_violations(page)
    shoot(page, "export-page")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Classeur Excel (.xlsx) pour le Tableau de bord").click()
    assert download_info.value.suggested_filename.endswith(".xlsx")
    exported = openpyxl.load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    rows = list(exported["Modèle"].iter_rows(values_only=True))
    assert rows[0] == TEMPLATE_HEADERS
    assert sum(1 for r in rows if r[0] and str(r[0]).startswith("Modèle")) == 2
    assert not page.js_errors
