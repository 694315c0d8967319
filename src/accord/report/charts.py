"""The case report's charts, written directly as inline SVG by :mod:`accord.report.svgplot`.

Each function takes plain numbers and labels (no scenario objects), returns one ``<svg>``
element, and follows the same conventions: a title that says what is shown, axis labels in the
issue's own units, the labelled ends of each scale (``lo_label``/``hi_label``), the status quo as
a dashed black line, the winset as a green band, and one fixed colour per model.

The charts were matplotlib figures until session 5; drawn that way they cost about 0.35 s of CPU
each and most of the report's rendering time (docs/performance.md), so the report's charts now
write their SVG themselves with the same look. :func:`sensitivity_chart` (``accord scale``) is
still drawn with matplotlib.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from accord.report.svg import figure_to_svg, new_figure
from accord.report.svgplot import (
    TICK_SIZE,
    Chart,
    LegendItem,
    auto_range,
    legend_width,
    nice_ticks,
    text_width,
    tick_label,
)

if TYPE_CHECKING:
    from accord.scale.sensitivity import SensitivityResult

FloatArray = NDArray[np.float64]

MODEL_COLOURS: dict[str, str] = {
    "compromise": "#1f77b4",
    "median": "#2ca02c",
    "nash": "#9467bd",
    "bdm": "#d62728",
    "smp": "#ff7f0e",
    "exchange": "#8c564b",
}
FALLBACK_COLOURS = ("#17becf", "#bcbd22", "#e377c2", "#7f7f7f")
SQ_COLOUR = "#000000"
WINSET_COLOUR = "#8fd18f"
ACTOR_COLOUR = "#4d4d4d"
ASSUMED_COLOUR = "#9e9e9e"
NEGATIVE_COLOUR = "#c0392b"
POSITIVE_COLOUR = "#2e86c1"
SQ_DASH = "5.5,2.4"
PT = 72.0
"""Points per inch: the charts keep the sizes they had as matplotlib figures (inches)."""


def colour_of(model: str) -> str:
    """The model's colour (a stable fallback for models without one)."""
    if model in MODEL_COLOURS:
        return MODEL_COLOURS[model]
    return FALLBACK_COLOURS[sum(map(ord, model)) % len(FALLBACK_COLOURS)]


def _axis_label(name: str, unit: str) -> str:
    return f"{name} ({unit})" if unit else name


def _chart(
    width_in: float,
    height_in: float,
    *,
    row_labels: Sequence[str] = (),
    row_size: float = 8.0,
    legend: Sequence[LegendItem] = (),
    bottom: float = 40.0,
    top: float = 24.0,
    left_extra: float = 0.0,
) -> Chart:
    """A chart whose margins fit its row labels (left) and its legend (right)."""
    widest = max((text_width(s, row_size) for s in row_labels), default=0.0)
    left = max(12.0, widest + 14.0) + left_extra
    right = legend_width(legend) + 6 if legend else 14.0
    return Chart(width_in * PT, height_in * PT, left, right, top, bottom)


def _scale(chart: Chart, lo: float, hi: float) -> list[float]:
    """Set the x axis to ``[lo, hi]`` plus 2 % each side (marks at the ends stay visible)."""
    pad = 0.02 * (hi - lo)
    chart.x_range = (lo - pad, hi + pad)
    most = min(8, max(2, int((chart.x1 - chart.x0) / 40)))  # no crowding on a narrow axis
    return [t for t in nice_ticks(lo - pad, hi + pad, most) if lo - pad <= t <= hi + pad]


def _ends(chart: Chart, lo_label: str, hi_label: str) -> None:
    """Name both ends of the scale under the x axis (on two lines where they would meet)."""
    lo_text, hi_text = f"\u2190 {lo_label}", f"{hi_label} \u2192"
    room = chart.x1 - chart.x0 - text_width(lo_text, 8) - text_width(hi_text, 8)
    below = 0.0 if room > 12 else 11.0
    chart.grow(below)
    chart.edge_note(lo_text, right=False)
    chart.edge_note(hi_text, right=True, below=below)


