"""The apprentices at risk today, by reason: each kind of alert reads its rows from the scope.

Alerts are about today, for the current academic year. Each kind is one query (the visits: two, their
rows being judged in Python), whatever the number of apprentices; each page of a kind is one more.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from itertools import chain

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apprentices import status
from apprentices.models import Apprentice, Contract
from core.charts import Bar, bar_chart
from core.db import planned_for_their_values
from livret import activity
from livret.models import LiaisonSheet, MissionDescription, VisitReport
from livret.windows import HELD, Window, WindowState, dates_of, summarize, visits_of
from reports import perms
from reports.dashboard.scope import Scope

# Alert lists show this many rows per kind on the dashboard; a kind's own page paginates the rest.
PREVIEW = 5
RUPTURE_DAYS = 30
# The start and end windows last two months: a contract whose start (or planned end) is further than
# this from today cannot have one open, so the candidates are narrowed in SQL before the windows are
# computed exactly in Python.
WINDOW_REACH = datetime.timedelta(days=62)
# The end window starts the day after two months before the planned end: 58 days before it at the latest
# (two months last 59 days at least), so a meeting from then on is in it.
END_WINDOW_HOLDS = datetime.timedelta(days=58)


# Alerts -------------------------------------------------------------------------------------------


@dataclass
class Alert:
    apprentice: Apprentice
    reason: str
    url: str
    action: str
    day: datetime.date | None = None
    contract: Contract | None = None
    days_left: int | None = None  # a legal delay's: negative once passed


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
    """One reason an apprentice is at risk: the rows behind it (``queryset``), and each one as an alert.

    The rows are read once as their keys, in their order (``rows``): the count is their number, and a
    page reads its rows by key with what the alerts show (``related``). Counting, then reading a page,
    evaluated the kind's filters over the whole scope twice (at 20,000 apprentices, the overdue sheets
    or the contracts without activity: tens of milliseconds each time). A kind judged in Python reads
    its own rows (``rows``, ``page``)."""

    key = ""
    label = ""
    description = ""
    model = None  # the model of ``queryset``'s rows
    related: tuple[str, ...] = ()

    def queryset(self, scope: Scope):
        raise NotImplementedError

    def rows(self, scope: Scope) -> list:
        return list(self.queryset(scope).values_list("pk", flat=True))

    def alert(self, row, scope: Scope) -> Alert:
        raise NotImplementedError

    def count(self, rows) -> int:
        return len(rows)

    def page(self, rows, start: int, stop: int, scope: Scope) -> list[Alert]:
        keys = rows[start:stop]
        found = self.model._default_manager.select_related(*self.related).in_bulk(keys)
        # A row deleted since its key was read is left out of the page.
        return [self.alert(found[key], scope) for key in keys if key in found]


class OverdueSheets(Kind):
    key = "fiches"
    label = gettext_lazy("Fiches de liaison en retard")
    description = gettext_lazy("Fiches échues qui ne sont pas encore contresignées.")
    model = LiaisonSheet
    related = ("contract__apprentice", "period")

    def queryset(self, scope):
        return scope.of_contracts(LiaisonSheet.objects.overdue(scope.today), running=True).order_by(
            "due_date", "pk"
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
    code as the contract's page. The candidates are narrowed in SQL, judged in Python (two queries)
    on the dates the windows need only, read as plain rows; the contracts and apprentices of the page
    shown are read in one more (a network has thousands of candidates, and a page shows five or
    twenty-five)."""

    key = "visites"
    label = gettext_lazy("Visites à organiser")
    description = gettext_lazy(
        "Fenêtre de rencontre ouverte (deux mois après le début ou avant la fin du contrat) sans rencontre "
        "tenue ni planifiée."
    )

    def rows(self, scope):
        today = scope.today
        visits = VisitReport.objects.filter(contract=OuterRef("pk"))
        planned = visits.filter(status=VisitReport.Status.PLANNED)
        held = visits.filter(status__in=HELD, held_on__lte=today)
        candidates = dates_of(
            scope.running_contracts()
            .filter(
                Q(start_date__gt=today - WINDOW_REACH)
                | Q(planned_end_date__lt=today + WINDOW_REACH, planned_end_date__gte=today)
            )
            .exclude(Exists(planned))  # a visit planned: nothing to organise, whatever the windows
            # Nor when the one window that can be open today has had its meeting already: most of a
            # network's candidates (at 20,000 apprentices, 545 judged in Python for 36 alerts).
            # Its end too far off for the end window, the start window holds every day from the start
            # to today …
            .exclude(
                Q(planned_end_date__gte=today + WINDOW_REACH)
                & Exists(held.filter(held_on__gte=OuterRef("start_date")))
            )
            # … its start too far back for the start window, the end window (the contract not
            # broken off: its last year lasts three months at least) every day from END_WINDOW_HOLDS
            # before the planned end to today.
            .exclude(
                Q(start_date__lte=today - WINDOW_REACH, rupture_date__isnull=True)
                & Exists(held.filter(held_on__gte=OuterRef("planned_end_date") - END_WINDOW_HOLDS))
            )
            .order_by("pk")
        )
        visits = visits_of([contract.pk for contract in candidates])
        due = []
        for contract in candidates:
            window = summarize(contract, visits[contract.pk], today).next
            if (
                window is not None
                and window.kind in (Window.START, Window.END)
                and window.state == WindowState.OPEN
            ):
                due.append((contract, window))
        due.sort(key=lambda item: (item[1].end, item[0].pk))
        return due

    def page(self, rows, start, stop, scope):
        chosen = rows[start:stop]
        contracts = Contract.objects.select_related("apprentice").in_bulk([dates.pk for dates, _w in chosen])
        return [self.alert((contracts[dates.pk], window), scope) for dates, window in chosen]

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

    model = MissionDescription
    related = ("contract__apprentice",)

    def queryset(self, scope):
        limit = timezone.now() - datetime.timedelta(days=MissionDescription.DECISION_DAYS)
        return (
            scope.of_contracts(MissionDescription.objects.waiting_decision())
            .filter(submitted_at__lt=limit)
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

    model = Contract
    related = ("apprentice", "employer")

    def queryset(self, scope):
        return (
            scope.contracts()
            .filter(
                status=Contract.Status.RUPTURED,
                rupture_date__gte=scope.today - datetime.timedelta(days=RUPTURE_DAYS),
                rupture_date__lte=scope.today,
            )
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


def _record_contract(apprentice, scope) -> tuple[str, str]:
    if perms.can_manage_contracts(scope.user):
        return reverse("apprentices:contract_create") + f"?apprentice={apprentice.pk}", _(
            "Enregistrer un contrat"
        )
    return apprentice.get_absolute_url(), _("Voir l'apprenti")


class WithoutContract(Kind):
    """The apprentices the key figure « Apprentis sans contrat » counts, one by one."""

    key = "sans-contrat"
    label = gettext_lazy("Apprentis sans contrat")
    description = gettext_lazy(
        "Inscrits en formation sans contrat en cours, dans le délai de trois mois : le statut « Inscrit "
        "sans contrat » du Tableau de bord de l'apprentissage, aujourd'hui."
    )

    model = Apprentice
    related = ("cohort__diploma",)

    def queryset(self, scope):
        enrolled = [pk for pk, row in scope.statuses().items() if row.value == status.TrainingStatus.ENROLLED]
        return Apprentice.objects.filter(pk__in=enrolled).order_by("last_name", "first_name", "pk")

    def alert(self, apprentice, scope):
        url, action = _record_contract(apprentice, scope)
        if apprentice.cohort is not None:
            reason = _("Inscrit en %(cohort)s, sans contrat en cours") % {"cohort": apprentice.cohort}
        else:
            reason = _("Sans promotion ni contrat en cours")
        return Alert(apprentice=apprentice, reason=reason, url=url, action=action)


class LegalDelays(Kind):
    """Code du travail, L6222-12-1: three months at most in training without an employer, six months
    after a rupture to find a new one. A delay is an alert from ``status.WARNING_DAYS`` before its
    last day, and stays one once passed (during the year shown) until a contract or the exit from
    the training is recorded. An apprentice with a contract signed to start later has found an
    employer: not an alert. The delays come with the statuses of the scope (``Scope.statuses``, no
    query more), are judged and sorted by their last day in Python (months are added on the
    calendar); a page of apprentices is read in one query."""

    key = "delais"
    label = gettext_lazy("Délais légaux")
    description = gettext_lazy(
        "Trois mois au plus en formation sans contrat, six mois après une rupture pour trouver un nouvel "
        "employeur (Code du travail, L6222-12-1) : délais qui finissent dans les 30 jours, ou dépassés "
        "pendant l'année scolaire."
    )

    def rows(self, scope):
        # A legal delay runs only for the statuses the scope reads (``scope.WATCHED``), and not for
        # someone who found an employer: read with them (one query for the figures and both alerts),
        # judged here.
        delays = [
            (pk, row.delay)
            for pk, row in scope.statuses().items()
            if status.delay_ending(row, scope.today, passed_since=scope.year.start_date)
        ]
        delays.sort(key=lambda row: (row[1].last_day, row[0]))
        return delays

    def page(self, rows, start, stop, scope):
        chosen = rows[start:stop]
        apprentices = Apprentice.objects.in_bulk([pk for pk, _delay in chosen])
        return [self.alert((apprentices[pk], delay), scope) for pk, delay in chosen]

    def alert(self, row, scope):
        apprentice, delay = row
        left = delay.days_left(scope.today)
        values = {"day": _day(delay.last_day), "start": _day(delay.start), "n": abs(left)}
        if delay.after_rupture:
            if left >= 0:
                reason = ngettext(
                    "Rupture le %(start)s : six mois pour un nouvel employeur, jusqu'au %(day)s (%(n)s jour "
                    "restant)",
                    "Rupture le %(start)s : six mois pour un nouvel employeur, jusqu'au %(day)s (%(n)s jours "
                    "restants)",
                    left,
                )
            else:
                reason = ngettext(
                    "Rupture le %(start)s : délai de six mois dépassé depuis le %(day)s (%(n)s jour)",
                    "Rupture le %(start)s : délai de six mois dépassé depuis le %(day)s (%(n)s jours)",
                    -left,
                )
        elif left >= 0:
            reason = ngettext(
                "En formation sans contrat depuis le %(start)s : trois mois au plus, jusqu'au %(day)s "
                "(%(n)s jour restant)",
                "En formation sans contrat depuis le %(start)s : trois mois au plus, jusqu'au %(day)s "
                "(%(n)s jours restants)",
                left,
            )
        else:
            reason = ngettext(
                "En formation sans contrat depuis le %(start)s : trois mois dépassés depuis le %(day)s "
                "(%(n)s jour)",
                "En formation sans contrat depuis le %(start)s : trois mois dépassés depuis le %(day)s "
                "(%(n)s jours)",
                -left,
            )
        url, action = _record_contract(apprentice, scope)
        return Alert(
            apprentice=apprentice,
            reason=reason % values,
            url=url,
            action=action,
            day=delay.last_day,
            days_left=left,
        )


class Inactive(Kind):
    """Nothing done by a person in the booklet for a long time (``livret.activity``): no sheet written,
    signed or read, no visit planned or held, no mission description written or decided, no evaluation
    filled in. What the platform does by itself (opening a sheet) is not activity. Read from the latest
    activity Celery stores per contract, live for the contracts written in the last minutes."""

    key = "inactivite"
    label = gettext_lazy("Livret sans activité")
    description = gettext_lazy("Contrats en cours sans rien de nouveau dans le livret depuis longtemps.")

    @staticmethod
    def days() -> int:
        return settings.DASHBOARD_INACTIVITY_DAYS

    model = Contract
    related = ("apprentice",)

    def _judged(self, scope):
        """The contracts judged on their stored activity, and those judged on their documents."""
        since = timezone.now() - datetime.timedelta(days=self.days())
        since_day = scope.today - datetime.timedelta(days=self.days())
        started = scope.running_contracts().filter(start_date__lte=since_day)
        return activity.inactive(started, since, since_day)

    def queryset(self, scope):
        stored, live = self._judged(scope)
        return stored.order_by().union(live.order_by(), all=True).order_by("start_date", "pk")

    def rows(self, scope):
        # Each read alone (``activity.inactive``: their union ran in parallel workers), in the order.
        read = chain(*(judged.values_list("start_date", "pk") for judged in self._judged(scope)))
        return [pk for _start, pk in sorted(read)]

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
        LegalDelays(),
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


@planned_for_their_values()
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
