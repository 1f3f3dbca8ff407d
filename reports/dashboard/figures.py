"""The key figures of a scope: one function per figure, each with its period and its definition.

The staff home and the dashboard show the same figures from these functions, so one definition gives
one number everywhere. Figures of the year count up to ``scope.as_of`` (today, or the year's last day
once it is over); figures of a day are taken on ``scope.as_of``. Several figures read the same
aggregate: it is computed once per scope (``_once``), whatever the number of figures shown.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Exists, F, Min, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apprentices.models import Contract, Diploma, running_on
from apprentices.status import ENROLLED_MONTHS, RUPTURE_MONTHS, TrainingStatus
from core.db import planned_for_their_values
from core.perms import is_staff_or_admin
from livret.models import LiaisonSheet, MissionDescription
from quality.indicators import INDICATORS
from quality.indicators.base import active_during, judged_on, rate
from quality.indicators.contracts import not_after_diploma
from quality.models import IndicatorValue
from reports.dashboard.scope import Scope


@dataclass
class KeyFigure:
    key: str
    label: str
    value: str
    period: str  # the year or the day it counts: "2025-2026, du 01/09/2025 au 05/12/2025", "au 05/12/2025"
    definition: str  # what is counted, in a sentence
    detail: str = ""
    url: str = ""


def _day(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


def _percent(numerator: int, denominator: int) -> str:
    value = rate(numerator, denominator)
    if value is None:
        return "—"
    text = f"{value:.1f}".replace(".", ",").removesuffix(",0")
    return f"{text} %"


def year_period(scope: Scope) -> str:
    return _("Année %(year)s, du %(start)s au %(end)s") % {
        "year": scope.year.label,
        "start": _day(scope.year.start_date),
        "end": _day(scope.as_of),
    }


def day_period(scope: Scope) -> str:
    return _("Au %(day)s") % {"day": _day(scope.as_of)}


def _once(scope: Scope, key: str, compute: Callable[[], dict]) -> dict:
    """An aggregate several figures read, computed once per scope."""
    cache = scope.__dict__.setdefault("_figures", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _contract_counts(scope: Scope) -> dict:
    year, as_of = scope.year, scope.as_of
    ruptured = (
        Q(status=Contract.Status.RUPTURED, rupture_date__gte=year.start_date, rupture_date__lte=as_of)
        & not_after_diploma()
    )
    return (
        scope.contracts()
        .filter(active_during(year, as_of))
        .aggregate(
            apprentices=Count("apprentice", distinct=True),
            contracts=Count("pk"),
            running=Count("pk", filter=running_on(as_of) & ~Q(status=Contract.Status.ABANDONED)),
            ruptured=Count("pk", filter=ruptured),
        )
    )


def _status_counts(scope: Scope) -> dict:
    """How many apprentices of the scope have each status of the Tableau de bord on ``as_of``."""
    return scope.status_counts(scope.as_of)


# Contracts ----------------------------------------------------------------------------------------


def apprentices_under_contract(scope: Scope) -> KeyFigure:
    counts = _once(scope, "contracts", lambda: _contract_counts(scope))
    return KeyFigure(
        "apprentices",
        _("Apprentis sous contrat"),
        str(counts["apprentices"]),
        year_period(scope),
        _("Apprentis qui ont eu au moins un jour de contrat dans la période."),
        ngettext("%(n)s contrat dans la période", "%(n)s contrats dans la période", counts["contracts"])
        % {"n": counts["contracts"]},
        scope.list_url("apprentices:apprentice_list"),
    )


def running_contracts(scope: Scope) -> KeyFigure:
    counts = _once(scope, "contracts", lambda: _contract_counts(scope))
    return KeyFigure(
        "running",
        _("Contrats en cours"),
        str(counts["running"]),
        day_period(scope),
        _("Contrats commencés, ni arrivés à leur fin prévue, ni rompus, ni abandonnés ce jour-là."),
        url=scope.list_url("apprentices:contract_list", status=Contract.Status.ACTIVE),
    )


def ruptures(scope: Scope) -> KeyFigure:
    counts = _once(scope, "contracts", lambda: _contract_counts(scope))
    return KeyFigure(
        "ruptures",
        _("Contrats rompus"),
        str(counts["ruptured"]),
        year_period(scope),
        _("Contrats rompus dans la période ; une rupture après l'obtention du diplôme n'est pas comptée."),
        _("%(rate)s des contrats de la période")
        % {"rate": _percent(counts["ruptured"], counts["contracts"])},
        scope.list_url("apprentices:contract_list", status=Contract.Status.RUPTURED),
    )


# Apprentices' statuses ----------------------------------------------------------------------------


def enrolled_without_contract(scope: Scope) -> KeyFigure:
    counts = _once(scope, "statuses", lambda: _status_counts(scope))
    return KeyFigure(
        "enrolled",
        _("Apprentis sans contrat"),
        str(counts[TrainingStatus.ENROLLED]),
        day_period(scope),
        _(
            "Inscrits en formation sans contrat en cours, dans les %(n)s mois que permet le Code du travail "
            "(L6222-12-1) ; au-delà, le Tableau de bord de l'apprentissage les compte en abandon."
        )
        % {"n": ENROLLED_MONTHS},
        url=scope.list_url("apprentices:apprentice_list", status=TrainingStatus.ENROLLED),
    )


def ruptured_apprentices(scope: Scope) -> KeyFigure:
    counts = _once(scope, "statuses", lambda: _status_counts(scope))
    return KeyFigure(
        "rupturants",
        _("Rupturants"),
        str(counts[TrainingStatus.RUPTURED]),
        day_period(scope),
        _(
            "Apprentis dont le dernier contrat a été rompu il y a moins de %(n)s mois, en formation en "
            "attendant un nouvel employeur (Code du travail, L6222-12-1)."
        )
        % {"n": RUPTURE_MONTHS},
        url=scope.list_url("apprentices:apprentice_list", status=TrainingStatus.RUPTURED),
    )


# The booklet --------------------------------------------------------------------------------------


def sheets_on_time(scope: Scope) -> KeyFigure:
    year, as_of = scope.year, scope.as_of
    due = scope.of_contracts(LiaisonSheet.objects.current()).filter(
        due_date__gte=year.start_date, due_date__lte=year.end_date
    )
    due = due.filter(Q(due_date__lt=judged_on(year, as_of)) | Q(countersigned_at__isnull=False))
    sheets = due.annotate(signed_day=TruncDate("countersigned_at")).aggregate(
        due=Count("pk"), on_time=Count("pk", filter=Q(signed_day__lte=F("due_date")))
    )
    return KeyFigure(
        "sheets",
        _("Fiches de liaison à temps"),
        _percent(sheets["on_time"], sheets["due"]),
        year_period(scope),
        _("Fiches échues dans la période, contresignées au plus tard le jour de leur échéance."),
        _("%(n)s sur %(d)s fiches") % {"n": sheets["on_time"], "d": sheets["due"]},
        scope.list_url(
            "livret:sheet_list",
            due_after=year.start_date.isoformat(),
            due_before=min(as_of, year.end_date).isoformat(),
        ),
    )


def visits_in_their_windows(scope: Scope) -> KeyFigure:
    met, judged, computed_at = _visit_windows(scope)
    detail = ngettext(
        "%(n)s sur %(d)s contrat ; %(missed)s a manqué une fenêtre",
        "%(n)s sur %(d)s contrats ; %(missed)s ont manqué une fenêtre",
        judged,
    ) % {"n": met, "d": judged, "missed": judged - met}
    if computed_at:
        detail += _(" (calcul du %(day)s)") % {
            "day": timezone.localtime(computed_at).strftime("%d/%m/%Y %H:%M")
        }
    return KeyFigure(
        "visits",
        _("Visites dans leur fenêtre"),
        _percent(met, judged),
        year_period(scope),
        _(
            "Contrats dont chaque fenêtre de rencontre close dans la période (les deux mois après le début, "
            "les deux mois avant la fin) a eu sa rencontre. Une fenêtre encore ouverte n'est pas jugée : "
            "elle est dans « Visites à organiser »."
        ),
        detail,
    )


def _visit_windows(scope: Scope) -> tuple[int, int, datetime.datetime | None]:
    """Contracts whose meetings were all held in the charter's windows, of those with a window closed
    in the year: (met, judged, when computed). The windows are dated by month arithmetic and judged in
    Python over every contract, which is the quality indicator's nightly job: for the staff's
    organisation-wide view (no cohort, no school tutor) its stored figures are summed over the
    diplomas; a narrower view is judged live, on fewer contracts."""
    if is_staff_or_admin(scope.user) and scope.cohort is None and scope.school_tutor is None:
        # The diplomas with a contract in the view, found diploma by diploma through the contracts'
        # index (a DISTINCT over the network's contracts cost five times as much at 20,000).
        diplomas = Diploma.objects.filter(Exists(scope.contracts().filter(diploma=OuterRef("pk")))).values(
            "pk"
        )
        stored = IndicatorValue.objects.filter(
            indicator="two_meetings_rule", academic_year=scope.year, diploma__in=diplomas
        ).aggregate(met=Sum("numerator"), judged=Sum("denominator"), at=Min("computed_at"), n=Count("pk"))
        # Every diploma of the view computed, or the sum would leave some out.
        if stored["n"] and stored["n"] == diplomas.count():
            return stored["met"] or 0, stored["judged"] or 0, stored["at"]
    verdicts = INDICATORS["two_meetings_rule"].verdicts(scope.contracts(), scope.year, scope.as_of)
    return sum(1 for _diploma, counted in verdicts if counted), len(verdicts), None


def missions_waiting(scope: Scope) -> KeyFigure:
    waiting = scope.of_contracts(MissionDescription.objects.waiting_decision()).filter(
        academic_year=scope.year
    )
    late_limit = timezone.now() - datetime.timedelta(days=MissionDescription.DECISION_DAYS)
    missions = waiting.aggregate(waiting=Count("pk"), late=Count("pk", filter=Q(submitted_at__lt=late_limit)))
    return KeyFigure(
        "missions",
        _("Missions en attente de décision"),
        str(missions["waiting"]),
        _("Année %(year)s, au %(day)s") % {"year": scope.year.label, "day": _day(scope.today)},
        _("Descriptions des missions de l'année soumises, sans décision du responsable de formation."),
        ngettext("dont %(n)s depuis plus de 7 jours", "dont %(n)s depuis plus de 7 jours", missions["late"])
        % {"n": missions["late"]},
        scope.list_url(
            "livret:mission_list",
            status=MissionDescription.Status.SUBMITTED,
            academic_year=scope.year.pk,
        ),
    )


# Pages --------------------------------------------------------------------------------------------

DASHBOARD = (
    apprentices_under_contract,
    running_contracts,
    ruptures,
    enrolled_without_contract,
    ruptured_apprentices,
    sheets_on_time,
    visits_in_their_windows,
    missions_waiting,
)
# The staff home: the figures of the organisation that do not need the booklet's heavier reads.
HOME = (
    apprentices_under_contract,
    running_contracts,
    ruptures,
    enrolled_without_contract,
    ruptured_apprentices,
)


# Where the home's figures are among the dashboard's: a kept dashboard gives the home its figures.
HOME_AMONG_DASHBOARD = tuple(DASHBOARD.index(figure) for figure in HOME)


def home_of(dashboard_figures: list[KeyFigure]) -> list[KeyFigure]:
    """The home's figures among the dashboard's (``key_figures(scope)``, in ``DASHBOARD``'s order)."""
    return [dashboard_figures[index] for index in HOME_AMONG_DASHBOARD]


def key_figures(scope: Scope, figures=DASHBOARD) -> list[KeyFigure]:
    """The dashboard's figures: two aggregates for the contracts and the statuses, one per booklet
    figure (the visits: one or two more)."""
    return [figure(scope) for figure in figures]


@planned_for_their_values()
def home_figures(scope: Scope) -> list[KeyFigure]:
    return key_figures(scope, HOME)
