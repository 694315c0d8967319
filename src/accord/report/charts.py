"""The case report's charts: matplotlib figures rendered to inline SVG by :mod:`accord.report.svg`.

Each function takes plain numbers and labels (no scenario objects), returns one ``<svg>``
element, and follows the same conventions: a title that says what is shown, axis labels in the
issue's own units, the labelled ends of each scale (``lo_label``/``hi_label``), the status quo as
a dashed black line, the winset as a green band, and one fixed colour per model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from accord.report.svg import figure_to_svg, new_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

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


def colour_of(model: str) -> str:
    """The model's colour (a stable fallback for models without one)."""
    if model in MODEL_COLOURS:
        return MODEL_COLOURS[model]
    return FALLBACK_COLOURS[sum(map(ord, model)) % len(FALLBACK_COLOURS)]


def _scale_ends(ax: Axes, lo: float, hi: float, lo_label: str, hi_label: str) -> None:
    """Name both ends of the scale under the x axis.

    Name both ends of the scale under the x axis (the axis runs 2% past each end so that
    marks at the ends stay visible).
    """
    pad = 0.02 * (hi - lo)
    ax.set_xlim(lo - pad, hi + pad)
    _edge_note(ax, f"\u2190 {lo_label}", 0, "left")
    _edge_note(ax, f"{hi_label} \u2192", 1, "right")


def _edge_note(ax: Axes, text: str, x: float, ha: str) -> None:
    """A small grey note under the x axis at its left (``x=0``) or right (``x=1``) end."""
    ax.annotate(
        text,
        xy=(x, 0),
        xycoords="axes fraction",
        xytext=(0, -30),
        textcoords="offset points",
        ha=ha,
        va="top",
        fontsize=8,
        color="#444444",
    )


def _title(fig: Figure, title: str) -> None:
    """The chart's title, left-aligned over the whole figure (never cut by long tick labels)."""
    fig.suptitle(title, x=0.01, ha="left", fontsize=10)


def _finish(
    fig: Figure,
    ax: Axes,
    title: str,
    axis_label: str,
    ends: tuple[float, float],
    end_labels: tuple[str, str],
    grid: Literal["x", "y"] = "x",
) -> str:
    """Label the x axis and both scale ends, add the grid, title and legend; return the SVG."""
    ax.set_xlabel(axis_label)
    ax.grid(axis=grid, color="#e5e5e5")
    _scale_ends(ax, ends[0], ends[1], end_labels[0], end_labels[1])
    _title(fig, title)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return figure_to_svg(fig)


def _axis_label(name: str, unit: str) -> str:
    return f"{name} ({unit})" if unit else name


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
    fig = new_figure(7.5, 1.6 + 0.22 * n)
    ax = fig.add_subplot()
    y = np.arange(n)
    if winset:
        for k, (a, b) in enumerate(winset):
            ax.axvspan(
                a,
                max(b, a + (hi - lo) * 0.004),
                color=WINSET_COLOUR,
                alpha=0.45,
                lw=0,
                label="winset of the status quo" if k == 0 else None,
            )
    size = 20 + 180 * np.sqrt(weights / max(float(np.max(weights, initial=0.0)), 1e-12))
    flags = list(assumed) if assumed is not None else [False] * n
    # one collection for all ranges and one for all dots: hundreds of artists made this chart
    # the slowest part of the report
    bars = [(row, ranges[i]) for row, i in enumerate(order) if ranges is not None and ranges[i]]
    bars = [(row, r) for row, r in bars if r is not None and r[1] > r[0]]
    if bars:
        ax.hlines(
            [row for row, _ in bars],
            [r[0] for _, r in bars],
            [r[1] for _, r in bars],
            color=ASSUMED_COLOUR,
            lw=2.5,
            alpha=0.7,
        )
    ax.scatter(
        positions[order],
        np.arange(n),
        s=size[order],
        facecolor=["white" if flags[i] else ACTOR_COLOUR for i in order],
        edgecolor=ACTOR_COLOUR,
        linewidth=1.2,
        zorder=3,
    )
    ax.set_yticks(y, [actors[i] for i in order], fontsize=9)
    ax.set_ylim(-0.8, n - 0.2)
    if status_quo is not None:
        ax.axvline(status_quo, color=SQ_COLOUR, ls="--", lw=1.5, label=f"status quo {status_quo:g}")
    for model, value in (forecasts or {}).items():
        ax.axvline(value, color=colour_of(model), lw=1.8, label=f"{model} {value:.3g}")
    ax.set_xlabel(_axis_label(axis_name, unit))
    ax.grid(axis="x", color="#e5e5e5")
    _scale_ends(ax, lo, hi, lo_label, hi_label)
    _title(fig, title)
    ax.scatter(
        [], [], s=40, facecolor=ACTOR_COLOUR, edgecolor=ACTOR_COLOUR, label="actor (sourced)"
    )
    if any(flags):
        ax.scatter([], [], s=40, facecolor="white", edgecolor=ACTOR_COLOUR, label="actor (assumed)")
    if ranges is not None and any(r is not None for r in ranges):
        ax.plot([], [], color=ASSUMED_COLOUR, lw=2.5, label="assumed range")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return figure_to_svg(fig)


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
    fig = new_figure(7.5, 1.5 + 0.3 * m)
    ax = fig.add_subplot()
    rows = np.arange(m)[::-1]
    pos = put(positions)
    jitter = np.linspace(-0.12, 0.12, positions.shape[0])
    for k in range(m):
        ax.scatter(pos[:, k], rows[k] + jitter, s=22, color=ACTOR_COLOUR, alpha=0.5, lw=0)
    ax.scatter([], [], s=22, color=ACTOR_COLOUR, alpha=0.5, label="actors")
    if status_quo is not None:
        sq = put(status_quo)
        ax.scatter(sq, rows, marker="|", s=220, color=SQ_COLOUR, lw=2, label="status quo")
    for j, (model, values) in enumerate((forecasts or {}).items()):
        offset = (j - (len(forecasts or {}) - 1) / 2) * 0.08
        ax.scatter(
            put(values),
            rows + offset,
            marker="D",
            s=24,
            color=colour_of(model),
            label=model,
            zorder=3,
        )
    ax.set_yticks(rows, list(dimensions), fontsize=8)
    ax.set_ylim(-0.7, m - 0.3)
    return _finish(fig, ax, title, axis_label, (a_lo, a_hi), (lo_label, hi_label))


