"""The columns of the "fichier d'effectifs" (public template of the Tableau de bord de l'apprentissage)
and the parsing of its cells: headers matched without regard to case, accents or surrounding spaces;
dates AAAA-MM-JJ or JJ/MM/AAAA; booleans VRAI/FAUX, OUI/NON, 1/0."""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.utils.translation import gettext as _

CONTRACT_SLOTS = ("", "_2", "_3", "_4")
CONTRACT_FIELDS = (
    "contrat_date_debut",
    "contrat_date_fin",
    "contrat_date_rupture",
    "cause_rupture_contrat",
    "siret_employeur",
)

APPRENTICE_COLUMNS = (
    "nom_apprenant",
    "prenom_apprenant",
    "date_de_naissance_apprenant",
    "sexe_apprenant",
    "ine_apprenant",
    "email_contact",
    "tel_apprenant",
    "adresse_apprenant",
    "code_postal_apprenant",
    "code_postal_de_naissance_apprenant",
    "rqth_apprenant",
    "date_rqth_apprenant",
    "responsable_apprenant_mail1",
    "responsable_apprenant_mail2",
    "derniere_situation",
    "dernier_organisme_uai",
    "dernier_diplome",
    "id_erp_apprenant",
)
ORGANISATION_COLUMNS = (
    "etablissement_responsable_uai",
    "etablissement_responsable_siret",
    "etablissement_formateur_uai",
    "etablissement_formateur_siret",
    "etablissement_lieu_de_formation_uai",
    "etablissement_lieu_de_formation_siret",
    "etablissement_lieu_de_formation_adresse",
    "etablissement_lieu_de_formation_code_postal",
)
TRAINING_COLUMNS = (
    "annee_scolaire",
    "annee_formation",
    "formation_rncp",
    "formation_cfd",
    "formation_presentielle",
    "date_inscription_formation",
    "date_entree_formation",
    "date_fin_formation",
    "duree_theorique_formation_mois",
    "obtention_diplome_formation",
    "date_obtention_diplome_formation",
    "date_exclusion_formation",
    "cause_exclusion_formation",
    "nom_referent_handicap_formation",
    "prenom_referent_handicap_formation",
    "email_referent_handicap_formation",
)
CONTRACT_COLUMNS = tuple(f"{name}{slot}" for slot in CONTRACT_SLOTS for name in CONTRACT_FIELDS)
# Every column of the template, in its order; the export writes them all.
TEMPLATE_COLUMNS = APPRENTICE_COLUMNS + ORGANISATION_COLUMNS + TRAINING_COLUMNS + CONTRACT_COLUMNS
KNOWN = frozenset(TEMPLATE_COLUMNS)

# A file without these cannot describe an apprentice: it is refused as a whole.
REQUIRED_COLUMNS = ("nom_apprenant", "prenom_apprenant", "date_de_naissance_apprenant")
# ... and it names the diploma by one of these at least.
DIPLOMA_COLUMNS = ("formation_rncp", "formation_cfd")


def normalize_header(header) -> str:
    """`` Date_de_Naissance_Apprenant `` → ``date_de_naissance_apprenant``; ``Année scolaire`` →
    ``annee_scolaire``; ``nom_apprenant *`` → ``nom_apprenant`` (the official template marks its
    required columns with ``*``, its conditional ones with ``**``)."""
    text = unicodedata.normalize("NFKD", str(header or ""))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"[\s\-]+", "_", text.strip().rstrip("*").strip().casefold())


class CellError(ValueError):
    """A cell that cannot be read; the message says why, in French."""


def parse_date(value: str) -> datetime.date | None:
    value = (value or "").strip()
    if not value:
        return None
    for pattern, order in ((r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd"), (r"(\d{1,2})/(\d{1,2})/(\d{4})", "dmy")):
        match = re.fullmatch(pattern, value)
        if match:
            a, b, c = (int(group) for group in match.groups())
            year, month, day = (a, b, c) if order == "ymd" else (c, b, a)
            try:
                return datetime.date(year, month, day)
            except ValueError:
                break
    raise CellError(
        _("« %(value)s » n'est pas une date valide (AAAA-MM-JJ ou JJ/MM/AAAA).") % {"value": value}
    )


TRUE = {"vrai", "oui", "1", "true", "o"}
FALSE = {"faux", "non", "0", "false", "n"}


def parse_bool(value: str) -> bool | None:
    value = (value or "").strip().casefold()
    if not value:
        return None
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise CellError(_("« %(value)s » n'est pas un booléen (VRAI/FAUX, OUI/NON ou 1/0).") % {"value": value})


def parse_sex(value: str) -> str:
    """``1``, ``H`` or ``M`` → ``M``; ``2`` or ``F`` → ``F``."""
    value = (value or "").strip().upper()
    if not value:
        return ""
    if value in {"1", "H", "M"}:
        return "M"
    if value in {"2", "F"}:
        return "F"
    raise CellError(_("« %(value)s » n'est pas un sexe reconnu (1/2, H/F ou M/F).") % {"value": value})


def parse_rncp(value: str) -> str:
    """``RNCP35123``, ``rncp 35123`` or ``35123`` → ``35123`` (the digits only)."""
    digits = re.sub(r"^RNCP", "", re.sub(r"\s+", "", value or "").upper())
    if not digits:
        return ""
    if not re.fullmatch(r"\d{4,6}", digits):
        raise CellError(
            _(
                "Le code RNCP s'écrit « RNCP » suivi de 5 chiffres, ou les 5 chiffres seuls "
                "(reçu : « %(value)s »)."
            )
            % {"value": value}
        )
    return digits


def parse_academic_year(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    match = re.fullmatch(r"(\d{4})\s*[-/]\s*(\d{4})", value)
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise CellError(
            _("L'année scolaire s'écrit AAAA-AAAA avec deux années consécutives (reçu : « %(value)s »).")
            % {"value": value}
        )
    return f"{match.group(1)}-{match.group(2)}"


def parse_positive_int(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not re.fullmatch(r"\d{1,3}", value):
        raise CellError(_("« %(value)s » n'est pas un nombre entier positif.") % {"value": value})
    return int(value)


RUPTURE_CAUSES = (
    # (words found in the ERP's label, Contract.RuptureCause value)
    (("commun accord", "amiable"), "mutual"),
    (("essai",), "trial"),
    (("demission", "initiative de l'apprenti"), "apprentice"),
    (("licenciement", "employeur"), "employer"),
    (("exclusion",), "exclusion"),
    (("cessation", "liquidation", "fermeture"), "closure"),
)


def rupture_cause(value: str) -> str:
    """The contract's rupture cause from the ERP's free label; ``other`` when none is recognised."""
    text = normalize_header(value).replace("_", " ")
    for words, cause in RUPTURE_CAUSES:
        if any(word in text for word in words):
            return cause
    return "other"
