"""Erasure of expired personal data (RGPD, durée de conservation).

Once every contract of an apprentice ended more than ``RETENTION_YEARS`` ago (none running, none
ended later), their identity is anonymised; the rows stay, so that every figure of the dashboards and
of the trajectoire qualité stays the same:

- the apprentice: a pseudonym for the names, an address that cannot receive mail, no phone, no postal
  address, no INE, the birth date reduced to the 1st of January of its year (sex, cohort, option and
  the RQTH flag stay: the statistics count them, and they identify no one without the rest);
- their legal representatives (a minor's), the same;
- their account: deactivated, its address replaced, its names, phone, password, e-mail addresses and
  second factors removed;
- the copies of these: the signer named on their signatures, the recipients of emailed links and
  reminders, the audit events about them and their booklet (their labels and recorded values), the
  rows of the fichiers d'effectifs imported that read them;
- the free-text remarks left on their documents outside what was signed (a school tutor's comment, a
  reason for returning or cancelling).

What was signed stays as it was signed: a signature's content and its SHA-256 are not touched, so every
signature can still be checked against its hash (``core.workflow.signatures.is_intact``). Each
apprentice is erased in one transaction, row locked, and recorded once (:class:`privacy.models.Erasure`):
a second run, or two runs at once, change nothing more. The erasure is audited without personal data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce

from apprentices.models import Apprentice, Contract, LegalRepresentative
from core.audit import AuditEvent, record
from core.models import ActionLink, Signature, User, UserRole
from core.perms import is_platform_admin
from interop.models import ImportRow
from livret.models import (
    ActionItem,
    Evaluation,
    GridSharing,
    LiaisonSheet,
    MissionDecision,
    MissionDescription,
    Reminder,
    VisitReport,
)
from privacy.models import Erasure

ERASED = "[effacé]"
# The fields of a person's row (apprentice, legal representative, account) whose recorded values an
# audit event loses, whatever they were at the time.
PERSONAL_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "email",
        "phone",
        "address",
        "postal_code",
        "city",
        "ine",
        "birth_date",
        "relationship",
        "training_exit_reason",
    }
)
PSEUDONYM_DOMAIN = "anonyme.invalid"
SIGNED_DOCUMENTS = (LiaisonSheet, VisitReport, MissionDescription, Evaluation)
BOOKLET_DOCUMENTS = (*SIGNED_DOCUMENTS, ActionItem, GridSharing)


@dataclass
class ErasureResult:
    apprentices: int = 0
    legal_representatives: int = 0
    accounts: int = 0
    signatures: int = 0
    audit_events: int = 0
    import_rows: int = 0

    def add(self, other: ErasureResult) -> None:
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


def cutoff(today: datetime.date) -> datetime.date:
    """Contracts that ended before this day ended more than ``RETENTION_YEARS`` ago."""
    years = settings.RETENTION_YEARS
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February, in a year that has none
        return today.replace(year=today.year - years, day=28)


def organisation_of(user) -> int | None:
    """The organisation whose data ``user`` erases from the staff page: a platform administrator's
    covers every organisation (None)."""
    return None if is_platform_admin(user) else user.organisation_id


def expired(today: datetime.date, *, organisation: int | None = None):
    """Apprentices not yet erased with at least one contract, every one ended before :func:`cutoff`
    and none still marked running."""
    limit = cutoff(today)
    contracts = Contract.objects.filter(apprentice=OuterRef("pk"))
    recent = contracts.annotate(ended=Coalesce("rupture_date", "planned_end_date")).filter(
        Q(status=Contract.Status.ACTIVE) | Q(ended__gte=limit)
    )
    apprentices = (
        Apprentice.objects.filter(Exists(contracts))
        .exclude(Exists(recent))
        .exclude(Exists(Erasure.objects.filter(apprentice=OuterRef("pk"))))
    )
    if organisation is not None:
        apprentices = apprentices.filter(organisation_id=organisation)
    return apprentices


def plan(today: datetime.date, *, organisation: int | None = None) -> ErasureResult:
    """What :func:`erase_expired` would anonymise today, counted (three queries)."""
    apprentices = expired(today, organisation=organisation)
    return ErasureResult(
        apprentices=apprentices.count(),
        legal_representatives=LegalRepresentative.objects.filter(apprentice__in=apprentices).count(),
        accounts=apprentices.filter(user__isnull=False).count(),
    )


def erase_expired(
    today: datetime.date, *, organisation: int | None = None, by=None, dry_run: bool = False
) -> ErasureResult:
    """Anonymise every apprentice whose contracts all ended more than ``RETENTION_YEARS`` before
    ``today`` (of one organisation, or all), one transaction each. ``dry_run``: only count them."""
    if dry_run:
        return plan(today, organisation=organisation)
    result = ErasureResult()
    for pk in expired(today, organisation=organisation).order_by("pk").values_list("pk", flat=True):
        done = _erase(pk, today, by=by)
        if done is not None:
            result.add(done)
    return result


def recent_erasures(organisation: int | None, limit: int = 20):
    erasures = Erasure.objects.select_related("apprentice")
    if organisation is not None:
        erasures = erasures.filter(apprentice__organisation_id=organisation)
    return erasures[:limit]


# One apprentice -----------------------------------------------------------------------------------


def _pseudonym_email(kind: str, pk: int) -> str:
    return f"{kind}-{pk}@{PSEUDONYM_DOMAIN}"


def _documents_q(apprentice_id: int) -> Q:
    """Rows attached to one of the apprentice's signed documents (signatures, links, reminders)."""
    condition = Q(pk__in=[])
    for model in SIGNED_DOCUMENTS:
        condition |= Q(
            document_type=ContentType.objects.get_for_model(model),
            document_id__in=model.objects.filter(contract__apprentice_id=apprentice_id).values("pk"),
        )
    return condition


