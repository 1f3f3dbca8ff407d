"""Export of the platform's apprentices as a fichier d'effectifs, in the template's columns, so that the
file can go back to the Tableau de bord de l'apprentissage (and be imported again unchanged)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from django.db.models import Prefetch
from django.utils import timezone

from apprentices.models import Apprentice, Contract
from core.models import AcademicYear
from interop.columns import CONTRACT_SLOTS, TEMPLATE_COLUMNS

SEX = {"M": "1", "F": "2"}
OUTCOME = {"yes": "VRAI", "no": "FAUX"}
CAUSES = {
    "mutual": "Rupture d'un commun accord",
    "trial": "Rupture pendant la période d'essai",
    "apprentice": "Démission de l'apprenti",
    "employer": "Licenciement par l'employeur",
    "exclusion": "Exclusion de l'apprenti du CFA",
    "closure": "Cessation d'activité de l'entreprise",
    "other": "Autre motif",
}


PHONE_LIKE = re.compile(r"[+-][\d\s().]*")


def spreadsheet_safe(value) -> str:
    """A cell that a spreadsheet would run as a formula (``=``, ``@``, ``+`` or ``-`` followed by other
    than a number) is written behind an apostrophe; phone numbers such as ``+33 6…`` stay as they are."""
    text = "" if value is None else str(value)
    if text[:1] in {"=", "@", "\t", "\r"} or (text[:1] in {"+", "-"} and not PHONE_LIKE.fullmatch(text)):
        return "'" + text
    return text


def _day(value) -> str:
    return value.isoformat() if value else ""


def export_rows(organisation_id: int, today=None) -> Iterator[dict]:
    """One dict per apprentice of the organisation, keyed by the template's columns (three queries)."""
    today = today or timezone.localdate()
    year = AcademicYear.objects.current(today)
    contracts = Contract.objects.select_related("employer", "diploma").order_by("start_date", "pk")
    apprentices = (
        Apprentice.objects.filter(organisation_id=organisation_id)
        .select_related("cohort__entry_year", "cohort__diploma", "organisation")
        .prefetch_related(Prefetch("contracts", queryset=contracts))
        .order_by("last_name", "first_name", "pk")
    )
    for a in apprentices.iterator(chunk_size=2000):
        row = dict.fromkeys(TEMPLATE_COLUMNS, "")
        row.update(
            nom_apprenant=a.last_name,
            prenom_apprenant=a.first_name,
            date_de_naissance_apprenant=_day(a.birth_date),
            sexe_apprenant=SEX.get(a.sex, ""),
            ine_apprenant=a.ine,
            email_contact=a.email,
            tel_apprenant=a.phone,
            adresse_apprenant=a.address,
            code_postal_apprenant=a.postal_code,
            rqth_apprenant="VRAI" if a.rqth else "FAUX",
            etablissement_formateur_uai=a.organisation.uai,
            etablissement_formateur_siret=a.organisation.siret,
        )
        if year is not None:
            row["annee_scolaire"] = year.label
            if a.cohort_id:
                row["annee_formation"] = str(max(1, a.cohort.year_of_study(year)))
        if a.cohort_id:
            # Enrolled without a contract yet: the training is the cohort's (a contract's, when there is one).
            row.update(formation_rncp=a.cohort.diploma.rncp_code, formation_cfd=a.cohort.diploma.cfd_code)
        kept = list(a.contracts.all())[-len(CONTRACT_SLOTS) :]
        if kept:
            last = kept[-1]
            row.update(
                formation_rncp=last.diploma.rncp_code,
                formation_cfd=last.diploma.cfd_code,
                date_fin_formation=_day(last.planned_end_date),
                obtention_diplome_formation=OUTCOME.get(last.diploma_outcome, ""),
                date_obtention_diplome_formation=_day(last.diploma_outcome_date),
            )
            if last.status == Contract.Status.ABANDONED:
                row["date_exclusion_formation"] = _day(last.rupture_date)
        for slot, contract in zip(CONTRACT_SLOTS, kept, strict=False):
            ruptured = contract.status == Contract.Status.RUPTURED
            row.update(
                {
                    f"contrat_date_debut{slot}": _day(contract.start_date),
                    f"contrat_date_fin{slot}": _day(contract.planned_end_date),
                    f"siret_employeur{slot}": contract.employer.siret,
                    f"contrat_date_rupture{slot}": _day(contract.rupture_date) if ruptured else "",
                    f"cause_rupture_contrat{slot}": CAUSES.get(contract.rupture_cause, "")
                    if ruptured
                    else "",
                }
            )
        yield row


class _Echo:
    def write(self, value):
        return value


def export_csv(organisation_id: int, today=None) -> Iterator[str]:
    """The export as CSV lines (UTF-8 with BOM for spreadsheets, ``;`` separator), for streaming."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(TEMPLATE_COLUMNS)
    for row in export_rows(organisation_id, today):
        yield writer.writerow([spreadsheet_safe(row[c]) for c in TEMPLATE_COLUMNS])


def export_text(organisation_id: int, today=None) -> str:
    out = io.StringIO()
    for line in export_csv(organisation_id, today):
        out.write(line)
    return out.getvalue()
