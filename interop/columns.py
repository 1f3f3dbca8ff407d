"""The columns of the "fichier d'effectifs" (public template of the Tableau de bord de l'apprentissage)
and the parsing of its cells: headers matched without regard to case, accents, surrounding spaces or the
template's required marks; dates AAAA-MM-JJ or JJ/MM/AAAA (two-digit years and a time accepted);
booleans VRAI/FAUX, OUI/NON, 1/0; SIRET, postal codes and phones normalised as real exports write them."""

from __future__ import annotations

import dataclasses
import datetime
import enum
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


class Need(enum.Enum):
    """When the template requires a column ("Obligatoire" in its sheet "Description des données")."""

    ALWAYS = "Oui"
    OPTIONAL = "Non"
    IF_CONTRACT = "Oui, s'il y a un contrat"
    IF_RUPTURE = "Oui, s'il y a rupture du contrat"
    IF_EXCLUSION = "Oui, s'il y a une rupture de formation"


@dataclasses.dataclass(frozen=True)
class Column:
    name: str  # the header without its marks, as matched on import
    header: str  # the header exactly as the template writes it (with `*` or `**`)
    need: Need
    format: str  # the template's "Format", for the template the platform builds


# The template's formats, as it words them.
NAME_FORMAT = (
    "Alpha : au moins 1 lettre, espace/tiret/accent possibles - pas de chiffre. Caractères spéciaux acceptés"
)
DATE_FORMAT = "(Norme ISO-8601). AAAA-MM-JJ ou JJ/MM/AAAA"
UAI_FORMAT = "7 chiffres suivis d’une lettre, les trois premiers chiffres indiquant le département. 1234567A"
SIRET_FORMAT = "14 chiffres : les 9 chiffres du Siren + 5 chiffres propres à chaque établissement"
EMPLOYER_SIRET_FORMAT = (
    "Numérique sur 14 positions sans espaces : les 9 chiffres du numéro SIREN + les 5 "
    "chiffres du NIC - espace possible - suppression des espaces à l'enregistrement"
)
BOOL_FORMAT = "Booléen : VRAI / FAUX (ou OUI / NON)"
INE_FORMAT = (
    "11 caractères, soit : - 10 chiffres + 1 lettre - 9 chiffres + 2 lettres - 9 "
    "caractères alphanumériques + 1 chiffre"
)
PHONE_FORMAT = (
    "Suite numérique au choix : - 10 caractères numériques commençant par 1 zéro - "
    "espace/tiret/point possible à la saisie, retrait lors du traitement - Indicateur "
    "national (+33) + 9 caractères numériques"
)
PREVIOUS_UAI_FORMAT = (
    "7 chiffres suivis d’une lettre, les trois premiers chiffres indiquant le département. "
    "1234567A ou numéro de département sur 3 chiffres"
)

