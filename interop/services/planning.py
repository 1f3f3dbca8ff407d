"""Reading the fichier d'effectifs against one organisation's data: what each row would do (create,
update, leave unchanged, reject, and why), and the preview kept until staff confirm it.

Every row is read against the organisation's data loaded in a few queries up front (never a query per
row). Nothing of the organisation's data is written here: :mod:`interop.services.writing` plans the kept
rows again when it applies them.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apprentices.models import Apprentice, Cohort, Contract, Diploma
from core import audit
from core.models import Organisation
from employers.models import Employer
from interop import perms
from interop.columns import (
    DIPLOMA_COLUMNS,
    KNOWN,
    REQUIRED_COLUMNS,
    normalize_header,
    rupture_cause,
    same_phone,
)
from interop.models import ImportReport, ImportRow
from interop.readers import FileRefused, read_table
from interop.validation import read_row

CASE_INSENSITIVE = {"last_name", "first_name"}
# While a file is read in Celery, its progress is told every this many rows.
PROGRESS_EVERY = 500


def _date(value):
    return datetime.date.fromisoformat(value) if isinstance(value, str) and value else value


def normalize_name(text: str) -> str:
    """``LEFÈVRE``, ``Lefevre`` and `` lefèvre `` are one name; so are ``Jean-Pierre`` and ``Jean Pierre``,
    ``D'Almeida`` and ``D’ALMEIDA``."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    return " ".join(re.sub(r"[-'’‘ʼ.]+", " ", text).split())


def name_key(last_name: str, first_name: str, birth_date) -> tuple:
    return (normalize_name(last_name), normalize_name(first_name), str(birth_date))


@dataclass
class RowPlan:
    line: int
    values: dict
    errors: list = field(default_factory=list)
    changes: list = field(default_factory=list)  # [object, field, old, new] for people
    notes: list = field(default_factory=list)
    apprentice_pk: int | None = None
    apprentice_create: dict | None = None
    apprentice_update: dict = field(default_factory=dict)  # attname -> (old, new)
    contracts_create: list = field(default_factory=list)  # field dicts, employer as ("pk", n) or ("siret", s)
    contracts_update: list = field(default_factory=list)  # (pk, {attname: (old, new)})
    employers_create: list = field(default_factory=list)  # SIRETs first named by this row
    # Contracts this row names that an earlier row of the file creates: (planned dict, {attname: new}).
    contracts_merge: list = field(default_factory=list)
    contracts_new: list = field(default_factory=list)  # (key, planned dict) for the later rows
    action: str = ""

    @property
    def identity(self) -> int:
        """The apprentice's pk, or ``-line`` for the one this row creates (until it is written)."""
        return self.apprentice_pk or -self.line

    @property
    def label(self) -> str:
        a = self.values.get("apprentice", {})
        born = a.get("birth_date") or ""
        if born:
            born = datetime.date.fromisoformat(born).strftime("%d/%m/%Y")
        text = f"{a.get('last_name', '')} {a.get('first_name', '')}".strip()
        return f"{text} ({born})" if born else text


