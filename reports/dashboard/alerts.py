"""The CFA's dashboard: key figures of an academic year and the apprentices at risk today.

Everything starts from the contracts the person may see (``Contract.objects.visible_to``): the whole
organisation for its staff, their diplomas for a head of diploma, the apprentices they follow for a
school tutor. Figures are SQL aggregates, read with the quality app's own definitions where one exists
(the visit windows of :mod:`livret.windows`, through the ``two_meetings_rule`` indicator), so that the
dashboard and the trajectoire qualité never disagree. Alerts are one query per kind, whatever the
number of apprentices; each page of a kind is one more.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apprentices.models import Apprentice, Contract
from core.charts import Bar, bar_chart
from core.models import AcademicYear
from core.perms import is_staff_or_admin
from livret.models import Evaluation, LiaisonSheet, MissionDescription, VisitReport
from livret.windows import Window, WindowState, summarize
from quality.indicators import INDICATORS
from quality.indicators.base import active_during, judged_on, rate
from quality.indicators.contracts import not_after_diploma
from quality.models import IndicatorValue, year_as_of
from reports import perms

# Alert lists show this many rows per kind on the dashboard; a kind's own page paginates the rest.
PREVIEW = 5
RUPTURE_DAYS = 30
# The start and end windows last two months: a contract whose start (or planned end) is further than
# this from today cannot have one open, so the candidates are narrowed in SQL before the windows are
# computed exactly in Python.
WINDOW_REACH = datetime.timedelta(days=62)


@dataclass
class Scope:
    """What one person's dashboard is about: a year, and optional diploma, cohort and school tutor."""

    user: object
    year: AcademicYear
    today: datetime.date
    diploma: object | None = None
    cohort: object | None = None
    school_tutor: object | None = None
    invalid: bool = False  # a filter made no sense: every figure and list is empty

    @property
    def as_of(self) -> datetime.date:
        return year_as_of(self.year, self.today)

    def list_url(self, name: str, **params) -> str:
        """A list page narrowed as this dashboard is: the figure's records, one click away."""
        query = {
            "diploma": self.diploma.pk if self.diploma else None,
            "cohort": self.cohort.pk if self.cohort else None,
            "school_tutor": self.school_tutor.pk if self.school_tutor else None,
            **params,
        }
        return f"{reverse(name)}?{urlencode({k: v for k, v in query.items() if v is not None})}".rstrip("?")

    @property
    def is_current(self) -> bool:
        return self.year.start_date <= self.today <= self.year.end_date

    def contracts(self):
        """Every contract this dashboard may count (any year): a subquery, so aggregates stay simple."""
        if self.invalid:
            return Contract.objects.none()
        contracts = Contract.objects.filter(pk__in=Contract.objects.visible_to(self.user).values("pk"))
        if self.diploma is not None:
            contracts = contracts.filter(diploma=self.diploma)
        if self.cohort is not None:
            contracts = contracts.filter(apprentice__cohort=self.cohort)
        if self.school_tutor is not None:
            contracts = contracts.filter(school_tutor=self.school_tutor)
        return contracts

    def running_contracts(self):
        """Contracts running today: the ones alerts are about."""
        return self.contracts().filter(status=Contract.Status.ACTIVE).active_on(self.today)

    def apprentices_without_contract(self):
        """Enrolled apprentices (in a cohort) with no contract running or to come, who never completed
        one: those a CFA must help find an employer. A school tutor follows contracts, so their
        dashboard has none."""
        if self.invalid or self.school_tutor is not None:
            return Apprentice.objects.none()
        apprentices = Apprentice.objects.filter(
            pk__in=Apprentice.objects.visible_to(self.user).values("pk"), cohort__isnull=False
        )
        if self.diploma is not None:
            apprentices = apprentices.filter(cohort__diploma=self.diploma)
        if self.cohort is not None:
            apprentices = apprentices.filter(cohort=self.cohort)
        ongoing = Contract.objects.filter(
            apprentice=OuterRef("pk"),
            status=Contract.Status.ACTIVE,
            planned_end_date__gte=self.today,
            rupture_date__isnull=True,
        )
        completed = Contract.objects.filter(apprentice=OuterRef("pk"), status=Contract.Status.COMPLETED)
        return apprentices.exclude(Exists(ongoing)).exclude(Exists(completed))