def shifts_chart(*, title: str, actors: Sequence[str], shifts: FloatArray, unit: str) -> str:
    """How far each blocker's position would have to move for the proposal to pass."""
    n = len(actors)
    fig = new_figure(7.5, 1.4 + 0.28 * n)
    ax = fig.add_subplot()
    order = np.argsort(-np.abs(shifts), kind="stable")[::-1]
    ax.barh(
        np.arange(n),
        shifts[order],
        height=0.6,
        color=["#c0392b" if v < 0 else "#2e86c1" for v in shifts[order]],
    )
    ax.set_yticks(np.arange(n), [actors[i] for i in order], fontsize=8)
    ax.set_ylim(-0.8, n - 0.2)
    ax.axvline(0, color="#333333", lw=0.8)
    for row, i in enumerate(order):
        ax.annotate(
            f"{shifts[i]:+.3g}",
            (shifts[i], row),
            xytext=(4 if shifts[i] >= 0 else -4, 0),
            textcoords="offset points",
            ha="left" if shifts[i] >= 0 else "right",
            va="center",
            fontsize=7,
        )
    span = float(np.max(np.abs(shifts), initial=0.0)) or 1.0
    ax.set_xlim(-1.25 * span if np.any(shifts < 0) else 0, 1.25 * span if np.any(shifts > 0) else 0)
    ax.set_xlabel(f"shift of position needed ({unit})")
    _title(fig, title)
    ax.grid(axis="x", color="#e5e5e5")
    return figure_to_svg(fig)


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
    fig = new_figure(7.5, 2.8)
    ax = fig.add_subplot()
    for model, values in counts.items():
        share = np.asarray(values, dtype=np.float64) / max(float(np.sum(values)), 1.0)
        label = model + (f" ({notes[model]})" if notes and model in notes else "")
        ax.stairs(share, edges, color=colour_of(model), lw=1.8, label=label)
        ax.stairs(share, edges, color=colour_of(model), alpha=0.12, fill=True)
    if status_quo is not None:
        ax.axvline(status_quo, color=SQ_COLOUR, ls="--", lw=1.5, label=f"status quo {status_quo:g}")
    ax.set_ylabel("share of draws")
    ax.set_ylim(0, None)
    return _finish(fig, ax, title, axis_label, (lo, hi), (lo_label, hi_label), grid="y")


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
    fig = new_figure(7.5, 1.5 + 0.32 * m)
    ax = fig.add_subplot()
    rows = np.arange(m)[::-1].astype(np.float64)
    models = list(quantiles)
    for j, model in enumerate(models):
        q = quantiles[model]
        offset = (j - (len(models) - 1) / 2) * 0.16
        colour = colour_of(model)
        for k in range(m):
            v = put(q[k], k)
            y = rows[k] + offset
            ax.plot([v[0], v[4]], [y, y], color=colour, lw=1)
            ax.plot([v[1], v[3]], [y, y], color=colour, lw=4, solid_capstyle="butt")
        ax.scatter(
            [put(q[k], k)[2] for k in range(m)],
            rows + offset,
            color=colour,
            s=14,
            zorder=3,
            label=model,
        )
    if status_quo is not None:
        ax.scatter(
            put(status_quo), rows, marker="|", s=220, color=SQ_COLOUR, lw=2, label="status quo"
        )
    ax.set_yticks(rows, list(dimensions), fontsize=8)
    ax.set_ylim(-0.7, m - 0.3)
    return _finish(fig, ax, title, axis_label, (a_lo, a_hi), (lo_label, hi_label))