def _finish_rows(
    chart: Chart,
    ticks: Sequence[float],
    axis_label: str,
    labels: Sequence[str],
    rows: Iterable[float] | NDArray[Any],
    ends: tuple[str, str],
    title: str,
    legend: Sequence[LegendItem],
) -> str:
    """Frame, x axis, row labels, scale ends, title and legend of a chart of rows; its SVG."""
    chart.frame()
    chart.x_axis(ticks, label=axis_label)
    _rows(chart, labels, rows, 8)
    _ends(chart, *ends)
    chart.title(title)
    chart.legend(legend)
    return chart.svg()


def _rows(
    chart: Chart, labels: Sequence[str], rows: Iterable[float] | NDArray[Any], size: float
) -> None:
    """Row labels left of the plot area, at rows ``rows`` of the y axis."""
    chart.y_axis([float(r) for r in rows], list(labels), size)


def _dot_radius(area: float) -> float:
    """Radius (pt) of a marker of ``area`` pt^2 (matplotlib's scatter size ``s``)."""
    return math.sqrt(max(area, 0.0)) / 2


def positions_chart(
    *,
    title: str,
    actors: Sequence[str],
    positions: FloatArray,
    weights: FloatArray,
    lo: float,
    hi: float,
    lo_label: str,
    hi_label: str,
    unit: str,
    axis_name: str,
    ranges: Sequence[tuple[float, float] | None] | None = None,
    assumed: Sequence[bool] | None = None,
    status_quo: float | None = None,
    winset: Sequence[tuple[float, float]] | None = None,
    forecasts: Mapping[str, float] | None = None,
) -> str:
    """Chart of one dimension: positions, status quo, winset and forecasts.

    One dimension: each actor's position (a dot sized by capability x salience, with its
    assumed range as a bar), the status quo, the winset of the status quo and each model's
    forecast.
    """
    n = len(actors)
    order = np.lexsort((np.arange(n), positions))
    flags = list(assumed) if assumed is not None else [False] * n
    legend: list[LegendItem] = []
    if winset:
        legend.append(LegendItem("band", WINSET_COLOUR, "winset of the status quo", alpha=0.45))
    if status_quo is not None:
        legend.append(LegendItem("dash", SQ_COLOUR, f"status quo {status_quo:g}", 1.5))
    for model, value in (forecasts or {}).items():
        legend.append(LegendItem("line", colour_of(model), f"{model} {value:.3g}"))
    legend.append(LegendItem("dot", ACTOR_COLOUR, "actor (sourced)"))
    if any(flags):
        legend.append(LegendItem("ring", ACTOR_COLOUR, "actor (assumed)"))
    has_ranges = ranges is not None and any(r is not None for r in ranges)
    if has_ranges:
        legend.append(LegendItem("line", ASSUMED_COLOUR, "assumed range", 2.5))
    names = [actors[i] for i in order]
    chart = _chart(7.5, 1.6 + 0.22 * n, row_labels=names, row_size=9, legend=legend, bottom=56)
    ticks = _scale(chart, lo, hi)
    chart.y_range = (-0.8, n - 0.2)
    chart.grid_x(ticks)
    for a, b in winset or ():
        chart.vspan(a, max(b, a + (hi - lo) * 0.004), WINSET_COLOUR, 0.45)
    if ranges is not None:
        for row, i in enumerate(order):
            r = ranges[i]
            if r is not None and r[1] > r[0]:
                y = chart.y(row)
                chart.line(chart.cx(r[0]), y, chart.cx(r[1]), y, ASSUMED_COLOUR, 2.5, alpha=0.7)
    if status_quo is not None:
        chart.vline(status_quo, SQ_COLOUR, 1.5, dash=SQ_DASH)
    for model, value in (forecasts or {}).items():
        chart.vline(value, colour_of(model), 1.8)
    size = 20 + 180 * np.sqrt(weights / max(float(np.max(weights, initial=0.0)), 1e-12))
    for row, i in enumerate(order):
        chart.circle(
            chart.x(float(positions[i])),
            chart.y(row),
            _dot_radius(float(size[i])),
            "#ffffff" if flags[i] else ACTOR_COLOUR,
            stroke=ACTOR_COLOUR,
            stroke_width=1.2,
        )
    chart.frame()
    chart.x_axis(ticks, label=_axis_label(axis_name, unit))
    _rows(chart, names, range(n), 9)
    _ends(chart, lo_label, hi_label)
    chart.title(title)
    chart.legend(legend)
    return chart.svg()


