"""The report's charts written as SVG text (:mod:`accord.report.svgplot`, :mod:`accord.report.charts`).

They replaced matplotlib for speed (docs/performance.md); these tests pin what the page and the
browser tests rely on: a sized ``<svg>`` in points, every label present and escaped, margins
that fit the labels, round ticks, the same bytes for the same data, and no matplotlib import.
"""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from accord.report import charts
from accord.report.svgplot import Chart, nice_ticks, text_width, tick_label


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [
        (0.0, 100.0, [0, 20, 40, 60, 80, 100]),
        (-1.0, 1.0, [-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1]),
        (-2.0, 102.0, [0, 20, 40, 60, 80, 100]),
        (0.0, 0.36, [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35]),
    ],
)
def test_nice_ticks_are_round_and_inside(lo: float, hi: float, expected: list[float]) -> None:
    assert nice_ticks(lo, hi) == pytest.approx(expected)


def test_tick_labels_show_the_decimals_the_step_needs() -> None:
    ticks = [-0.5, -0.25, 0.0, 0.25]
    assert [tick_label(t, ticks) for t in ticks] == ["\u22120.50", "\u22120.25", "0.00", "0.25"]
    assert tick_label(40.0, [0.0, 20.0, 40.0]) == "40"


def test_text_width_grows_with_text_and_size() -> None:
    assert text_width("NATO Secretary General", 9) > text_width("France", 9) > 0
    assert text_width("France", 18) == pytest.approx(2 * text_width("France", 9))


def positions(**extra: object) -> str:
    return charts.positions_chart(
        title="Office <b>: positions",
        actors=["France", "NATO Secretary General", "Japan"],
        positions=np.array([0.0, 100.0, 60.0]),
        weights=np.array([1.0, 0.5, 2.0]),
        lo=0.0,
        hi=100.0,
        lo_label="no office",
        hi_label="full office",
        unit="points",
        axis_name="scope",
        ranges=[(0.0, 10.0), None, (50.0, 80.0)],
        assumed=[True, False, False],
        status_quo=0.0,
        winset=[(0.0, 40.0)],
        forecasts={"compromise": 55.0, "bdm": 30.6},
        **extra,  # type: ignore[arg-type]
    )


def test_positions_chart_is_a_sized_svg_with_every_label() -> None:
    svg = positions()
    assert re.match(r'<svg [^>]*width="540pt" height="[\d.]+pt" viewBox="0 0 540 [\d.]+"', svg)
    for text in ("France", "NATO Secretary General", "no office", "full office →",
                 "scope (points)", "compromise 55", "bdm 30.6", "status quo 0",
                 "winset of the status quo", "actor (assumed)", "assumed range"):  # fmt: skip
        assert text in svg, text
    assert "<b>" not in svg and "Office &lt;b&gt;" in svg
    assert svg.count("<circle") >= 3 + 2  # three actors and two legend dots
    assert positions() == svg  # a pure function of the data


def test_row_labels_fit_in_the_left_margin() -> None:
    svg = positions()
    chart_left = min(
        float(x)
        for x in re.findall(
            r'<path d="M([\d.]+) [\d.]+L[\d.]+ [\d.]+" stroke="#000000" stroke-width="0.8" stroke-linecap',
            svg,
        )
    )
    assert chart_left >= text_width("NATO Secretary General", 9)


def test_every_report_chart_draws() -> None:
    lo, hi = np.array([0.0, 0.0]), np.array([100.0, 10.0])
    svgs = [
        charts.dimensions_chart(title="d", dimensions=["a", "b"], positions=np.array([[10.0, 1.0], [90.0, 9.0]]),
                                lo=lo, hi=hi, lo_label="low", hi_label="high", axis_label="share",
                                status_quo=np.array([0.0, 0.0]), forecasts={"median": np.array([50.0, 5.0])},
                                normalised=True),
        charts.shifts_chart(title="s", actors=["fr", "de"], shifts=np.array([-4.0, 10.0]), unit="points"),
        charts.histogram_chart(title="h", edges=np.linspace(0, 100, 5), counts={"bdm": [1, 2, 0, 5]}, lo=0.0,
                               hi=100.0, lo_label="low", hi_label="high", axis_label="x", status_quo=0.0,
                               notes={"bdm": "passes in 7% of draws"}),
        charts.spread_chart(title="sp", dimensions=["a", "b"], quantiles={"bdm": np.array([[1, 2, 3, 4, 5.0]] * 2)},
                            lo=lo, hi=hi, lo_label="low", hi_label="high", axis_label="x"),
        charts.drivers_chart(title="dr", names=["position fr", "salience de"], rho=np.array([0.8, -0.3])),
        charts.heatmap_chart(title="hm", rows=["china", "russia"], columns=["jpn", "fra", "ita"],
                             values=np.array([[87.0, 62.0, np.nan], [70.0, 28.0, 33.0]]), colour_label="threat",
                             vmin=0, vmax=100, highlight_column="jpn", assumed=np.array([[0, 0, 1], [0, 1, 1]], bool),
                             split=2),
        charts.gains_chart(title="g", labels=["deal 1", "deal 2"], gains=np.array([6.6, 4.8]), axis_label="gain"),
        charts.presence_chart(title="p", rows=["Cyber defence"], columns=["IPCP-2020\n2020-06-26", "ITPP"],
                              states=[["verified", "absent"]]),
    ]  # fmt: skip
    for svg in svgs:
        assert svg.startswith("<svg ") and svg.endswith("</svg>") and "<text" in svg
        assert not re.search(r"\bnan\b|\binf\b", svg.lower())
    assert "passes in 7% of draws" in svgs[2] and "imputed (assumed)" in svgs[5]
    assert "2020-06-26" in svgs[7] and "\n" not in svgs[7]


def test_chart_clamps_bands_to_the_plot_area() -> None:
    chart = Chart(100, 50, 10, 10, 10, 10, x_range=(0.0, 1.0))
    chart.vspan(-5.0, 0.5, "#00ff00", 0.5)
    assert 'x="10" y="10" width="40"' in chart.svg()


def test_the_report_draws_its_charts_without_matplotlib() -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from accord.analysis.case import analyse_case\n"
        "from accord.report.case_report import render_case_report\n"
        "from accord.scenario.io import load\n"
        "p = Path('tests/data/scenarios/small.yaml')\n"
        "r = analyse_case(load(p), source=p, models='compromise', mc_models='compromise', draws=20)\n"
        "assert '<svg' in render_case_report(r)\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_long_axis_label_stays_inside_the_figure() -> None:
    # the Tokyo office's scale label is wider than the plot area: it moves in, never off the edge
    label = (
        "Tokyo liaison office (points (30 = decision deferred, 60 = liaison officer, 100 = office))"
    )
    chart = Chart(540, 200, 20, 200, 20, 60, x_range=(0.0, 100.0))
    chart.x_axis([0.0, 50.0, 100.0], label=label)
    x = float(re.findall(r'<text x="([\d.]+)"[^>]*>Tokyo', chart.svg())[0])
    half = text_width(label, 10.0) / 2
    assert x - half >= 0 and x + half <= 540
    short = Chart(540, 200, 20, 200, 20, 60, x_range=(0.0, 100.0))
    short.x_axis([0.0, 100.0], label="points")
    assert re.search(r'<text x="180"[^>]*>points<', short.svg())  # centred under the plot area
