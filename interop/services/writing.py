"""Applying a confirmed import: claimed once, then written in one transaction (inline, or in Celery when
large, with its progress), with bulk inserts and updates and one audit event per object changed.

The kept rows are planned again against the data as it is at that moment
(:class:`~interop.services.planning.Planner`), so that an import never writes from a stale preview.
"""

from __future__ import annotations

import logging
from collections import Counter

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apprentices.models import Apprentice, Contract
from core import audit, jobs
from core.models import AuditEvent
from core.queue import enqueue
from core.signals import records_written
from core.workflow import Refusal
from employers.models import Employer
from interop import perms
from interop.models import ImportReport, ImportRow
from interop.services.planning import Planner, RowPlan, _label, progress_key

logger = logging.getLogger(__name__)

# Above this many rows to write, the import runs in Celery and the page follows its progress.
INLINE_ROWS = 500
PROGRESS_EVERY = 500


def confirm_import(*, report: ImportReport, by) -> ImportReport:
    """Staff confirm the preview: the import is claimed once, then runs (in Celery when large)."""
    if by is not None and not perms.can_import_for(by, report.organisation_id):
        raise PermissionDenied(_("Seule l'équipe du CFA importe le fichier d'effectifs."))
    try:
        with transaction.atomic():
            claimed = ImportReport.objects.filter(pk=report.pk, status=ImportReport.Status.PREVIEW).update(
                status=ImportReport.Status.APPLYING, applied_by=by, applied_at=timezone.now(), done=0
            )
            if not claimed:
                raise Refusal(_("Cet aperçu a déjà été confirmé : il ne peut être importé deux fois."))
            if report.rows_total - report.rows_rejected > INLINE_ROWS:
                enqueue("interop.tasks.apply_import", report.pk)
    except IntegrityError:
        raise Refusal(_("Ce fichier est déjà en cours d'import.")) from None
    if report.rows_total - report.rows_rejected <= INLINE_ROWS:
        return apply_import(report.pk)
    report.refresh_from_db()
    return report


def apply_import(report_id: int, today=None) -> ImportReport:
    """Write the kept rows of a confirmed report, all or nothing. Idempotent: the report is claimed with
    a lease (core.jobs), a message for a report held by a live lease, or applied, does nothing, and the
    result is written under the row's lock by the holder of the lease only."""
    today = today or timezone.localdate()
    token = jobs.claim(ImportReport, report_id)
    if token is None:
        return ImportReport.objects.get(pk=report_id)
    with jobs.heartbeat(ImportReport, report_id, token):
        _apply_claimed(report_id, token, today)
    cache.delete(progress_key(report_id))
    return ImportReport.objects.get(pk=report_id)


def _apply_claimed(report_id: int, token: str, today) -> None:
    try:
        with transaction.atomic():
            report = (
                ImportReport.objects.select_for_update(of=("self",))
                .select_related("organisation", "applied_by")
                .get(pk=report_id)
            )
            if report.status != ImportReport.Status.APPLYING or report.lease_token != token:
                return  # taken over by another worker meanwhile
            counts = _apply(report, today)
            report.status = ImportReport.Status.DONE
            report.finished_at = timezone.now()
            report.done = report.rows_total
            report.counts = counts
            report.lease_token, report.lease_expires_at = "", None
            report.save(
                update_fields=[
                    "status",
                    "finished_at",
                    "done",
                    "counts",
                    "rows_create",
                    "rows_update",
                    "rows_unchanged",
                    "rows_rejected",
                    "lease_token",
                    "lease_expires_at",
                ]
            )
            audit.record(
                "interop.importreport.validated", report, {"counts": counts}, actor=report.applied_by
            )
    except OperationalError:
        raise  # the database is unreachable: the task retries, the report is still to apply
    except Exception as error:
        logger.exception("Import %s en échec", report_id)
        jobs.fail(
            ImportReport,
            report_id,
            token,
            _("L'import a échoué (%(error)s) : rien n'a été écrit.") % {"error": type(error).__name__},
        )


