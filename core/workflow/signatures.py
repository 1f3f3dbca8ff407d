"""Simple electronic signatures: who, when, by which means, and the SHA-256 of exactly what was signed.

A document says what a signature covers (``signable_content()`` or the like); the canonical JSON of that
content is stored with the signature, so the hash can be checked again at any time.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q

from core.models import Signature


def content_digest(content: dict) -> tuple[str, str]:
    """Canonical JSON of ``content`` and its SHA-256: the same content always gives the same hash."""
    canonical = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder
    )
    return canonical, hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def signature(
    document, content: dict, *, act, signer, name: str, email: str, via: str, **fields
) -> Signature:
    """The signature of ``act`` on ``document``, with the canonical JSON and SHA-256 of ``content``, not
    yet saved (``fields``: ``signed_at`` for a signature written after the fact, in bulk)."""
    canonical, digest = content_digest(content)
    return Signature(
        document_type=ContentType.objects.get_for_model(type(document)),
        document_id=document.pk,
        act=act,
        signer=signer,
        signer_name=name,
        signer_email=email,
        via=via,
        content=canonical,
        content_sha256=digest,
        **fields,
    )


def sign_document(document, content: dict, *, act, signer, name: str, email: str, via: str) -> Signature:
    """Record ``act`` on ``document`` with the canonical JSON and SHA-256 of ``content``."""
    signed = signature(document, content, act=act, signer=signer, name=name, email=email, via=via)
    signed.save(force_insert=True)
    return signed


def is_intact(signature: Signature) -> bool:
    """The signature's content is exactly what was signed: its SHA-256 is the one recorded."""
    return hashlib.sha256(signature.content.encode("utf-8")).hexdigest() == signature.content_sha256


def signatures_of(document):
    return Signature.objects.for_document(document).order_by("signed_at", "pk")


def signatures_by_document(documents) -> dict[tuple[int, int], list[Signature]]:
    """The signatures of ``documents`` (of any kinds), oldest first, by (content type id, document id):
    one query whatever the number of documents and kinds."""
    by_type = defaultdict(list)
    for document in documents:
        by_type[ContentType.objects.get_for_model(type(document)).pk].append(document.pk)
    if not by_type:
        return {}
    condition = Q()
    for type_id, ids in by_type.items():
        condition |= Q(document_type_id=type_id, document_id__in=ids)
    found = defaultdict(list)
    for signature in Signature.objects.filter(condition).order_by("signed_at", "pk"):
        found[(signature.document_type_id, signature.document_id)].append(signature)
    return found