def drivers_chart(*, title: str, names: Sequence[str], rho: FloatArray) -> str:
    """Which assumptions drive the forecast: Spearman rank correlation of each input with it."""
    n = len(names)
    fig = new_figure(7.5, 1.3 + 0.26 * max(n, 1))
    ax = fig.add_subplot()
    order = np.arange(n)[::-1]
    ax.barh(
        np.arange(n),
        rho[order],
        color=["#c0392b" if v < 0 else "#2e86c1" for v in rho[order]],
    )
    ax.set_yticks(np.arange(n), [names[i] for i in order], fontsize=8)
    ax.set_xlim(-1, 1)
    ax.axvline(0, color="#333333", lw=0.8)
    ax.set_xlabel("Spearman rank correlation with the forecast (-1 .. +1)")
    _edge_note(ax, "\u2190 higher input, lower forecast", 0, "left")
    _edge_note(ax, "higher input, higher forecast \u2192", 1, "right")
    ax.grid(axis="x", color="#e5e5e5")
    _title(fig, title)
    return figure_to_svg(fig)


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
    fig = new_figure(10.0, 1.6 + 0.42 * r + 0.08 * max(len(x) for x in columns))
    ax = fig.add_subplot()
    masked = np.ma.masked_invalid(values)
    image = ax.imshow(masked, aspect="auto", cmap="YlOrRd", vmin=vmin, vmax=vmax)
    ax.set_yticks(np.arange(r), list(rows), fontsize=10)
    ax.set_xticks(np.arange(c), list(columns), fontsize=9, rotation=60, ha="right")
    if assumed is not None:
        from matplotlib.patches import Rectangle

        for i, j in zip(*np.nonzero(assumed), strict=True):
            ax.add_patch(
                Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", lw=0, ec="#999")
            )
    if split is not None and 0 < split < c:
        ax.axvline(split - 0.5, color="#1f3a93", lw=2)
        ax.text((split - 1) / 2, -0.7, "sourced", ha="center", va="bottom", fontsize=10)
        ax.text(
            (split + c - 1) / 2,
            -0.7,
            "imputed (assumed)",
            ha="center",
            va="bottom",
            fontsize=10,
            style="italic",
        )
    if c <= 40 and r <= 12:
        top = float(masked.max()) if masked.count() else 1.0
        for i in range(r):
            for j in range(c):
                if np.isfinite(values[i, j]):
                    imputed = assumed is not None and bool(assumed[i, j])
                    ax.text(
                        j,
                        i,
                        f"{values[i, j]:.2g}",
                        ha="center",
                        va="center",
                        fontsize=8,
                        style="italic" if imputed else "normal",
                        color="white" if values[i, j] > 0.6 * top else "black",
                    )
    if highlight_column is not None and highlight_column in columns:
        j = list(columns).index(highlight_column)
        from matplotlib.patches import Rectangle

        ax.add_patch(Rectangle((j - 0.5, -0.5), 1, r, fill=False, edgecolor="#1f3a93", lw=2))
    bar = fig.colorbar(image, ax=ax, shrink=0.9)
    bar.set_label(colour_label, fontsize=9)
    _title(fig, title)
    return figure_to_svg(fig)


def gains_chart(*, title: str, labels: Sequence[str], gains: FloatArray, axis_label: str) -> str:
    """Horizontal bars: one value per label (e.g. each package deal's total gain)."""
    n = len(labels)
    fig = new_figure(7.5, 1.2 + 0.3 * max(n, 1))
    ax = fig.add_subplot()
    order = np.arange(n)[::-1]
    ax.barh(np.arange(n), gains[order], color="#2e86c1")
    ax.set_yticks(np.arange(n), [labels[i] for i in order], fontsize=8)
    ax.axvline(0, color="#333333", lw=0.8)
    ax.set_xlabel(axis_label)
    ax.grid(axis="x", color="#e5e5e5")
    _title(fig, title)
    return figure_to_svg(fig)


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
    from matplotlib.patches import Patch, Rectangle

    r, c = len(rows), len(columns)
    fig = new_figure(7.5, 1.3 + 0.24 * r)
    ax = fig.add_subplot()
    for i in range(r):
        for j in range(c):
            state = states[i][j]
            ax.add_patch(
                Rectangle(
                    (j - 0.45, r - 1 - i - 0.4),
                    0.9,
                    0.8,
                    facecolor=PRESENCE_COLOURS.get(state, "#cccccc"),
                    edgecolor="white",
                )
            )
            if state != "absent":
                ax.text(j, r - 1 - i, state, ha="center", va="center", fontsize=7)
    ax.set_xlim(-0.5, c - 0.5)
    ax.set_ylim(-0.6, r - 0.4)
    ax.set_xticks(np.arange(c), list(columns), fontsize=8)
    ax.xaxis.tick_top()
    ax.set_yticks(np.arange(r)[::-1], list(rows), fontsize=8)
    for side in ("right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.legend(
        handles=[Patch(color=v, label=k) for k, v in PRESENCE_COLOURS.items()],
        fontsize=7,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
    )
    _title(fig, title)
    return figure_to_svg(fig)


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
