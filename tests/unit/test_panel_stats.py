"""Agreement statistics and Monte Carlo by expert."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from accord.panel.sheets import read_panel
from accord.panel.stats import panel_stats
from accord.scenario.io import load
from tests.conftest import DATA, CliResult
from tests.unit.test_panel_merge import edit_csv

SMALL = DATA / "scenarios" / "small.yaml"
NAN = math.nan

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", Annenberg School for
# Communication, University of Pennsylvania, section C (4 observers, 12 units, missing data);
# the paper gives alpha = 0.743 (nominal), 0.815 (ordinal), 0.849 (interval), 0.797 (ratio).
RELIABILITY = {
    "obs-a": [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    "obs-b": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    "obs-c": [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    "obs-d": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
}
ALPHA_INTERVAL_2011 = 0.849


def _twelve_units(tmp_path: Path) -> Path:
    """A scenario whose one issue has twelve actors: the twelve units of the example."""
    actors = "\n".join(
        f"  - {{id: u{i:02d}, name: Unit {i}, capability: {{value: 1, source: test}}, "
        "member_of: [c]}"
        for i in range(1, 13)
    )
    stances = "\n".join(
        f"      - {{actor: u{i:02d}, position: {{value: 3, source: test}}, "
        "salience: {value: 0.5, source: test}}"
        for i in range(1, 13)
    )
    path = tmp_path / "units.yaml"
    path.write_text(
        "id: kripp\ntitle: Krippendorff's reliability example\nactors:\n" + actors + "\n"
        "bodies:\n  - {id: c, name: C, rule: {kind: consensus}}\n"
        "issues:\n  - id: q\n    name: Q\n    body: c\n    dimensions: [{id: v, lo: 1, hi: 5}]\n"
        "    status_quo: {value: 3, source: test}\n    stances:\n" + stances + "\n",
        encoding="utf-8",
    )
    return path


def test_alpha_matches_krippendorff_2011(tmp_path: Path) -> None:
    scenario = load(_twelve_units(tmp_path))
    sheets = []
    for expert, values in RELIABILITY.items():
        rows = [
            f"{expert},u{i:02d},q,v,{'' if math.isnan(v) else int(v)},,,,"
            for i, v in enumerate(values, start=1)
        ]
        path = tmp_path / f"{expert}.csv"
        path.write_text(
            "# accord panel sheet for scenario kripp\n"
            "expert,actor,issue,dimension,position,salience,capability,confidence,note\n"
            + "\n".join(rows)
            + "\n",
            encoding="utf-8",
        )
        sheets.append(path)
    result = panel_stats(scenario, read_panel(sheets, scenario))
    assert result.by_issue["q"]["positions"] == pytest.approx(ALPHA_INTERVAL_2011, abs=5e-4)
    # normalising by the scale does not change interval alpha
    assert result.alpha_positions == pytest.approx(ALPHA_INTERVAL_2011, abs=5e-4)
    assert result.by_issue["q"]["saliences"] is None  # nobody answered a salience


@pytest.fixture
def panel_sheets(tmp_path: Path, run_cli: Callable[..., CliResult]) -> list[Path]:
    r = run_cli(
        "panel",
        "template",
        SMALL,
        "-o",
        tmp_path,
        "-e",
        "a",
        "-e",
        "b",
        "-e",
        "c",
        "--format",
        "csv",
    )
    assert r.code == 0
    edit_csv(tmp_path / "a.csv", {("fr", "office", "scope"): {"position": "0"}})
    edit_csv(tmp_path / "c.csv", {("fr", "office", "scope"): {"position": "30"}})
    # expert c is far from the others everywhere on the office issue
    for actor, pos in (("us", "20"), ("de", "100"), ("jp", "0")):
        edit_csv(tmp_path / "c.csv", {(actor, "office", "scope"): {"position": pos}})
    return [tmp_path / f"{e}.csv" for e in "abc"]


def test_stats_spread_outliers_and_largest_disagreements(
    panel_sheets: list[Path], run_cli: Callable[..., CliResult]
) -> None:
    r = run_cli("panel", "stats", SMALL, *panel_sheets, "--format", "json")
    assert r.code == 0, r.stderr
    data = json.loads(r.stdout)
    cells = {(c["actor"], c["issue"], c["quantity"]): c for c in data["cells"]}
    fr = cells[("fr", "office", "position")]
    assert fr["values"] == {"a": 0, "b": 10, "c": 30}
    assert fr["median"] == 10 and fr["range"] == 30 and fr["iqr"] == 15  # 25%: 5, 75%: 20
    flags = {e["expert"]: e["outlying"] for e in data["experts_agreement"]}
    assert flags == {"a": False, "b": False, "c": True}
    top = data["largest_disagreements"][0]
    assert (top["actor"], top["range"]) in {("jp", 100), ("us", 60), ("de", 50)}
    assert top["actor"] == "jp"
    assert data["alpha"]["metric"] == "interval"
    without_c = next(e for e in data["experts_agreement"] if e["expert"] == "c")["alpha_without"]
    assert without_c > data["alpha"]["positions"]
    r = run_cli("panel", "stats", SMALL, *panel_sheets)
    assert r.code == 0 and "Largest disagreements" in r.stdout


def test_monte_carlo_by_expert(panel_sheets: list[Path], run_cli: Callable[..., CliResult]) -> None:
    from accord.analysis.panel_draws import expert_batch, expert_monte_carlo

    scenario = load(SMALL)
    panel = read_panel(panel_sheets, scenario)
    batch, who, n_panel, n_rest = expert_batch(scenario, panel, "office", 30, 0)
    # each draw holds one expert's whole sheet: France's and Japan's positions move together
    fr = batch.positions[:, 1, 0]
    jp = batch.positions[:, 3, 0]
    assert set(zip(who.tolist(), fr.tolist(), jp.tolist(), strict=True)) == {
        (0, 0.0, 100.0),
        (1, 10.0, 100.0),
        (2, 30.0, 0.0),
    }
    assert n_panel == 4 + 4 + 4 and n_rest == 0  # positions, saliences, capabilities
    result = expert_monte_carlo(scenario, panel, "office", ["compromise"], draws=30, seed=0)
    m = result.models[0]
    # no other ranges: the whole spread comes from the experts' disagreement
    assert m.between_share[0] == pytest.approx(1.0)
    assert m.total_variance[0] == pytest.approx(m.between_variance[0] + m.within_variance[0])
    # reproducible
    again = expert_monte_carlo(scenario, panel, "office", ["compromise"], draws=30, seed=0)
    assert again.to_json_dict() == result.to_json_dict()


def test_monte_carlo_by_expert_with_other_ranges(
    panel_sheets: list[Path], run_cli: Callable[..., CliResult]
) -> None:
    from accord.analysis.panel_draws import expert_monte_carlo

    scenario = load(SMALL)
    # only France's office position from the panel: the other ranges (France's salience and
    # capability) are still drawn, so part of the spread is within experts
    panel = read_panel(panel_sheets, scenario)
    keep = tuple(
        a.__class__(
            **{
                **a.__dict__,
                "salience": None,
                "capability": None,
                "position": a.position if a.actor == "fr" else None,
            }
        )
        for a in panel.answers
    )
    panel = panel.__class__(panel.scenario_id, keep)
    result = expert_monte_carlo(scenario, panel, "office", ["compromise"], draws=300, seed=1)
    m = result.models[0]
    share = m.between_share[0]
    assert share is not None and 0.0 < share < 1.0
    assert m.total_variance[0] == pytest.approx(m.between_variance[0] + m.within_variance[0])
    means = [e.mean[0] for e in m.experts]
    assert np.all(np.diff(means) > 0)  # France nearer the office: a higher compromise
    r = run_cli(
        "panel",
        "montecarlo",
        SMALL,
        *panel_sheets,
        "-i",
        "office",
        "--draws",
        "30",
        "-m",
        "compromise",
        "-f",
        "json",
    )
    assert r.code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["models"][0]["variance"]["between_share"][0] == pytest.approx(1.0)
    r = run_cli("panel", "montecarlo", SMALL, *panel_sheets, "-i", "office", "--draws", "0")
    assert r.code == 2
