"""Indicators read from the booklet: liaison sheets, visits and their actions, evaluation grids, mission
descriptions, and the company tutors' training."""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apprentices.models import Contract
from livret.models import (
    ActionItem,
    GridSharing,
    LiaisonSheet,
    MissionDecision,
    MissionDescription,
    VisitReport,
)
from livret.windows import ContractDates, WindowState, by_contract, visit_windows
from quality.indicators.base import (
    DAYS,
    Figure,
    Indicator,
    Record,
    contract_label,
    figures_by_diploma,
    flag,
    judged_on,
    one_decimal,
    rate,
)
from quality.indicators.contracts import ContractIndicator, active_during
from tutors.models import CompanyTutor


class SheetsOnTime(ContractIndicator):
    code = "sheets_on_time"
    label = gettext_lazy("Fiches de liaison contresignées à temps")
    description = gettext_lazy(
        "Contrats dont toutes les fiches de liaison échues dans l'année sont contresignées au plus tard "
        "le jour dû ÷ contrats ayant au moins une fiche échue dans l'année."
    )

    def due_sheets(self, year, as_of):
        """The current sheets due in the year and judged by ``as_of``: due before it, or signed."""
        return LiaisonSheet.objects.filter(
            is_current=True,
            due_date__gte=year.start_date,
            due_date__lte=year.end_date,
        ).filter(Q(due_date__lt=judged_on(year, as_of)) | Q(countersigned_at__isnull=False))

    def late(self) -> Q:
        """A sheet not countersigned by its due day (Europe/Paris), on sheets annotated ``signed_day``."""
        return Q(countersigned_at__isnull=True) | Q(signed_day__gt=F("due_date"))

    def with_signed_day(self, sheets):
        return sheets.annotate(signed_day=TruncDate("countersigned_at"))

    def population(self, year, as_of):
        # The contracts with a sheet due: a semi-join PostgreSQL hashes. The late sheets: one correlated
        # NOT EXISTS per contract, on the sheets' contract index. Not ``NOT IN (subquery)``: PostgreSQL
        # hashes that subquery only while it fits in work_mem; beyond (the late sheets of 200,000
        # apprentices) it scans it again for every contract, and the recomputation ran for hours.
        # Read for one diploma's records; the figures of every diploma come from ``compute``.
        due = self.due_sheets(year, as_of)
        return Contract.objects.filter(pk__in=due.values("contract_id")).annotate(
            counted=flag(~Exists(self.with_signed_day(due).filter(self.late(), contract=OuterRef("pk"))))
        )

    def compute(self, diploma_ids, year, as_of):
        """The figures of the population above in one grouped pass over the year's sheets, as the raw
        SQL does: per diploma, the contracts with a sheet due, and those with a sheet late (a subset of
        them); the numerator is their difference. The population's flag is a correlated subquery per
        contract (16,294 index scans at 20,000 apprentices: ×2.8 the raw SQL); this pass is linear at
        any size."""
        ids = list(diploma_ids)
        rows = (
            self.with_signed_day(self.due_sheets(year, as_of).filter(contract__diploma__in=ids))
            .order_by()
            .values("contract__diploma")
            .annotate(
                due=Count("contract", distinct=True),
                late=Count("contract", distinct=True, filter=self.late()),
            )
            .values_list("contract__diploma", "due", "late")
        )
        return figures_by_diploma(ids, ((pk, due - late, due) for pk, due, late in rows))

    def detail(self, contract):
        return _("toutes à temps") if contract.counted else _("au moins une fiche en retard")


class SheetsReviewed(Indicator):
    code = "sheets_reviewed"
    label = gettext_lazy("Fiches de liaison lues par le tuteur pédagogique")
    description = gettext_lazy(
        "Fiches contresignées dans l'année que le tuteur pédagogique a lues ÷ fiches contresignées "
        "dans l'année."
    )
    diploma_path = "contract__diploma"

    def population(self, year, as_of):
        return LiaisonSheet.objects.filter(
            is_current=True,
            countersigned_at__isnull=False,
            countersigned_at__date__gte=year.start_date,
            countersigned_at__date__lte=as_of,
        ).annotate(counted=flag(status=LiaisonSheet.Status.REVIEWED))

    def with_context(self, rows):
        return rows.select_related("contract__apprentice", "contract__employer", "period").order_by(
            "due_date", "pk"
        )

    def record(self, sheet):
        return Record(
            label=f"{contract_label(sheet.contract)} — {sheet}",
            url=sheet.get_absolute_url(),
            day=sheet.due_date,
            counted=sheet.counted,
            detail=sheet.get_status_display(),
        )


