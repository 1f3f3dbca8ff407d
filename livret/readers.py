"""Who reads a visit report and must acknowledge it, and whether they have.

The apprentice and the company tutor acknowledge every shared report; when the apprentice is a minor,
each legal representative too. The apprentice acts from their account, the others from an emailed link.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.models import Signature


@dataclass(frozen=True)
class Reader:
    """Someone who acknowledges a report: ``role`` is apprentice, company_tutor or legal_representative."""

    role: str
    email: str
    name: str
    first_name: str
    user_id: int | None = None
    also_email: str = ""  # the apprentice's address on their record, when their account has another


def readers(contract, legal_representatives: Iterable | None = None) -> list[Reader]:
    """Who acknowledges a report of ``contract``: the apprentice and the company tutor, and each legal
    representative when the apprentice is a minor (``legal_representatives``: pass them to save the
    query)."""
    apprentice, tutor = contract.apprentice, contract.company_tutor
    user = apprentice.user
    people = [
        Reader(
            "apprentice",
            (user.email if user else apprentice.email).lower(),
            str(apprentice),
            apprentice.first_name,
            apprentice.user_id,
            also_email=apprentice.email.lower(),
        )
    ]
    if tutor is not None and tutor.email:
        people.append(
            Reader("company_tutor", tutor.email.lower(), str(tutor), tutor.first_name, tutor.user_id)
        )
    if apprentice.is_minor:
        if legal_representatives is None:
            legal_representatives = apprentice.legal_representatives.all()
        people.extend(
            Reader("legal_representative", r.email.lower(), str(r), r.first_name)
            for r in legal_representatives
            if r.email
        )
    return people


def link_readers(contract, legal_representatives=None) -> list[Reader]:
    """Those who get an emailed link: everyone but the apprentice, who has an account."""
    return [r for r in readers(contract, legal_representatives) if r.role != "apprentice"]


def has_acknowledged(reader: Reader, signatures: Iterable[Signature]) -> bool:
    return any(
        s.act == Signature.Act.ACKNOWLEDGE
        and (
            s.signer_email.lower() in {reader.email, reader.also_email or reader.email}
            or (reader.user_id is not None and s.signer_id == reader.user_id)
        )
        for s in signatures
    )