# Key figures --------------------------------------------------------------------------------------


@dataclass
class KeyFigure:
    key: str
    label: str
    value: str
    detail: str = ""
    url: str = ""


def _percent(numerator: int, denominator: int) -> str:
    value = rate(numerator, denominator)
    if value is None:
        return "—"
    text = f"{value:.1f}".replace(".", ",").removesuffix(",0")
    return f"{text} %"


def key_figures(scope: Scope) -> list[KeyFigure]:
    """Six figures of the year, up to today (or the year's last day once it is over). Five queries."""
    year, as_of = scope.year, scope.as_of
    during = scope.contracts().filter(active_during(year, as_of))
    ruptured = (
        Q(status=Contract.Status.RUPTURED, rupture_date__gte=year.start_date, rupture_date__lte=as_of)
        & not_after_diploma()
    )
    running_on = Q(start_date__lte=as_of, planned_end_date__gte=as_of) & ~Q(rupture_date__lte=as_of)
    counts = during.aggregate(
        apprentices=Count("apprentice", distinct=True),
        contracts=Count("pk"),
        running=Count("pk", filter=running_on & ~Q(status=Contract.Status.ABANDONED)),
        ruptured=Count("pk", filter=ruptured),
    )

    due = LiaisonSheet.objects.current().filter(
        contract__in=scope.contracts(), due_date__gte=year.start_date, due_date__lte=year.end_date
    )
    due = due.filter(Q(due_date__lt=judged_on(year, as_of)) | Q(countersigned_at__isnull=False))
    sheets = due.annotate(signed_day=TruncDate("countersigned_at")).aggregate(
        due=Count("pk"), on_time=Count("pk", filter=Q(signed_day__lte=F("due_date")))
    )

    windows_met, windows_judged, computed_at = _visit_windows(scope)

    waiting = MissionDescription.objects.waiting_decision().filter(
        contract__in=scope.contracts(), academic_year=year
    )
    late_limit = timezone.now() - datetime.timedelta(days=MissionDescription.DECISION_DAYS)
    missions = waiting.aggregate(waiting=Count("pk"), late=Count("pk", filter=Q(submitted_at__lt=late_limit)))

    return [
        KeyFigure(
            "apprentices",
            _("Apprentis sous contrat"),
            str(counts["apprentices"]),
            ngettext("%(n)s contrat dans l'année", "%(n)s contrats dans l'année", counts["contracts"])
            % {"n": counts["contracts"]},
            scope.list_url("apprentices:apprentice_list"),
        ),
        KeyFigure(
            "running",
            _("Contrats en cours"),
            str(counts["running"]),
            _("au %(day)s") % {"day": as_of.strftime("%d/%m/%Y")},
            scope.list_url("apprentices:contract_list", status=Contract.Status.ACTIVE),
        ),
        KeyFigure(
            "ruptures",
            _("Ruptures"),
            str(counts["ruptured"]),
            _("%(rate)s des contrats de l'année")
            % {"rate": _percent(counts["ruptured"], counts["contracts"])},
            scope.list_url("apprentices:contract_list", status=Contract.Status.RUPTURED),
        ),
        KeyFigure(
            "sheets",
            _("Fiches de liaison à temps"),
            _percent(sheets["on_time"], sheets["due"]),
            _("%(n)s sur %(d)s fiches échues contresignées à temps")
            % {"n": sheets["on_time"], "d": sheets["due"]},
            scope.list_url(
                "livret:sheet_list",
                due_after=year.start_date.isoformat(),
                due_before=min(as_of, year.end_date).isoformat(),
            ),
        ),
        KeyFigure(
            "visits",
            _("Visites dans les fenêtres"),
            _percent(windows_met, windows_judged),
            (
                _("%(n)s sur %(d)s contrats ont eu chaque rencontre dans sa fenêtre")
                % {"n": windows_met, "d": windows_judged}
            )
            + (
                _(" (calcul du %(day)s)")
                % {"day": timezone.localtime(computed_at).strftime("%d/%m/%Y %H:%M")}
                if computed_at
                else ""
            ),
        ),
        KeyFigure(
            "missions",
            _("Missions en attente de décision"),
            str(missions["waiting"]),
            ngettext(
                "dont %(n)s depuis plus de 7 jours", "dont %(n)s depuis plus de 7 jours", missions["late"]
            )
            % {"n": missions["late"]},
            scope.list_url(
                "livret:mission_list", status=MissionDescription.Status.SUBMITTED, academic_year=year.pk
            ),
        ),
    ]