def dimensions_chart(
    *,
    title: str,
    dimensions: Sequence[str],
    positions: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    lo_label: str,
    hi_label: str,
    axis_label: str,
    status_quo: FloatArray | None = None,
    forecasts: Mapping[str, FloatArray] | None = None,
    normalised: bool = False,
) -> str:
    """Chart of several dimensions, one row each: positions, status quo and forecasts.

    Several dimensions, one row each: the actors' positions (grey dots), the status quo and
    each model's forecast. With ``normalised`` every dimension is drawn as a share of its own
    scale (0 = its low end, 1 = its high end).
    """
    m = len(dimensions)

    def put(values: FloatArray) -> FloatArray:
        return np.asarray((values - lo) / (hi - lo) if normalised else values, dtype=np.float64)

    a_lo, a_hi = (0.0, 1.0) if normalised else (float(lo.min()), float(hi.max()))
    legend = [LegendItem("dot", ACTOR_COLOUR, "actors", alpha=0.5)]
    if status_quo is not None:
        legend.append(LegendItem("line", SQ_COLOUR, "status quo", 2))
    legend += [LegendItem("diamond", colour_of(model), model) for model in forecasts or {}]
    chart = _chart(7.5, 1.5 + 0.3 * m, row_labels=dimensions, legend=legend, bottom=56)
    ticks = _scale(chart, a_lo, a_hi)
    chart.y_range = (-0.7, m - 0.3)
    chart.grid_x(ticks)
    rows = np.arange(m)[::-1]
    pos = put(positions)
    jitter = np.linspace(-0.12, 0.12, positions.shape[0])
    for k in range(m):
        for a in range(positions.shape[0]):
            chart.circle(
                chart.x(float(pos[a, k])), chart.y(rows[k] + jitter[a]), 2.35, ACTOR_COLOUR,
                alpha=0.5,
            )  # fmt: skip
    if status_quo is not None:
        sq = put(status_quo)
        for k in range(m):
            x, y = chart.x(float(sq[k])), chart.y(float(rows[k]))
            chart.line(x, y - 7.4, x, y + 7.4, SQ_COLOUR, 2)
    for j, (model, values) in enumerate((forecasts or {}).items()):
        offset = (j - (len(forecasts or {}) - 1) / 2) * 0.08
        v = put(values)
        for k in range(m):
            chart.diamond(
                chart.x(float(v[k])),
                chart.y(rows[k] + offset),
                3.5,
                colour_of(model),
            )
    return _finish_rows(
        chart, ticks, axis_label, dimensions, rows, (lo_label, hi_label), title, legend
    )


def shifts_chart(*, title: str, actors: Sequence[str], shifts: FloatArray, unit: str) -> str:
    """How far each blocker's position would have to move for the proposal to pass."""
    n = len(actors)
    order = np.argsort(-np.abs(shifts), kind="stable")[::-1]
    names = [actors[i] for i in order]
    chart = _chart(7.5, 1.4 + 0.28 * n, row_labels=names)
    span = float(np.max(np.abs(shifts), initial=0.0)) or 1.0
    lo = -1.25 * span if np.any(shifts < 0) else 0.0
    hi = 1.25 * span if np.any(shifts > 0) else 0.0
    chart.x_range = (lo, hi) if hi > lo else (-1.0, 1.0)
    ticks = nice_ticks(*chart.x_range)
    chart.y_range = (-0.8, n - 0.2)
    chart.grid_x(ticks)
    for row, i in enumerate(order):
        value = float(shifts[i])
        chart.hbar(row, 0.0, value, 0.6, NEGATIVE_COLOUR if value < 0 else POSITIVE_COLOUR)
    chart.vline(0.0, "#333333", 0.8)
    for row, i in enumerate(order):
        value = float(shifts[i])
        right = value >= 0
        chart.text(
            chart.x(value) + (4 if right else -4), chart.y(row), f"{value:+.3g}", 7,
            anchor="start" if right else "end", middle=True,
        )  # fmt: skip
    chart.frame()
    chart.x_axis(ticks, label=f"shift of position needed ({unit})")
    _rows(chart, names, range(n), 8)
    chart.title(title)
    return chart.svg()