# Every column of the official template (modele-import-29012025.xlsx, sheet "Modèle"), in its order,
# with the header written exactly as there (including its irregular `contrat_date_fin_2**`).
COLUMNS = (
    Column("nom_apprenant", "nom_apprenant *", Need.ALWAYS, NAME_FORMAT),
    Column("prenom_apprenant", "prenom_apprenant *", Need.ALWAYS, NAME_FORMAT),
    Column("date_de_naissance_apprenant", "date_de_naissance_apprenant *", Need.ALWAYS, DATE_FORMAT),
    Column(
        "sexe_apprenant",
        "sexe_apprenant *",
        Need.ALWAYS,
        "Différentes valeurs acceptées : 1, 2 ou H, F ou M, F",
    ),
    Column(
        "code_postal_de_naissance_apprenant",
        "code_postal_de_naissance_apprenant",
        Need.OPTIONAL,
        "5 chiffres",
    ),
    Column(
        "email_contact",
        "email_contact *",
        Need.ALWAYS,
        "Alpha numérique avec un @ et un “.” texte@texte.texte",
    ),
    Column("adresse_apprenant", "adresse_apprenant *", Need.ALWAYS, "Chaîne de caractères alphanumériques"),
    Column("code_postal_apprenant", "code_postal_apprenant *", Need.ALWAYS, "Suite numérique de 5 chiffres"),
    Column("ine_apprenant", "ine_apprenant", Need.OPTIONAL, INE_FORMAT),
    Column("tel_apprenant", "tel_apprenant", Need.OPTIONAL, PHONE_FORMAT),
    Column("rqth_apprenant", "rqth_apprenant", Need.OPTIONAL, BOOL_FORMAT),
    Column("date_rqth_apprenant", "date_rqth_apprenant", Need.OPTIONAL, DATE_FORMAT),
    Column(
        "responsable_apprenant_mail1",
        "responsable_apprenant_mail1",
        Need.OPTIONAL,
        "Alpha numérique avec un @ : texte@texte.texte",
    ),
    Column(
        "responsable_apprenant_mail2",
        "responsable_apprenant_mail2",
        Need.OPTIONAL,
        "Alpha numérique avec un @ : texte@texte.texte",
    ),
    Column("dernier_organisme_uai", "dernier_organisme_uai", Need.OPTIONAL, PREVIOUS_UAI_FORMAT),
    Column(
        "derniere_situation",
        "derniere_situation",
        Need.OPTIONAL,
        "4 chiffres – se référer à la nomenclature SIFA disponible sur votre espace (dernière en date 2024)",
    ),
    Column("type_cfa", "type_cfa", Need.OPTIONAL, "01, 02, 03, 04, 05, 06, 07, 08, 09, 10"),
    Column("etablissement_responsable_uai", "etablissement_responsable_uai *", Need.ALWAYS, UAI_FORMAT),
    Column("etablissement_responsable_siret", "etablissement_responsable_siret *", Need.ALWAYS, SIRET_FORMAT),
    Column("etablissement_formateur_uai", "etablissement_formateur_uai *", Need.ALWAYS, UAI_FORMAT),
    Column("etablissement_formateur_siret", "etablissement_formateur_siret *", Need.ALWAYS, SIRET_FORMAT),
    Column(
        "etablissement_lieu_de_formation_uai",
        "etablissement_lieu_de_formation_uai",
        Need.OPTIONAL,
        UAI_FORMAT,
    ),
    Column(
        "etablissement_lieu_de_formation_siret",
        "etablissement_lieu_de_formation_siret",
        Need.OPTIONAL,
        SIRET_FORMAT,
    ),
    Column(
        "etablissement_lieu_de_formation_adresse",
        "etablissement_lieu_de_formation_adresse",
        Need.OPTIONAL,
        "Chaîne de caractères alphanumériques",
    ),
    Column(
        "etablissement_lieu_de_formation_code_postal",
        "etablissement_lieu_de_formation_code_postal",
        Need.OPTIONAL,
        "Suite numérique de 5 chiffres",
    ),
    Column("annee_scolaire", "annee_scolaire *", Need.ALWAYS, "AAAA-AAAA"),
    Column("annee_formation", "annee_formation *", Need.ALWAYS, "Énumération : 1, 2, 3, 4, 5"),
    Column("formation_rncp", "formation_rncp *", Need.ALWAYS, "RNCP + 5 chiffres (RNCPXXXXX) ou 5 chiffre."),
    Column("formation_cfd", "formation_cfd", Need.OPTIONAL, "8 chiffres"),
    Column("date_inscription_formation", "date_inscription_formation *", Need.ALWAYS, DATE_FORMAT),
    Column("date_entree_formation", "date_entree_formation *", Need.ALWAYS, DATE_FORMAT),
    Column("date_fin_formation", "date_fin_formation *", Need.ALWAYS, DATE_FORMAT),
    Column(
        "duree_theorique_formation_mois",
        "duree_theorique_formation_mois *",
        Need.ALWAYS,
        "Minimum : 1 / maximum 48",
    ),
    Column(
        "libelle_court_formation",
        "libelle_court_formation",
        Need.OPTIONAL,
        "Suite de caractères alphanumériques",
    ),
    Column("obtention_diplome_formation", "obtention_diplome_formation", Need.OPTIONAL, BOOL_FORMAT),
    Column(
        "date_obtention_diplome_formation", "date_obtention_diplome_formation", Need.OPTIONAL, DATE_FORMAT
    ),
    Column("date_exclusion_formation", "date_exclusion_formation **", Need.IF_EXCLUSION, DATE_FORMAT),
    Column(
        "cause_exclusion_formation",
        "cause_exclusion_formation",
        Need.OPTIONAL,
        "Suite de caractères alphanumériques (champ libre)",
    ),
    Column("formation_presentielle", "formation_presentielle", Need.OPTIONAL, BOOL_FORMAT),
    Column(
        "nom_referent_handicap_formation",
        "nom_referent_handicap_formation",
        Need.OPTIONAL,
        "Séries de lettres",
    ),
    Column(
        "prenom_referent_handicap_formation",
        "prenom_referent_handicap_formation",
        Need.OPTIONAL,
        "Séries de lettres",
    ),
    Column(
        "email_referent_handicap_formation",
        "email_referent_handicap_formation",
        Need.OPTIONAL,
        "Alpha numérique avec un @ et un “.” : texte@texte.texte",
    ),
    Column("contrat_date_debut", "contrat_date_debut **", Need.IF_CONTRACT, DATE_FORMAT),
    Column("contrat_date_fin", "contrat_date_fin **", Need.IF_CONTRACT, DATE_FORMAT),
    Column("siret_employeur", "siret_employeur **", Need.IF_CONTRACT, EMPLOYER_SIRET_FORMAT),
    Column("contrat_date_rupture", "contrat_date_rupture **", Need.IF_RUPTURE, DATE_FORMAT),
    Column(
        "cause_rupture_contrat",
        "cause_rupture_contrat",
        Need.OPTIONAL,
        "nomenclature à fournir ou envoi champ texte libre",
    ),
    Column("contrat_date_debut_2", "contrat_date_debut_2 **", Need.IF_CONTRACT, DATE_FORMAT),
    Column("contrat_date_fin_2", "contrat_date_fin_2**", Need.IF_CONTRACT, DATE_FORMAT),
    Column("siret_employeur_2", "siret_employeur_2 **", Need.IF_CONTRACT, EMPLOYER_SIRET_FORMAT),
    Column("contrat_date_rupture_2", "contrat_date_rupture_2 **", Need.IF_RUPTURE, DATE_FORMAT),
    Column(
        "cause_rupture_contrat_2",
        "cause_rupture_contrat_2",
        Need.OPTIONAL,
        "nomenclature à fournir ou envoi champ texte libre",
    ),
    Column("contrat_date_debut_3", "contrat_date_debut_3 **", Need.IF_CONTRACT, DATE_FORMAT),
    Column("contrat_date_fin_3", "contrat_date_fin_3 **", Need.IF_CONTRACT, DATE_FORMAT),
    Column("siret_employeur_3", "siret_employeur_3 **", Need.IF_CONTRACT, EMPLOYER_SIRET_FORMAT),
    Column("contrat_date_rupture_3", "contrat_date_rupture_3 **", Need.IF_RUPTURE, DATE_FORMAT),
    Column(
        "cause_rupture_contrat_3",
        "cause_rupture_contrat_3",
        Need.OPTIONAL,
        "Suite de caractères alphanumériques",
    ),
    Column("contrat_date_debut_4", "contrat_date_debut_4 **", Need.IF_CONTRACT, DATE_FORMAT),
    Column("contrat_date_fin_4", "contrat_date_fin_4 **", Need.IF_CONTRACT, DATE_FORMAT),
    Column("siret_employeur_4", "siret_employeur_4 **", Need.IF_CONTRACT, EMPLOYER_SIRET_FORMAT),
    Column("contrat_date_rupture_4", "contrat_date_rupture_4 **", Need.IF_RUPTURE, DATE_FORMAT),
    Column(
        "cause_rupture_contrat_4",
        "cause_rupture_contrat_4",
        Need.OPTIONAL,
        "Suite de caractères alphanumériques",
    ),
)
TEMPLATE_COLUMNS = tuple(column.name for column in COLUMNS)
TEMPLATE_HEADERS = tuple(column.header for column in COLUMNS)
BY_NAME = {column.name: column for column in COLUMNS}
KNOWN = frozenset(TEMPLATE_COLUMNS)
# The columns holding a date: a spreadsheet may keep them as serial numbers (45901 is 2025-09-01).
DATE_COLUMNS = frozenset(column.name for column in COLUMNS if column.format == DATE_FORMAT)