def _visit_windows(scope: Scope) -> tuple[int, int, datetime.datetime | None]:
    """Contracts whose meetings were all held in the charter's windows, of those with a window closed
    in the year: (met, judged, when computed). The windows are dated by month arithmetic and judged in
    Python over every contract, which is the quality indicator's nightly job: for the staff's
    organisation-wide view (no cohort, no school tutor) its stored figures are summed over the
    diplomas; a narrower view is judged live, on fewer contracts."""
    if is_staff_or_admin(scope.user) and scope.cohort is None and scope.school_tutor is None:
        diplomas = scope.contracts().values("diploma").distinct()
        stored = IndicatorValue.objects.filter(
            indicator="two_meetings_rule", academic_year=scope.year, diploma__in=diplomas
        ).aggregate(met=Sum("numerator"), judged=Sum("denominator"), at=Min("computed_at"), n=Count("pk"))
        # Every diploma of the view computed, or the sum would leave some out.
        if stored["n"] and stored["n"] == diplomas.count():
            return stored["met"] or 0, stored["judged"] or 0, stored["at"]
    judged = INDICATORS["two_meetings_rule"].judge(scope.contracts(), scope.year, scope.as_of)
    return sum(1 for contract in judged if contract.counted), len(judged), None


# Alerts -------------------------------------------------------------------------------------------


@dataclass
class Alert:
    apprentice: Apprentice
    reason: str
    url: str
    action: str
    day: datetime.date | None = None
    contract: Contract | None = None


@dataclass
class AlertKind:
    key: str
    label: str
    description: str
    count: int = 0
    alerts: list[Alert] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.alerts)