def histogram_chart(
    *,
    title: str,
    edges: FloatArray,
    counts: Mapping[str, Sequence[int]],
    lo: float,
    hi: float,
    lo_label: str,
    hi_label: str,
    axis_label: str,
    status_quo: float | None = None,
    notes: Mapping[str, str] | None = None,
) -> str:
    """Histogram of the Monte Carlo forecast of one dimension, per model.

    The Monte Carlo distribution of one dimension's forecast, one step line per model, as the
    share of draws per bin.
    """
    shares = {
        model: np.asarray(values, dtype=np.float64) / max(float(np.sum(values)), 1.0)
        for model, values in counts.items()
    }
    legend = [
        LegendItem("line", colour_of(m), m + (f" ({notes[m]})" if notes and m in notes else ""))
        for m in shares
    ]
    if status_quo is not None:
        legend.append(LegendItem("dash", SQ_COLOUR, f"status quo {status_quo:g}", 1.5))
    top = max((float(v.max()) for v in shares.values() if v.size), default=0.0)
    y_hi = auto_range([0.0, top])[1] if top > 0 else 1.0
    y_ticks = [t for t in nice_ticks(0.0, y_hi, 6) if t <= y_hi]
    labels = [tick_label(t, y_ticks) for t in y_ticks]
    widest = max(text_width(s, TICK_SIZE) for s in labels)
    chart = _chart(7.5, 2.8, legend=legend, bottom=56, left_extra=widest + 18)
    ticks = _scale(chart, lo, hi)
    chart.y_range = (0.0, y_hi)
    chart.grid_y(y_ticks)
    for model, share in shares.items():
        colour = colour_of(model)
        xs = [chart.cx(float(e)) for e in edges]
        ys = [chart.y(float(v)) for v in share]
        base = chart.y(0.0)
        steps = "".join(
            f"L{xs[k]:.2f} {ys[k]:.2f}L{xs[k + 1]:.2f} {ys[k]:.2f}" for k in range(len(ys))
        )
        chart.path(
            f"M{xs[0]:.2f} {base:.2f}{steps}L{xs[-1]:.2f} {base:.2f}Z",
            fill=colour,
            fill_opacity="0.12",
        )
        chart.path(
            f"M{xs[0]:.2f} {base:.2f}{steps}L{xs[-1]:.2f} {base:.2f}",
            stroke=colour,
            stroke_width="1.8",
        )
    if status_quo is not None:
        chart.vline(status_quo, SQ_COLOUR, 1.5, dash=SQ_DASH)
    chart.frame()
    chart.x_axis(ticks, label=axis_label)
    chart.y_axis(y_ticks, labels, label="share of draws")
    _ends(chart, lo_label, hi_label)
    chart.title(title)
    chart.legend(legend)
    return chart.svg()


def spread_chart(
    *,
    title: str,
    dimensions: Sequence[str],
    quantiles: Mapping[str, FloatArray],
    lo: FloatArray,
    hi: FloatArray,
    lo_label: str,
    hi_label: str,
    axis_label: str,
    status_quo: FloatArray | None = None,
    normalised: bool = False,
) -> str:
    """Chart of the Monte Carlo spread of each model's forecast on several dimensions.

    Several dimensions: per model and dimension, the 5-95% range of the Monte Carlo forecast
    (thin line), the 25-75% range (thick) and the median (dot). ``quantiles[model]`` is
    ``(m, 5)``: the 5, 25, 50, 75 and 95% quantiles.
    """
    m = len(dimensions)

    def put(values: FloatArray, k: int | slice = slice(None)) -> FloatArray:
        if not normalised:
            return values
        return np.asarray((values - lo[k]) / (hi[k] - lo[k]), dtype=np.float64)

    a_lo, a_hi = (0.0, 1.0) if normalised else (float(lo.min()), float(hi.max()))
    models = list(quantiles)
    legend = [LegendItem("dot", colour_of(model), model) for model in models]
    if status_quo is not None:
        legend.append(LegendItem("line", SQ_COLOUR, "status quo", 2))
    chart = _chart(7.5, 1.5 + 0.32 * m, row_labels=dimensions, legend=legend, bottom=56)
    ticks = _scale(chart, a_lo, a_hi)
    chart.y_range = (-0.7, m - 0.3)
    chart.grid_x(ticks)
    rows = np.arange(m)[::-1].astype(np.float64)
    for j, model in enumerate(models):
        q = quantiles[model]
        offset = (j - (len(models) - 1) / 2) * 0.16
        colour = colour_of(model)
        for k in range(m):
            v = put(q[k], k)
            y = chart.y(rows[k] + offset)
            chart.line(chart.cx(float(v[0])), y, chart.cx(float(v[4])), y, colour, 1)
            chart.line(chart.cx(float(v[1])), y, chart.cx(float(v[3])), y, colour, 4)
            chart.circle(chart.x(float(v[2])), y, 1.9, colour)
    if status_quo is not None:
        sq = put(status_quo)
        for k in range(m):
            x, y = chart.x(float(sq[k])), chart.y(float(rows[k]))
            chart.line(x, y - 7.4, x, y + 7.4, SQ_COLOUR, 2)
    return _finish_rows(
        chart, ticks, axis_label, dimensions, rows, (lo_label, hi_label), title, legend
    )


