"""Export of the platform's apprentices as a fichier d'effectifs: the official template's columns, in its
order and with its header row, as XLSX (sheet "Modèle", what the Tableau de bord de l'apprentissage takes)
or CSV; a file that can go back to the Tableau de bord and be imported again unchanged.

One row per apprentice and training (formation), as the template has it: the training's contracts, in the
order they began, fill the contract columns (``contrat_…``, then ``…_2`` to ``…_4`` for the contracts
that followed a rupture). An apprentice enrolled without a contract has the row of their cohort's
training.

The required columns are filled from the platform's data: the organisation's UAI and SIRET (responsible
and training establishment), the cohort's entry date (the registration and entry dates; the first
contract's start for a training without a cohort), the diploma's theoretical duration. A row that still
has a required cell empty says which (:attr:`ExportRow.missing`): the export page lists them.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone

from apprentices.models import Apprentice, Cohort, Contract, Diploma, LegalRepresentative
from core.models import AcademicYear, Organisation
from interop.columns import COLUMNS, CONTRACT_SLOTS, TEMPLATE_COLUMNS, TEMPLATE_HEADERS, Need
from interop.template import MODEL_SHEET

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
MAX_MONTHS = 48  # the template's maximum theoretical duration
# Above this many apprentices the workbook is built in the background (reports.Export): openpyxl writes
# about 2,000 rows a second, and a request should answer in a couple of seconds.
INLINE_XLSX_ROWS = 3_000
PROGRESS_EVERY = 1_000
ALWAYS = tuple(column.name for column in COLUMNS if column.need is Need.ALWAYS)
# The cells a contract needs, slot by slot ("Oui, s'il y a un contrat").
CONTRACT_NEEDS = tuple(
    tuple(f"{name}{slot}" for name in ("contrat_date_debut", "contrat_date_fin", "siret_employeur"))
    for slot in CONTRACT_SLOTS
)
DATE_COLUMNS = frozenset(c.name for c in COLUMNS if "AAAA-MM-JJ" in c.format)
BOOL_COLUMNS = frozenset({"rqth_apprenant", "obtention_diplome_formation", "formation_presentielle"})
INT_COLUMNS = frozenset({"annee_formation", "duree_theorique_formation_mois"})

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


def _academic_start(day: datetime.date) -> int:
    """The first calendar year of the school year ``day`` falls in (a contract begun in July or August
    begins the coming school year)."""
    return day.year if day.month >= 7 else day.year - 1


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class ExportRow:
    """One row of the export: the apprentice, the training, the template's cells (strings, dates in
    ISO), and the required columns left empty because the platform does not hold their data."""

    apprentice_id: int
    label: str
    training: str
    cells: dict[str, str]
    missing: list[str] = field(default_factory=list)


def _missing(cells: dict[str, str]) -> list[str]:
    missing = [name for name in ALWAYS if not cells[name]]
    for slot, needs in zip(CONTRACT_SLOTS, CONTRACT_NEEDS, strict=True):
        if any(cells[f"{name}{slot}"] for name in ("contrat_date_debut", "siret_employeur")):
            missing += [name for name in needs if not cells[name]]
    if cells["date_exclusion_formation"] == "" and cells["cause_exclusion_formation"]:
        missing.append("date_exclusion_formation")
    return missing


@dataclass
class _Training:
    diploma: Diploma | None
    contracts: list[dict]  # Contract values, in the order they began
    cohort: Cohort | None  # the apprentice's cohort, when the training is its diploma's


class Exporter:
    """Builds the rows of one organisation in seven queries, whatever the number of apprentices (rows of
    values, not model instances: a 20,000-apprentice CFA is exported in seconds, not minutes)."""

    PERSON = (
        "id",
        "last_name",
        "first_name",
        "birth_date",
        "sex",
        "email",
        "address",
        "postal_code",
        "ine",
        "phone",
        "rqth",
        "cohort_id",
        "training_exit_date",
        "training_exit_reason",
        "disability_referent__first_name",
        "disability_referent__last_name",
        "disability_referent__email",
    )
    CONTRACT = (
        "apprentice_id",
        "diploma_id",
        "start_date",
        "planned_end_date",
        "status",
        "rupture_date",
        "rupture_cause",
        "diploma_outcome",
        "diploma_outcome_date",
        "employer__siret",
    )

    def __init__(self, organisation_id: int, today=None):
        self.today = today or timezone.localdate()
        self.organisation = Organisation.objects.select_related("disability_referent").get(pk=organisation_id)
        self.year = AcademicYear.objects.current(self.today)

    def count(self) -> int:
        return Apprentice.objects.filter(organisation_id=self.organisation.pk).count()

    def rows(self) -> Iterator[ExportRow]:
        org = self.organisation.pk
        self.diplomas = {d.pk: d for d in Diploma.objects.filter(organisation_id=org)}
        self.cohorts = {
            c.pk: c for c in Cohort.objects.filter(diploma__organisation_id=org).select_related("entry_year")
        }
        contracts: dict[int, list[dict]] = {}
        for c in (
            Contract.objects.filter(apprentice__organisation_id=org)
            .order_by("apprentice_id", "start_date", "pk")
            .values(*self.CONTRACT)
        ):
            contracts.setdefault(c["apprentice_id"], []).append(c)
        mails: dict[int, list[str]] = {}
        for apprentice_id, email in (
            LegalRepresentative.objects.filter(apprentice__organisation_id=org)
            .order_by("pk")
            .values_list("apprentice_id", "email")
        ):
            mails.setdefault(apprentice_id, []).append(email)
        apprentices = (
            Apprentice.objects.filter(organisation_id=org)
            .order_by("last_name", "first_name", "pk")
            .values(*self.PERSON)
        )
        for a in apprentices.iterator(chunk_size=2000):
            yield from self.rows_of(a, contracts.get(a["id"], []), mails.get(a["id"], []))

    def _trainings(self, a: dict, contracts: list[dict]) -> list[_Training]:
        """The apprentice's trainings: those of their contracts, and their cohort's (with or without a
        contract), the earliest first."""
        cohort = self.cohorts.get(a["cohort_id"])
        by_diploma: dict[int, list[dict]] = {}
        for contract in contracts:
            by_diploma.setdefault(contract["diploma_id"], []).append(contract)
        if cohort is not None:
            by_diploma.setdefault(cohort.diploma_id, [])
        if not by_diploma:
            return [_Training(None, [], None)]
        trainings = [
            _Training(
                self.diplomas.get(diploma_id),
                items,
                cohort if cohort is not None and cohort.diploma_id == diploma_id else None,
            )
            for diploma_id, items in by_diploma.items()
        ]
        return sorted(
            trainings, key=lambda t: t.contracts[0]["start_date"] if t.contracts else t.cohort.entry_date
        )

    def rows_of(self, a: dict, contracts: list[dict], mails: list[str]) -> Iterator[ExportRow]:
        org = self.organisation
        person = dict.fromkeys(TEMPLATE_COLUMNS, "")
        mails = [mail for mail in mails if mail][:2]
        if a["disability_referent__email"]:
            referent = (
                a["disability_referent__last_name"],
                a["disability_referent__first_name"],
                a["disability_referent__email"],
            )
        elif org.disability_referent is not None:
            referent = (
                org.disability_referent.last_name,
                org.disability_referent.first_name,
                org.disability_referent.email,
            )
        else:
            referent = ("", "", "")
        person.update(
            nom_apprenant=a["last_name"],
            prenom_apprenant=a["first_name"],
            date_de_naissance_apprenant=_day(a["birth_date"]),
            sexe_apprenant=SEX.get(a["sex"], ""),
            email_contact=a["email"],
            adresse_apprenant=a["address"],
            code_postal_apprenant=a["postal_code"],
            ine_apprenant=a["ine"],
            tel_apprenant=a["phone"],
            rqth_apprenant="VRAI" if a["rqth"] else "FAUX",
            responsable_apprenant_mail1=mails[0] if mails else "",
            responsable_apprenant_mail2=mails[1] if len(mails) > 1 else "",
            etablissement_responsable_uai=org.uai,
            etablissement_responsable_siret=org.siret,
            etablissement_formateur_uai=org.uai,
            etablissement_formateur_siret=org.siret,
            annee_scolaire=self.year.label if self.year else "",
            nom_referent_handicap_formation=referent[0],
            prenom_referent_handicap_formation=referent[1],
            email_referent_handicap_formation=referent[2],
        )
        label = f"{a['last_name']} {a['first_name']}"
        trainings = self._trainings(a, contracts)
        for index, training in enumerate(trainings):
            cells = dict(person)
            if training.diploma is not None:
                self._training(cells, training)
            if index == len(trainings) - 1:
                self._exit(cells, a, training.contracts)
            for slot, contract in zip(
                CONTRACT_SLOTS, training.contracts[-len(CONTRACT_SLOTS) :], strict=False
            ):
                ruptured = contract["status"] == Contract.Status.RUPTURED
                cells.update(
                    {
                        f"contrat_date_debut{slot}": _day(contract["start_date"]),
                        f"contrat_date_fin{slot}": _day(contract["planned_end_date"]),
                        f"siret_employeur{slot}": contract["employer__siret"],
                        f"contrat_date_rupture{slot}": _day(contract["rupture_date"]) if ruptured else "",
                        f"cause_rupture_contrat{slot}": CAUSES.get(contract["rupture_cause"], "")
                        if ruptured
                        else "",
                    }
                )
            yield ExportRow(
                apprentice_id=a["id"],
                label=label,
                training=training.diploma.title if training.diploma is not None else "",
                cells=cells,
                missing=_missing(cells),
            )

    def _training(self, cells: dict, training: _Training) -> None:
        diploma, contracts, cohort = training.diploma, training.contracts, training.cohort
        entry = cohort.entry_date if cohort else contracts[0]["start_date"]
        if self.year is not None:
            if cohort:
                of_study = cohort.year_of_study(self.year)
            else:
                of_study = int(self.year.label[:4]) - _academic_start(entry) + 1
            cells["annee_formation"] = str(min(max(1, of_study), max(1, diploma.duration_years)))
        if contracts:
            end = contracts[-1]["planned_end_date"]
        else:
            end = _add_years(cohort.entry_year.end_date, diploma.duration_years - 1)
        months = diploma.theoretical_months
        last = contracts[-1] if contracts else None
        cells.update(
            formation_rncp=diploma.rncp_code,
            formation_cfd=diploma.cfd_code,
            date_inscription_formation=_day(entry),
            date_entree_formation=_day(entry),
            date_fin_formation=_day(end),
            duree_theorique_formation_mois=str(months) if 1 <= months <= MAX_MONTHS else "",
            libelle_court_formation=diploma.title,
            obtention_diplome_formation=OUTCOME.get(last["diploma_outcome"], "") if last else "",
            date_obtention_diplome_formation=_day(last["diploma_outcome_date"]) if last else "",
        )

    def _exit(self, cells: dict, a: dict, contracts: list[dict]) -> None:
        """The exclusion or abandonment of the training, on the apprentice's latest training: the
        apprentice's exit from the training, else the abandonment of their last contract."""
        if a["training_exit_date"]:
            cells["date_exclusion_formation"] = _day(a["training_exit_date"])
            cells["cause_exclusion_formation"] = a["training_exit_reason"]
        elif contracts and contracts[-1]["status"] == Contract.Status.ABANDONED:
            cells["date_exclusion_formation"] = _day(contracts[-1]["rupture_date"])


