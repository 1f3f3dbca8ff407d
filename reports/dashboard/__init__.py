"""The CFA's dashboard: key figures of an academic year and the apprentices at risk today.

- :mod:`.scope`: what one person's dashboard is about (the records they see, narrowed by filters);
- :mod:`.figures`: one function per key figure, with its period and its definition, shared with the
  staff home;
- :mod:`.alerts`: each reason an apprentice is at risk today, the legal delays among them.

Figures are SQL aggregates, read with the quality app's own definitions where one exists (the visit
windows of :mod:`livret.windows`, through the ``two_meetings_rule`` indicator) and the statuses of
:mod:`apprentices.status`, so that the dashboard, the home, the lists and the trajectoire qualité
never disagree.
"""

from reports.dashboard.alerts import KINDS, PREVIEW, Alert, AlertKind, alert_page, alerts, alerts_chart
from reports.dashboard.figures import KeyFigure, home_figures, key_figures
from reports.dashboard.scope import WATCHED, Scope

__all__ = [
    "KINDS",
    "PREVIEW",
    "WATCHED",
    "Alert",
    "AlertKind",
    "KeyFigure",
    "Scope",
    "alert_page",
    "alerts",
    "alerts_chart",
    "home_figures",
    "key_figures",
]