def _email_q(field: str, emails) -> Q:
    condition = Q(pk__in=[])
    for email in emails:
        if email:
            condition |= Q(**{f"{field}__iexact": email})
    return condition


class _Scrubber:
    """Replaces the identity of the people erased in the values an audit event recorded: a value that
    contains an e-mail address, a phone number, a full name, an address or an INE loses it; a value
    that is exactly one of their names, birth date, postal code or city is erased."""

    def __init__(self, inside: set[str], exact: set[str]):
        self.inside = sorted(
            (v for v in inside if v and len(v) >= 4 and v.casefold() not in ERASED.casefold()),
            key=len,
            reverse=True,
        )
        self.exact = {v.casefold() for v in exact if v}

    def text(self, value: str) -> str:
        if value.casefold() in self.exact:
            return ERASED
        for secret in self.inside:
            if secret.casefold() in value.casefold():
                start = value.casefold().index(secret.casefold())
                value = value[:start] + ERASED + value[start + len(secret) :]
                return self.text(value)
        return value

    def value(self, value):
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value


def _erase(pk: int, today: datetime.date, *, by=None) -> ErasureResult | None:
    """Anonymise apprentice ``pk`` if they are still due, under a lock; None when another run did it
    first or they are no longer due (a contract recorded meanwhile)."""
    with transaction.atomic():
        apprentice = Apprentice.objects.select_for_update().filter(pk=pk).first()
        if apprentice is None or not expired(today).filter(pk=pk).exists():
            return None
        representatives = list(LegalRepresentative.objects.filter(apprentice_id=pk).order_by("pk"))
        account = User.objects.filter(pk=apprentice.user_id).first() if apprentice.user_id else None
        contracts = list(Contract.objects.filter(apprentice_id=pk).select_related("employer"))
        result = ErasureResult(
            apprentices=1, legal_representatives=len(representatives), accounts=int(bool(account))
        )

        people = [_person_of_apprentice(apprentice, account)] + [_person_of(rep) for rep in representatives]
        scrubber = _Scrubber(
            inside={v for person in people for v in person["inside"]},
            exact={v for person in people for v in person["exact"]},
        )

        # The identities.
        Apprentice.objects.filter(pk=pk).update(**people[0]["fields"])
        for rep, person in zip(representatives, people[1:], strict=True):
            LegalRepresentative.objects.filter(pk=rep.pk).update(**person["fields"])
        if account is not None:
            User.objects.filter(pk=account.pk).update(
                email=_pseudonym_email("compte", account.pk),
                first_name="",
                last_name="",
                phone="",
                is_active=False,
                password=make_password(None),
            )
            EmailAddress.objects.filter(user_id=account.pk).delete()
            Authenticator.objects.filter(user_id=account.pk).delete()

        # Their copies on the booklet's documents: signers, links, reminders.
        documents = _documents_q(pk)
        for person in people:
            mine = _email_q("signer_email", person["emails"])
            if person is people[0] and account is not None:
                mine |= Q(signer_id=account.pk)
            result.signatures += Signature.objects.filter(documents & mine).update(
                signer_name=person["name"], signer_email=person["email"]
            )
            ActionLink.objects.filter(documents & _email_q("recipient_email", person["emails"])).update(
                recipient_name=person["name"], recipient_email=person["email"]
            )
            Reminder.objects.filter(documents & _email_q("recipient_email", person["emails"])).update(
                recipient_name=person["name"], recipient_email=person["email"]
            )

        # Remarks outside what was signed.
        LiaisonSheet.objects.filter(contract__apprentice_id=pk).update(school_comment="", return_reason="")
        MissionDescription.objects.filter(contract__apprentice_id=pk).update(return_comment="")
        MissionDecision.objects.filter(mission__contract__apprentice_id=pk).update(comment="")
        VisitReport.objects.filter(contract__apprentice_id=pk).update(cancel_reason="")

        # The rows of the fichiers d'effectifs that named them.
        result.import_rows = _scrub_import_rows(apprentice, people[0]["name"], scrubber)

        # The audit events about them and their booklet.
        apprentice.refresh_from_db()
        result.audit_events = _scrub_audit(apprentice, representatives, account, contracts, scrubber)

        Erasure.objects.create(
            apprentice=apprentice,
            retention_years=settings.RETENTION_YEARS,
            last_contract_end=max(c.end_date for c in contracts),
        )
        record(
            "privacy.apprentice.erased",
            apprentice,
            {
                "retention_years": settings.RETENTION_YEARS,
                "contracts": len(contracts),
                "legal_representatives": result.legal_representatives,
                "account": bool(account),
                "signatures": result.signatures,
            },
            actor=by,
        )
    return result


