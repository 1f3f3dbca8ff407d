"""Evidence of the trajectory: the documents uploaded (checked by their content, kept outside the web
root) and the attestations of the checklist points."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record
from core.models import AcademicYear
from core.workflow import Refusal, message_of
from quality import perms
from quality.models import Attestation, Evidence, EvidenceKind, Requirement
from quality.services.checks import ensure_may_edit, ensure_open, ensure_requirement_of
from quality.uploads import UploadRefused, check_upload


def add_evidence(
    *, organisation_id, diploma, year, kind, title, upload, attested_on, valid_until=None, by
) -> Evidence:
    """Store an uploaded document (checked by its content) and record it. The file is written first,
    then the row in a transaction; if the row cannot be written, the file is removed."""
    if diploma is not None:
        ensure_may_edit(by, diploma)
        organisation_id = diploma.organisation_id
    elif not perms.can_act_for_establishment(by, organisation_id):
        raise PermissionDenied(_("Seule l'équipe du CFA dépose une preuve pour tout l'établissement."))
    ensure_open(organisation_id, year)
    if kind not in EvidenceKind.values:
        raise Refusal(_("Choisissez le type de document."))
    title = (title or "").strip()
    if not title:
        raise Refusal(_("Donnez un intitulé au document."))
    if attested_on is None:
        raise Refusal(_("Indiquez la date du document."))
    if valid_until is not None and valid_until < attested_on:
        raise Refusal(_("La fin de validité ne peut précéder la date du document."))
    if attested_on > year.end_date or (valid_until or year.end_date) < year.start_date:
        raise Refusal(_("Ce document ne couvre pas l'année %(year)s : vérifiez ses dates.") % {"year": year})
    try:
        checked = check_upload(upload)
    except UploadRefused as error:
        # The file's check speaks as a form validator would; the write refuses the one way every
        # write does.
        raise Refusal(message_of(error)) from error
    evidence = Evidence(
        organisation_id=organisation_id,
        diploma=diploma,
        academic_year=year,
        kind=kind,
        title=title[:200],
        token=secrets.token_hex(16),
        extension=checked.extension,
        original_name=(upload.name or "document")[-255:],
        size=checked.size,
        content_type=checked.content_type,
        sha256=checked.sha256,
        attested_by=by,
        attested_on=attested_on,
        valid_until=valid_until if valid_until is not None else year.end_date,
        uploaded_by=by,
    )
    # The stored name comes from the random token (quality.models.evidence_path), never from the upload.
    evidence.file.save("upload", upload, save=False)
    try:
        with transaction.atomic():
            evidence.save()
            record(
                "quality.evidence.created",
                evidence,
                {"kind": kind, "year": year.label, "sha256": checked.sha256, "size": checked.size},
                actor=by,
            )
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence


def attest(*, requirement: Requirement, diploma, year: AcademicYear, statement: str, by) -> Attestation:
    ensure_may_edit(by, diploma)
    ensure_open(diploma.organisation_id, year)
    if requirement.kind != Requirement.Kind.CHECKLIST:
        raise Refusal(_("Ce point ne s'atteste pas : il se calcule ou se prouve par un document."))
    ensure_requirement_of(requirement, diploma, year)
    statement = (statement or "").strip()
    if not statement:
        raise Refusal(_("Dites en une phrase comment ce point est tenu : c'est ce que lira l'auditeur."))
    try:
        with transaction.atomic():
            attestation = Attestation.objects.create(
                requirement=requirement,
                diploma=diploma,
                academic_year=year,
                statement=statement[:500],
                attested_by=by,
            )
            record(
                "quality.attestation.created",
                diploma,
                {
                    "requirement": requirement.code or requirement.pk,
                    "year": year.label,
                    "statement": statement,
                },
                actor=by,
            )
    except IntegrityError:
        raise Refusal(_("Ce point est déjà attesté pour cette année.")) from None
    return attestation


def withdraw_attestation(*, attestation: Attestation, by) -> None:
    ensure_may_edit(by, attestation.diploma)
    ensure_open(attestation.diploma.organisation_id, attestation.academic_year)
    with transaction.atomic():
        updated = Attestation.objects.filter(pk=attestation.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), withdrawn_by=by
        )
        if not updated:
            raise Refusal(_("Cette attestation est déjà retirée."))
        record(
            "quality.attestation.withdrawn",
            attestation.diploma,
            {
                "requirement": attestation.requirement.code or attestation.requirement_id,
                "year": attestation.academic_year.label,
            },
            actor=by,
        )