def _day(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


class Kind:
    """One reason an apprentice is at risk: the rows behind it (``rows``), and each one as an alert."""

    key = ""
    label = ""
    description = ""

    def rows(self, scope: Scope):
        raise NotImplementedError

    def alert(self, row, scope: Scope) -> Alert:
        raise NotImplementedError

    def count(self, rows) -> int:
        return rows.count()

    def page(self, rows, start: int, stop: int, scope: Scope) -> list[Alert]:
        return [self.alert(row, scope) for row in rows[start:stop]]


class OverdueSheets(Kind):
    key = "fiches"
    label = gettext_lazy("Fiches de liaison en retard")
    description = gettext_lazy("Fiches échues qui ne sont pas encore contresignées.")

    def rows(self, scope):
        return (
            LiaisonSheet.objects.overdue(scope.today)
            .filter(contract__in=scope.running_contracts())
            .select_related("contract__apprentice", "period")
            .order_by("due_date", "pk")
        )

    def alert(self, sheet, scope):
        waiting = (
            _("à contresigner par le maître d'apprentissage")
            if sheet.status == LiaisonSheet.Status.SUBMITTED
            else _("à compléter par l'apprenti")
        )
        return Alert(
            apprentice=sheet.contract.apprentice,
            reason=_("Fiche due le %(day)s, %(waiting)s") % {"day": _day(sheet.due_date), "waiting": waiting},
            url=sheet.get_absolute_url(),
            action=_("Ouvrir la fiche"),
            day=sheet.due_date,
            contract=sheet.contract,
        )


class VisitWindows(Kind):
    """An open start or end window with no meeting held and none planned: read with the same window
    code as the contract's page. The candidates are narrowed in SQL, judged in Python (two queries)."""

    key = "visites"
    label = gettext_lazy("Visites à organiser")
    description = gettext_lazy(
        "Fenêtre de rencontre ouverte (deux mois après le début ou avant la fin du contrat) sans rencontre "
        "tenue ni planifiée."
    )

    def rows(self, scope):
        today = scope.today
        candidates = list(
            scope.running_contracts()
            .filter(
                Q(start_date__gt=today - WINDOW_REACH)
                | Q(planned_end_date__lt=today + WINDOW_REACH, planned_end_date__gte=today)
            )
            .select_related("apprentice")
            .order_by("pk")
        )
        visits = list(
            VisitReport.objects.filter(contract__in=candidates)
            .exclude(status=VisitReport.Status.CANCELLED)
            .only("pk", "contract_id", "status", "held_on", "planned_date")
        )
        due = []
        for contract in candidates:
            summary = summarize(contract, visits, today)
            window = summary.next
            if (
                window is not None
                and window.kind in (Window.START, Window.END)
                and window.state == WindowState.OPEN
                and not summary.planned
            ):
                due.append((contract, window))
        due.sort(key=lambda item: (item[1].end, item[0].pk))
        return due

    def count(self, rows):
        return len(rows)

    def alert(self, row, scope):
        contract, window = row
        return Alert(
            apprentice=contract.apprentice,
            reason=_("%(window)s : aucune rencontre, fenêtre ouverte jusqu'au %(day)s")
            % {"window": window.label, "day": _day(window.end)},
            url=reverse("livret:contract_visits", args=[contract.pk]),
            action=_("Planifier une visite"),
            day=window.end,
            contract=contract,
        )


class MissionsWaiting(Kind):
    key = "missions"
    label = gettext_lazy("Missions en attente depuis plus de 7 jours")
    description = gettext_lazy(
        "Descriptions des missions soumises sans décision du responsable depuis une semaine."
    )

    def rows(self, scope):
        limit = timezone.now() - datetime.timedelta(days=MissionDescription.DECISION_DAYS)
        return (
            MissionDescription.objects.waiting_decision()
            .filter(contract__in=scope.contracts(), submitted_at__lt=limit)
            .select_related("contract__apprentice")
            .order_by("submitted_at", "pk")
        )

    def alert(self, mission, scope):
        submitted = timezone.localdate(mission.submitted_at)
        days = (scope.today - submitted).days
        return Alert(
            apprentice=mission.contract.apprentice,
            reason=ngettext(
                "Soumise le %(day)s, en attente depuis %(n)s jour",
                "Soumise le %(day)s, en attente depuis %(n)s jours",
                days,
            )
            % {"day": _day(submitted), "n": days},
            url=mission.get_absolute_url(),
            action=_("Décider"),
            day=submitted,
            contract=mission.contract,
        )


class RecentRuptures(Kind):
    key = "ruptures"
    label = gettext_lazy("Ruptures des 30 derniers jours")
    description = gettext_lazy("Contrats rompus récemment : l'apprenti cherche peut-être un autre employeur.")

    def rows(self, scope):
        return (
            scope.contracts()
            .filter(
                status=Contract.Status.RUPTURED,
                rupture_date__gte=scope.today - datetime.timedelta(days=RUPTURE_DAYS),
                rupture_date__lte=scope.today,
            )
            .select_related("apprentice", "employer")
            .order_by("-rupture_date", "pk")
        )

    def alert(self, contract, scope):
        cause = contract.get_rupture_cause_display() if contract.rupture_cause else _("motif non renseigné")
        return Alert(
            apprentice=contract.apprentice,
            reason=_("Contrat chez %(employer)s rompu le %(day)s (%(cause)s)")
            % {"employer": contract.employer, "day": _day(contract.rupture_date), "cause": cause},
            url=contract.get_absolute_url(),
            action=_("Voir le contrat"),
            day=contract.rupture_date,
            contract=contract,
        )


class WithoutContract(Kind):
    key = "sans-contrat"
    label = gettext_lazy("Inscrits sans contrat")
    description = gettext_lazy("Apprentis inscrits dans une promotion sans contrat en cours ni à venir.")

    def rows(self, scope):
        return (
            scope.apprentices_without_contract()
            .select_related("cohort__diploma")
            .order_by("last_name", "first_name", "pk")
        )

    def alert(self, apprentice, scope):
        if perms.can_manage_contracts(scope.user):
            url = reverse("apprentices:contract_create") + f"?apprentice={apprentice.pk}"
            action = _("Enregistrer un contrat")
        else:
            url, action = apprentice.get_absolute_url(), _("Voir l'apprenti")
        return Alert(
            apprentice=apprentice,
            reason=_("Inscrit en %(cohort)s, sans contrat en cours") % {"cohort": apprentice.cohort},
            url=url,
            action=action,
        )


class Inactive(Kind):
    """Nothing done by a person in the booklet for a long time: no sheet written, signed or read, no
    visit planned or held, no mission description written or decided, no evaluation filled in. What
    the platform does by itself (opening a sheet) is not activity."""

    key = "inactivite"
    label = gettext_lazy("Livret sans activité")
    description = gettext_lazy("Contrats en cours sans rien de nouveau dans le livret depuis longtemps.")

    @staticmethod
    def days() -> int:
        return settings.DASHBOARD_INACTIVITY_DAYS

    def rows(self, scope):
        since = timezone.now() - datetime.timedelta(days=self.days())
        since_day = scope.today - datetime.timedelta(days=self.days())
        contract = OuterRef("pk")
        sheets = LiaisonSheet.objects.filter(contract=contract).filter(
            Q(submitted_at__gte=since)
            | Q(countersigned_at__gte=since)
            | Q(reviewed_at__gte=since)
            | Q(revision__gt=0, updated_at__gte=since)
        )
        visits = VisitReport.objects.filter(contract=contract).filter(
            Q(created_at__gte=since) | Q(held_on__gte=since_day)
        )
        missions = MissionDescription.objects.filter(contract=contract).filter(
            Q(revision__gt=0, updated_at__gte=since) | Q(submitted_at__gte=since) | Q(decided_at__gte=since)
        )
        evaluations = Evaluation.objects.filter(contract=contract, updated_at__gte=since)
        return (
            scope.running_contracts()
            .filter(start_date__lte=since_day)
            .exclude(Exists(sheets))
            .exclude(Exists(visits))
            .exclude(Exists(missions))
            .exclude(Exists(evaluations))
            .select_related("apprentice")
            .order_by("start_date", "pk")
        )

    def alert(self, contract, scope):
        return Alert(
            apprentice=contract.apprentice,
            reason=ngettext(
                "Rien de nouveau dans le livret depuis %(n)s jour",
                "Rien de nouveau dans le livret depuis %(n)s jours",
                self.days(),
            )
            % {"n": self.days()},
            url=reverse("livret:booklet", args=[contract.apprentice_id]),
            action=_("Ouvrir le livret"),
            contract=contract,
        )


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        OverdueSheets(),
        VisitWindows(),
        MissionsWaiting(),
        RecentRuptures(),
        WithoutContract(),
        Inactive(),
    )
}


