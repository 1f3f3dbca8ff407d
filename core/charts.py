"""Charts drawn on the server as SVG markup: the same in a browser, in print and in a WeasyPrint PDF.

No script, no web font, no stylesheet: colours and strokes are presentation attributes, and the
``viewBox`` with ``width="100%"`` lets the chart shrink to a phone's width. Every chart carries a
``<title>`` and a ``<desc>`` (``role="img"``); pages show the same figures as a table next to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Each at least 4.5:1 on white, and told apart by more than hue: the table says the same.
PALETTE = ["#1f3f8a", "#b4530b", "#1c6b3a", "#8a2f7a", "#5f5a00", "#a3231a", "#00617a", "#4f5466"]
TEXT = "#1b1c24"
MUTED = "#4f5466"
GRID = "#d5d8e2"
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"

# Narrow on purpose: on a phone the chart is drawn at about 330 px, so text keeps nearly its size.
WIDTH = 360
LEFT, RIGHT, TOP = 24, 10, 14
PLOT_HEIGHT = 200
INSET = 28  # keeps the first and last points, and their dates, off the edges
X_LABEL_GAP = 18
LEGEND_LINE = 16
LEGEND_GAP = 6
MAX_X_LABELS = 5
LEGEND_CHARS = 44  # per line, at most two lines


@dataclass
class Series:
    label: str
    values: list[float | None]  # one per x label; None leaves a gap
    color: str
    dashed: bool = False


@dataclass
class LegendItem:
    label: str
    color: str
    dashed: bool = False
    swatch: bool = False  # a colour square rather than a line sample


def _attrs(**attributes) -> str:
    return " ".join(
        f"{name.rstrip('_').replace('_', '-')}={quoteattr(str(value))}" for name, value in attributes.items()
    )


def _el(tag: str, text: str | None = None, **attributes) -> str:
    """One SVG element; ``text`` is escaped."""
    if text is None:
        return f"<{tag} {_attrs(**attributes)}/>"
    return f"<{tag} {_attrs(**attributes)}>{escape(text)}</{tag}>"


def _wrap(text: str, width: int = LEGEND_CHARS, lines: int = 2) -> list[str]:
    """Words on at most ``lines`` lines of ``width`` characters; what does not fit ends in "…"."""
    result, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            result.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    result.append(current)
    if len(result) > lines:
        last = " ".join(result[lines - 1 :])
        result = result[: lines - 1] + [last[: width - 1].rstrip() + "…"]
    return result


def _opening(title: str, description: str, chart_id: str, height: float) -> list[str]:
    """The ``<svg>`` element with its accessible name and description, on a white ground."""
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return [
        '<svg xmlns="http://www.w3.org/2000/svg" '
        + _attrs(
            viewBox=f"0 0 {WIDTH} {height}",
            width="100%",
            role="img",
            aria_labelledby=f"{title_id} {desc_id}",
            font_family=FONT,
            font_size="12",
            preserveAspectRatio="xMidYMid meet",
        )
        + ">",
        _el("title", title, id=title_id),
        _el("desc", description, id=desc_id),
        _el("rect", x=0, y=0, width=WIDTH, height=height, fill="#ffffff"),
    ]


def _empty(parts: list[str], message: str) -> SafeString:
    message = message or _("Pas encore de données.")
    parts += [_el("text", message, x=WIDTH // 2, y=50, text_anchor="middle", fill=MUTED), "</svg>"]
    return mark_safe("".join(parts))


def line_chart(
    *,
    title: str,
    description: str,
    x_labels: list[str],
    y_ticks: list[tuple[float, str, str]],
    series: list[Series],
    legend: list[LegendItem],
    chart_id: str = "chart",
    empty_message: str = "",
) -> SafeString:
    """A line chart: ``y_ticks`` are (value, short label, long label), bottom to top; the y range is
    the first to the last tick. Points are marked (a lone point still shows), filled on solid lines
    and hollow on dashed ones."""
    has_data = bool(x_labels) and any(v is not None for s in series for v in s.values)
    legend_lines = [_wrap(item.label) for item in legend]
    legend_top = TOP + PLOT_HEIGHT + X_LABEL_GAP + 20
    legend_height = sum(LEGEND_LINE * len(lines) + LEGEND_GAP for lines in legend_lines)
    height = legend_top + legend_height if has_data else 90
    parts = _opening(title, description, chart_id, height)
    if not has_data:
        return _empty(parts, empty_message)

    y_min, y_max = y_ticks[0][0], y_ticks[-1][0]
    plot_left, plot_right, plot_bottom = LEFT, WIDTH - RIGHT, TOP + PLOT_HEIGHT

    def y_of(value: float) -> float:
        return round(TOP + (y_max - value) / (y_max - y_min) * PLOT_HEIGHT, 1)

    count = len(x_labels)
    if count == 1:
        xs = [round((plot_left + plot_right) / 2, 1)]
    else:
        step = (plot_right - plot_left - 2 * INSET) / (count - 1)
        xs = [round(plot_left + INSET + i * step, 1) for i in range(count)]

    for value, short, long in y_ticks:
        y = y_of(value)
        parts.append(_el("line", x1=plot_left, y1=y, x2=plot_right, y2=y, stroke=GRID, stroke_width=1))
        parts.append(_el("text", short, x=plot_left - 8, y=y + 4, text_anchor="end", fill=TEXT))
        if long:
            parts.append(_el("text", long, x=plot_left + 4, y=y - 4, fill=MUTED, font_size=10))
    every = math.ceil(count / MAX_X_LABELS)  # a phone has room for about eight dates
    for index, (x, label) in enumerate(zip(xs, x_labels, strict=True)):
        parts.append(_el("line", x1=x, y1=plot_bottom, x2=x, y2=plot_bottom + 4, stroke=MUTED))
        if index % every == 0:
            y = plot_bottom + X_LABEL_GAP
            parts.append(_el("text", label, x=x, y=y, text_anchor="middle", fill=TEXT, font_size=11))

    for item in series:
        commands, move = [], True
        for x, value in zip(xs, item.values, strict=True):
            if value is None:
                move = True
                continue
            commands.append(f"{'M' if move else 'L'}{x} {y_of(value)}")
            move = False
        line = {"stroke": item.color, "stroke_width": 2.5}
        if item.dashed:
            line["stroke_dasharray"] = "6 4"
        parts.append("<g>" + _el("title", item.label))
        parts.append(_el("path", d=" ".join(commands), fill="none", stroke_linejoin="round", **line))
        fill = "#ffffff" if item.dashed else item.color
        parts += [
            _el("circle", cx=x, cy=y_of(value), r=3.5, fill=fill, stroke=item.color, stroke_width=2)
            for x, value in zip(xs, item.values, strict=True)
            if value is not None
        ]
        parts.append("</g>")

    y = legend_top
    for item, lines in zip(legend, legend_lines, strict=True):
        if item.swatch:
            parts.append(_el("rect", x=plot_left, y=y - 9, width=28, height=10, rx=2, fill=item.color))
        else:
            line = {"stroke": item.color, "stroke_width": 2.5}
            if item.dashed:
                line["stroke_dasharray"] = "6 4"
            parts.append(_el("line", x1=plot_left, y1=y - 4, x2=plot_left + 28, y2=y - 4, **line))
        for offset, text in enumerate(lines):
            parts.append(_el("text", text, x=plot_left + 36, y=y + offset * LEGEND_LINE, fill=TEXT))
        y += LEGEND_LINE * len(lines) + LEGEND_GAP
    parts.append("</svg>")
    return mark_safe("".join(parts))


@dataclass
class Bar:
    label: str
    value: float
    text: str  # the value as the reader reads it: "12", "83 %"


BAR_HEIGHT = 22
BAR_GAP = 12
BAR_LABEL_LINE = 14


def bar_chart(
    *,
    title: str,
    description: str,
    bars: list[Bar],
    maximum: float | None = None,
    color: str = PALETTE[0],
    chart_id: str = "bars",
    empty_message: str = "",
) -> SafeString:
    """Horizontal bars, one per row: its label above it (wrapped on two lines), its value at its end.
    ``maximum`` is the full width (the largest value by default; 100 for rates)."""
    rows = [(bar, _wrap(bar.label, width=52)) for bar in bars]
    has_data = any(bar.value for bar in bars)
    row_heights = [BAR_LABEL_LINE * len(lines) + BAR_HEIGHT + BAR_GAP for _bar, lines in rows]
    height = TOP + sum(row_heights) if has_data else 90
    parts = _opening(title, description, chart_id, height)
    if not has_data:
        return _empty(parts, empty_message)
    top = maximum or max(bar.value for bar in bars)
    left, usable = 8, WIDTH - 8 - 56  # room for the value after the longest bar
    y = TOP
    for (bar, lines), row_height in zip(rows, row_heights, strict=True):
        parts.append("<g>" + _el("title", f"{bar.label} : {bar.text}"))
        for offset, text in enumerate(lines):
            parts.append(_el("text", text, x=left, y=y + 10 + offset * BAR_LABEL_LINE, fill=TEXT))
        bar_top = y + BAR_LABEL_LINE * len(lines)
        width = round(usable * bar.value / top, 1) if top else 0
        parts.append(_el("rect", x=left, y=bar_top, width=usable, height=BAR_HEIGHT, fill="#eef0f5"))
        if width:
            parts.append(_el("rect", x=left, y=bar_top, width=width, height=BAR_HEIGHT, fill=color))
        parts.append(
            _el("text", bar.text, x=left + max(width, 0) + 6, y=bar_top + 15, fill=TEXT, font_weight="bold")
        )
        parts.append("</g>")
        y += row_height
    parts.append("</svg>")
    return mark_safe("".join(parts))