# The columns the template requires on every row ("Obligatoire : Oui"): a file without one of them is
# refused as a whole, saying which.
REQUIRED_COLUMNS = tuple(column.name for column in COLUMNS if column.need is Need.ALWAYS)
# The columns that name the training (the RNCP code is required, the CFD tells two trainings apart).
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


# A date as ERPs and spreadsheets write it: 2025-09-01, 01/09/2025, 1.9.2025, 01-09-2025, 01/09/25,
# with or without a time after it (24/12/2004 00:00:00, 2004-12-24T00:00:00).
DATE_PATTERNS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "ymd"),
    (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"), "ymd"),
    (re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})"), "dmy"),
)
TIME_SUFFIX = re.compile(r"(?:[ T]+\d{1,2}[:h]\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)$")


def full_year(year: int) -> int:
    """A two-digit year as spreadsheets read it: 00 to 29 are 2000 to 2029, 30 to 99 are 1930 to 1999."""
    return (2000 if year < 30 else 1900) + year


def parse_date(value: str) -> datetime.date | None:
    value = (value or "").strip()
    if not value:
        return None
    text = TIME_SUFFIX.sub("", value)
    for pattern, order in DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            a, b, c = (int(group) for group in match.groups())
            year, month, day = (a, b, c) if order == "ymd" else (c, b, a)
            if len(match.group(3 if order == "dmy" else 1)) == 2:
                year = full_year(year)
            try:
                return datetime.date(year, month, day)
            except ValueError:
                break
    raise CellError(
        _("« %(value)s » n'est pas une date valide (AAAA-MM-JJ ou JJ/MM/AAAA).") % {"value": value}
    )


