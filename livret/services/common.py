"""What every booklet workflow shares: its refusal, and the signature of exactly what is signed."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from livret.models import Signature, content_digest


class InvalidTransition(Exception):
    """The document is not in a state that allows this action; ``message`` is in French."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def sign_document(document, content: dict, *, act, signer, name: str, email: str, via: str) -> Signature:
    """Record ``act`` on ``document`` with the canonical JSON and SHA-256 of ``content``."""
    canonical, digest = content_digest(content)
    return Signature.objects.create(
        document_type=ContentType.objects.get_for_model(type(document)),
        document_id=document.pk,
        act=act,
        signer=signer,
        signer_name=name,
        signer_email=email,
        via=via,
        content=canonical,
        content_sha256=digest,
    )


def signatures_of(document):
    return Signature.objects.for_document(document).order_by("signed_at", "pk")
