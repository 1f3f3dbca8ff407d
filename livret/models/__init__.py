"""Le livret d'apprentissage: its documents, one module per subject."""

from livret.models.documents import ActionLink, DocumentQuerySet, Signature, content_digest
from livret.models.sheets import LiaisonSheet, LiaisonSheetQuerySet

__all__ = [
    "ActionLink",
    "DocumentQuerySet",
    "LiaisonSheet",
    "LiaisonSheetQuerySet",
    "Signature",
    "content_digest",
]