class TwoMeetingsRule(ContractIndicator):
    """The charter's windows come from :mod:`livret.windows`, the same code as the contract's page, so
    that a contract never meets the rule on one page and misses it on another. The windows are dated
    by month arithmetic that no aggregate expresses: the rows are read in two queries and judged in
    Python."""

    code = "two_meetings_rule"
    label = gettext_lazy("Règle des deux rencontres annuelles")
    description = gettext_lazy(
        "Contrats dont toutes les fenêtres de rencontre closes dans l'année sont respectées (une rencontre "
        "dans les deux mois après le début, une dans les deux mois avant la fin, deux par an) ÷ contrats "
        "ayant au moins une fenêtre close dans l'année."
    )

    def _held_visits(self, contracts) -> dict[int, list]:
        """The held visits of ``contracts`` (a subquery or keys), by contract, as the named rows the
        windows read: one query."""
        return by_contract(
            VisitReport.objects.filter(contract__in=contracts)
            .held()
            .values_list("pk", "contract_id", "status", "held_on", "planned_date", named=True)
        )

    def _missed(self, contract, visits, year, as_of) -> list | None:
        """The windows of ``contract`` that closed in the year and were missed, or None when none closed
        in the year (the contract is not judged)."""
        closed = [
            w
            for year_windows in visit_windows(contract, visits, judged_on(year, as_of))
            for w in year_windows.windows
            if year.start_date <= w.end <= as_of and w.state in (WindowState.MET, WindowState.MISSED)
        ]
        if not closed:
            return None
        return [w for w in closed if w.state == WindowState.MISSED]

    def judge(self, contracts, year, as_of) -> list:
        """The contracts among ``contracts`` (a queryset) that have a window closed in the year, each
        with ``counted`` (every such window met) and ``missed_windows``, for the records that name them:
        two queries."""
        contracts = list(
            contracts.filter(active_during(year, as_of))
            .select_related("apprentice", "employer")
            .order_by("apprentice__last_name", "pk")
        )
        visits = self._held_visits([contract.pk for contract in contracts])
        judged = []
        for contract in contracts:
            missed = self._missed(contract, visits[contract.pk], year, as_of)
            if missed is not None:
                contract.counted = not missed
                contract.missed_windows = missed
                judged.append(contract)
        return judged

    def verdicts(self, contracts, year, as_of) -> list[tuple[int, bool]]:
        """What :meth:`judge` finds, for counting only: ``(diploma, every window met)`` of each contract
        judged. Two queries of plain rows: a network's tens of thousands of contracts and visits read as
        models cost twice what the windows do."""
        active = contracts.filter(active_during(year, as_of))
        rows = active.values_list(
            "pk", "apprentice_id", "start_date", "planned_end_date", "rupture_date", "diploma"
        )
        visits = self._held_visits(active.values("pk"))
        verdicts = []
        for *dates, diploma in rows:
            contract = ContractDates(*dates)
            missed = self._missed(contract, visits[contract.pk], year, as_of)
            if missed is not None:
                verdicts.append((diploma, not missed))
        return verdicts

    def compute(self, diploma_ids, year, as_of):
        judged, met = Counter(), Counter()
        for diploma, counted in self.verdicts(
            Contract.objects.filter(diploma__in=list(diploma_ids)), year, as_of
        ):
            judged[diploma] += 1
            met[diploma] += counted
        return figures_by_diploma(diploma_ids, ((pk, met[pk], n) for pk, n in judged.items()))

    def records(self, diploma, year, as_of):
        return [
            self.record(contract)
            for contract in self.judge(Contract.objects.filter(diploma=diploma), year, as_of)
        ]

    def detail(self, contract):
        if contract.counted:
            return _("fenêtres respectées")
        return _("manquée : %(windows)s") % {
            "windows": ", ".join(
                f"{w.label} ({w.start:%d/%m/%Y}–{w.end:%d/%m/%Y})" for w in contract.missed_windows
            )
        }


