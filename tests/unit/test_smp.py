"""KTAB's Spatial Model of Politics against KTAB's own runs (reference and debug exports)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import UsageError
from accord.models import smp as sm
from accord.models.base import IssueArrays
from accord.models.smp.pce import (
    BigRAdjust,
    BigRRange,
    PCEModel,
    VictoryModel,
    VotingRule,
    big_r_from_prob,
    estimated_risk,
    scalar_pce,
    seq_prod,
    seq_sum,
    utility,
    victory,
    vote,
)
from accord.scenario.arrays import issue_arrays
from accord.scenario.importers import ktab_csv

KTAB = Path(__file__).parents[1] / "data" / "ktab"
FILES = {"d3": "dummyData_3Dim.csv", "pc": "SOE-Pol-Comp.csv"}
TIGHT = 1e-12


@cache
def load(name: str) -> IssueArrays:
    scenario = ktab_csv.read((KTAB / name).read_text(), name)[0]
    return issue_arrays(scenario, scenario.issues[0].id)


def unit_inputs(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    issue = load(name)
    return issue.to_unit(issue.positions), issue.saliences, issue.capabilities


@cache
def default_run(tag: str) -> sm.SMPResult:
    return sm.smp(*unit_inputs(FILES[tag]))


# ---------------------------------------------------------------------------------------------
# Reference runs (KTAB build, default switches)


@pytest.mark.parametrize("tag", ["d3", "pc"])
def test_reference_history(tag: str) -> None:
    res = default_run(tag)
    hist = pd.read_csv(KTAB / "reference" / f"{tag}_history.csv")
    n, m = load(FILES[tag]).positions.shape
    turns = int(hist.turn.max())
    assert res.turns == turns
    assert res.converged and res.stop_reason == "ratio"
    ref = hist.position.to_numpy().reshape(turns + 1, n, m)
    np.testing.assert_allclose(res.positions * 100.0, ref, rtol=0, atol=1e-9)
    prob = hist.prob_of_actor_position.to_numpy().reshape(turns + 1, n, m)[:, :, 0]
    # KTAB's log prints the probabilities to 4 dp.
    assert np.max(np.abs(res.probabilities - prob)) <= 5e-5 + 1e-12


@pytest.mark.parametrize("tag", ["d3", "pc"])
def test_reference_final_positions(tag: str) -> None:
    res = default_run(tag)
    final = pd.read_csv(KTAB / "reference" / f"{tag}_final_positions.csv")
    n, m = load(FILES[tag]).positions.shape
    ref = final.final_position.to_numpy().reshape(n, m)
    assert np.max(np.abs(res.positions[-1] * 100.0 - ref)) <= 0.1
    np.testing.assert_allclose(res.positions[-1] * 100.0, ref, rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        final.initial_position.to_numpy().reshape(n, m), res.positions[0] * 100.0, atol=1e-12
    )


@pytest.mark.parametrize("tag", ["d3", "pc"])
def test_debug_positions_every_turn_full_precision(tag: str) -> None:
    res = default_run(tag)
    pos = pd.read_csv(KTAB / "debug" / tag / "positions.csv")
    n, m = load(FILES[tag]).positions.shape
    turns = int(pos.turn.max())
    assert turns == res.turns
    ref = pos.pos_coord.to_numpy().reshape(turns + 1, n, m)
    np.testing.assert_allclose(res.positions * 100.0, ref, rtol=0, atol=TIGHT)
    ideal = pos.idl_coord.to_numpy().reshape(turns + 1, n, m)
    np.testing.assert_allclose(ideal, ref, rtol=0, atol=TIGHT)


@pytest.mark.parametrize(
    ("name", "turns"),
    [
        ("SOE-Policy.csv", 19),
        ("SOE-Competitive.csv", 35),
        ("dummyData_6Dim.csv", 29),
        ("dummyData-a040.csv", 20),
        ("dummyData-a080.csv", 17),
    ],
)
def test_turn_counts_match_ktab_validation_table(name: str, turns: int) -> None:
    res = sm.smp(*unit_inputs(name))
    assert res.turns == turns
    assert res.converged
    # Positions stay on KTAB's 1e-4 grid (inputs have at most 2 dp on 0-100).
    np.testing.assert_allclose(res.positions * 1e4, np.round(res.positions * 1e4), atol=1e-6)


# ---------------------------------------------------------------------------------------------
# Turn-0 and turn-1 intermediates (debug exports)


@dataclass
class Turn:
    state: sm.SMPState
    challenge: sm.Challenge
    targets: np.ndarray
    bargains: sm.Bargains
    queues: sm.QueueResult


@cache
def two_turns(tag: str) -> tuple[Turn, Turn]:
    x, s, c = unit_inputs(FILES[tag])
    sw = sm.SMPSwitches()
    resist = seq_sum(s, axis=1)
    weights = resist * c
    state = sm.setup_state(x, x, s, c, sw)
    out = []
    for _ in range(2):
        ch = sm.all_challenges(state, weights, resist, sw)
        targets = sm.choose_targets(ch.edu)
        bargains = sm.make_bargains(state, s, c, weights, resist, targets, ch.prob, sw)
        queues = sm.resolve_queues(state, s, c, bargains, sw, None)
        out.append(Turn(state, ch, targets, bargains, queues))
        new = queues.new_positions
        state = sm.setup_state(new, new, s, c, sw)
    return out[0], out[1]


def debug(tag: str, name: str) -> pd.DataFrame:
    return pd.read_csv(KTAB / "debug" / tag / name)


@pytest.mark.parametrize("tag", ["d3", "pc"])
def test_debug_actors(tag: str) -> None:
    actors = debug(tag, "actors.csv")
    issue = load(FILES[tag])
    np.testing.assert_array_equal(actors.cap.to_numpy(), issue.capabilities)
    sal = actors[[f"sal_d{k}" for k in range(issue.n_dims)]].to_numpy()
    np.testing.assert_array_equal(sal, issue.saliences)


@pytest.mark.parametrize("tag", ["d3", "pc"])
def test_debug_risk_attitudes(tag: str) -> None:
    turns = two_turns(tag)
    spec = debug(tag, "spec_risk_t0_t1.csv")
    logged = debug(tag, "risk_attitudes_t0_t1.csv")
    for t, turn in enumerate(turns):
        rows = spec[spec.turn == t].sort_values("act_i")
        np.testing.assert_allclose(turn.state.p_neutral, rows.p_riskneutral_pce, atol=TIGHT)
        np.testing.assert_allclose(turn.state.big_r, rows.R, atol=TIGHT)
        lt = logged[logged.turn == t]
        est = turn.state.r_est[lt.est_h.to_numpy(), lt.act_i.to_numpy()]
        # Recovered by inverting u = (1-d)(1+dR): a few ulps of noise.
        np.testing.assert_allclose(est, lt.R_est_from_PosUtil, atol=1e-14)
        own = lt[lt.R_log_3dp.notna()]
        np.testing.assert_allclose(turn.state.big_r[own.act_i.to_numpy()], own.R_log_3dp, atol=5e-4)


@pytest.mark.parametrize("tag", ["d3", "pc"])
def test_debug_position_utilities(tag: str) -> None:
    for t, turn in enumerate(two_turns(tag)):
        pu = debug(tag, f"posutil_t{t}.csv")
        n = turn.state.positions.shape[0]
        a = np.stack([sm.perspective_util(turn.state, h) for h in range(n)])
        got = a[pu.est_h.to_numpy(), pu.act_i.to_numpy(), pu.pos_j.to_numpy()]
        np.testing.assert_allclose(got, pu.util, rtol=0, atol=TIGHT)
        np.testing.assert_array_equal(np.diagonal(a, axis1=1, axis2=2), 1.0)


@pytest.mark.parametrize("tag", ["d3", "pc"])
def test_debug_position_probabilities_and_equivalence(tag: str) -> None:
    c = load(FILES[tag]).capabilities
    pp = debug(tag, "posprob_t0_t1.csv")
    eq = debug(tag, "posequiv_t0_t1.csv")
    for t, turn in enumerate(two_turns(tag)):
        state = turn.state
        reps, last = sm.unique_positions(state.positions)
        n = state.positions.shape[0]
        per_h = np.stack([scalar_pce(c, sm.perspective_util(state, h)[:, reps]) for h in range(n)])
        rows = pp[pp.turn == t]
        got = per_h[rows.est_h.to_numpy(), last[rows.pos_i.to_numpy()]]
        np.testing.assert_allclose(got, rows.prob, rtol=0, atol=TIGHT)
        rows = eq[eq.turn == t].sort_values("pos_i")
        dist = np.linalg.norm(state.positions[:, None, :] - state.positions[None, :, :], axis=2)
        lowest = np.argmax(dist < sm.EQUIV_TOL, axis=1)
        np.testing.assert_array_equal(lowest, rows.eqv_j)


@pytest.mark.parametrize("tag", ["d3", "pc"])
def test_debug_challenges_and_targets(tag: str) -> None:
    ch_all = debug(tag, "challenges_t0_t1.csv")
    for t, turn in enumerate(two_turns(tag)):
        rows = ch_all[ch_all.turn == t]
        i, j = rows.init_i.to_numpy(), rows.rcvr_j.to_numpy()
        ch = turn.challenge
        for column, values in [
            ("prob_vict", ch.prob),
            ("util_sq", ch.util_sq),
            ("util_vict", ch.util_vict),
            ("util_cntst", ch.util_cntst),
            ("util_chlg", ch.util_chlg),
            ("edu", ch.edu),
        ]:
            np.testing.assert_allclose(values[i, j], rows[column], rtol=0, atol=TIGHT)
        np.testing.assert_array_equal(turn.targets[i] == j, rows.is_target.to_numpy() == 1)


def test_debug_all_perspectives_d3() -> None:
    """Estimates from other perspectives (logged only under the defaults) also agree."""
    _, s, c = unit_inputs(FILES["d3"])
    resist = seq_sum(s, axis=1)
    rows = debug("d3", "utilchlg_all_t0_t1.csv")
    probs = debug("d3", "probvict_all_t0_t1.csv")
    for t, turn in enumerate(two_turns("d3")):
        r = rows[rows.turn == t]
        idx = tuple(r[col].to_numpy() for col in ("est_h", "aff_k", "init_i", "rcvr_j"))
        ch = sm.prob_edu_challenge(turn.state, resist * c, resist, idx, sm.SMPSwitches())
        for column in ("util_sq", "util_vict", "util_cntst", "util_chlg"):
            np.testing.assert_allclose(getattr(ch, column), r[column], rtol=0, atol=TIGHT)
        p = probs[probs.turn == t]
        idx = tuple(p[col].to_numpy() for col in ("est_h", "est_h", "init_i", "rcvr_j"))
        ch = sm.prob_edu_challenge(turn.state, resist * c, resist, idx, sm.SMPSwitches())
        np.testing.assert_allclose(ch.prob, p.prob, rtol=0, atol=TIGHT)


@pytest.mark.parametrize("tag", ["d3", "pc"])
def test_debug_third_party_contests(tag: str) -> None:
    _, s, c = unit_inputs(FILES[tag])
    resist = seq_sum(s, axis=1)
    tp = debug(tag, "tp_little_contests_t0.csv")
    state = two_turns(tag)[0].state
    h, i, j, n = (tp[col].to_numpy() for col in ("est_h", "init_i", "rcvr_j", "thrdp_n"))
    ch = sm.prob_edu_challenge(
        state, resist * c, resist, (h, h, i, j), sm.SMPSwitches(), keep_third_party=True
    )
    assert ch.third_party_p is not None
    np.testing.assert_allclose(ch.third_party_p[np.arange(h.size), n], tp.p_in, atol=TIGHT)
    a = np.stack([sm.perspective_util(state, k) for k in range(len(c))])
    np.testing.assert_allclose(a[h, n, i] + a[h, n, i] + a[h, n, n], tp.util_V, atol=TIGHT)
    np.testing.assert_allclose(a[h, n, i] + a[h, n, i] + a[h, n, i], tp.util_L, atol=TIGHT)


def bargain_keys(b: sm.Bargains) -> dict[tuple[int, int], int]:
    return {(int(i), int(j)): k for k, (i, j) in enumerate(zip(b.init, b.rcvr, strict=True))}


@pytest.mark.parametrize("tag", ["d3", "pc"])
def test_debug_bargains_queues_and_choices(tag: str) -> None:
    bargains = debug(tag, "bargains_t0_t1.csv")
    queues = debug(tag, "queues_t0_t1.csv")
    for t, turn in enumerate(two_turns(tag)):
        b = turn.bargains
        key = bargain_keys(b)
        rows = bargains[(bargains.turn == t) & (bargains.init_i != bargains.rcvr_j)]
        assert sorted(key) == sorted(zip(rows.init_i, rows.rcvr_j, strict=True))
        m = b.pos_init.shape[1]
        for _, row in rows.iterrows():
            k = key[(int(row.init_i), int(row.rcvr_j))]
            init = row[[f"init_coord_d{d}" for d in range(m)]].to_numpy(dtype=float)
            rcvr = row[[f"rcvr_coord_d{d}" for d in range(m)]].to_numpy(dtype=float)
            np.testing.assert_allclose(100.0 * b.pos_init[k], init, rtol=0, atol=TIGHT)
            np.testing.assert_allclose(100.0 * b.pos_rcvr[k], rcvr, rtol=0, atol=TIGHT)
            edu = turn.challenge.edu[int(row.init_i), int(row.rcvr_j)]
            assert edu == pytest.approx(row.value_bestEU, abs=TIGHT)
        q = turn.queues
        qrows = queues[queues.turn == t]
        assert len(qrows) == sum(len(x) for x in q.queues)
        for _, row in qrows.iterrows():
            k = int(row.queue_k)
            init, rcvr = int(row.init_i), int(row.rcvr_j)
            bid = -1 if init == rcvr else key[(init, rcvr)]
            pos = list(q.queues[k]).index(bid)
            assert q.probs[k][pos] == pytest.approx(row.prob_in_queue, abs=TIGHT)
            assert (q.chosen[k] == pos) == (row.selected == 1)


@pytest.mark.parametrize("tag", ["d3", "pc"])
def test_debug_bargain_utilities(tag: str) -> None:
    bargains = debug(tag, "bargains_t0_t1.csv")
    util = debug(tag, "bargnutil_t0_t1.csv")
    for t, turn in enumerate(two_turns(tag)):
        ids = bargains[bargains.turn == t]
        pair = {
            int(r.bargn_id): (int(r.init_i), int(r.rcvr_j)) for r in ids.itertuples(index=False)
        }
        key = bargain_keys(turn.bargains)
        rows = util[util.turn == t]
        got = []
        for r in rows.itertuples(index=False):
            init, rcvr = pair[int(r.bargn_id)]
            a = int(r.act_i)
            q = turn.queues
            got.append(q.util_sq[a] if init == rcvr else q.util[a, key[(init, rcvr)]])
        np.testing.assert_allclose(got, rows.util, rtol=0, atol=TIGHT)


# ---------------------------------------------------------------------------------------------
# Determinism, seeds and switches


def test_deterministic_runs_are_identical() -> None:
    a = sm.smp(*unit_inputs(FILES["pc"]))
    b = sm.smp(*unit_inputs(FILES["pc"]))
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.probabilities, b.probabilities)
    assert a.turns == b.turns


def test_stochastic_is_reproducible_from_a_seed() -> None:
    sw = sm.SMPSwitches(state_transitions=sm.StateTransition.STOCHASTIC)
    args = unit_inputs(FILES["d3"])
    a = sm.smp(*args, switches=sw, rng=np.random.default_rng(7))
    b = sm.smp(*args, switches=sw, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a.positions, b.positions)
    others = [sm.smp(*args, switches=sw, rng=np.random.default_rng(seed)) for seed in (8, 9, 10)]
    assert any(
        o.positions.shape != a.positions.shape or not np.array_equal(o.positions, a.positions)
        for o in others
    )


def test_stochastic_needs_a_generator() -> None:
    sw = sm.SMPSwitches(state_transitions=sm.StateTransition.STOCHASTIC)
    with pytest.raises(UsageError):
        sm.smp(*unit_inputs(FILES["d3"]), switches=sw)


NON_DEFAULT = (
    [("victory_model", v) for v in ("Square", "Quartic", "Octic", "Binary")]
    + [
        ("pce", "MarkovIncentive"),
        ("pce", "MarkovUniform"),
        ("state_transitions", "Stochastic"),
        ("big_r_range", "Min"),
        ("big_r_range", "Max"),
        ("third_party_commit", "NoCommit"),
        ("third_party_commit", "FullCommit"),
        ("bargain_interpolation", "S1P1"),
        ("bargain_interpolation", "S2PMax"),
        ("bargain_model", "InitRcvrInterp"),
        ("bargain_model", "PWCompInterp"),
    ]
    + [("voting_rule", v) for v in ("Binary", "PropBin", "PropCbc", "Cubic", "ASymProsp")]
    + [("big_r_adjust", v) for v in ("None", "Half", "TwoThirds", "Full")]
)


@pytest.mark.parametrize(("switch", "value"), NON_DEFAULT)
def test_each_non_default_switch_runs_and_stays_in_range(switch: str, value: str) -> None:
    sw = sm.SMPSwitches.from_names(**{switch: value})
    assert getattr(sw, switch).value == value
    x, s, c = unit_inputs(FILES["d3"])
    res = sm.smp(x, s, c, switches=sw, max_turns=30, rng=np.random.default_rng(3))
    assert 1 <= res.turns <= 30
    assert np.all(res.positions >= 0.0) and np.all(res.positions <= 1.0)
    # Bargains are convex combinations: every coordinate stays inside the initial range.
    assert np.all(res.positions >= x.min(axis=0) - 1e-12)
    assert np.all(res.positions <= x.max(axis=0) + 1e-12)
    assert np.all(np.isfinite(res.probabilities))
    assert np.all((res.probabilities > 0) & (res.probabilities <= 1.0))
    # The reported outcome is the PCE-weighted mean of the unique final positions (§10).
    final = res.positions[-1][res.final_reps]
    assert res.final_rep_prob.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(
        res.expected[-1], (res.final_rep_prob[:, None] * final).sum(axis=0), rtol=0, atol=1e-12
    )


def test_non_default_switches_change_the_run() -> None:
    args = unit_inputs(FILES["d3"])
    base = default_run("d3")
    changed = sm.smp(*args, switches=sm.SMPSwitches.from_names(big_r_adjust="Half"))
    assert changed.turns != base.turns or not np.array_equal(changed.positions, base.positions)


def test_switch_names_are_checked() -> None:
    with pytest.raises(UsageError) as err:
        sm.SMPSwitches.from_names(victory_model="Sextic")
    assert err.value.location.field == "victory_model"
    with pytest.raises(UsageError):
        sm.SMPSwitches.from_names(colour="red")
    sw = sm.SMPSwitches.from_names(pce="markovipcm", voting_rule="Proportional")
    assert sw.pce is PCEModel.MARKOV_INCENTIVE and sw.voting_rule is VotingRule.PROP
    assert sm.SMPSwitches().as_dict()["bargain_model"] == "InitOnlyInterp"


def test_degenerate_input_is_a_usage_error() -> None:
    x = np.full((4, 1), 0.5)
    s = np.full((4, 1), 0.5)
    with pytest.raises(UsageError):
        sm.smp(x, s, np.ones(4))
    with pytest.raises(UsageError):
        sm.smp(np.array([[0.1], [0.5], [1.2]]), np.full((3, 1), 0.5), np.ones(3))
    with pytest.raises(UsageError):
        sm.smp(np.array([[0.1], [0.5], [0.9]]), np.full((3, 1), 0.5), np.array([1.0, 0.0, 1.0]))
    with pytest.raises(UsageError):
        sm.smp(np.array([[0.1], [0.5], [0.9]]), np.full((3, 2), 0.5), np.ones(3))


def test_consensus_ends_the_run() -> None:
    """A run where every actor reaches one position stops (KTAB would abort there)."""
    x, s, c = unit_inputs(FILES["pc"])
    res = sm.smp(x, s, c, switches=sm.SMPSwitches.from_names(victory_model="Binary"))
    assert res.stop_reason in {"degenerate", "ratio"}
    if res.stop_reason == "degenerate":
        assert res.final_reps.size == 1
        np.testing.assert_allclose(res.final_rep_prob, [1.0])


# ---------------------------------------------------------------------------------------------
# Adapter


def test_run_adapter_matches_the_reference() -> None:
    issue = load(FILES["d3"])
    out = sm.SPEC.run(issue, {}, np.random.default_rng(0))
    hist = pd.read_csv(KTAB / "reference" / "d3_history.csv")
    n, m = issue.positions.shape
    ref = hist.position.to_numpy().reshape(-1, n, m)
    np.testing.assert_allclose(out.positions, ref, atol=1e-9)
    assert out.n_rounds == out.diagnostics["turns"] == 10
    assert out.series["expected"].shape == (11, m)
    res = default_run("d3")
    np.testing.assert_allclose(out.outcome, 100.0 * res.expected[-1], atol=1e-12)
    probs = out.diagnostics["final_probabilities"]
    assert list(probs) == list(issue.actor_ids)
    uniq = out.diagnostics["unique_final_positions"]
    assert sum(u["probability"] for u in uniq) == pytest.approx(1.0, abs=1e-12)
    weighted = sum(u["probability"] * np.array(u["position"]) for u in uniq)
    np.testing.assert_allclose(out.outcome, weighted, atol=1e-9)
    mode = sm.SPEC.run(issue, {"outcome": "mode"}, np.random.default_rng(0))
    assert list(mode.outcome) == out.diagnostics["modal_position"]
    assert sm.SPEC.name == "smp" and not sm.SPEC.uses_status_quo


def test_run_adapter_parameters_and_scales() -> None:
    base = load(FILES["pc"])
    rng = np.random.default_rng(0)
    with pytest.raises(UsageError):
        sm.SPEC.run(base, {"outcome": "median"}, rng)
    with pytest.raises(UsageError):
        sm.SPEC.run(base, {"max_turns": 0}, rng)
    with pytest.raises(UsageError):
        sm.SPEC.run(base, {"temperature": 1}, rng)
    with pytest.raises(UsageError):
        sm.SPEC.run(base, {"pce": "Bogus"}, rng)
    short = sm.SPEC.run(base, {"max_turns": 3}, rng)
    assert short.n_rounds == 3 and short.diagnostics["converged"] is False
    # The same issue on another scale gives the same run, mapped back to that scale.
    scaled = IssueArrays(
        actor_ids=base.actor_ids,
        positions=base.positions / 100.0 * 20.0 - 10.0,
        saliences=base.saliences,
        capabilities=base.capabilities,
        lo=np.full(2, -10.0),
        hi=np.full(2, 10.0),
    )
    a = sm.SPEC.run(base, {}, rng)
    b = sm.SPEC.run(scaled, {}, rng)
    assert a.n_rounds == b.n_rounds
    np.testing.assert_allclose(b.positions, a.positions / 100.0 * 20.0 - 10.0, atol=1e-9)


def test_run_adapter_normalises_oversized_salience_rows() -> None:
    base = load(FILES["d3"])
    sal = base.saliences.copy()
    sal[0] = sal[0] * 3.0
    issue = IssueArrays(
        actor_ids=base.actor_ids,
        positions=base.positions,
        saliences=sal,
        capabilities=base.capabilities,
        lo=base.lo,
        hi=base.hi,
    )
    out = sm.SPEC.run(issue, {}, np.random.default_rng(0))
    assert out.diagnostics["salience_rows_normalised"] == [base.actor_ids[0]]
    assert default_run("d3").turns > 0
    assert (
        sm.SPEC.run(base, {}, np.random.default_rng(0)).diagnostics["salience_rows_normalised"]
        == []
    )


# ---------------------------------------------------------------------------------------------
# Building blocks


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=40))
def test_seq_sum_and_prod_are_plain_loops(values: list[float]) -> None:
    total, product = 1e-8, 1.0
    for v in values:
        total += v
        product *= v
    arr = np.array(values)
    assert seq_sum(arr, initial=1e-8) == total
    assert seq_prod(arr) == product


def test_utility_and_risk() -> None:
    d = np.array([0.0, 0.25, 1.0, 1.5])
    np.testing.assert_array_equal(utility(d, 0.7), [1.0, 0.75 * 1.175, 0.0, -0.5 * 1.7])
    p = np.array([0.1, 0.2, 0.7])
    np.testing.assert_allclose(big_r_from_prob(p, BigRRange.MID), [-0.5, -0.25, 1.0])
    np.testing.assert_allclose(big_r_from_prob(p, BigRRange.MIN), [0.0, 1 / 6, 1.0])
    np.testing.assert_allclose(big_r_from_prob(p, BigRRange.MAX), [-1.0, -2 / 3, 1.0])
    with pytest.raises(UsageError):
        big_r_from_prob(np.full(3, 1 / 3), BigRRange.MID)
    r = np.array([-0.5, 1.0])
    np.testing.assert_allclose(estimated_risk(r, BigRAdjust.ONE_THIRD)[0, 1], 0.0)
    np.testing.assert_allclose(estimated_risk(r, BigRAdjust.NONE)[0, 1], -0.5)
    np.testing.assert_allclose(estimated_risk(r, BigRAdjust.FULL)[0, 1], 1.0)
    np.testing.assert_allclose(estimated_risk(r, BigRAdjust.HALF)[0, 1], 0.25)
    np.testing.assert_allclose(estimated_risk(r, BigRAdjust.TWO_THIRDS)[0, 1], 0.5)


def test_vote_rules_and_victory_models() -> None:
    w = np.array(2.0)
    delta = np.array([-0.5, 0.0, 0.5])
    np.testing.assert_allclose(vote(VotingRule.PROP, w, delta), [-1.0, 0.0, 1.0])
    np.testing.assert_allclose(vote(VotingRule.BINARY, w, delta), [-2.0, 0.0, 2.0])
    np.testing.assert_allclose(vote(VotingRule.CUBIC, w, delta), [-0.25, 0.0, 0.25])
    np.testing.assert_allclose(vote(VotingRule.ASYM_PROSP, w, delta), [-1.0, 0.0, 2 / 3])
    np.testing.assert_allclose(vote(VotingRule.PROP_BIN, w, delta), [-1.2, 0.0, 1.2])
    np.testing.assert_allclose(vote(VotingRule.PROP_CBC, w, delta), [-0.625, 0.0, 0.625])
    a, b = np.array([3.0, 1.0, 1.05]), np.array([1.0, 3.0, 1.0])
    pa, pb = victory(VictoryModel.LINEAR, a, b)
    np.testing.assert_allclose(pa, [0.75, 0.25, 1.05 / 2.05])
    pa, _ = victory(VictoryModel.SQUARE, a, b)
    np.testing.assert_allclose(pa[:2], [0.9, 0.1])
    pa, pb = victory(VictoryModel.BINARY, a, b)
    np.testing.assert_allclose(pa + pb, 1.0)
    assert pa[0] > 0.999 and pa[1] < 1e-5 and 0.5 < pa[2] < 1.0


@settings(max_examples=30, deadline=None)
@given(
    st.integers(2, 6),
    st.integers(1, 5),
    st.sampled_from(list(PCEModel)),
    st.integers(0, 2**32 - 1),
)
def test_pce_is_a_distribution(n_voters: int, n_opts: int, pce: PCEModel, seed: int) -> None:
    rng = np.random.default_rng(seed)
    u = rng.random((n_voters, n_opts))
    p = scalar_pce(rng.random(n_voters) + 0.1, u, pce=pce)
    assert p.shape == (n_opts,)
    assert np.all(p >= 0) and abs(p.sum() - 1.0) < 1e-8


def test_pce_two_options_closed_form() -> None:
    # One voter prefers option 0 by 0.3 with weight 2: C01 = 1e-8 + 0.6, C10 = 1e-8.
    p = scalar_pce(np.array([2.0]), np.array([[0.8, 0.5]]))
    c01, c10 = 1e-8 + 0.6, 1e-8
    q = np.array([0.5 * (c01 / (c01 + c10)), (c10 / (c10 + c01)) * 0.5])
    np.testing.assert_allclose(p, q / q.sum(), rtol=1e-15)


@settings(max_examples=15, deadline=None)
@given(st.integers(3, 6), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_random_cases_stay_on_grid_and_in_range(n: int, m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.round(rng.random((n, m)), 2)
    s = rng.dirichlet(np.ones(m + 1), size=n)[:, :m] * 0.99 + 0.001
    c = rng.random(n) * 100 + 1
    try:
        res = sm.smp(x, s, c, max_turns=5)
    except UsageError:
        return  # degenerate draws (e.g. equal positions) are reported, not crashed on
    assert res.positions.shape[1:] == (n, m)
    assert np.all(res.positions >= x.min(axis=0) - 1e-12)
    assert np.all(res.positions <= x.max(axis=0) + 1e-12)
    np.testing.assert_allclose(res.positions * 1e4, np.round(res.positions * 1e4), atol=1e-6)
    assert np.all(res.probabilities > 0) and np.all(res.probabilities <= 1)
