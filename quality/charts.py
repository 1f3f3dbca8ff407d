"""The trend chart of a diploma, drawn the same on its trajectory page and in its compliance PDF."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.charts import LegendItem, Series, line_chart
from quality.indicators import INDICATORS

# Indicators drawn on the trend chart: the booklet's rules and the contracts' fate.
TREND = ("two_meetings_rule", "sheets_on_time", "mission_decided_on_time", "rupture_rate")
PALETTE = ["#1f3f8a", "#b4530b", "#1c6b3a", "#a3231a"]


def trend_chart(diploma, years, values, chart_id="tendances"):
    """The chart, its years' labels and the table that gives the same values, from ``values`` (by
    (year id, indicator), as :func:`quality.selectors.trend_values` gives them for one diploma)."""
    years = [y for y in sorted(years, key=lambda y: y.start_date) if any((y.pk, c) in values for c in TREND)]
    series = [
        Series(
            label=str(INDICATORS[code].label),
            values=[float(values[(y.pk, code)]) if (y.pk, code) in values else None for y in years],
            color=PALETTE[i],
            dashed=code == "rupture_rate",
        )
        for i, code in enumerate(TREND)
    ]
    chart = line_chart(
        title=_("Évolution des indicateurs de %(code)s") % {"code": diploma.code},
        description=_(
            "Par année scolaire, en pourcentage : %(names)s. Le tableau qui suit donne les mêmes valeurs."
        )
        % {"names": ", ".join(s.label for s in series)},
        x_labels=[y.label for y in years],
        y_ticks=[(v, f"{v}", f"{v} %") for v in (0, 25, 50, 75, 100)],
        series=series,
        legend=[LegendItem(s.label, s.color, dashed=s.dashed) for s in series],
        chart_id=chart_id,
        empty_message=_("Pas encore d'indicateurs calculés."),
    )
    table = [
        {
            "label": s.label,
            "cells": [INDICATORS[code].format_value(values.get((y.pk, code))) for y in years],
        }
        for code, s in zip(TREND, series, strict=True)
    ]
    return chart, [y.label for y in years], table
