"""Backtest statistics: hit rates, splits, bootstrap by proposal, paired comparisons, report."""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.analysis import backtest_stats as bs
from accord.analysis.backtest import BacktestResult, power_capabilities, run_backtest
from accord.errors import UsageError
from accord.scenario.arrays import issue_arrays
from accord.scenario.importers import deu

DEV = Path(__file__).parents[1] / "data" / "deu" / "deu3_dev.tsv"


@cache
def slice_text(rows: int = 40) -> str:
    lines = DEV.read_text(encoding="utf-8").splitlines()
    return "\n".join(lines[: rows + 1]) + "\n"


@cache
def slice_result() -> BacktestResult:
    return run_backtest(slice_text(), ["compromise", "median"])


def test_hit_rates_and_summary_by_hand() -> None:
    e = np.array([0.0, 5.0, 7.5, 10.0, 30.0])
    s = bs.summary(e)
    assert s["n"] == 5
    assert s["mae"] == pytest.approx(52.5 / 5)
    assert s["rmse"] == pytest.approx(math.sqrt((25 + 56.25 + 100 + 900) / 5))
    assert s["hit5"] == pytest.approx(2 / 5)  # 0 and 5 (the threshold is inclusive)
    assert s["hit10"] == pytest.approx(4 / 5)
    assert bs.summary(np.array([])) == {
        "n": 0,
        "mae": None,
        "rmse": None,
        "hit5": None,
        "hit10": None,
    }


def test_actor_bins() -> None:
    assert [bs.actor_bin(n) for n in (3, 10, 11, 17, 18, 30)] == [
        "3-10",
        "3-10",
        "11-17",
        "11-17",
        "18+",
        "18+",
    ]


def test_bootstrap_resamples_whole_proposals() -> None:
    """Proposal A holds errors 0 and 0, proposal B holds 10. Drawing two proposals gives only
    0 (AA), 10/3 (AB) or 10 (BB); resampling issues would also give 20/3."""
    reps = bs.mae_replicates(np.array([0.0, 0.0, 10.0]), ["A", "A", "B"], replicates=400)
    values = set(np.round(reps, 9))
    assert values <= {0.0, round(10 / 3, 9), 10.0}
    assert len(values) == 3


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 40), st.integers(1, 50), st.integers(0, 2**31))
def test_group_counts_draw_g_groups_per_replicate(g: int, reps: int, seed: int) -> None:
    counts = bs.group_counts(g, reps, seed)
    assert counts.shape == (reps, g)
    assert (counts.sum(axis=1) == g).all() and (counts >= 0).all()
    assert np.array_equal(counts, bs.group_counts(g, reps, seed))


def test_bootstrap_is_seeded_and_brackets_the_estimate() -> None:
    rng = np.random.default_rng(5)
    e = rng.uniform(0, 60, 120)
    groups = rng.integers(0, 40, 120)
    first = bs.bootstrap_metrics(e, groups, replicates=500, seed=1)
    assert first == bs.bootstrap_metrics(e, groups, replicates=500, seed=1)
    assert first != bs.bootstrap_metrics(e, groups, replicates=500, seed=2)
    lo, hi = first["mae"] or [0, 0]
    assert lo < float(np.mean(e)) < hi
    hlo, hhi = first["hit10"] or [0, 0]
    assert 0 <= hlo <= float(np.mean(e <= 10)) <= hhi <= 1


def test_one_group_gives_a_degenerate_interval() -> None:
    ci = bs.bootstrap_metrics(np.array([1.0, 3.0]), ["p", "p"], replicates=50)
    assert ci["mae"] == pytest.approx([2.0, 2.0])


def test_paired_bootstrap_by_hand() -> None:
    rng = np.random.default_rng(0)
    b = rng.uniform(0, 50, 60)
    groups = np.repeat(np.arange(20), 3)
    same = bs.paired_bootstrap(b, b, groups, replicates=300)
    assert same.diff == 0 and same.ci == (0.0, 0.0) and same.p == 1.0
    shifted = bs.paired_bootstrap(b + 2.0, b, groups, names=("worse", "base"), replicates=300)
    assert shifted.diff == pytest.approx(2.0)
    assert shifted.ci == pytest.approx((2.0, 2.0))
    assert shifted.p == 0.0
    assert shifted.relative == pytest.approx(2.0 / float(np.mean(b)))
    assert shifted.as_dict()["a"] == "worse"
    with pytest.raises(ValueError):
        bs.paired_bootstrap(b, b[:-1], groups, replicates=10)


def test_json_extends_the_contract() -> None:
    data = slice_result().to_json_dict(replicates=200)
    json.dumps(data)
    assert {"models", "cleaning", "splits", "paired", "bootstrap"} <= set(data)
    names = ["mean", "median", "salience_weighted_mean", "compromise", "weighted_median"]
    assert list(data["models"]) == names
    for row in data["models"].values():
        assert {"mae", "rmse", "n", "mae_qmv", "mae_unanimity", "hit5", "hit10", "ci"} <= set(row)
        lo, hi = row["ci"]["mae"]
        assert lo <= row["mae"] <= hi
    assert len(data["paired"]) == len(names) * (len(names) - 1) // 2
    assert data["bootstrap"]["unit"] == "proposal"
    assert data["bootstrap"]["proposals"] == slice_result().errors["proposal"].nunique()
    minimal = slice_result().to_json_dict(statistics=False)
    assert set(minimal) == {"models", "cleaning"}