def drivers_chart(*, title: str, names: Sequence[str], rho: FloatArray) -> str:
    """Which assumptions drive the forecast: Spearman rank correlation of each input with it."""
    n = len(names)
    order = np.arange(n)[::-1]
    labels = [names[i] for i in order]
    chart = _chart(7.5, 1.3 + 0.26 * max(n, 1), row_labels=labels, bottom=56)
    chart.x_range = (-1.0, 1.0)
    chart.y_range = (-0.6, max(n, 1) - 0.4)
    ticks = nice_ticks(-1.0, 1.0)
    chart.grid_x(ticks)
    for row, i in enumerate(order):
        value = float(rho[i])
        chart.hbar(row, 0.0, value, 0.8, NEGATIVE_COLOUR if value < 0 else POSITIVE_COLOUR)
    chart.vline(0.0, "#333333", 0.8)
    chart.frame()
    chart.x_axis(ticks, label="Spearman rank correlation with the forecast (-1 .. +1)")
    _rows(chart, labels, range(n), 8)
    _ends(chart, "higher input, lower forecast", "higher input, higher forecast")
    chart.title(title)
    return chart.svg()


# ColorBrewer YlOrRd (9 classes), the stops of matplotlib's ``YlOrRd`` colour map
_YLORRD = (
    (255, 255, 204), (255, 237, 160), (254, 217, 118), (254, 178, 76), (253, 141, 60),
    (252, 78, 42), (227, 26, 28), (189, 0, 38), (128, 0, 38),
)  # fmt: skip


def ylorrd(share: float) -> str:
    """The YlOrRd colour at ``share`` in [0, 1] (linear between ColorBrewer's nine stops)."""
    t = min(max(share, 0.0), 1.0) * (len(_YLORRD) - 1)
    k = min(int(t), len(_YLORRD) - 2)
    f = t - k
    a, b = _YLORRD[k], _YLORRD[k + 1]
    return "#" + "".join(f"{round(a[c] + (b[c] - a[c]) * f):02x}" for c in range(3))


def _hatch(chart: Chart, x0: float, y0: float, w: float, h: float) -> None:
    """Diagonal hatching (///) inside the cell whose top-left corner is ``(x0, y0)``."""
    d = []
    for t in np.arange(0.2, 2.0, 0.2):
        u1, u2 = max(0.0, t - 1.0), min(1.0, t)
        d.append(
            f"M{x0 + u1 * w:.2f} {y0 + h - (t - u1) * h:.2f}"
            f"L{x0 + u2 * w:.2f} {y0 + h - (t - u2) * h:.2f}"
        )
    chart.path("".join(d), stroke="#999999", stroke_width="0.8")