def export_rows(organisation_id: int, today=None) -> Iterator[ExportRow]:
    return Exporter(organisation_id, today).rows()


# Files ---------------------------------------------------------------------------------------------


class _Echo:
    def write(self, value):
        return value


def export_csv(organisation_id: int, today=None) -> Iterator[str]:
    """The export as CSV lines (UTF-8 with BOM for spreadsheets, ``;`` separator, the template's header
    row), for streaming. A cell a spreadsheet would run as a formula is written behind an apostrophe."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(TEMPLATE_HEADERS)
    for row in export_rows(organisation_id, today):
        yield writer.writerow([spreadsheet_safe(row.cells[c]) for c in TEMPLATE_COLUMNS])


def export_text(organisation_id: int, today=None) -> str:
    out = io.StringIO()
    for line in export_csv(organisation_id, today):
        out.write(line)
    return out.getvalue()


def _xlsx_value(column: str, text: str):
    if not text:
        return None
    if column in DATE_COLUMNS:
        return datetime.date.fromisoformat(text)
    if column in BOOL_COLUMNS:
        return text == "VRAI"
    if column in INT_COLUMNS:
        return int(text)
    return text


def write_xlsx(rows, handle, progress=None) -> int:
    """Write ``rows`` (:class:`ExportRow`) as the template's workbook to the binary file ``handle``:
    sheet "Modèle", the template's header row, dates as dates, codes as text (their leading zeros kept),
    and no cell ever read as a formula. ``progress(done)`` is told every ``PROGRESS_EVERY`` rows.
    Returns the number of rows written."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(MODEL_SHEET)
    sheet.append(list(TEMPLATE_HEADERS))
    count = 0
    for row in rows:
        values = []
        for column in TEMPLATE_COLUMNS:
            value = _xlsx_value(column, row.cells[column])
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
                if value[:1] == "=":
                    # Text, never a formula: openpyxl would write a string starting with "=" as one.
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"
                    value = cell
            values.append(value)
        while values and values[-1] is None:
            values.pop()  # trailing empty cells are not written
        sheet.append(values)
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress(count)
    workbook.save(handle)
    return count


def export_xlsx(organisation_id: int, today=None) -> bytes:
    out = io.BytesIO()
    write_xlsx(export_rows(organisation_id, today), out)
    return out.getvalue()