def test_same_data_same_numbers() -> None:
    a = run_backtest(slice_text(), ["compromise"], seed=4).to_json_dict(replicates=100)
    b = run_backtest(slice_text(), ["compromise"], seed=4).to_json_dict(replicates=100)
    assert a == b


def test_splits_add_up_to_the_whole() -> None:
    result = slice_result()
    data = result.to_json_dict(replicates=50)
    for split in bs.SPLITS:
        for name, per_group in data["splits"][split].items():
            whole = data["models"][name]
            n = sum(g["n"] for g in per_group.values())
            assert n == whole["n"]
            pooled = sum(g["mae"] * g["n"] for g in per_group.values()) / n
            assert pooled == pytest.approx(whole["mae"])
            hits = sum(g["hit10"] * g["n"] for g in per_group.values()) / n
            assert hits == pytest.approx(whole["hit10"])
    rule = data["splits"]["rule"]["mean"]
    assert rule["qmv"]["mae"] == pytest.approx(data["models"]["mean"]["mae_qmv"])


def test_paired_comparisons_match_the_model_maes() -> None:
    data = slice_result().to_json_dict(replicates=100)
    models = data["models"]
    for pair in data["paired"]:
        assert pair["mae_a"] == pytest.approx(models[pair["a"]]["mae"])
        assert pair["mae_diff"] == pytest.approx(
            models[pair["a"]]["mae"] - models[pair["b"]]["mae"]
        )
        assert pair["ci"][0] <= pair["mae_diff"] <= pair["ci"][1]


def test_power_capabilities_follow_the_rule() -> None:
    scenarios, _ = deu.read_with_report(slice_text(60), "slice.tsv")
    seen = set()
    for scenario in scenarios:
        kind = scenario.bodies[0].rule.kind
        if kind in seen:
            continue
        seen.add(kind)
        arrays = issue_arrays(scenario, scenario.issues[0].id)
        caps = power_capabilities(scenario, arrays, "power-shapley-shubik")
        members = [a.id for a in scenario.actors if "council" in a.member_of]
        idx = {a: i for i, a in enumerate(arrays.actor_ids)}
        member_caps = caps[[idx[m] for m in members]]
        assert member_caps.sum() == pytest.approx(1.0, abs=0.02)
        for inst in ("com", "ep"):
            if inst in idx:
                assert caps[idx[inst]] == pytest.approx(member_caps.max())
        if kind == "unanimity":
            assert member_caps == pytest.approx(np.full(len(members), 1 / len(members)))
    assert "unanimity" in seen and len(seen) >= 2


def test_power_option_runs_and_unknown_options_fail() -> None:
    text = slice_text(12)
    data = run_backtest(text, ["compromise"], capability="power-banzhaf").to_json_dict(
        statistics=False
    )
    votes = run_backtest(text, ["compromise"]).to_json_dict(statistics=False)
    assert data["models"]["compromise"]["n"] == votes["models"]["compromise"]["n"]
    assert data["models"]["mean"] == votes["models"]["mean"]
    with pytest.raises(UsageError, match="power-shapley-shubik"):
        run_backtest(text, [], capability="power")


def test_cli_writes_a_self_contained_report(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    small = tmp_path / "slice.tsv"
    small.write_text(slice_text(20), encoding="utf-8")
    out = tmp_path / "rep"
    result = run_cli(
        "backtest",
        "deu",
        small,
        "-m",
        "compromise",
        "--replicates",
        "50",
        "--report",
        out,
        "-f",
        "json",
    )
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["bootstrap"]["replicates"] == 50
    html = (out / "backtest.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 2 and "<script" not in html
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", html)  # nothing external
    assert "<link" not in html
    assert json.loads((out / "backtest.json").read_text(encoding="utf-8")) == data
    table = run_cli("backtest", "deu", small, "-m", "compromise", "--replicates", "20")
    assert table.code == 0 and "DEU backtest of slice.tsv" in table.stdout
    bad = run_cli("backtest", "deu", small, "--replicates", "2")
    assert bad.code == 2


def test_report_escapes_names() -> None:
    from accord.report.backtest_report import render

    data = {
        "models": {
            "<b>x</b>": {
                "n": 1,
                "mae": 1.0,
                "rmse": 1.0,
                "mae_qmv": 1.0,
                "mae_unanimity": None,
                "hit5": 1.0,
                "hit10": 1.0,
            }
        },
        "cleaning": "<script>",
    }
    page = render(data, {"<b>x</b>": [1.0]}, "t<i>")
    assert "<b>x</b>" not in page.split("<svg")[0] and "<script>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page