def heatmap_chart(
    *,
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: FloatArray,
    colour_label: str,
    vmin: float | None = None,
    vmax: float | None = None,
    highlight_column: str | None = None,
    assumed: np.ndarray | None = None,
    split: int | None = None,
) -> str:
    """A matrix as colours (rows x columns), with the value in each cell when it fits.

    ``assumed`` (same shape, bool) marks imputed cells: their value is printed in grey italics
    under a hatch; ``split`` draws a line before that column and names the two groups (columns
    with sourced values on the left, imputed on the right).
    """
    r, c = values.shape
    finite = values[np.isfinite(values)]
    lo = float(vmin) if vmin is not None else float(finite.min()) if finite.size else 0.0
    hi = float(vmax) if vmax is not None else float(finite.max()) if finite.size else 1.0
    span = hi - lo if hi > lo else 1.0
    col_text = max((text_width(x, 9) for x in columns), default=0.0)
    height = 1.6 + 0.42 * r + 0.08 * max((len(x) for x in columns), default=0)
    bar_ticks = [t for t in nice_ticks(lo, hi, 6) if lo - 1e-12 <= t <= hi + 1e-12]
    bar_text = max((text_width(f"{t:g}", TICK_SIZE) for t in bar_ticks), default=0.0)
    chart = _chart(10.0, height, row_labels=rows, row_size=10, bottom=col_text * 0.87 + 16)
    chart.right = 40 + bar_text + 20
    chart.top = 24 + (16 if split is not None and 0 < split < c else 0)
    chart.x_range = (-0.5, c - 0.5)
    chart.y_range = (r - 0.5, -0.5)
    cw = (chart.x1 - chart.x0) / c
    ch = (chart.y1 - chart.y0) / r
    top_value = float(finite.max()) if finite.size else 1.0
    for i in range(r):
        for j in range(c):
            if not np.isfinite(values[i, j]):
                continue
            x0, y0 = chart.x(j - 0.5), chart.y(i - 0.5)
            chart.rect(x0, y0, cw + 0.3, ch + 0.3, ylorrd((float(values[i, j]) - lo) / span))
    if assumed is not None:
        for i, j in zip(*np.nonzero(assumed), strict=True):
            _hatch(chart, chart.x(j - 0.5), chart.y(i - 0.5), cw, ch)
    if c <= 40 and r <= 12:
        for i in range(r):
            for j in range(c):
                if np.isfinite(values[i, j]):
                    imputed = assumed is not None and bool(assumed[i, j])
                    chart.text(
                        chart.x(j), chart.y(i), f"{values[i, j]:.2g}", 8, anchor="middle",
                        middle=True, italic=imputed,
                        colour="#ffffff" if values[i, j] > 0.6 * top_value else "#000000",
                    )  # fmt: skip
    if split is not None and 0 < split < c:
        x = chart.x(split - 0.5)
        chart.line(x, chart.y0, x, chart.y1, "#1f3a93", 2)
        chart.text((chart.x0 + x) / 2, chart.y0 - 5, "sourced", 10, anchor="middle")
        chart.text(
            (x + chart.x1) / 2, chart.y0 - 5, "imputed (assumed)", 10, anchor="middle", italic=True
        )
    if highlight_column is not None and highlight_column in columns:
        j = list(columns).index(highlight_column)
        chart.rect(
            chart.x(j - 0.5),
            chart.y0,
            cw,
            chart.y1 - chart.y0,
            "none",
            stroke="#1f3a93",
            stroke_width=2,
        )
    chart.frame()
    for j, name in enumerate(columns):
        x = chart.x(j)
        chart.line(x, chart.y1, x, chart.y1 + 3.5, "#000000", 0.8)
        chart.text(x + 3, chart.y1 + 9, name, 9, anchor="end", rotate=-60)
    _rows(chart, rows, range(r), 10)
    # the colour bar: 64 steps, ticks on its right
    bx, bw = chart.x1 + 14, 12.0
    by0 = chart.y0 + 0.05 * (chart.y1 - chart.y0)
    by1 = chart.y1 - 0.05 * (chart.y1 - chart.y0)
    steps = 64
    for k in range(steps):
        y = by1 - (k + 1) * (by1 - by0) / steps
        chart.rect(bx, y, bw, (by1 - by0) / steps + 0.3, ylorrd((k + 0.5) / steps))
    chart.rect(bx, by0, bw, by1 - by0, "none", stroke="#000000", stroke_width=0.8)
    for t in bar_ticks:
        y = by1 - (t - lo) / span * (by1 - by0)
        chart.line(bx + bw, y, bx + bw + 3.5, y, "#000000", 0.8)
        chart.text(bx + bw + 6, y, f"{t:g}", anchor="start", middle=True)
    chart.text(
        bx + bw + 12 + bar_text, (by0 + by1) / 2, colour_label, 9, anchor="middle", rotate=90
    )
    chart.title(title)
    return chart.svg()


