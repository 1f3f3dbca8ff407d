"""Identifiers that pass the platform's validators, made up for the demo (and the benchmark): SIRET
and UAI with their keys, e-mail-safe names, telephone numbers."""

from __future__ import annotations

import random
import unicodedata

from core.validators import LA_POSTE_SIREN, UAI_KEYS, luhn_valid


def luhn_key(payload: str) -> str:
    return next(str(d) for d in range(10) if luhn_valid(f"{payload}{d}"))


def siret_from(siren_payload: str, nic_payload: str) -> str:
    """A SIRET whose SIREN (8 digits + key) and whole number (+ NIC key) both pass Luhn, as real ones do."""
    siren = siren_payload + luhn_key(siren_payload)
    return siren + nic_payload + luhn_key(siren + nic_payload)


def random_siret(rng: random.Random) -> str:
    while True:
        siret = siret_from(str(rng.randrange(3 * 10**7, 9 * 10**7)), f"000{rng.randint(1, 9)}")
        # La Poste's establishments follow another checksum rule.
        if not siret.startswith(LA_POSTE_SIREN):
            return siret


def uai_from(digits: str) -> str:
    return digits + UAI_KEYS[int(digits) % 23]


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(plain.lower().replace("'", " ").split())


def phone(rng: random.Random, prefix: str) -> str:
    return " ".join([prefix, *(f"{rng.randrange(100):02d}" for _ in range(4))])
