"""matplotlib figures rendered to inline SVG (self-contained, works offline).

The one helper under every chart. A bottom-layer utility (no accord imports); the charts themselves
live in report/.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def new_figure(width: float = 7.5, height: float = 3.0) -> Figure:
    """A figure on the non-interactive Agg canvas (no display, thread-safe, no global pyplot)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def figure_to_svg(fig: Figure) -> str:
    """The figure as an ``<svg>`` element to paste into HTML (no XML prolog, text kept as text)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "accord"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]