class GridSharedFirstMonth(ContractIndicator):
    code = "grid_shared_first_month"
    label = gettext_lazy("Grille d'évaluation partagée dans le premier mois")
    description = gettext_lazy(
        "Contrats commencés dans l'année dont la grille d'évaluation a été partagée dans les 30 jours "
        "÷ contrats commencés dans l'année depuis plus de 30 jours (ou déjà partagés)."
    )

    def population(self, year, as_of):
        due_days = datetime.timedelta(days=GridSharing.DUE_DAYS)
        shared_in_time = GridSharing.objects.filter(
            contract=OuterRef("pk"), shared_on__lte=F("contract__start_date") + due_days
        )
        return (
            Contract.objects.filter(
                start_date__gte=year.start_date, start_date__lte=min(as_of, year.end_date)
            )
            .annotate(
                counted=Exists(shared_in_time),
                shared=Exists(GridSharing.objects.filter(contract=OuterRef("pk"))),
            )
            # Past its deadline (start + 30 days, still in time on that day), or already shared.
            .filter(Q(start_date__lt=judged_on(year, as_of) - due_days) | Q(shared=True))
        )

    def detail(self, contract):
        if contract.counted:
            return _("partagée à temps")
        return _("partagée après le premier mois") if contract.shared else _("pas encore partagée")


class TutorsTrained(Indicator):
    code = "tutors_trained"
    label = gettext_lazy("Maîtres d'apprentissage formés")
    description = gettext_lazy(
        "Maîtres d'apprentissage formés (formation suivie avant la fin de l'année) ÷ maîtres d'apprentissage "
        "des contrats en cours dans l'année."
    )
    diploma_path = "contracts__diploma"

    def compute(self, diploma_ids, year, as_of):
        # A tutor counts once per diploma in which they follow an active contract.
        rows = (
            Contract.objects.filter(
                active_during(year, as_of), diploma__in=list(diploma_ids), company_tutor__isnull=False
            )
            .order_by()
            .values("diploma")
            .annotate(
                den=Count("company_tutor", distinct=True),
                num=Count(
                    "company_tutor",
                    distinct=True,
                    filter=Q(company_tutor__training_date__lte=year.end_date),
                ),
            )
            .values_list("diploma", "num", "den")
        )
        return figures_by_diploma(diploma_ids, rows)

    def records(self, diploma, year, as_of):
        active = Contract.objects.filter(
            active_during(year, as_of), company_tutor=OuterRef("pk"), diploma=diploma.pk
        )
        tutors = (
            CompanyTutor.objects.filter(Exists(active))
            .select_related("employer")
            .order_by("last_name", "first_name", "pk")
        )
        return [
            Record(
                label=f"{tutor} — {tutor.employer}",
                url=tutor.employer.get_absolute_url(),
                day=tutor.training_date,
                counted=tutor.training_date is not None and tutor.training_date <= year.end_date,
                detail=(
                    _("formé le %(day)s") % {"day": tutor.training_date.strftime("%d/%m/%Y")}
                    if tutor.training_date
                    else _("pas encore formé")
                ),
            )
            for tutor in tutors
        ]


class VisitReportsAcknowledged(Indicator):
    code = "visit_reports_acknowledged"
    label = gettext_lazy("Comptes rendus de visite partagés et lus")
    description = gettext_lazy(
        "Comptes rendus de visite dont l'entreprise et l'apprenti ont pris connaissance ÷ rencontres tenues "
        "dans l'année avec compte rendu partagé."
    )
    diploma_path = "contract__diploma"

    def population(self, year, as_of):
        return (
            VisitReport.objects.held()
            .filter(held_on__gte=year.start_date, held_on__lte=as_of)
            .annotate(counted=flag(status=VisitReport.Status.ACKNOWLEDGED))
        )

    def with_context(self, rows):
        return rows.select_related("contract__apprentice", "contract__employer").order_by("held_on", "pk")

    def record(self, visit):
        return Record(
            label=f"{contract_label(visit.contract)} — {visit}",
            url=visit.get_absolute_url(),
            day=visit.held_on,
            counted=visit.counted,
            detail=visit.get_status_display(),
        )


