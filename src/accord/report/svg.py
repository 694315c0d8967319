"""The SVG helper for report charts.

The SVG helper for report charts (:mod:`accord.svg`, re-exported where report code and the web
app have always imported it).
"""

from __future__ import annotations

from accord.svg import figure_to_svg, new_figure

__all__ = ["figure_to_svg", "new_figure"]
