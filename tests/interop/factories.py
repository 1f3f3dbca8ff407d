"""Fichiers d'effectifs built in the tests: rows as dicts, written as CSV or XLSX bytes."""

from __future__ import annotations

import csv
import io

from tests.employers.factories import valid_siret

HEADERS = [
    "nom_apprenant",
    "prenom_apprenant",
    "date_de_naissance_apprenant",
    "sexe_apprenant",
    "ine_apprenant",
    "email_contact",
    "tel_apprenant",
    "adresse_apprenant",
    "code_postal_apprenant",
    "rqth_apprenant",
    "etablissement_formateur_uai",
    "annee_scolaire",
    "annee_formation",
    "formation_rncp",
    "formation_cfd",
    "date_fin_formation",
    "obtention_diplome_formation",
    "date_obtention_diplome_formation",
    "contrat_date_debut",
    "contrat_date_fin",
    "siret_employeur",
    "contrat_date_rupture",
    "cause_rupture_contrat",
]
RNCP = "RNCP35123"
# The CFA's own SIRET (the establishment responsible for the training and the one training).
CFA_SIRET = valid_siret(900_000)
CFD = "25020001"


def ine(n: int) -> str:
    return f"{n:09d}AB"


def row(n: int = 1, **overrides) -> dict:
    """A valid row: apprentice ``n``, with one contract at the employer of SIRET ``valid_siret(n)``."""
    values = {
        "nom_apprenant": f"Nom{n}",
        "prenom_apprenant": f"Prénom{n}",
        "date_de_naissance_apprenant": "2004-03-15",
        "sexe_apprenant": "F",
        "ine_apprenant": ine(n),
        "email_contact": f"apprenti{n}@exemple.test",
        "tel_apprenant": "0601020304",
        "adresse_apprenant": f"{n} rue des Écoles",
        "code_postal_apprenant": "75005",
        "rqth_apprenant": "FAUX",
        "etablissement_responsable_uai": "0751234J",
        "etablissement_responsable_siret": CFA_SIRET,
        "etablissement_formateur_uai": "0751234J",
        "etablissement_formateur_siret": CFA_SIRET,
        "annee_scolaire": "2025-2026",
        "annee_formation": "1",
        "formation_rncp": RNCP,
        "formation_cfd": CFD,
        "date_inscription_formation": "2025-06-20",
        "date_entree_formation": "2025-09-01",
        "date_fin_formation": "2027-08-31",
        "duree_theorique_formation_mois": "24",
        "obtention_diplome_formation": "",
        "date_obtention_diplome_formation": "",
        "contrat_date_debut": "2025-09-01",
        "contrat_date_fin": "2027-08-31",
        "siret_employeur": valid_siret(n),
        "contrat_date_rupture": "",
        "cause_rupture_contrat": "",
    }
    values.update(overrides)
    return values


def template_xlsx(rows: list[dict], *, cells=None, sheet="Modèle") -> bytes:
    """A workbook as the official template lays it out: its 62 headers with their required marks, in its
    order; ``rows`` keyed by the columns' names. ``cells`` maps a column to a function giving the cell's
    value (a number, a date) from the row's text, to write what a spreadsheet would keep."""
    import openpyxl

    from interop.columns import COLUMNS

    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append([column.header for column in COLUMNS])
    for r in rows:
        ws.append([(cells or {}).get(c.name, lambda v: v)(r.get(c.name, "")) for c in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def headers_of(rows: list[dict]) -> list[str]:
    headers = list(HEADERS)
    for r in rows:
        headers += [k for k in r if k not in headers]
    return headers


def csv_bytes(rows: list[dict], *, delimiter=";", encoding="utf-8", bom=False, headers=None) -> bytes:
    headers = headers or headers_of(rows)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for r in rows:
        writer.writerow([r.get(h, "") for h in headers])
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: list[dict], *, sheet="Modèle", other_sheet_first=False, headers=None) -> bytes:
    import openpyxl

    headers = headers or headers_of(rows)
    workbook = openpyxl.Workbook()
    if other_sheet_first:
        workbook.active.title = "Notice"
        workbook.active.append(["Lisez-moi"])
        ws = workbook.create_sheet(sheet)
    else:
        ws = workbook.active
        ws.title = sheet
    ws.append(headers)
    for r in rows:
        ws.append([r.get(h, "") for h in headers])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