class ActionsClosedOnTime(Indicator):
    code = "actions_closed_on_time"
    label = gettext_lazy("Actions de suivi closes à échéance")
    description = gettext_lazy(
        "Actions décidées en visite, échues dans l'année, faites au plus tard à leur échéance ÷ actions "
        "échues dans l'année."
    )
    diploma_path = "contract__diploma"

    def population(self, year, as_of):
        return (
            ActionItem.objects.filter(due_date__gte=year.start_date, due_date__lte=year.end_date)
            .filter(Q(due_date__lt=judged_on(year, as_of)) | Q(done_on__isnull=False))
            .annotate(counted=flag(done_on__lte=F("due_date")))
        )

    def with_context(self, rows):
        return rows.select_related("contract__apprentice", "contract__employer", "opened_in").order_by(
            "due_date", "pk"
        )

    def record(self, action):
        if action.done_on:
            detail = _("faite le %(day)s") % {"day": action.done_on.strftime("%d/%m/%Y")}
        else:
            detail = _("pas encore faite")
        return Record(
            label=f"{contract_label(action.contract)} — {action.description}",
            url=action.opened_in.get_absolute_url(),
            day=action.due_date,
            counted=action.counted,
            detail=detail,
        )


def decided_in_time() -> Q:
    """Decided within the charter's week, in calendar days (Europe/Paris), as the inbox counts them."""
    return Q(decided_day__lte=F("submitted_day") + datetime.timedelta(days=MissionDescription.DECISION_DAYS))


class MissionDecidedOnTime(Indicator):
    code = "mission_decided_on_time"
    label = gettext_lazy("Descriptions des missions décidées sous une semaine")
    description = gettext_lazy(
        "Décisions (validation ou renvoi) prises au plus tard le 7e jour après la soumission ÷ décisions "
        "prises, plus les descriptions qui attendent depuis plus de 7 jours."
    )
    diploma_path = "mission__contract__diploma"

    def population(self, year, as_of):
        return (
            MissionDecision.objects.filter(mission__academic_year=year, decided_at__date__lte=as_of)
            .annotate(submitted_day=TruncDate("submitted_at"), decided_day=TruncDate("decided_at"))
            .annotate(counted=flag(decided_in_time()))
        )

    def waiting_late(self, year, as_of):
        limit = as_of - datetime.timedelta(days=MissionDescription.DECISION_DAYS)
        return (
            MissionDescription.objects.waiting_decision()
            .filter(academic_year=year)
            .annotate(submitted_day=TruncDate("submitted_at"))
            .filter(submitted_day__lt=limit)
        )

    def decided_after(self, year, as_of):
        """Decisions taken after ``as_of`` on a description that was then waiting for more than the
        week: late on ``as_of`` (a past year's figure does not lose them once decided)."""
        limit = as_of - datetime.timedelta(days=MissionDescription.DECISION_DAYS)
        return (
            MissionDecision.objects.filter(mission__academic_year=year, decided_at__date__gt=as_of)
            .annotate(submitted_day=TruncDate("submitted_at"))
            .filter(submitted_day__lt=limit)
        )

    def compute(self, diploma_ids, year, as_of):
        figures = super().compute(diploma_ids, year, as_of)
        waiting = defaultdict(int)
        for queryset, path in (
            (self.waiting_late(year, as_of), "contract__diploma"),
            (self.decided_after(year, as_of), "mission__contract__diploma"),
        ):
            for pk, n in (
                queryset.filter(**{f"{path}__in": list(diploma_ids)})
                .order_by()
                .values_list(path)
                .annotate(n=Count("pk"))
            ):
                waiting[pk] += n
        result = {}
        for pk, figure in figures.items():
            den = figure.denominator + waiting[pk]
            result[pk] = Figure(figure.numerator, den, rate(figure.numerator, den))
        return result

    def records(self, diploma, year, as_of):
        decisions = (
            self.population(year, as_of)
            .filter(mission__contract__diploma=diploma.pk)
            .select_related(
                "mission__academic_year", "mission__contract__apprentice", "mission__contract__employer"
            )
            .order_by("submitted_at", "pk")
        )
        records = [
            Record(
                label=f"{contract_label(d.mission.contract)} — {d.mission}",
                url=d.mission.get_absolute_url(),
                day=d.decided_day,
                counted=d.counted,
                detail=_("%(outcome)s au %(days)se jour")
                % {"outcome": d.get_outcome_display(), "days": (d.decided_day - d.submitted_day).days},
            )
            for d in decisions
        ]
        waiting = (
            self.waiting_late(year, as_of)
            .filter(contract__diploma=diploma.pk)
            .select_related("academic_year", "contract__apprentice", "contract__employer")
            .order_by("submitted_at", "pk")
        )
        records += [
            Record(
                label=f"{contract_label(m.contract)} — {m}",
                url=m.get_absolute_url(),
                day=m.submitted_day,
                counted=False,
                detail=_("en attente depuis %(days)s jours") % {"days": (as_of - m.submitted_day).days},
            )
            for m in waiting
        ]
        decided_after = (
            self.decided_after(year, as_of)
            .filter(mission__contract__diploma=diploma.pk)
            .select_related(
                "mission__academic_year", "mission__contract__apprentice", "mission__contract__employer"
            )
            .order_by("submitted_at", "pk")
        )
        records += [
            Record(
                label=f"{contract_label(d.mission.contract)} — {d.mission}",
                url=d.mission.get_absolute_url(),
                day=d.submitted_day,
                counted=False,
                detail=_("en attente depuis %(days)s jours au %(day)s, décidée ensuite")
                % {"days": (as_of - d.submitted_day).days, "day": as_of.strftime("%d/%m/%Y")},
            )
            for d in decided_after
        ]
        return records


