"""Validators of French administrative identifiers, with messages in French."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# La Poste's establishments share one SIREN and follow another checksum rule.
LA_POSTE_SIREN = "356000000"
UAI_KEYS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalize_siret(value: str) -> str:
    return re.sub(r"\s+", "", value or "")


def validate_siret(value: str) -> None:
    siret = normalize_siret(value)
    if not re.fullmatch(r"\d{14}", siret):
        raise ValidationError(
            _("Le SIRET doit comporter exactement 14 chiffres (reçu : « %(value)s »)."),
            code="siret_format",
            params={"value": value},
        )
    if siret.startswith(LA_POSTE_SIREN) and siret != "35600000000048":
        valid = sum(int(c) for c in siret) % 5 == 0
    else:
        valid = luhn_valid(siret)
    if not valid:
        raise ValidationError(
            _("Le SIRET « %(value)s » n'est pas valide : sa clé de contrôle (Luhn) est fausse."),
            code="siret_checksum",
            params={"value": value},
        )


def validate_siren(value: str) -> None:
    if not re.fullmatch(r"\d{9}", value or "") or not luhn_valid(value):
        raise ValidationError(_("Le SIREN « %(value)s » n'est pas valide."), params={"value": value})


def validate_uai(value: str) -> None:
    """UAI (ex-RNE): 7 digits and a check letter, the digits modulo 23 in a 23-letter alphabet."""
    uai = (value or "").upper()
    if not re.fullmatch(r"\d{7}[A-Z]", uai):
        raise ValidationError(
            _("Le code UAI doit comporter 7 chiffres suivis d'une lettre (reçu : « %(value)s »)."),
            code="uai_format",
            params={"value": value},
        )
    if UAI_KEYS[int(uai[:7]) % 23] != uai[7]:
        raise ValidationError(
            _("Le code UAI « %(value)s » n'est pas valide : sa lettre de contrôle est fausse."),
            code="uai_checksum",
            params={"value": value},
        )


INE_PATTERNS = (
    # INE-RNIE (university): 10 digits and a key letter; INE-BEA (school): 9 digits and 2 letters;
    # INE-Base 100 (agricultural): 10 characters and a letter; INE apprentissage: 4 digits, "A", 6 chars.
    re.compile(r"\d{9}[A-Z]{2}"),
    re.compile(r"\d{10}[A-Z]"),
    re.compile(r"\d{4}A\d{2}[A-Z0-9]{4}"),
    re.compile(r"[0-9A-Z]{10}[A-Z]"),
)


def normalize_ine(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def validate_ine(value: str) -> None:
    ine = normalize_ine(value)
    if len(ine) != 11:
        raise ValidationError(
            _("L'INE doit comporter 11 caractères (reçu : « %(value)s », %(length)s caractères)."),
            code="ine_length",
            params={"value": value, "length": len(ine)},
        )
    if not any(p.fullmatch(ine) for p in INE_PATTERNS):
        raise ValidationError(
            _(
                "L'INE « %(value)s » n'a pas un format reconnu (des chiffres puis une ou deux lettres "
                "de contrôle)."
            ),
            code="ine_format",
            params={"value": value},
        )


def normalize_rncp(value: str) -> str:
    return re.sub(r"^RNCP", "", re.sub(r"\s+", "", value or "").upper())


def validate_rncp(value: str) -> None:
    if not re.fullmatch(r"\d{4,6}", normalize_rncp(value)):
        raise ValidationError(
            _("Le code RNCP s’écrit « RNCP » suivi de chiffres, ex. RNCP35123 (reçu : « %(value)s »)."),
            code="rncp_format",
            params={"value": value},
        )


def validate_cfd(value: str) -> None:
    if not re.fullmatch(r"[0-9A-Z]{8}", (value or "").upper()):
        raise ValidationError(
            _("Le code CFD (diplôme) doit comporter 8 caractères (reçu : « %(value)s »)."),
            code="cfd_format",
            params={"value": value},
        )


def validate_postal_code(value: str) -> None:
    if not re.fullmatch(r"(?:\d{5}|2[AB]\d{3})", value or ""):
        raise ValidationError(
            _("Le code postal doit comporter 5 chiffres (reçu : « %(value)s »)."), params={"value": value}
        )


def validate_academic_year_label(value: str) -> None:
    match = re.fullmatch(r"(\d{4})-(\d{4})", value or "")
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise ValidationError(
            _("L'année scolaire s'écrit AAAA-AAAA avec deux années consécutives, par exemple 2025-2026."),
            params={"value": value},
        )


# Control characters (Unicode category Cc): NUL, the other C0 codes, DEL and the C1 codes. Line breaks
# and tabs are ordinary in multi-line text; in a single-line field they are refused too, as a CR/LF in a
# name would reach mail headers.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
SINGLE_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


PHONE_CHARACTERS = re.compile(r"^\+?[0-9 .()\-]+$")


def validate_phone(value: str) -> None:
    """A telephone number as people write it (« 06 12 34 56 78 », « +33 6 12 34 56 78 »): digits with
    spaces, dots, dashes or parentheses, an optional leading « + », 6 to 15 digits (ITU E.164)."""
    digits = sum(character.isdigit() for character in value)
    if not PHONE_CHARACTERS.match(value) or not 6 <= digits <= 15:
        raise ValidationError(
            _("Saisissez un numéro de téléphone : des chiffres (6 à 15), avec espaces ou « + » au début.")
        )


def has_control_characters(value: str) -> bool:
    """Whether ``value`` holds a control character other than a line break or a tab."""
    return bool(CONTROL_CHARACTERS.search(value))


def validate_single_line(value) -> None:
    if isinstance(value, str) and SINGLE_LINE_FORBIDDEN.search(value):
        raise ValidationError(
            _(
                "Ce champ tient sur une ligne : retirez les retours à la ligne, tabulations et "
                "caractères de contrôle."
            ),
            code="control_characters",
        )


def validate_multiline_text(value) -> None:
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(
            _(
                "Ce texte contient un caractère de contrôle invisible : retirez-le (copié depuis un "
                "autre logiciel ?)."
            ),
            code="control_characters",
        )
