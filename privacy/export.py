"""An apprentice's personal data on request (RGPD, droit d'accès et à la portabilité): a JSON archive
and a readable PDF of the same content.

Everything is read through the apps' selectors and ``visible_to(by)``: identity, account, legal
representatives, contracts, every document of the booklet in every version and state with its
signatures (signer, date, SHA-256 of the content signed, checked again), and the audit events about
them. Nothing is stored: the file is built for the download, and the export itself is audited.
"""

from __future__ import annotations

import datetime
import decimal
import json
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apprentices.selectors import apprentice_record
from core import copies
from core.audit import AuditEvent, record
from core.pdf import render_pdf
from core.workflow.signatures import is_intact, signatures_by_document
from jobs.models import AlumniLink, Digest, OfferPageVisit
from livret.selectors import apprentice_documents

FORMAT = "livret-apprentissage/donnees-personnelles/1"
# Never part of an archive: secrets, the bookkeeping of drafts, and the copies the database keeps for
# sorting (``core.copies``).
LEFT_OUT = {"password", "revision", *copies.FIELDS}
# The apprentice's own account: what it says about them, not how it is secured.
ACCOUNT_FIELDS = ("email", "first_name", "last_name", "phone", "is_active", "date_joined", "last_login")
SIGNED_KINDS = ("sheets", "visits", "missions", "evaluations")
# Labels of the fields declared without a French name (dates and authors the models keep for themselves).
LABELS = {
    "apprentice": gettext_lazy("apprenti"),
    "created_at": gettext_lazy("créé le"),
    "updated_at": gettext_lazy("modifié le"),
    "submitted_at": gettext_lazy("transmis le"),
    "countersigned_at": gettext_lazy("contresigné le"),
    "reviewed_at": gettext_lazy("lu le"),
    "acknowledged_at": gettext_lazy("lu par tous le"),
    "tutor_submitted_at": gettext_lazy("évaluation du maître d'apprentissage le"),
    "apprentice_submitted_at": gettext_lazy("auto-évaluation le"),
    "closed_by": gettext_lazy("close par"),
    "last_edited_by": gettext_lazy("dernière modification par"),
    "submitted_by": gettext_lazy("transmis par"),
    "decided_by": gettext_lazy("décidé par"),
    "recorded_by": gettext_lazy("noté par"),
    "recorded_at": gettext_lazy("noté le"),
}


def _jsonable(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date | datetime.timedelta | decimal.Decimal):
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    return value


