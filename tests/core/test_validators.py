import pytest
from django.core.exceptions import ValidationError

from core.validators import (
    normalize_siret,
    validate_academic_year_label,
    validate_ine,
    validate_postal_code,
    validate_rncp,
    validate_siret,
    validate_uai,
)
from tests.employers.factories import valid_siret


def error_code(validator, value):
    with pytest.raises(ValidationError) as info:
        validator(value)
    return info.value.error_list[0].code


def error_message(validator, value):
    with pytest.raises(ValidationError) as info:
        validator(value)
    return info.value.messages[0]


@pytest.mark.parametrize("siret", ["73282932000074", "44306184100047", "40000000000010"])
def test_siret_with_a_valid_luhn_key_is_accepted(siret):
    validate_siret(siret)


def test_siret_with_a_wrong_luhn_key_is_refused_with_a_french_message():
    assert error_code(validate_siret, "73282932000075") == "siret_checksum"
    assert "clé de contrôle (Luhn) est fausse" in error_message(validate_siret, "73282932000075")


@pytest.mark.parametrize("siret", ["7328293200007", "732829320000745", "", "7328293200007A"])
def test_siret_without_exactly_fourteen_digits_is_refused(siret):
    assert error_code(validate_siret, siret) == "siret_format"
    assert "exactement 14 chiffres" in error_message(validate_siret, siret)


def test_siret_spaces_are_normalised_before_checking():
    assert normalize_siret(" 732 829 320\t00074 ") == "73282932000074"
    validate_siret("732 829 320 00074")


def test_la_poste_establishment_follows_the_digit_sum_rule_not_luhn():
    # 35600000000001: digit sum 15 (a multiple of 5) but a wrong Luhn key.
    validate_siret("35600000000001")


def test_la_poste_establishment_with_a_luhn_key_but_a_wrong_digit_sum_is_refused():
    # 35600000000014 passes Luhn, but its digit sum (19) is not a multiple of 5.
    assert error_code(validate_siret, "35600000000014") == "siret_checksum"


def test_la_poste_head_office_keeps_the_luhn_rule():
    validate_siret("35600000000048")


def test_generated_sirets_of_the_factories_are_valid():
    for n in range(500):
        validate_siret(valid_siret(n))


@pytest.mark.parametrize("uai", ["0751234J", "0751234j"])
def test_uai_with_the_right_check_letter_is_accepted(uai):
    validate_uai(uai)


def test_uai_with_a_wrong_check_letter_is_refused():
    assert error_code(validate_uai, "0751234K") == "uai_checksum"
    assert "lettre de contrôle est fausse" in error_message(validate_uai, "0751234K")


@pytest.mark.parametrize("uai", ["751234J", "07512345", "0751234JJ", ""])
def test_uai_of_the_wrong_shape_is_refused(uai):
    assert error_code(validate_uai, uai) == "uai_format"


@pytest.mark.parametrize(
    "ine",
    [
        "1234567890A",  # INE-RNIE: 10 digits and a key letter
        "123456789AB",  # INE-BEA: 9 digits and 2 letters
        "2024A12AB3C",  # INE apprentissage
        "12AB567890K",  # INE-Base 100
        "123 456 789 ab",  # spaces and lower case are normalised
    ],
)
def test_ine_of_a_known_format_is_accepted(ine):
    validate_ine(ine)


@pytest.mark.parametrize("ine", ["1234567890", "1234567890AB", "12345"])
def test_ine_of_the_wrong_length_is_refused_with_its_length(ine):
    assert error_code(validate_ine, ine) == "ine_length"
    assert "11 caractères" in error_message(validate_ine, ine)


def test_ine_of_eleven_characters_in_an_unknown_format_is_refused():
    assert error_code(validate_ine, "ABCDEFGHIJ1") == "ine_format"


@pytest.mark.parametrize("rncp", ["RNCP35123", "35123", "rncp 35123", "RNCP1234", "RNCP123456"])
def test_rncp_code_is_accepted_with_or_without_its_prefix(rncp):
    validate_rncp(rncp)


@pytest.mark.parametrize("rncp", ["RNCP", "RNCP123", "RNCP1234567", "RNCPABCDE", "RS5123"])
def test_malformed_rncp_code_is_refused(rncp):
    assert error_code(validate_rncp, rncp) == "rncp_format"


@pytest.mark.parametrize("code", ["75011", "97400", "2A004", "2B033"])
def test_postal_code_of_five_digits_or_corsica_is_accepted(code):
    validate_postal_code(code)


@pytest.mark.parametrize("code", ["7501", "750110", "ABCDE", "2C004", ""])
def test_malformed_postal_code_is_refused(code):
    assert "5 chiffres" in error_message(validate_postal_code, code)


def test_academic_year_label_needs_two_consecutive_years():
    validate_academic_year_label("2025-2026")
    with pytest.raises(ValidationError):
        validate_academic_year_label("2025-2027")