def _person_of_apprentice(apprentice: Apprentice, account) -> dict:
    name = f"Apprenti anonymisé n° {apprentice.pk}"
    email = _pseudonym_email("apprenti", apprentice.pk)
    emails = {apprentice.email, account.email if account else ""}
    full = f"{apprentice.first_name} {apprentice.last_name}"
    return {
        "name": name,
        "email": email,
        "emails": {e for e in emails if e},
        "fields": {
            "first_name": "Apprenti",
            "last_name": f"anonymisé n° {apprentice.pk}",
            "email": email,
            "phone": "",
            "address": "",
            "postal_code": "",
            "city": "",
            "ine": "",
            "training_exit_reason": "",
            "birth_date": datetime.date(apprentice.birth_date.year, 1, 1),
        },
        "inside": {
            *emails,
            full,
            f"{apprentice.last_name} {apprentice.first_name}",
            apprentice.phone,
            apprentice.address,
            apprentice.ine,
            account.get_full_name() if account else "",
            account.phone if account else "",
        },
        "exact": {
            apprentice.first_name,
            apprentice.last_name,
            apprentice.birth_date.isoformat(),
            apprentice.postal_code,
            apprentice.city,
        },
    }


def _person_of(rep: LegalRepresentative) -> dict:
    email = _pseudonym_email("representant", rep.pk)
    return {
        "name": f"Représentant légal anonymisé n° {rep.pk}",
        "email": email,
        "emails": {rep.email},
        "fields": {
            "first_name": "Représentant légal",
            "last_name": f"anonymisé n° {rep.pk}",
            "relationship": "",
            "email": email,
            "phone": "",
        },
        "inside": {
            rep.email,
            f"{rep.first_name} {rep.last_name}",
            f"{rep.last_name} {rep.first_name}",
            rep.phone,
        },
        "exact": {rep.first_name, rep.last_name},
    }