def _fields(obj, only=None) -> dict:
    """The concrete fields of ``obj`` by name (a relation by its id), secrets left out."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.name in LEFT_OUT or (only is not None and field.name not in only):
            continue
        values[field.attname] = _jsonable(getattr(obj, field.attname))
    return values


def _display(obj, only=None) -> list[tuple[str, str]]:
    """The same fields as (label, text) for the PDF: choices by their label, a relation by its name when
    it was read with the object (never a query per field), empty values left out."""
    rows = []
    for field in obj._meta.concrete_fields:
        if field.name in LEFT_OUT or field.primary_key or (only is not None and field.name not in only):
            continue
        if isinstance(field, models.ForeignKey):
            if not field.is_cached(obj) or getattr(obj, field.name) is None:
                continue
            text = str(getattr(obj, field.name))
        elif field.choices:
            text = str(getattr(obj, f"get_{field.name}_display")())
        else:
            value = getattr(obj, field.attname)
            if value in (None, ""):
                continue
            if isinstance(value, bool):
                text = _("oui") if value else _("non")
            elif isinstance(value, datetime.datetime):
                text = timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
            elif isinstance(value, datetime.date):
                text = value.strftime("%d/%m/%Y")
            else:
                text = str(value)
        label = field.verbose_name
        if str(label) == field.name.replace("_", " "):  # declared without a name of its own
            label = LABELS.get(field.name, label)
        rows.append((capfirst(label), text))
    return rows


def _signatures(documents) -> dict[tuple[int, int], list[dict]]:
    """The signatures of ``documents`` as the document shows them, by (content type id, document id)."""
    return {
        key: [
            {
                "act": signature.act,
                "act_label": str(signature.get_act_display()),
                "signer": signature.signer_name,
                "signer_email": signature.signer_email,
                "via": str(signature.get_via_display()),
                "signed_at": timezone.localtime(signature.signed_at),
                "sha256": signature.content_sha256,
                "verified": is_intact(signature),
            }
            for signature in signatures
        ]
        for key, signatures in signatures_by_document(documents).items()
    }


def _audit_events(targets) -> list[AuditEvent]:
    """The audit events about ``targets`` (objects of any kinds), oldest first: one query."""
    by_type = defaultdict(list)
    for target in targets:
        by_type[ContentType.objects.get_for_model(type(target)).pk].append(target.pk)
    condition = Q(pk__in=[])
    for type_id, ids in by_type.items():
        condition |= Q(target_type_id=type_id, target_id__in=ids)
    return list(AuditEvent.objects.filter(condition).select_related("actor").order_by("created_at", "pk"))


def collect(apprentice, *, by) -> dict:
    """Everything the platform holds on ``apprentice`` that ``by`` may see, as plain objects: the
    archive and the PDF are both written from it."""
    person = apprentice_record(apprentice, by)
    documents = apprentice_documents(apprentice, by)
    signed = [doc for kind in SIGNED_KINDS for doc in documents[kind]]
    signatures = _signatures(signed)
    for doc in signed:
        doc.signature_records = signatures.get((ContentType.objects.get_for_model(type(doc)).pk, doc.pk), [])
    account = person["account"]
    targets = [
        apprentice,
        *person["legal_representatives"],
        *person["contracts"],
        *([account] if account else []),
        *(doc for kind in documents.values() for doc in kind),
    ]
    return {**person, **documents, **_job_offers(apprentice), "audit_events": _audit_events(targets)}


def _job_offers(apprentice) -> dict:
    """What the job offers keep of a former apprentice: the weekly digests mailed to them (with the
    offers each carried), their visits of the offers page, and whether they opted out."""
    link = AlumniLink.objects.filter(apprentice=apprentice).first()
    return {
        "job_digests": list(
            Digest.objects.filter(apprentice=apprentice).prefetch_related("offers__employer").order_by("week")
        ),
        "offer_visits": list(OfferPageVisit.objects.filter(apprentice=apprentice).order_by("day")),
        "job_digest_unsubscribed_at": link.unsubscribed_at if link else None,
    }


def _document(doc, **extra) -> dict:
    row = {"id": doc.pk, **_fields(doc), **extra}
    if hasattr(doc, "signature_records"):
        row["signatures"] = doc.signature_records
    return row


def archive(data: dict, *, by) -> dict:
    """The JSON archive of what :func:`collect` read."""
    apprentice, account = data["apprentice"], data["account"]
    return {
        "format": FORMAT,
        "generated_at": _jsonable(timezone.now()),
        "generated_by": str(by),
        "apprentice": {
            **_fields(apprentice),
            "cohort": str(apprentice.cohort) if apprentice.cohort_id else None,
            "option": str(apprentice.option) if apprentice.option_id else None,
        },
        "account": _fields(account, only=ACCOUNT_FIELDS) if account else None,
        "legal_representatives": [_fields(rep) for rep in data["legal_representatives"]],
        "contracts": [
            {
                **_fields(c),
                "employer": c.employer.legal_name,
                "diploma": f"{c.diploma.code} — {c.diploma.title}",
                "company_tutor": str(c.company_tutor) if c.company_tutor else None,
                "school_tutor": str(c.school_tutor) if c.school_tutor else None,
            }
            for c in data["contracts"]
        ],
        "liaison_sheets": [
            _document(s, period=[_jsonable(s.period.start_date), _jsonable(s.period.end_date)])
            for s in data["sheets"]
        ],
        "visits": [_document(v) for v in data["visits"]],
        "visit_actions": [_document(a) for a in data["actions"]],
        "mission_descriptions": [
            _document(
                m,
                academic_year=str(m.academic_year),
                decisions=[{"id": d.pk, **_fields(d)} for d in m.decisions.all()],
            )
            for m in data["missions"]
        ],
        "evaluations": [
            _document(
                e,
                period=[_jsonable(e.period.start_date), _jsonable(e.period.end_date)],
                ratings=[
                    {
                        "competence": f"{r.competence.code} — {r.competence.title}",
                        "rater": r.rater,
                        "level": r.level,
                        "level_label": str(r.get_level_display()),
                    }
                    for r in e.ratings.all()
                ],
            )
            for e in data["evaluations"]
        ],
        "grid_sharings": [_document(g) for g in data["grid_sharings"]],
        "job_offers": {
            "digests": [
                {
                    "week": _jsonable(d.week),
                    "sent_at": _jsonable(d.sent_at),
                    "offers": [f"{o.title} — {o.employer}" for o in d.offers.all()],
                }
                for d in data["job_digests"]
            ],
            "visits": [{"day": _jsonable(v.day), "via": v.via} for v in data["offer_visits"]],
            "unsubscribed_at": _jsonable(data["job_digest_unsubscribed_at"]),
        },
        "audit_events": [
            {
                "at": _jsonable(event.created_at),
                "action": event.action,
                "label": str(event.verb),
                "by": event.actor_label,
                "object": event.target_repr,
                "data": event.data,
            }
            for event in data["audit_events"]
        ],
    }


def archive_json(apprentice, *, by) -> bytes:
    """The archive as UTF-8 JSON, and the export audited."""
    content = archive(collect(apprentice, by=by), by=by)
    record("privacy.personal_data.exported", apprentice, {"format": "json"}, actor=by)
    return json.dumps(content, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


def _pdf_documents(docs, title_of) -> list[dict]:
    return [
        {"title": title_of(doc), "rows": _display(doc), "signatures": getattr(doc, "signature_records", None)}
        for doc in docs
    ]


def personal_data_pdf(apprentice, *, by) -> bytes:
    """The same content as the archive, to read: one section per kind of record. The export is audited."""
    data = collect(apprentice, by=by)
    account = data["account"]
    chapters = [
        {
            "key": "sheets",
            "title": _("Fiches de liaison"),
            "documents": _pdf_documents(
                data["sheets"], lambda s: f"{s} — {_('version')} {s.version} — {s.get_status_display()}"
            ),
        },
        {
            "key": "visits",
            "title": _("Visites en entreprise"),
            "documents": _pdf_documents(data["visits"], lambda v: f"{v} — {v.get_status_display()}"),
        },
        {
            "key": "actions",
            "title": _("Actions de suivi"),
            "documents": _pdf_documents(data["actions"], str),
        },
        {
            "key": "missions",
            "title": _("Descriptions des missions"),
            "documents": [
                {
                    **entry,
                    "extra": [
                        (str(d.get_outcome_display()), d.decided_at, d.comment)
                        for d in mission.decisions.all()
                    ],
                }
                for entry, mission in zip(
                    _pdf_documents(
                        data["missions"],
                        lambda m: f"{m} — {_('version')} {m.version} — {m.get_status_display()}",
                    ),
                    data["missions"],
                    strict=True,
                )
            ],
        },
        {
            "key": "evaluations",
            "title": _("Grilles d'évaluation"),
            "documents": [
                {
                    **entry,
                    "ratings": [
                        (
                            f"{r.competence.code} — {r.competence.title}",
                            r.get_rater_display(),
                            r.get_level_display(),
                        )
                        for r in evaluation.ratings.all()
                    ],
                }
                for entry, evaluation in zip(
                    _pdf_documents(data["evaluations"], lambda e: f"{e} — {e.get_status_display()}"),
                    data["evaluations"],
                    strict=True,
                )
            ],
        },
        {
            "key": "grid",
            "title": _("Partage de la grille d'évaluation"),
            "documents": _pdf_documents(data["grid_sharings"], str),
        },
    ]
    content = render_pdf(
        "privacy/pdf/personal_data.html",
        {
            "apprentice": apprentice,
            "identity": _display(apprentice),
            "account": _display(account, only=ACCOUNT_FIELDS) if account else None,
            "legal_representatives": [(str(rep), _display(rep)) for rep in data["legal_representatives"]],
            "contracts": [(str(c), _display(c)) for c in data["contracts"]],
            "chapters": chapters,
            "audit_events": data["audit_events"],
            "cover_facts": [
                (_("Apprenti"), str(apprentice)),
                (_("Organisation"), apprentice.organisation.name),
            ],
        },
        title=_("Données personnelles"),
        subject=str(apprentice),
        author=apprentice.organisation.name,
        by=by,
    )
    record("privacy.personal_data.exported", apprentice, {"format": "pdf"}, actor=by)
    return content
