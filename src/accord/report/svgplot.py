"""A small plotting layer that writes charts directly as inline SVG (no matplotlib).

The case report's charts (:mod:`accord.report.charts`) are simple bar, dot, line and heat charts.
Drawn with matplotlib they took about 0.35 s of CPU each (constrained layout, text layout and
the SVG backend), 8-9 s for the Japan-NATO report; written here as SVG text they take
milliseconds. The look follows matplotlib's defaults that the charts used: a framed plot area,
outward ticks with labels at 10 pt, a light grid, a left-aligned title over the figure and the
legend to the right of the plot area.

Sizes are in points (1/72 inch): a chart of ``7.5 x 3`` inches is ``540 x 216`` pt, written as
``width="540pt"`` with a matching ``viewBox`` so that the page's CSS scales it to the column.
Margins are computed from the lengths of the labels (:func:`text_width`, an estimate from
DejaVu Sans' glyph widths), so long actor names or legend entries are never cut. The output is a
pure function of the arguments (no ids, no dates): the same chart gives the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

FONT = "DejaVu Sans, Bitstream Vera Sans, Arial, Helvetica, sans-serif"
GRID_COLOUR = "#e5e5e5"
TICK_SIZE = 10.0
"""Tick labels and axis labels (matplotlib's default ``medium``)."""

# DejaVu Sans advance widths in ems (regular), grouped; the rest count as 0.62 em
_NARROW = set("iljtf.,:;'|!()[]{} I")
_WIDE = set("mwMWQGOCDHNU%@&=+<>~\u2190\u2192")
_DIGITS = set("0123456789")


def text_width(text: str, size: float) -> float:
    """Estimated width in points of ``text`` at ``size`` pt in DejaVu Sans (regular)."""
    total = 0.0
    for ch in text:
        if ch in _NARROW:
            total += 0.32
        elif ch in _DIGITS:
            total += 0.64
        elif ch in _WIDE:
            total += 0.86
        elif ch.isupper():
            total += 0.70
        else:
            total += 0.62
    return total * size * 1.04  # a little room: the browser's font may be wider


def fmt(value: float) -> str:
    """A coordinate in the SVG: two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def nice_ticks(lo: float, hi: float, most: int = 8) -> list[float]:
    """Round tick values within ``[lo, hi]``: steps of 1, 2, 2.5 or 5 times a power of ten.

    The smallest such step giving at most ``most + 1`` ticks (as matplotlib's default
    ``MaxNLocator`` does for a linear axis).
    """
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    raw = (hi - lo) / most
    power = 10.0 ** math.floor(math.log10(raw))
    step = power * 10
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if power * m >= raw * (1 - 1e-9):
            step = power * m
            break
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [round(k * step, 12) for k in range(first, last + 1)]


def tick_label(value: float, ticks: Sequence[float]) -> str:
    """A tick's label with as many decimals as the step between ticks needs."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    if step > 0 and abs(step * 10**decimals - round(step * 10**decimals)) > 1e-6:
        decimals += 1  # a step such as 2.5 or 0.25
    text = f"{value:.{decimals}f}"
    if text.strip("-0.") == "":
        text = text.lstrip("-")  # no "-0"
    return text.replace("-", "\u2212")


@dataclass
class LegendItem:
    """One legend entry: ``kind`` is ``line``, ``dash``, ``band``, ``dot``, ``ring`` or ``box``."""

    kind: str
    colour: str
    label: str
    width: float = 1.8
    alpha: float = 1.0


def legend_width(items: Sequence[LegendItem], size: float = 7.0) -> float:
    """Points that a legend of ``items`` needs to the right of the plot area."""
    if not items:
        return 0.0
    return 8 + 2.0 * size + 0.8 * size + max(text_width(i.label, size) for i in items) + 6


@dataclass
class Chart:
    """One chart: the figure's size, the plot area inside it, its scales and its elements.

    ``x_range``/``y_range`` are the data limits of the plot area (``y_range[0]`` at the bottom,
    as in matplotlib; give it reversed for rows drawn from the top). Elements are appended as
    SVG text and written by :meth:`svg`.
    """

    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    x_range: tuple[float, float] = (0.0, 1.0)
    y_range: tuple[float, float] = (0.0, 1.0)
    parts: list[str] = field(default_factory=list)

    @property
    def x0(self) -> float:
        """Left edge of the plot area (pt)."""
        return self.left

    @property
    def x1(self) -> float:
        """Right edge of the plot area (pt)."""
        return self.width - self.right

    @property
    def y0(self) -> float:
        """Top edge of the plot area (pt)."""
        return self.top

    @property
    def y1(self) -> float:
        """Bottom edge of the plot area (pt)."""
        return self.height - self.bottom

    def x(self, value: float) -> float:
        """Data ``value`` on the x axis, in points from the left."""
        lo, hi = self.x_range
        span = hi - lo if hi != lo else 1.0
        return self.x0 + (value - lo) / span * (self.x1 - self.x0)

    def y(self, value: float) -> float:
        """Data ``value`` on the y axis, in points from the top."""
        lo, hi = self.y_range
        span = hi - lo if hi != lo else 1.0
        return self.y1 - (value - lo) / span * (self.y1 - self.y0)

    def cx(self, value: float) -> float:
        """:meth:`x` clamped to the plot area (lines and bands never leave the frame)."""
        return min(max(self.x(value), self.x0), self.x1)

    # ----------------------------------------------------------------- primitives (points)

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        colour: str,
        width: float = 1.0,
        *,
        dash: str | None = None,
        alpha: float = 1.0,
        cap: str = "butt",
    ) -> None:
        """A straight line between two points (pt)."""
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        extra += f' stroke-opacity="{alpha:g}"' if alpha < 1 else ""
        extra += f' stroke-linecap="{cap}"' if cap != "butt" else ""
        self.parts.append(
            f'<path d="M{fmt(x1)} {fmt(y1)}L{fmt(x2)} {fmt(y2)}" stroke="{colour}" '
            f'stroke-width="{width:g}"{extra}/>'
        )

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        fill: str,
        *,
        alpha: float = 1.0,
        stroke: str | None = None,
        stroke_width: float = 1.0,
    ) -> None:
        """A rectangle from its top-left corner (pt); ``fill`` may be ``none``."""
        extra = f' fill-opacity="{alpha:g}"' if alpha < 1 else ""
        if stroke:
            extra += f' stroke="{stroke}" stroke-width="{stroke_width:g}"'
        self.parts.append(
            f'<rect x="{fmt(x)}" y="{fmt(y)}" width="{fmt(max(w, 0.0))}" '
            f'height="{fmt(max(h, 0.0))}" fill="{fill}"{extra}/>'
        )

    def circle(
        self,
        x: float,
        y: float,
        r: float,
        fill: str,
        *,
        stroke: str | None = None,
        stroke_width: float = 1.0,
        alpha: float = 1.0,
    ) -> None:
        """A dot of radius ``r`` (pt) centred on ``(x, y)`` (pt)."""
        extra = f' fill-opacity="{alpha:g}"' if alpha < 1 else ""
        if stroke:
            extra += f' stroke="{stroke}" stroke-width="{stroke_width:g}"'
        self.parts.append(
            f'<circle cx="{fmt(x)}" cy="{fmt(y)}" r="{fmt(r)}" fill="{fill}"{extra}/>'
        )

    def diamond(self, x: float, y: float, r: float, fill: str) -> None:
        """A diamond of half-diagonal ``r`` centred on ``(x, y)`` (pt)."""
        self.parts.append(
            f'<path d="M{fmt(x)} {fmt(y - r)}L{fmt(x + r)} {fmt(y)}L{fmt(x)} {fmt(y + r)}'
            f'L{fmt(x - r)} {fmt(y)}Z" fill="{fill}"/>'
        )

    def path(self, d: str, *, fill: str = "none", stroke: str | None = None, **style: str) -> None:
        """A raw path (``d`` in points) with optional stroke and presentation attributes."""
        extra = f' stroke="{stroke}"' if stroke else ""
        extra += "".join(f' {k.replace("_", "-")}="{v}"' for k, v in style.items())
        self.parts.append(f'<path d="{d}" fill="{fill}"{extra}/>')

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float = TICK_SIZE,
        *,
        anchor: str = "start",
        colour: str = "#000000",
        italic: bool = False,
        rotate: float = 0.0,
        middle: bool = False,
    ) -> None:
        """Text with its baseline at ``y`` (``middle``: centred on ``y``) (pt)."""
        style = f"font-size:{size:g}px"
        if italic:
            style += ";font-style:italic"
        extra = f' text-anchor="{anchor}"' if anchor != "start" else ""
        extra += f' fill="{colour}"' if colour != "#000000" else ""
        extra += ' dominant-baseline="central"' if middle else ""
        if rotate:
            extra += f' transform="rotate({rotate:g} {fmt(x)} {fmt(y)})"'
        self.parts.append(
            f'<text x="{fmt(x)}" y="{fmt(y)}" style="{style}"{extra}>{escape(text)}</text>'
        )

    # ----------------------------------------------------------------- data-space helpers

    def vline(
        self, value: float, colour: str, width: float = 1.0, *, dash: str | None = None
    ) -> None:
        """A vertical line across the plot area at x = ``value``."""
        if self.x_range[0] <= value <= self.x_range[1]:
            x = self.x(value)
            self.line(x, self.y0, x, self.y1, colour, width, dash=dash)

    def vspan(self, a: float, b: float, colour: str, alpha: float) -> None:
        """A band across the plot area from x = ``a`` to ``b``."""
        left, right = self.cx(a), self.cx(b)
        if right > left:
            self.rect(left, self.y0, right - left, self.y1 - self.y0, colour, alpha=alpha)

    def hbar(self, row: float, start: float, end: float, height: float, colour: str) -> None:
        """A horizontal bar on ``row`` from x = ``start`` to ``end``, ``height`` in rows."""
        a, b = sorted((self.cx(start), self.cx(end)))
        top = self.y(row + height / 2)
        self.rect(a, top, b - a, self.y(row - height / 2) - top, colour)

    # ----------------------------------------------------------------- axes and decorations

    def grid_x(self, ticks: Sequence[float]) -> None:
        """Vertical grid lines at ``ticks`` (drawn first, under the data)."""
        for t in ticks:
            x = self.x(t)
            self.line(x, self.y0, x, self.y1, GRID_COLOUR, 0.8)

    def grid_y(self, ticks: Sequence[float]) -> None:
        """Horizontal grid lines at ``ticks``."""
        for t in ticks:
            y = self.y(t)
            self.line(self.x0, y, self.x1, y, GRID_COLOUR, 0.8)

    def x_axis(
        self, ticks: Sequence[float], labels: Sequence[str] | None = None, label: str = ""
    ) -> None:
        """Ticks and tick labels under the plot area, and the axis label under them."""
        names = labels if labels is not None else [tick_label(t, ticks) for t in ticks]
        for t, name in zip(ticks, names, strict=True):
            x = self.x(t)
            self.line(x, self.y1, x, self.y1 + 3.5, "#000000", 0.8)
            self.text(x, self.y1 + 6 + 0.95 * TICK_SIZE, name, anchor="middle")
        if label:
            # centred under the plot area, but moved in so that a long label stays in the figure
            half = text_width(label, TICK_SIZE) / 2
            x = min(max((self.x0 + self.x1) / 2, half + 2), self.width - half - 2)
            self.text(x, self.y1 + 11 + 2 * TICK_SIZE, label, anchor="middle")

    def y_axis(
        self,
        ticks: Sequence[float],
        labels: Sequence[str] | None = None,
        size: float = TICK_SIZE,
        label: str = "",
    ) -> None:
        """Ticks and tick labels left of the plot area (and a rotated axis label)."""
        names = labels if labels is not None else [tick_label(t, ticks) for t in ticks]
        for t, name in zip(ticks, names, strict=True):
            y = self.y(t)
            self.line(self.x0 - 3.5, y, self.x0, y, "#000000", 0.8)
            self.text(self.x0 - 6, y, name, size, anchor="end", middle=True)
        if label:
            widest = max((text_width(n, size) for n in names), default=0.0)
            x = self.x0 - 12 - widest
            self.text(x, (self.y0 + self.y1) / 2, label, anchor="middle", rotate=-90)

    def frame(self, sides: str = "lrtb") -> None:
        """The plot area's border (``sides``: any of left, right, top, bottom)."""
        edges = {
            "l": (self.x0, self.y0, self.x0, self.y1),
            "r": (self.x1, self.y0, self.x1, self.y1),
            "t": (self.x0, self.y0, self.x1, self.y0),
            "b": (self.x0, self.y1, self.x1, self.y1),
        }
        for side in sides:
            x1, y1, x2, y2 = edges[side]
            self.line(x1, y1, x2, y2, "#000000", 0.8, cap="square")

    def title(self, text: str) -> None:
        """The chart's title, left-aligned over the whole figure (10 pt)."""
        self.text(0.01 * self.width, 14, text, 10)

    def edge_note(self, text: str, right: bool, below: float = 0.0) -> None:
        """A small grey note under the x axis at its left or right end (8 pt), ``below`` lower."""
        x = self.x1 if right else self.x0
        self.text(
            x, self.y1 + 46 + below, text, 8, anchor="end" if right else "start", colour="#444444"
        )

    def legend(self, items: Sequence[LegendItem], size: float = 7.0) -> None:
        """The legend to the right of the plot area, top-aligned with it."""
        x = self.x1 + 8
        step = 1.75 * size
        for k, item in enumerate(items):
            y = self.y0 + 0.7 * step + k * step
            h0, h1 = x, x + 2.0 * size
            mid = (h0 + h1) / 2
            if item.kind in ("line", "dash"):
                dash = "5.5,2.4" if item.kind == "dash" else None
                self.line(h0, y, h1, y, item.colour, item.width, dash=dash, alpha=item.alpha)
            elif item.kind in ("band", "box"):
                self.rect(h0, y - 0.35 * size, h1 - h0, 0.7 * size, item.colour, alpha=item.alpha)
            elif item.kind == "dot":
                self.circle(mid, y, 0.45 * size, item.colour, alpha=item.alpha)
            elif item.kind == "ring":
                self.circle(mid, y, 0.45 * size, "#ffffff", stroke=item.colour, stroke_width=1.2)
            elif item.kind == "diamond":
                self.diamond(mid, y, 0.4 * size, item.colour)
            self.text(h1 + 0.8 * size, y, item.label, size, middle=True)

    def grow(self, points: float) -> None:
        """Add ``points`` of room under the plot area (the plot area itself keeps its place)."""
        self.height += points
        self.bottom += points

    def svg(self) -> str:
        """The chart as an ``<svg>`` element (size in points, scaled by the page's CSS)."""
        w, h = fmt(self.width), fmt(self.height)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}pt" height="{h}pt" '
            f'viewBox="0 0 {w} {h}" version="1.1" font-family="{FONT}">'
            f'<rect width="{w}" height="{h}" fill="#ffffff"/>' + "".join(self.parts) + "</svg>"
        )


def auto_range(values: Sequence[float], margin: float = 0.05) -> tuple[float, float]:
    """Data limits with ``margin`` of the span added each side (matplotlib's autoscale)."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return 0.0, 1.0
    lo, hi = min(finite), max(finite)
    if hi == lo:
        pad = abs(lo) * 0.05 or 0.05
        return lo - pad, hi + pad
    pad = (hi - lo) * margin
    return lo - pad, hi + pad


__all__ = [
    "Chart",
    "LegendItem",
    "auto_range",
    "fmt",
    "legend_width",
    "nice_ticks",
    "text_width",
    "tick_label",
]