def _apply(report: ImportReport, today) -> dict:
    A = ImportRow.Action
    rows = list(report.rows.exclude(action=A.REJECTED).order_by("line"))
    organisation = report.organisation
    planner = Planner(organisation, [r.values for r in rows], today)
    plans = []
    for index, row in enumerate(rows, start=1):
        plans.append((row, planner.plan(row.line, row.values, [])))
        if index % PROGRESS_EVERY == 0:
            cache.set(progress_key(report.pk), index // 2, 3600)
    late = []
    for row, plan in plans:
        if plan.action != row.action:
            # The data changed since the preview: the row is counted for what it does now.
            row.action, row.errors, row.changes = plan.action, plan.errors, plan.changes
            late.append(row)
    if late:
        ImportRow.objects.bulk_update(late, ["action", "errors", "changes"], batch_size=1000)
    all_rows = report.rows.values_list("action", flat=True)
    tally = {action: 0 for action in A.values}
    for action in all_rows:
        tally[action] += 1
    report.rows_create, report.rows_update = tally[A.CREATE], tally[A.UPDATE]
    report.rows_unchanged, report.rows_rejected = tally[A.UNCHANGED], tally[A.REJECTED]
    kept = [plan for _row, plan in plans if plan.action != A.REJECTED]
    return Writer(report, planner).write(kept, progress_from=len(rows) // 2)


class Writer:
    """Bulk writes of the planned rows, with one audit event per object, as ``AuditedModel.save``
    would write them (``bulk_create`` and ``bulk_update`` do not go through ``save``)."""

    def __init__(self, report: ImportReport, planner: Planner):
        self.report = report
        self.planner = planner
        self.actor = report.applied_by
        self.now = timezone.now()
        self.events: list[AuditEvent] = []

    def event(self, model, obj_pk, repr_, verb, data):
        self.events.append(
            AuditEvent(
                created_at=self.now,
                actor=self.actor,
                action=f"{model._meta.label_lower}.{verb}",
                target_type=ContentType.objects.get_for_model(model),
                target_id=obj_pk,
                target_repr=str(repr_)[:200],
                data={**data, "via": "import", "import": self.report.pk},
            )
        )

    def write(self, plans: list[RowPlan], progress_from: int) -> dict:
        org = self.report.organisation
        sirets = [s for p in plans for s in p.employers_create]
        employers = [
            Employer(
                organisation=org,
                siret=siret,
                legal_name=_("Employeur %(siret)s (à compléter)") % {"siret": siret},
                to_complete=True,
            )
            for siret in dict.fromkeys(sirets)
        ]
        Employer.objects.bulk_create(employers, batch_size=500)
        names = dict(self.planner.employer_names)
        employer_pk = {e["siret"]: e["id"] for e in self.planner.employers.values()}
        for e in employers:
            employer_pk[e.siret] = e.pk
            names[e.pk] = e.legal_name
            self.event(
                Employer, e.pk, e.legal_name, "created", {"fields": {"siret": e.siret, "to_complete": True}}
            )

        new_apprentices = []
        for p in plans:
            if p.apprentice_create is not None:
                new_apprentices.append((p, Apprentice(organisation=org, **p.apprentice_create)))
        Apprentice.objects.bulk_create([a for _p, a in new_apprentices], batch_size=500)
        people, created = {}, {}
        for p, a in new_apprentices:
            created[-p.line] = a.pk
            p.apprentice_pk = a.pk
            people[a.pk] = str(a)
            fields = {k: audit._jsonable(v) for k, v in p.apprentice_create.items()}
            self.event(Apprentice, a.pk, a, "created", {"fields": fields})

        # A later row of an apprentice the file creates: that apprentice, created with its values already.
        for p in plans:
            if p.apprentice_pk is not None and p.apprentice_pk < 0:
                p.apprentice_pk = created[p.apprentice_pk]
        created_pks = set(created.values())
        updated = {}
        update_fields = set()
        for p in plans:
            if p.apprentice_update and p.apprentice_pk not in created_pks:
                # The planner's state holds every kept row's changes: one object per apprentice.
                update_fields.update(p.apprentice_update)
                if p.apprentice_pk not in updated:
                    updated[p.apprentice_pk] = Apprentice(**self.planner.apprentices[p.apprentice_pk])
                obj = updated[p.apprentice_pk]
                obj.updated_at = self.now
                changes = {
                    k: [audit._jsonable(o), audit._jsonable(n)] for k, (o, n) in p.apprentice_update.items()
                }
                self.event(Apprentice, obj.pk, obj, "changed", {"changes": changes})
        if updated:
            Apprentice.objects.bulk_update(
                list(updated.values()), sorted(update_fields) + ["updated_at"], batch_size=500
            )
        self._progress(progress_from + len(plans) // 4)
        for a in self.planner.apprentices.values():
            people.setdefault(a["id"], f"{a['first_name']} {a['last_name']}")

        new_contracts = []
        for p in plans:
            for wanted in p.contracts_create:
                fields = {k: v for k, v in wanted.items() if k not in {"employer", "slot"}}
                kind, ref = wanted["employer"]
                employer_id = ref if kind == "pk" else employer_pk[ref]
                contract = Contract(apprentice_id=p.apprentice_pk, employer_id=employer_id, **fields)
                new_contracts.append(contract)
        Contract.objects.bulk_create(new_contracts, batch_size=500)
        for c in new_contracts:
            fields = {
                f.attname: audit._jsonable(getattr(c, f.attname))
                for f in Contract._meta.concrete_fields
                if f.attname not in audit.IGNORED_FIELDS and f.attname != "id"
            }
            self.event(
                Contract,
                c.pk,
                _contract_repr(people[c.apprentice_id], names[c.employer_id]),
                "created",
                {"fields": fields},
            )

        updated_apprentices = updated
        contracts = self.planner.contracts_by_id
        updated, update_fields = {}, set()
        for p in plans:
            for pk, changes in p.contracts_update:
                update_fields.update(changes)
                if pk not in updated:
                    updated[pk] = Contract(**contracts[pk])
                obj = updated[pk]
                obj.updated_at = self.now
                data = {k: [audit._jsonable(o), audit._jsonable(n)] for k, (o, n) in changes.items()}
                repr_ = _contract_repr(people[obj.apprentice_id], names[obj.employer_id])
                self.event(Contract, pk, repr_, "changed", {"changes": data})
        if updated:
            Contract.objects.bulk_update(
                list(updated.values()), sorted(update_fields) + ["updated_at"], batch_size=500
            )
        AuditEvent.objects.bulk_create(self.events, batch_size=1000)
        records_written.send(Writer, models=(Employer, Apprentice, Contract))
        contracts_in_file = sum(len(p.values.get("contracts", [])) for p in plans)
        return {
            "employers_created": len(employers),
            "apprentices_created": len(new_apprentices),
            "apprentices_updated": len(updated_apprentices),
            "apprentices_unchanged": len({p.apprentice_pk for p in plans})
            - len(new_apprentices)
            - len(updated_apprentices),
            "contracts_created": len(new_contracts),
            "contracts_updated": len(updated),
            "contracts_unchanged": max(0, contracts_in_file - len(new_contracts) - len(updated)),
            "fields_changed": self.fields_changed(plans),
            "audit_events": len(self.events),
        }

    @staticmethod
    def fields_changed(plans: list[RowPlan]) -> list[list]:
        """[object, field, how many times] for each field the import changed, the most changed first."""
        changed = Counter()
        for p in plans:
            for attname in p.apprentice_update:
                changed[(str(_("Apprenti")), _label(Apprentice, attname))] += 1
            for _pk, changes in p.contracts_update:
                for attname in changes:
                    if attname != "option_id":
                        changed[(str(_("Contrat")), _label(Contract, attname))] += 1
        return [[obj, name, n] for (obj, name), n in sorted(changed.items(), key=lambda i: (-i[1], i[0]))]

    def _progress(self, done: int) -> None:
        cache.set(progress_key(self.report.pk), done, 3600)


def _contract_repr(apprentice: str, employer: str) -> str:
    article = "d’" if apprentice[:1].lower() in "aàâeéèêiîoôuûhy" else "de "
    return f"Contrat {article}{apprentice} chez {employer}"


def progress_of(report: ImportReport) -> int:
    """The rows read (while the file is read) or written (while it is applied) so far."""
    if report.is_active:
        return cache.get(progress_key(report.pk), report.done)
    return report.done
