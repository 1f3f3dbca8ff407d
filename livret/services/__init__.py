"""Workflows of the booklet's documents, one module per subject.

The liaison sheet's functions are re-exported here (``services.submit``, ``services.countersign``):
they were the first, and the sheet is the document people mean by "the booklet".
"""

from livret.services.common import InvalidTransition, sign_document, signatures_of
from livret.services.sheets import (
    StaleDraft,
    correct,
    countersign,
    open_due_sheets,
    return_to_apprentice,
    review,
    save_draft,
    sheet_due_date,
    sign,
    submit,
)

__all__ = [
    "InvalidTransition",
    "StaleDraft",
    "correct",
    "countersign",
    "open_due_sheets",
    "return_to_apprentice",
    "review",
    "save_draft",
    "sheet_due_date",
    "sign",
    "sign_document",
    "signatures_of",
    "submit",
]
