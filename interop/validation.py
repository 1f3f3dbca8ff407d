"""One row of the fichier d'effectifs, cell by cell: what it says, or why each column is wrong.

The values come out JSON-ready (dates in ISO), so that the preview can keep them and the import read
them back unchanged.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

from core.validators import (
    normalize_ine,
    validate_cfd,
    validate_ine,
    validate_postal_code,
    validate_siret,
    validate_uai,
)
from interop.columns import (
    COLUMNS,
    CONTRACT_FIELDS,
    CONTRACT_SLOTS,
    CellError,
    Need,
    clean_phone,
    clean_postal_code,
    clean_siret,
    parse_academic_year,
    parse_bool,
    parse_date,
    parse_positive_int,
    parse_rncp,
    parse_sex,
)

email_validator = EmailValidator()
LIMITS = {
    "nom_apprenant": 150,
    "prenom_apprenant": 150,
    "tel_apprenant": 30,
    "adresse_apprenant": 255,
    "cause_rupture_contrat": 200,
    "cause_exclusion_formation": 255,
}


def _message(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


class RowReader:
    """Reads the cells of one row; each failing cell adds ``[column, message]`` to ``errors``."""

    def __init__(self, raw: dict[str, str]):
        self.raw = raw
        self.errors: list[list[str]] = []

    def text(self, column: str) -> str:
        value = " ".join((self.raw.get(column) or "").split())
        limit = LIMITS.get(re.sub(r"_[234]$", "", column))
        if limit and len(value) > limit:
            self.errors.append([column, _("Trop long : %(n)s caractères au plus.") % {"n": limit}])
            return ""
        return value

    def parse(self, column: str, parser):
        try:
            return parser(self.raw.get(column) or "")
        except CellError as error:
            self.errors.append([column, str(error)])
            return None

    def date(self, column: str) -> str | None:
        value = self.parse(column, parse_date)
        return value.isoformat() if value else None

    def check(self, column: str, validator, normalize=lambda v: v.strip()) -> str:
        value = normalize(self.raw.get(column) or "")
        if not value:
            return ""
        try:
            validator(value)
        except ValidationError as error:
            self.errors.append([column, _message(error)])
            return ""
        return value

    def missing(self, column: str, message: str) -> None:
        self.errors.append([column, message])

    def has_error(self, column: str) -> bool:
        return any(c == column for c, _m in self.errors)


def _slot(column: str) -> str:
    return next((slot for slot in CONTRACT_SLOTS[1:] if column.endswith(slot)), "")


def _filled(raw: dict, column: str) -> bool:
    return bool((raw.get(column) or "").strip())


def check_required(raw: dict, r: RowReader) -> None:
    """Every column the template's "Description des données" requires, cell by cell: always, when the
    row has a contract in that slot, when that contract is ruptured (a cause is given), when the training
    is left (a cause of exclusion is given). A cell already wrong is not told twice."""
    contracts = {
        slot: any(_filled(raw, f"{name}{slot}") for name in CONTRACT_FIELDS) for slot in CONTRACT_SLOTS
    }
    for column in COLUMNS:
        name = column.name
        if _filled(raw, name) or r.has_error(name):
            continue
        slot = _slot(name)
        if column.need is Need.ALWAYS:
            r.missing(name, _("Obligatoire : la cellule est vide."))
        elif column.need is Need.IF_CONTRACT and contracts[slot]:
            r.missing(name, _("Obligatoire quand la ligne a un contrat : la cellule est vide."))
        elif column.need is Need.IF_RUPTURE and _filled(raw, f"cause_rupture_contrat{slot}"):
            r.missing(name, _("Obligatoire quand une cause de rupture est donnée : la cellule est vide."))
        elif column.need is Need.IF_EXCLUSION and _filled(raw, "cause_exclusion_formation"):
            r.missing(name, _("Obligatoire quand une cause d'exclusion est donnée : la cellule est vide."))


def parse_duration(value: str) -> int | None:
    months = parse_positive_int(value)
    if months is not None and not 1 <= months <= 48:
        raise CellError(
            _("La durée théorique s'exprime en mois, de 1 à 48 (reçu : %(value)s).") % {"value": months}
        )
    return months


def read_row(raw: dict[str, str], today: datetime.date) -> tuple[dict, list[list[str]]]:
    """The values of one row and the errors of its cells."""
    r = RowReader(raw)
    apprentice = {
        "last_name": r.text("nom_apprenant"),
        "first_name": r.text("prenom_apprenant"),
        "birth_date": r.date("date_de_naissance_apprenant"),
        "sex": r.parse("sexe_apprenant", parse_sex) or "",
        "ine": r.check("ine_apprenant", validate_ine, normalize_ine),
        "email": r.check("email_contact", email_validator, lambda v: v.strip().lower()),
        "phone": clean_phone(r.text("tel_apprenant")),
        "address": r.text("adresse_apprenant"),
        "postal_code": r.check("code_postal_apprenant", validate_postal_code, clean_postal_code),
        "rqth": r.parse("rqth_apprenant", parse_bool),
    }
    if apprentice["birth_date"]:
        born = datetime.date.fromisoformat(apprentice["birth_date"])
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if born >= today:
            r.missing("date_de_naissance_apprenant", _("La date de naissance doit être dans le passé."))
        elif age < 14:
            r.missing("date_de_naissance_apprenant", _("Un apprenti a au moins 14 ans (15 ans en général)."))
    for column in ("etablissement_responsable_uai", "etablissement_formateur_uai"):
        r.check(column, validate_uai, lambda v: v.strip().upper())
    for column in ("etablissement_responsable_siret", "etablissement_formateur_siret"):
        r.check(column, validate_siret, clean_siret)

    values = {
        "apprentice": apprentice,
        "rncp": r.parse("formation_rncp", parse_rncp) or "",
        "cfd": r.check("formation_cfd", validate_cfd, lambda v: v.strip().upper()),
        "year": r.parse("annee_scolaire", parse_academic_year) or "",
        "year_of_study": r.parse("annee_formation", parse_positive_int),
        "enrolled_on": r.date("date_inscription_formation"),
        "entered_on": r.date("date_entree_formation"),
        "duration_months": r.parse("duree_theorique_formation_mois", parse_duration),
        "end_formation": r.date("date_fin_formation"),
        "outcome": r.parse("obtention_diplome_formation", parse_bool),
        "outcome_date": r.date("date_obtention_diplome_formation"),
        "exclusion_date": r.date("date_exclusion_formation"),
        "exclusion_cause": r.text("cause_exclusion_formation"),
        "contracts": [],
    }
    if values["outcome_date"] and values["outcome"] is None:
        r.missing(
            "obtention_diplome_formation",
            _("Une date d'obtention est donnée : indiquez si le diplôme est obtenu."),
        )
    for slot in CONTRACT_SLOTS:
        cells = {name: (raw.get(f"{name}{slot}") or "").strip() for name in CONTRACT_FIELDS}
        if not any(cells.values()):
            continue
        contract = {
            "slot": slot,
            "start": r.date(f"contrat_date_debut{slot}"),
            "end": r.date(f"contrat_date_fin{slot}"),
            "rupture": r.date(f"contrat_date_rupture{slot}"),
            "cause": r.text(f"cause_rupture_contrat{slot}"),
            "siret": r.check(f"siret_employeur{slot}", validate_siret, clean_siret),
        }
        if contract["start"] and contract["end"] and contract["end"] <= contract["start"]:
            r.missing(f"contrat_date_fin{slot}", _("La date de fin prévue doit suivre la date de début."))
        if contract["start"] and contract["rupture"] and contract["rupture"] < contract["start"]:
            r.missing(f"contrat_date_rupture{slot}", _("La rupture ne peut précéder le début du contrat."))
        values["contracts"].append(contract)
    starts = [c["start"] for c in values["contracts"] if c["start"]]
    if values["exclusion_date"] and starts and values["exclusion_date"] < max(starts):
        r.missing("date_exclusion_formation", _("L'exclusion ne peut précéder le début du dernier contrat."))
    keys = [(c["siret"], c["start"]) for c in values["contracts"] if c["siret"] and c["start"]]
    if len(keys) != len(set(keys)):
        r.missing(
            "contrat_date_debut",
            _("Deux contrats de la ligne ont le même employeur et la même date de début."),
        )
    check_required(raw, r)
    return values, r.errors