class MissionMedianDelay(Indicator):
    """The median needs every delay in order: the delays are read (one column, one query) and the
    median taken in Python, the same on SQLite and PostgreSQL."""

    code = "mission_median_delay"
    label = gettext_lazy("Délai médian de décision sur les missions")
    description = gettext_lazy(
        "Médiane, en jours, du délai entre la soumission et la décision du responsable."
    )
    unit = DAYS

    def population(self, year, as_of):
        return MissionDecidedOnTime().population(year, as_of)

    def compute(self, diploma_ids, year, as_of):
        delays = defaultdict(list)
        for diploma_id, delay in (
            self.population(year, as_of)
            .filter(mission__contract__diploma__in=list(diploma_ids))
            .values_list("mission__contract__diploma", "delay")
        ):
            delays[diploma_id].append(delay.total_seconds() / 86400)
        return {
            pk: Figure(
                None, len(delays[pk]), one_decimal(statistics.median(delays[pk])) if delays[pk] else None
            )
            for pk in diploma_ids
        }

    def records(self, diploma, year, as_of):
        decisions = (
            self.population(year, as_of)
            .filter(mission__contract__diploma=diploma.pk)
            .select_related(
                "mission__academic_year", "mission__contract__apprentice", "mission__contract__employer"
            )
            .order_by("delay", "pk")
        )
        return [
            Record(
                label=f"{contract_label(d.mission.contract)} — {d.mission}",
                url=d.mission.get_absolute_url(),
                day=d.decided_day,
                counted=True,
                detail=self.format_value(one_decimal(d.delay.total_seconds() / 86400)),
            )
            for d in decisions
        ]


class MissionsValidated(ContractIndicator):
    code = "missions_validated"
    label = gettext_lazy("Contrats dont les missions de l'année sont validées")
    description = gettext_lazy(
        "Contrats en cours dans l'année dont la description des missions de l'année est validée ÷ contrats "
        "en cours dans l'année."
    )

    def population(self, year, as_of):
        validated = MissionDescription.objects.filter(
            contract=OuterRef("pk"), academic_year=year, status=MissionDescription.Status.VALIDATED
        )
        return Contract.objects.filter(active_during(year, as_of)).annotate(counted=Exists(validated))

    def detail(self, contract):
        return _("validée") if contract.counted else _("pas encore validée")