def _display(model, attname, value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    field_ = next(f for f in model._meta.concrete_fields if f.attname == attname)
    if field_.choices:
        return str(dict(field_.flatchoices).get(value, value))
    return str(value)


def _label(model, attname) -> str:
    return str(next(f for f in model._meta.concrete_fields if f.attname == attname).verbose_name)


class Planner:
    """What the rows would do to one organisation's data, loaded in a few queries up front."""

    def __init__(self, organisation: Organisation, rows_values: list[dict], today: datetime.date):
        self.organisation = organisation
        self.today = today
        org = organisation.pk
        self.apprentices = {a["id"]: a for a in Apprentice.objects.filter(organisation_id=org).values()}
        self.by_ine, self.by_name = {}, {}
        for a in self.apprentices.values():
            if a["ine"]:
                self.by_ine[a["ine"]] = a["id"]
            self.by_name.setdefault(name_key(a["last_name"], a["first_name"], a["birth_date"]), []).append(
                a["id"]
            )
        file_ines = {v["apprentice"]["ine"] for v in rows_values if v.get("apprentice", {}).get("ine")}
        self.foreign_ines = (
            set(
                Apprentice.objects.filter(ine__in=file_ines)
                .exclude(organisation_id=org)
                .values_list("ine", flat=True)
            )
            if file_ines
            else set()
        )
        self.employers = {
            e["siret"]: e
            for e in Employer.objects.filter(organisation_id=org).values("id", "siret", "legal_name")
        }
        self.employer_names = {e["id"]: e["legal_name"] for e in self.employers.values()}
        self.diplomas_by_rncp, self.diplomas_by_cfd = {}, {}
        self.diploma_titles, self.diploma_codes = {}, {}
        for d in Diploma.objects.filter(organisation_id=org).values("id", "title", "rncp_code", "cfd_code"):
            self.diploma_titles[d["id"]] = d["title"]
            self.diploma_codes[d["id"]] = (d["rncp_code"], d["cfd_code"])
            if d["rncp_code"]:
                self.diplomas_by_rncp.setdefault(d["rncp_code"].upper().removeprefix("RNCP"), set()).add(
                    d["id"]
                )
            if d["cfd_code"]:
                self.diplomas_by_cfd.setdefault(d["cfd_code"].upper(), set()).add(d["id"])
        self.cohorts = {
            (c["diploma_id"], c["entry_year__label"]): c["id"]
            for c in Cohort.objects.filter(diploma__organisation_id=org).values(
                "id", "diploma_id", "entry_year__label"
            )
        }
        self.contracts = {
            (c["apprentice_id"], c["employer_id"], c["start_date"]): c
            for c in Contract.objects.filter(apprentice__organisation_id=org).values()
        }
        self.contracts_by_id = {c["id"]: c for c in self.contracts.values()}
        self.new_employers: dict[str, int] = {}  # SIRET -> line that first named it
        # The apprentices the file creates, by ``-line`` (also in ``apprentices``, ``by_ine``, ``by_name``)
        # so that a later row of the same person (by INE, or by name and birth date) is that person.
        self.creating: dict[int, RowPlan] = {}
        self.first_line: dict[int, int] = {}  # identity -> first row that named them
        self.planned_contracts: dict[tuple, dict] = {}  # (identity, SIRET, start) -> contract to create

    # One row -------------------------------------------------------------------------------------

    def plan(self, line: int, values: dict, errors: list) -> RowPlan:
        plan = RowPlan(line=line, values=values, errors=list(errors))
        # The diploma is looked up even when a cell is wrong, so that a row tells all its faults at once.
        diploma_id = self._diploma(plan) if values.get("rncp") or values.get("cfd") else None
        if not plan.errors:
            self._plan_apprentice(plan)
        if not plan.errors:
            self._plan_cohort(plan, diploma_id)
            self._plan_contracts(plan, diploma_id)
        if not plan.errors:
            self._register(plan)
        if plan.errors:
            plan.action = ImportRow.Action.REJECTED
            plan.changes, plan.notes = [], []
        elif plan.apprentice_create is not None:
            plan.action = ImportRow.Action.CREATE
        elif plan.apprentice_update or plan.contracts_create or plan.contracts_update or plan.contracts_merge:
            plan.action = ImportRow.Action.UPDATE
        else:
            plan.action = ImportRow.Action.UNCHANGED
        return plan

    def _register(self, plan) -> None:
        """A row kept: what it plans becomes the state the later rows of the file are read against, so
        that two rows of one person (their next contract) converge on one apprentice and one contract each."""
        ident = plan.identity
        first = self.first_line.setdefault(ident, plan.line)
        if first != plan.line:
            plan.notes.append(
                _("Même apprenti qu'à la ligne %(line)s : les deux lignes sont réunies.") % {"line": first}
            )
        if plan.apprentice_create is not None:
            self.creating[ident] = plan
            self.apprentices[ident] = {"id": ident, "cohort_id": None, **plan.apprentice_create}
            self._index(ident)
        elif plan.apprentice_update:
            current = self.apprentices[ident]
            for attname, (_old, new) in plan.apprentice_update.items():
                current[attname] = new
                if ident in self.creating:
                    self.creating[ident].apprentice_create[attname] = new
            self._index(ident)
        for pk, changes in plan.contracts_update:
            existing = self.contracts_by_id[pk]
            for attname, (_old, new) in changes.items():
                existing[attname] = new
        for planned, changes in plan.contracts_merge:
            planned.update(changes)
        for key, planned in plan.contracts_new:
            self.planned_contracts[key] = planned
        for siret in plan.employers_create:
            self.new_employers.setdefault(siret, plan.line)

    def _index(self, ident: int) -> None:
        a = self.apprentices[ident]
        if a["ine"]:
            self.by_ine[a["ine"]] = ident
        for ids in self.by_name.values():
            if ident in ids:
                ids.remove(ident)
        self.by_name.setdefault(name_key(a["last_name"], a["first_name"], a["birth_date"]), []).append(ident)

    def _plan_apprentice(self, plan) -> None:
        a = plan.values["apprentice"]
        born = _date(a["birth_date"])
        pk = None
        if a["ine"]:
            if a["ine"] in self.foreign_ines:
                plan.errors.append(
                    ["ine_apprenant", _("Cet INE est déjà porté par un apprenti d'un autre organisme.")]
                )
                return
            pk = self.by_ine.get(a["ine"])
        if pk is None:
            candidates = self.by_name.get(name_key(a["last_name"], a["first_name"], born), [])
            if len(candidates) > 1:
                plan.errors.append(
                    [
                        "ine_apprenant",
                        _("Plusieurs apprentis portent ce nom et cette date de naissance : indiquez l'INE."),
                    ]
                )
                return
            if candidates:
                pk = candidates[0]
                held = self.apprentices[pk]["ine"]
                if a["ine"] and held and held != a["ine"]:
                    plan.errors.append(
                        [
                            "ine_apprenant",
                            _("L'apprenti de ce nom, né ce jour-là, porte un autre INE (%(ine)s).")
                            % {"ine": held},
                        ]
                    )
                    return
        wanted = {
            "last_name": a["last_name"],
            "first_name": a["first_name"],
            "birth_date": born,
            "sex": a["sex"],
            "ine": a["ine"],
            "email": a["email"],
            "phone": a["phone"],
            "address": a["address"],
            "postal_code": a["postal_code"],
            "rqth": a["rqth"],
            # The exclusion from the training is the apprentice's, whatever their contracts say.
            "training_exit_date": _date(plan.values.get("exclusion_date")),
            "training_exit_reason": plan.values.get("exclusion_cause", ""),
        }
        if pk is None:
            if not a["email"]:
                plan.errors.append(
                    ["email_contact", _("Une adresse électronique est obligatoire pour créer un apprenti.")]
                )
                return
            plan.apprentice_create = {**wanted, "rqth": bool(wanted["rqth"])}
            plan.changes.append([str(_("Apprenti")), str(_("création")), "", plan.label])
            return
        plan.apprentice_pk = pk
        current = self.apprentices[pk]
        for attname, new in wanted.items():
            old = current[attname]
            if new is None or new == "":
                continue  # an empty cell says nothing: what the platform holds stays
            if attname in CASE_INSENSITIVE and normalize_name(old) == normalize_name(new):
                continue
            if attname == "email" and str(old).lower() == new:
                continue
            if attname == "phone" and same_phone(old, new):
                continue
            if old != new:
                plan.apprentice_update[attname] = (old, new)
        if "ine" in plan.apprentice_update and self.by_ine.get(a["ine"], pk) != pk:
            plan.errors.append(["ine_apprenant", _("Un autre apprenti porte déjà cet INE.")])
            return
        for attname, (old, new) in plan.apprentice_update.items():
            plan.changes.append(
                [
                    str(_("Apprenti")),
                    _label(Apprentice, attname),
                    _display(Apprentice, attname, old),
                    _display(Apprentice, attname, new),
                ]
            )

    def _diploma(self, plan) -> int | None:
        rncp, cfd = plan.values["rncp"], plan.values["cfd"]
        by_rncp = self.diplomas_by_rncp.get(rncp, set()) if rncp else None
        by_cfd = self.diplomas_by_cfd.get(cfd, set()) if cfd else None
        if by_rncp is not None and by_cfd is not None:
            found = (by_rncp & by_cfd) or by_rncp or by_cfd
            if len(found) == 1 and not (by_rncp & by_cfd):
                self._codes_disagree(plan, next(iter(found)), by_rncp=bool(by_rncp))
        else:
            found = by_rncp if by_rncp is not None else by_cfd
        if not found:
            column, code = ("formation_rncp", f"RNCP{rncp}") if rncp else ("formation_cfd", cfd)
            if rncp and cfd:
                code = f"RNCP{rncp} / CFD {cfd}"
            plan.errors.append(
                [column, _("Aucune formation de l'organisme ne porte le code %(code)s.") % {"code": code}]
            )
            return None
        if len(found) > 1:
            plan.errors.append(
                ["formation_cfd", _("Plusieurs formations portent ce code : précisez le code CFD.")]
            )
            return None
        return next(iter(found))

    def _codes_disagree(self, plan, diploma_id: int, *, by_rncp: bool) -> None:
        """The row's CFD and RNCP codes name different trainings (or the training found by one of them
        carries another value of the other): the row keeps the training of the code found, and says so."""
        rncp, cfd = plan.values["rncp"], plan.values["cfd"]
        held_rncp, held_cfd = self.diploma_codes[diploma_id]
        title = self.diploma_titles[diploma_id]
        if by_rncp:
            if not held_cfd and not self.diplomas_by_cfd.get(cfd):
                return  # the training has no CFD on the platform, and no other carries this one
            message = _(
                "Le code CFD %(cfd)s ne correspond pas au code RNCP%(rncp)s de la formation « %(title)s » "
                "(CFD %(held)s) : la formation retenue est celle du code RNCP ; vérifiez le code CFD."
            ) % {"cfd": cfd, "rncp": rncp, "title": title, "held": held_cfd or "—"}
        else:
            message = _(
                "Le code RNCP%(rncp)s ne correspond pas au code CFD %(cfd)s de la formation « %(title)s » "
                "(%(held)s) : la formation retenue est celle du code CFD ; vérifiez le code RNCP."
            ) % {"cfd": cfd, "rncp": rncp, "title": title, "held": held_rncp or "—"}
        plan.notes.append(message)

    def _plan_cohort(self, plan, diploma_id) -> None:
        year, of_study = plan.values["year"], plan.values["year_of_study"]
        if not year or not of_study:
            return
        start = int(year[:4]) - of_study + 1
        cohort = self.cohorts.get((diploma_id, f"{start}-{start + 1}"))
        if cohort is None:
            return
        if plan.apprentice_create is not None:
            plan.apprentice_create["cohort_id"] = cohort
        elif self.apprentices[plan.apprentice_pk]["cohort_id"] is None:
            plan.apprentice_update["cohort_id"] = (None, cohort)
            plan.changes.append([str(_("Apprenti")), str(_("promotion")), "", f"{start}-{start + 1}"])

    def _plan_contracts(self, plan, diploma_id) -> None:
        v = plan.values
        contracts = [c for c in v["contracts"]]
        last = max(contracts, key=lambda c: c["start"]) if contracts else None
        for c in contracts:
            start, end, rupture = _date(c["start"]), _date(c["end"]), _date(c["rupture"])
            wanted = {"planned_end_date": end, "diploma_id": diploma_id}
            if rupture:
                wanted.update(status=Contract.Status.RUPTURED, rupture_date=rupture)
                if c["cause"]:
                    wanted["rupture_cause"] = rupture_cause(c["cause"])
            elif c is last and v["exclusion_date"]:
                wanted.update(
                    status=Contract.Status.ABANDONED,
                    rupture_date=_date(v["exclusion_date"]),
                    rupture_cause=Contract.RuptureCause.EXCLUSION,
                )
            if c is last and v["outcome"] is not None:
                wanted["diploma_outcome"] = (
                    Contract.Outcome.OBTAINED if v["outcome"] else Contract.Outcome.FAILED
                )
                if v["outcome_date"]:
                    wanted["diploma_outcome_date"] = _date(v["outcome_date"])
            employer = self.employers.get(c["siret"])
            existing = None
            if employer is not None and plan.apprentice_pk:
                existing = self.contracts.get((plan.apprentice_pk, employer["id"], start))
            planned = self.planned_contracts.get((plan.identity, c["siret"], start))
            if existing is None and planned is not None:
                # An earlier row of the file creates this contract: this row completes it.
                merged = {k: v for k, v in wanted.items() if planned.get(k) != v}
                if merged.get("status") == Contract.Status.RUPTURED and not planned.get("rupture_cause"):
                    merged.setdefault("rupture_cause", Contract.RuptureCause.OTHER)
                if merged:
                    plan.contracts_merge.append((planned, merged))
                    for attname, new in merged.items():
                        old = planned.get(attname)
                        if attname == "diploma_id":
                            old, new = self.diploma_titles.get(old, ""), self.diploma_titles.get(new, "")
                            plan.changes.append([str(_("Contrat")), str(_("formation")), old, new])
                            continue
                        plan.changes.append(
                            [
                                str(_("Contrat")),
                                _label(Contract, attname),
                                _display(Contract, attname, old),
                                _display(Contract, attname, new),
                            ]
                        )
                continue
            if (
                employer is None
                and c["siret"] not in self.new_employers
                and c["siret"] not in plan.employers_create
            ):
                plan.employers_create.append(c["siret"])
                plan.changes.append([str(_("Employeur")), "SIRET", "", c["siret"]])
                plan.notes.append(
                    _("Employeur %(siret)s inconnu : créé et signalé « à compléter ».")
                    % {"siret": c["siret"]}
                )
            if existing is None:
                if rupture and "rupture_cause" not in wanted:
                    wanted["rupture_cause"] = Contract.RuptureCause.OTHER
                if "status" not in wanted:
                    wanted["status"] = (
                        Contract.Status.COMPLETED if end < self.today else Contract.Status.ACTIVE
                    )
                wanted.update(
                    start_date=start,
                    employer=("pk", employer["id"]) if employer else ("siret", c["siret"]),
                    slot=c["slot"],
                )
                plan.contracts_create.append(wanted)
                plan.contracts_new.append(((plan.identity, c["siret"], start), wanted))
                plan.changes.append(
                    [
                        str(_("Contrat")),
                        str(_("création")),
                        "",
                        _("début le %(day)s") % {"day": start.strftime("%d/%m/%Y")},
                    ]
                )
                plan.notes.append(
                    _("Contrat du %(day)s : maître d'apprentissage à compléter.")
                    % {"day": start.strftime("%d/%m/%Y")}
                )
                continue
            changes = {}
            for attname, new in wanted.items():
                if existing[attname] != new:
                    changes[attname] = (existing[attname], new)
            if changes.get("status") and "rupture_cause" not in wanted and not existing["rupture_cause"]:
                if changes["status"][1] == Contract.Status.RUPTURED:
                    changes["rupture_cause"] = ("", Contract.RuptureCause.OTHER)
            if "diploma_id" in changes and existing["option_id"]:
                changes["option_id"] = (existing["option_id"], None)
            if changes:
                plan.contracts_update.append((existing["id"], changes))
                for attname, (old, new) in changes.items():
                    if attname == "diploma_id":
                        titles = self.diploma_titles
                        plan.changes.append(
                            [str(_("Contrat")), str(_("formation")), titles.get(old, ""), titles.get(new, "")]
                        )
                    elif attname != "option_id":
                        plan.changes.append(
                            [
                                str(_("Contrat")),
                                _label(Contract, attname),
                                _display(Contract, attname, old),
                                _display(Contract, attname, new),
                            ]
                        )
            if existing["company_tutor_id"] is None:
                plan.notes.append(
                    _("Contrat du %(day)s : maître d'apprentissage à compléter.")
                    % {"day": start.strftime("%d/%m/%Y")}
                )


# Preview -----------------------------------------------------------------------------------------


@dataclass
class Preview:
    file_name: str
    sha256: str
    size: int
    file_format: str
    ignored_columns: list[str]
    plans: list[RowPlan]
    raws: dict[int, dict]
    # [header as written in the file, the template's column] for each header the import reads
    recognised_columns: list[list[str]] = field(default_factory=list)

    def count(self, action) -> int:
        return sum(1 for p in self.plans if p.action == action)


def progress_key(report_id: int) -> str:
    """The cache key of a report's progress while it is read or applied in Celery."""
    return f"interop:import:{report_id}:done"


def build_preview(
    *, organisation: Organisation, data: bytes, file_name: str, today=None, progress=None
) -> Preview:
    """Read the file and say what each row would do; writes nothing. Raises :class:`FileRefused`.

    ``progress(done, total)``, when given, is told the number of rows once the file is open, then every
    ``PROGRESS_EVERY`` rows (half the work is to read the cells, half to plan the rows)."""
    today = today or timezone.localdate()
    table = read_table(data, file_name)
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if not any(c in table.columns for c in DIPLOMA_COLUMNS):
        missing.append(" ou ".join(DIPLOMA_COLUMNS))
    if missing:
        raise FileRefused(
            _("Colonnes obligatoires absentes : %(columns)s.") % {"columns": ", ".join(missing)}
        )
    total = len(table.rows)
    if progress:
        progress(0, total)
    ignored = [h for h in table.headers if h.strip() and normalize_header(h) not in KNOWN]
    recognised = [
        [header, normalize_header(header)]
        for index, header in enumerate(table.headers)
        if normalize_header(header) in KNOWN and table.columns.get(normalize_header(header)) == index
    ]
    used = [(column, index) for column, index in table.columns.items() if column in KNOWN]
    read = []
    for number, (line, cells) in enumerate(table.rows, start=1):
        raw = {column: cells[index] for column, index in used if index < len(cells)}
        values, errors = read_row(raw, today)
        read.append((line, raw, values, errors))
        if progress and number % PROGRESS_EVERY == 0:
            progress(number // 2, total)
    planner = Planner(organisation, [values for _l, _r, values, _e in read], today)
    plans = []
    for number, (line, _raw, values, errors) in enumerate(read, start=1):
        plans.append(planner.plan(line, values, errors))
        if progress and number % PROGRESS_EVERY == 0:
            progress(total // 2 + number // 2, total)
    raws = {line: raw for line, raw, _v, _e in read}
    return Preview(
        file_name=file_name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        file_format=f"{table.kind.upper()} — {table.detail}"[:120],
        ignored_columns=ignored,
        plans=plans,
        raws=raws,
        recognised_columns=recognised,
    )


def check_may_import(by, organisation_id: int) -> None:
    if by is not None and not perms.can_import_for(by, organisation_id):
        raise PermissionDenied(_("Seule l'équipe du CFA importe le fichier d'effectifs."))


def preview_import(
    *, organisation: Organisation, data: bytes, file_name: str, by=None, today=None
) -> ImportReport:
    """Read the file and keep its preview as an import report waiting for confirmation."""
    check_may_import(by, organisation.pk)
    preview = build_preview(organisation=organisation, data=data, file_name=file_name, today=today)
    with transaction.atomic():
        report = ImportReport(organisation=organisation, uploaded_by=by)
        keep_preview(report, preview)
        audit.record(
            "interop.importreport.created",
            report,
            {"file": report.file_name, "sha256": report.sha256, "rows": report.rows_total},
            actor=by,
        )
    return report


def keep_preview(report: ImportReport, preview: Preview) -> None:
    """Save ``report`` as the preview of the file, with one row per line read (in the caller's
    transaction). The same for a file read in the request and for one read in Celery."""
    A = ImportRow.Action
    report.status = ImportReport.Status.PREVIEW
    report.file_name = preview.file_name
    report.sha256 = preview.sha256
    report.size = preview.size
    report.file_format = preview.file_format
    report.ignored_columns = preview.ignored_columns
    report.recognised_columns = preview.recognised_columns
    report.rows_total = len(preview.plans)
    report.rows_create = preview.count(A.CREATE)
    report.rows_update = preview.count(A.UPDATE)
    report.rows_unchanged = preview.count(A.UNCHANGED)
    report.rows_rejected = preview.count(A.REJECTED)
    report.save()
    ImportRow.objects.bulk_create(
        [
            ImportRow(
                report=report,
                line=p.line,
                action=p.action,
                label=p.label[:255],
                errors=p.errors,
                changes=p.changes,
                values={**p.values, "notes": [str(n) for n in p.notes]},
                raw=preview.raws[p.line] if p.action == A.REJECTED else {},
            )
            for p in preview.plans
        ],
        batch_size=1000,
    )