# The apostrophe a spreadsheet (or the platform's own export) writes before a value to keep it as text:
# before a formula sign (=, +, -, @) or before digits (a postal code, a phone number).
GUARD = re.compile(r"^'(?=[=+\-@\t\r\d(]|$)")


def unguard(value: str) -> str:
    """``'=SOMME(A1)`` → ``=SOMME(A1)``, ``'01000`` → ``01000``; an apostrophe before a letter (a name
    such as ``'t Hooft``) is kept."""
    return GUARD.sub("", value) if value[:1] == "'" else value


SEPARATORS = re.compile(r"[\s.\-_/\u00a0\u202f]+")


def clean_siret(value: str) -> str:
    """``800.000.020.00019``, ``800 000 020 00019`` or ``800-000-020-00019`` → ``80000002000019``."""
    return SEPARATORS.sub("", unguard((value or "").strip()))


def clean_postal_code(value: str) -> str:
    """``'01000`` → ``01000``; ``1000`` (a spreadsheet kept it as a number) → ``01000``; ``2a004`` →
    ``2A004``."""
    value = re.sub(r"[\s\u00a0\u202f]+", "", unguard((value or "").strip())).upper()
    if re.fullmatch(r"\d{5}\.0+", value):
        value = value.split(".")[0]
    return value.zfill(5) if re.fullmatch(r"\d{4}", value) else value


def clean_phone(value: str) -> str:
    """A phone as the template asks for it: the separators typed (spaces, dots, dashes, brackets) removed,
    the leading zero a spreadsheet dropped put back (``612345678`` → ``0612345678``), the international
    prefix written ``+33`` (``(+)33612345678``, ``0033…`` or ``33612345678`` as a number).
    Anything else is kept as written."""
    text = unguard(" ".join((value or "").split()))
    compact = re.sub(r"[\s.\-()\u00a0\u202f]+", "", text)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if re.fullmatch(r"\d{9}", compact) and compact[0] != "0":
        return "0" + compact
    if re.fullmatch(r"33[1-9]\d{8}", compact):
        return "+" + compact
    if re.fullmatch(r"\+?\d{6,15}", compact):
        return compact
    return text


def same_phone(a: str, b: str) -> bool:
    """Whether two phones are the same number, however written."""
    return clean_phone(a) == clean_phone(b)


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


# Typographic apostrophes and quotes, as a word processor or an ERP writes them.
TYPOGRAPHIC = str.maketrans(
    {"’": "'", "‘": "'", "ʼ": "'", "´": "'", "`": "'", "«": " ", "»": " ", "“": " ", "”": " "}
)


def rupture_cause(value: str) -> str:
    """The contract's rupture cause from the ERP's free label; ``other`` when none is recognised."""
    text = normalize_header(str(value or "").translate(TYPOGRAPHIC)).replace("_", " ")
    for words, cause in RUPTURE_CAUSES:
        if any(word in text for word in words):
            return cause
    return "other"