def _scrub_import_rows(apprentice: Apprentice, name: str, scrubber: _Scrubber) -> int:
    """The rows of their organisation's imports that read this apprentice (by INE, or by name and birth
    date, as the import matched them): their label, values and cells lose the identity. ``apprentice``
    still holds the identity as it was before the erasure."""
    person = Q(
        values__apprentice__last_name__iexact=apprentice.last_name,
        values__apprentice__first_name__iexact=apprentice.first_name,
        values__apprentice__birth_date=apprentice.birth_date.isoformat(),
    )
    if apprentice.ine:
        person |= Q(values__apprentice__ine=apprentice.ine)
    rows = list(ImportRow.objects.filter(person, report__organisation_id=apprentice.organisation_id))
    for row in rows:
        values = dict(row.values)
        if isinstance(values.get("apprentice"), dict):
            values["apprentice"] = {
                key: (ERASED if key in PERSONAL_FIELDS and value else value)
                for key, value in values["apprentice"].items()
            }
        row.label = name
        row.values = scrubber.value(values)
        row.raw = scrubber.value(row.raw)
        row.changes = scrubber.value(row.changes)
        row.errors = scrubber.value(row.errors)
    ImportRow.objects.bulk_update(rows, ["label", "values", "raw", "changes", "errors"], batch_size=500)
    return len(rows)


def _without_personal_fields(data):
    """An audit event's data on a person's row, the values of their personal fields erased."""
    if not isinstance(data, dict):
        return data
    cleaned = dict(data)
    for key in ("fields", "changes"):
        if isinstance(cleaned.get(key), dict):
            cleaned[key] = {
                name: (ERASED if name in PERSONAL_FIELDS else value) for name, value in cleaned[key].items()
            }
    return cleaned


def _scrub_audit(apprentice, representatives, account, contracts, scrubber: _Scrubber) -> int:
    """Relabel and scrub the audit events about the people erased, their contracts and their booklet."""
    targets = {(AuditEvent.content_type_for(Apprentice).pk, apprentice.pk): str(apprentice)}
    for rep in LegalRepresentative.objects.filter(pk__in=[r.pk for r in representatives]):
        targets[(AuditEvent.content_type_for(LegalRepresentative).pk, rep.pk)] = str(rep)
    if account is not None:
        targets[(AuditEvent.content_type_for(User).pk, account.pk)] = _pseudonym_email("compte", account.pk)
        for grant in UserRole.objects.filter(user_id=account.pk).select_related("user"):
            targets[(AuditEvent.content_type_for(UserRole).pk, grant.pk)] = str(grant)
    for contract in contracts:
        contract.apprentice = apprentice
        targets[(AuditEvent.content_type_for(Contract).pk, contract.pk)] = str(contract)
    condition = Q(pk__in=[])
    for type_id, target_id in targets:
        condition |= Q(target_type_id=type_id, target_id=target_id)
    for model in BOOKLET_DOCUMENTS:
        condition |= Q(
            target_type=AuditEvent.content_type_for(model),
            target_id__in=model.objects.filter(contract__apprentice_id=apprentice.pk).values("pk"),
        )
    people = {key for key in targets if key[0] != AuditEvent.content_type_for(Contract).pk}
    changed = []
    for event in AuditEvent.objects.filter(condition).exclude(action="privacy.apprentice.erased"):
        key = (event.target_type_id, event.target_id)
        label = targets.get(key, scrubber.text(event.target_repr))
        data = scrubber.value(_without_personal_fields(event.data) if key in people else event.data)
        if (label, data) != (event.target_repr, event.data):
            event.target_repr, event.data = label[:200], data
            changed.append(event)
    AuditEvent.objects.bulk_update(changed, ["target_repr", "data"], batch_size=500)
    return len(changed)