def _rows(kind: Kind, scope: Scope):
    """The kind's rows, or None: alerts are about today, a past year (or a filter in error) has none."""
    return kind.rows(scope) if scope.is_current and not scope.invalid else None


def alerts(scope: Scope, *, stop: int = PREVIEW) -> list[AlertKind]:
    """Each kind of alert with its count and its first ``stop`` rows."""
    result = []
    for kind in KINDS.values():
        entry = AlertKind(kind.key, str(kind.label), str(kind.description))
        rows = _rows(kind, scope)
        if rows is not None:
            entry.count = kind.count(rows)
            if entry.count and stop:
                entry.alerts = kind.page(rows, 0, stop, scope)
        result.append(entry)
    return result


def alert_page(scope: Scope, key: str, number, per_page: int) -> tuple[AlertKind, Page]:
    """One kind's alerts, a page at a time: its rows are read once, for the count and for the page."""
    kind = KINDS[key]
    entry = AlertKind(kind.key, str(kind.label), str(kind.description))
    rows = _rows(kind, scope)
    entry.count = kind.count(rows) if rows is not None else 0
    page = Paginator(range(entry.count), per_page).get_page(number)
    if entry.count:
        entry.alerts = kind.page(rows, page.start_index() - 1, page.end_index(), scope)
    return entry, page


def alerts_chart(kinds: list[AlertKind]):
    total = sum(kind.count for kind in kinds)
    return bar_chart(
        title=_("Apprentis en alerte, par motif"),
        description=_("%(total)s alertes : %(detail)s.")
        % {"total": total, "detail": " ; ".join(f"{kind.label} {kind.count}" for kind in kinds)},
        bars=[Bar(kind.label, kind.count, str(kind.count)) for kind in kinds],
        chart_id="alertes-graphique",
        empty_message=_("Aucune alerte aujourd'hui."),
    )
