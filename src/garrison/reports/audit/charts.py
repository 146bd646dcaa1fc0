"""Bar charts as plain geometry for inline SVG (no JavaScript, no images to fetch).

Python computes every coordinate; the template only writes ``<rect>`` and ``<text>``
elements from these numbers and autoescapes the labels, so no markup is ever built from
strings here and nothing needs to be marked safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
ROW = 26
BAR = 16
TOP = 8
AXIS = 18
LABEL_WIDTH = 190
VALUE_WIDTH = 70
PLOT = WIDTH - LABEL_WIDTH - VALUE_WIDTH

SEVERITY_COLOURS: dict[str, str] = {
    "critical": "#8b0000",
    "high": "#d32f2f",
    "medium": "#ef6c00",
    "low": "#f9a825",
    "info": "#1976d2",
}
NONE_COLOUR = "#bdbdbd"


def score_colour(score: float | None) -> str:
    """Good from 90 (green), fair from 70 (amber), poor below (red), grey without a score."""
    if score is None:
        return NONE_COLOUR
    if score >= 90:
        return "#2e7d32"
    if score >= 70:
        return "#f9a825"
    return "#c62828"


@dataclass(frozen=True, slots=True)
class Item:
    """One bar to draw.

    Attributes:
        label: The bar's name (left of it).
        value: Its length in the chart's unit; ``None`` draws no bar.
        text: The value as printed right of the bar.
        colour: Its fill colour (a constant of this module, never user input).
    """

    label: str
    value: float | None
    text: str
    colour: str


@dataclass(frozen=True, slots=True)
class Bar:
    """A bar's geometry."""

    label: str
    text: str
    colour: str
    y: float
    text_y: float
    width: float
    value_x: float


@dataclass(frozen=True, slots=True)
class Tick:
    """A grid line with its label."""

    x: float
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    """A horizontal bar chart's geometry (SVG user units)."""

    title: str
    width: int
    height: int
    label_x: int
    plot_x: int
    plot_width: int
    axis_y: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]


def bar_chart(title: str, items: Sequence[Item], maximum: float, ticks: int = 4) -> Chart:
    """Lay out a horizontal bar chart.

    Args:
        title: Its caption (also the SVG's accessible name).
        items: The bars, top to bottom.
        maximum: The value of a full-width bar (100 for scores; the largest count for counts).
        ticks: How many grid intervals to draw.

    Returns:
        The geometry.
    """
    maximum = maximum if maximum > 0 else 1.0
    bars = []
    for index, item in enumerate(items):
        y = TOP + index * ROW
        share = 0.0 if item.value is None else max(0.0, min(item.value / maximum, 1.0))
        width = round(PLOT * share, 2)
        bars.append(
            Bar(
                label=item.label,
                text=item.text,
                colour=item.colour,
                y=y + (ROW - BAR) / 2,
                text_y=y + ROW / 2 + 4,
                width=width,
                value_x=LABEL_WIDTH + width + 6,
            )
        )
    axis_y = TOP + len(items) * ROW
    step = maximum / ticks
    grid = tuple(
        Tick(
            x=round(LABEL_WIDTH + PLOT * i / ticks, 2),
            label=f"{step * i:g}",
        )
        for i in range(ticks + 1)
    )
    return Chart(
        title=title,
        width=WIDTH,
        height=int(axis_y + AXIS),
        label_x=LABEL_WIDTH - 8,
        plot_x=LABEL_WIDTH,
        plot_width=PLOT,
        axis_y=axis_y,
        bars=tuple(bars),
        ticks=grid,
    )


def count_scale(largest: int) -> tuple[int, int]:
    """A full-bar value and a tick count giving whole-number grid lines for counts.

    Returns:
        ``(maximum, ticks)``: ``maximum`` is a multiple of ``ticks`` and at least ``largest``.
    """
    if largest <= 5:
        return max(largest, 1), max(largest, 1)
    step = -(-largest // 4)
    return step * 4, 4