def gains_chart(*, title: str, labels: Sequence[str], gains: FloatArray, axis_label: str) -> str:
    """Horizontal bars: one value per label (e.g. each package deal's total gain)."""
    n = len(labels)
    order = np.arange(n)[::-1]
    names = [labels[i] for i in order]
    chart = _chart(7.5, 1.2 + 0.3 * max(n, 1), row_labels=names)
    values = [float(v) for v in gains]
    lo, hi = auto_range([0.0, *values])
    # bars start at 0: no margin beyond 0 on the side where no bar goes (as matplotlib)
    chart.x_range = (
        0.0 if min(values, default=0.0) >= 0 else lo,
        0.0 if max(values, default=0.0) <= 0 else hi,
    )
    ticks = [t for t in nice_ticks(*chart.x_range) if chart.x_range[0] <= t <= chart.x_range[1]]
    chart.y_range = (-0.6, max(n, 1) - 0.4)
    chart.grid_x(ticks)
    for row, i in enumerate(order):
        chart.hbar(row, 0.0, float(gains[i]), 0.8, POSITIVE_COLOUR)
    chart.vline(0.0, "#333333", 0.8)
    chart.frame()
    chart.x_axis(ticks, label=axis_label)
    _rows(chart, names, range(n), 8)
    chart.title(title)
    return chart.svg()


PRESENCE_COLOURS = {"verified": "#4caf50", "unverified": "#f0b429", "absent": "#eeeeee"}


def presence_chart(
    *,
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    states: Sequence[Sequence[str]],
) -> str:
    """Chart of which item is in which programme.

    Which item is in which programme: one row per item, one column per programme, each cell
    ``verified``, ``unverified`` or ``absent``.
    """
    r, c = len(rows), len(columns)
    legend = [LegendItem("box", v, k) for k, v in PRESENCE_COLOURS.items()]
    lines = max((len(name.split("\n")) for name in columns), default=1)
    chart = _chart(
        7.5, 1.3 + 0.24 * r, row_labels=rows, legend=legend, top=32 + 10 * lines, bottom=10
    )
    chart.x_range = (-0.5, c - 0.5)
    chart.y_range = (-0.6, r - 0.4)
    for i in range(r):
        for j in range(c):
            state = states[i][j]
            x0, y0 = chart.x(j - 0.45), chart.y(r - 1 - i + 0.4)
            chart.rect(
                x0, y0, chart.x(j + 0.45) - x0, chart.y(r - 1 - i - 0.4) - y0,
                PRESENCE_COLOURS.get(state, "#cccccc"), stroke="#ffffff",
            )  # fmt: skip
            if state != "absent":
                chart.text(chart.x(j), chart.y(r - 1 - i), state, 7, anchor="middle", middle=True)
    chart.frame("t")
    for j, name in enumerate(columns):
        x = chart.x(j)
        chart.line(x, chart.y0, x, chart.y0 - 3.5, "#000000", 0.8)
        for k, part in enumerate(reversed(name.split("\n"))):
            chart.text(x, chart.y0 - 7 - 10 * k, part, 8, anchor="middle")
    _rows(chart, rows, np.arange(r)[::-1], 8)
    chart.title(title)
    chart.legend(legend)
    return chart.svg()


def sensitivity_chart(result: SensitivityResult, top: int = 15) -> str:
    """An inline SVG bar chart of the indices (Sobol S1 and ST, or Morris mu* with sigma)."""
    key = "ST" if result.method == "sobol" else "mu_star"
    order = np.argsort(result.indices[key])[::-1][:top][::-1]
    names = [result.factors[i] for i in order]
    fig = new_figure(7.5, 0.6 + 0.28 * max(1, len(names)))
    ax = fig.add_subplot()
    pos = np.arange(len(names))
    if result.method == "sobol":
        ax.barh(pos + 0.2, [result.indices["ST"][i] for i in order], 0.4, label="total (ST)")
        ax.barh(pos - 0.2, [result.indices["S1"][i] for i in order], 0.4, label="first order (S1)")
        ax.set_xlabel("Sobol index")
    else:
        ax.barh(pos + 0.2, [result.indices["mu_star"][i] for i in order], 0.4, label="mu*")
        ax.barh(pos - 0.2, [result.indices["sigma"][i] for i in order], 0.4, label="sigma")
        ax.set_xlabel("elementary effect (outcome units)")
    ax.set_yticks(pos, names)
    ax.legend(loc="lower right", fontsize="small")
    ax.set_title(f"{result.model} on {result.issue}: {result.method} ({result.runs} runs)")
    return figure_to_svg(fig)
