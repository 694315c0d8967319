r"""Package deals across a scenario's issues that every veto player prefers to the status quo.

A **package** fixes one outcome ``o_d`` for each issue ``d`` (the status quo included, meaning
"no change on this issue"). Actor ``i`` values it by its salience-weighted loss summed over issues
(models.md, section 5), with each dimension normalised to its scale, :math:`L_k = hi_k - lo_k`:

.. math:: \ell_i(o) = \sum_d \sum_{k \in d} s_{ik} \, \frac{|o_k - x_{ik}|}{L_k}
          \quad (\text{``linear''}) \qquad\text{or}\qquad
          \sum_d \sum_{k \in d} s_{ik} \left(\frac{o_k - x_{ik}}{L_k}\right)^2
          \quad (\text{``quadratic''})

(``loss`` parameter; an actor with no stance on an issue loses nothing there), **averaged over
the issue's dimensions**: an issue weighs by its salience, not by its number of dimensions, so a
16-area programme shares one salience across its areas instead of counting sixteen times
(:func:`actor_losses` takes the mean over the dimensions). The linear loss is
Stokman's (utility linear in salience times distance, as in the exchange model); the quadratic one
orders the points of a one-dimensional issue as the winset does. Actor ``i``'s **gain** is
:math:`g_i = \ell_i(SQ) - \ell_i(o)`.

A package is **feasible** when, on every issue it changes (an issue left at the status quo
needs no vote), the members of that issue's
deciding body who weakly gain (:math:`g_i \ge -10^{-9}`) form a winning coalition under its rule,
i.e. the package can be adopted as a whole, issue by issue, by voters who judge the whole package.
Every veto player of every issue then weakly gains: "at least as well off as under the status
quo". Packages are ranked by **total gain**, :math:`\sum_i g_i` over the members of the bodies
deciding the issues (outside actors are reported but not counted). A package is a *trade* when
some veto player loses on some issue and is compensated on another; ``trades`` lists them.

**Rollbacks.** A candidate *rolls an issue back* when, on some dimension, it lies on the far
side of the status quo or of the recorded outcome from the direction the issue moved: with
``r`` the record's value and ``q`` the status quo, the direction is ``sign(r - q)`` (or, where
the record left the issue at ``q`` or there is no record, the sign of the salience-weighted mean
position minus ``q``); a candidate ``o`` with ``(o - q)·d < 0`` rolls back below the status quo,
and one with ``(o - r)·d < 0`` below a passed record. Such candidates are left out by default
(``include_rollbacks``); when included, each deal lists the issues it rolls back.

**Procedure.** Each deal carries the practised procedure's reading
(:mod:`accord.rules.procedure`): per issue it changes, :func:`~accord.rules.procedure.run_procedure`
with the deal's outcome as the text tabled; and for the package as a whole, each member's net
losses summed over the issues, compared with its cost of objecting (objects) and the reservation
threshold (reserves) — the package is one text to break silence on.

**Candidate outcomes** per issue: the status quo, each model's forecast, each veto player's
position (every member's when the rule has no veto player), optionally ``grid`` evenly spaced
points per dimension of a one-dimensional issue, and the outcome of Stokman's exchange model run
on the package's one-dimensional issues together (its exchanges are pairwise package
deals; :func:`accord.models.exchange.run_scenario`). Duplicates are merged (their sources kept).

**Search.** With ``c_d`` candidates per issue there are :math:`\prod_d c_d` packages. Up to
``max_exact`` of them every package is evaluated (vectorised in chunks; ``method = "exact"``).
Beyond, a **beam search** (``method = "beam"``, a heuristic): issues are taken in order of
decreasing spread of their candidates' total gain; partial packages are extended by every
candidate of the next issue and the ``beam_width`` best kept, scored by total gain minus
``n`` times the summed shortfall of the veto players (:math:`\sum_v \max(0, -g_v)`), so that a
partial package must pay for the veto players it leaves behind. Every package returned is
checked exactly, but the beam may miss the best one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.errors import UsageError
from accord.forecast import forecast_issue, issue_rule, parse_rule, resolve_issues, resolve_models
from accord.rules.base import DecisionRule, FloatArray
from accord.rules.build import build_rule
from accord.rules.build_procedure import resolve_procedure
from accord.rules.procedure import net_losses
from accord.rules.veto import veto_players
from accord.scenario.arrays import issue_arrays
from accord.scenario.schema import Issue, RuleSpec, Scenario

IntArray = NDArray[np.intp]

GAIN_TOL = 1e-9
"""A gain of at least ``-GAIN_TOL`` counts as "at least as well off"."""

CHUNK = 20_000
"""Packages evaluated per vectorised chunk in the exact search."""


@dataclass(frozen=True)
class IssueCandidates:
    """The candidate outcomes of one issue and what each is worth to every actor."""

    issue_id: str
    dimensions: tuple[str, ...]
    points: FloatArray  # (c, m), row 0 is the status quo
    sources: tuple[tuple[str, ...], ...]  # per candidate: where it comes from
    gains: FloatArray  # (c, n) gain of each actor over the status quo
    rule: DecisionRule
    rule_name: str
    members: IntArray  # member indices into the scenario's actor list
    vetoes: IntArray  # veto players, indices into the scenario's actor list
    rollback: NDArray[np.bool_] | None = None  # (c,) candidate rolls the issue back
    status_quo: FloatArray | None = None
    member_positions: FloatArray | None = None  # (k, m) the members' stances
    member_saliences: FloatArray | None = None
    settings: Any = None  # the issue's resolved procedure (rules.build_procedure)


@dataclass(frozen=True)
class PackageDeal:
    """One feasible package: an outcome per issue, and what each actor gains."""

    choice: tuple[int, ...]
    outcomes: dict[str, list[float]]
    sources: dict[str, list[str]]
    total_gain: float
    gains: dict[str, float]
    gains_by_issue: dict[str, dict[str, float]]
    trades: list[dict[str, Any]]
    rollbacks: list[str] = field(default_factory=list)
    procedure: dict[str, Any] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        """The deal as a JSON-serialisable dict."""
        return {
            "outcomes": self.outcomes,
            "sources": self.sources,
            "total_gain": self.total_gain,
            "gains": self.gains,
            "gains_by_issue": self.gains_by_issue,
            "trades": self.trades,
            "rollbacks": self.rollbacks,
            "procedure": self.procedure,
        }


@dataclass(frozen=True)
class PackageDeals:
    """The result of :func:`find_package_deals`."""

    scenario_id: str
    issues: tuple[str, ...]
    skipped: dict[str, str]
    actors: tuple[str, ...]
    voters: tuple[str, ...]
    veto_players: tuple[str, ...]
    loss: str
    method: str
    n_packages: int
    candidates: dict[str, list[dict[str, Any]]]
    deals: tuple[PackageDeal, ...]
    exchange: dict[str, Any] | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_json_dict(self) -> dict[str, Any]:
        """The package-deal search as a JSON-serialisable dict."""
        return {
            "scenario": self.scenario_id,
            "issues": list(self.issues),
            "skipped": self.skipped,
            "voters": list(self.voters),
            "veto_players": list(self.veto_players),
            "loss": self.loss,
            "method": self.method,
            "packages_searched": self.n_packages,
            "candidates": self.candidates,
            "deals": [d.to_json_dict() for d in self.deals],
            "exchange": self.exchange,
            "notes": list(self.notes),
        }


# ---------------------------------------------------------------------------------------------
# numerical cores


def actor_losses(
    points: FloatArray,
    positions: FloatArray,
    saliences: FloatArray,
    scale: FloatArray,
    loss: str = "linear",
) -> FloatArray:
    """Loss of every actor at every candidate point of one issue.

    Args:
        points: ``(c, m)`` candidate outcomes.
        positions: ``(n, m)`` ideal points (rows of actors without a stance are ignored when
            their saliences are 0).
        saliences: ``(n, m)`` on [0, 1].
        scale: ``(m,)`` the scales' lengths ``hi - lo``.
        loss: ``"linear"`` or ``"quadratic"`` (module docstring).

    Returns:
        ``(c, n)`` losses.
    """
    diff = np.abs(points[:, None, :] - positions[None, :, :]) / scale
    per_dim = diff if loss == "linear" else diff**2
    # the mean over dimensions: an issue weighs once, whatever its number of dimensions
    return np.asarray(np.mean(saliences[None, :, :] * per_dim, axis=2))


def package_gains(gains: Sequence[FloatArray], choice: IntArray) -> FloatArray:
    """Each actor's total gain from each package.

    Args:
        gains: per issue ``d``, ``(c_d, n)`` gains of the candidates.
        choice: ``(P, D)`` candidate index per package and issue.

    Returns:
        ``(P, n)``.
    """
    total = np.zeros((choice.shape[0], gains[0].shape[1]))
    for d, g in enumerate(gains):  # a loop over issues, vectorised over packages and actors
        total += g[choice[:, d]]
    return total


def feasible(
    total: FloatArray, issues: Sequence[IssueCandidates], choice: IntArray
) -> NDArray[np.bool_]:
    """Whether each package passes on every issue it changes.

    Args:
        total: ``(P, n)`` each actor's total gain from each package.
        issues: the issues, in the column order of ``choice``.
        choice: ``(P, D)`` candidate index per package and issue (0 is the status quo: that issue
            is not part of the package and needs no vote).
    """
    ok = np.ones(total.shape[0], dtype=np.bool_)
    for d, item in enumerate(issues):
        wins = item.rule.is_winning(total[:, item.members] >= -GAIN_TOL)
        ok &= (choice[:, d] == 0) | wins
    return ok


def _decode(flat: NDArray[np.int64], sizes: Sequence[int]) -> IntArray:
    digits = np.empty((flat.size, len(sizes)), dtype=np.intp)
    rest = flat.copy()
    for d in range(len(sizes) - 1, -1, -1):
        digits[:, d] = rest % sizes[d]
        rest //= sizes[d]
    return digits


def exact_search(
    issues: Sequence[IssueCandidates],
    voters: IntArray,
    top: int,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[IntArray, FloatArray]:
    """Every package, in chunks; the ``top`` feasible ones with a positive total gain.

    Returns:
        ``(choices (t, D), total_gains (t,))``, best first (ties: lower package index first).
    """
    sizes = [it.points.shape[0] for it in issues]
    total_n = int(np.prod(sizes))
    gains = [it.gains for it in issues]
    best_c = np.zeros((0, len(sizes)), dtype=np.intp)
    best_g = np.zeros(0)
    for start in range(0, total_n, CHUNK):
        flat = np.arange(start, min(start + CHUNK, total_n), dtype=np.int64)
        choice = _decode(flat, sizes)
        g = package_gains(gains, choice)
        tot = g[:, voters].sum(axis=1)
        keep = feasible(g, issues, choice) & (tot > GAIN_TOL) & np.any(choice > 0, axis=1)
        best_c = np.concatenate([best_c, choice[keep]])
        best_g = np.concatenate([best_g, tot[keep]])
        if best_g.size > top:
            order = np.argsort(-best_g, kind="stable")[:top]
            order.sort()
            best_c, best_g = best_c[order], best_g[order]
        if progress is not None:
            progress(int(flat[-1]) + 1, total_n)
    order = np.argsort(-best_g, kind="stable")[:top]
    return best_c[order], best_g[order]


def beam_search(
    issues: Sequence[IssueCandidates],
    voters: IntArray,
    vetoes: IntArray,
    top: int,
    beam_width: int,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[IntArray, FloatArray]:
    """Beam search over issues (module docstring); the ``top`` feasible packages found."""
    n_issues = len(issues)
    spread = [float(np.ptp(it.gains[:, voters].sum(axis=1))) for it in issues]
    order = np.argsort(-np.asarray(spread), kind="stable")
    n = issues[0].gains.shape[1]
    penalty = float(max(len(voters), 1))
    states = np.zeros((1, n_issues), dtype=np.intp)
    totals = np.zeros((1, n))
    for step, d in enumerate(order.tolist()):
        g = issues[d].gains  # (c, n)
        c = g.shape[0]
        new_totals = (totals[:, None, :] + g[None, :, :]).reshape(-1, n)
        new_states = np.repeat(states, c, axis=0)
        new_states[:, d] = np.tile(np.arange(c), states.shape[0])
        score = new_totals[:, voters].sum(axis=1)
        if vetoes.size:
            score = score - penalty * np.clip(-new_totals[:, vetoes], 0.0, None).sum(axis=1)
        keep = np.argsort(-score, kind="stable")[:beam_width]
        states, totals = new_states[keep], new_totals[keep]
        if progress is not None:
            progress(step + 1, n_issues)
    tot = totals[:, voters].sum(axis=1)
    ok = feasible(totals, issues, states) & (tot > GAIN_TOL) & np.any(states > 0, axis=1)
    states, tot = states[ok], tot[ok]
    best = np.argsort(-tot, kind="stable")[:top]
    return states[best], tot[best]


# ---------------------------------------------------------------------------------------------
# building the candidates from a scenario


def _unique_points(
    points: list[FloatArray], sources: list[str]
) -> tuple[FloatArray, tuple[tuple[str, ...], ...]]:
    """Merge candidates closer than 1e-9 (relative); the first (the status quo) stays first."""
    kept: list[FloatArray] = []
    labels: list[list[str]] = []
    for p, src in zip(points, sources, strict=True):
        for k, q in enumerate(kept):
            if np.allclose(p, q, rtol=1e-9, atol=1e-9):
                if src not in labels[k]:
                    labels[k].append(src)
                break
        else:
            kept.append(p)
            labels.append([src])
    return np.asarray(kept), tuple(tuple(lab) for lab in labels)


def _exchange_outcomes(
    scenario: Scenario, issue_ids: Sequence[str], rounds: int
) -> tuple[dict[str, float] | None, str | None]:
    """The exchange model's outcome per issue, or why it could not run.

    The exchange model's outcome per issue, run on the one-dimensional issues among ``issue_ids``
    together, or why it could not run.
    """
    from accord.models.exchange import run_scenario
    from accord.scenario.arrays import scenario_arrays

    one_d = [i for i in scenario.issues if i.id in issue_ids and len(i.dimensions) == 1]
    if len(one_d) < 2:
        return None, "the exchange model needs at least two one-dimensional issues"
    sub = scenario.model_copy(update={"issues": one_d})
    a = scenario_arrays(sub)
    result = run_scenario(a.positions, a.saliences, a.power, a.lo, a.hi, rounds=rounds)
    return {ident: float(result.outcome[d]) for d, ident in enumerate(a.issue_ids)}, None


def find_package_deals(
    scenario: Scenario,
    *,
    issues: Sequence[str] | None = None,
    models: str | Sequence[str] = "all",
    rule: RuleSpec | str | None = None,
    loss: str = "linear",
    grid: int = 0,
    exchange: bool = True,
    exchange_rounds: int = 10,
    top: int = 5,
    max_exact: int = 200_000,
    beam_width: int = 2_000,
    seed: int | None = 0,
    progress: Callable[[int, int], None] | None = None,
    include_rollbacks: bool = False,
) -> PackageDeals:
    """Package deals across ``scenario``'s issues, ranked by total gain (module docstring).

    Args:
        scenario: a validated scenario.
        issues: the issues to combine (default: every issue with a status quo and a rule).
        models: models whose forecasts are candidates (``"all"``, a name or a list).
        rule: overrides every issue's rule (``accord forecast --rule`` syntax).
        loss: ``"linear"`` or ``"quadratic"``.
        grid: extra evenly spaced candidates per one-dimensional issue (0: none).
        exchange: add the exchange model's outcome (all issues together) as a candidate.
        exchange_rounds: rounds of the exchange model.
        top: how many deals to return.
        max_exact: largest number of packages searched exhaustively; beyond it, beam search.
        beam_width: partial packages kept per step of the beam search.
        seed: seed of stochastic models.
        progress: called as ``progress(done, total)``.
        include_rollbacks: keep candidates that roll an issue back below its status quo or its
            recorded outcome (module docstring); left out by default.

    Raises:
        UsageError: an unknown issue, model, loss or rule, or fewer than one usable issue.
    """
    if loss not in ("linear", "quadratic"):
        raise UsageError(f"unknown loss '{loss}'", field="loss", expected="linear or quadratic")
    if top < 1 or beam_width < 1 or max_exact < 1 or grid < 0:
        raise UsageError(
            "top, beam_width and max_exact must be positive, grid >= 0",
            field="top/beam_width/max_exact/grid",
            expected="positive integers",
        )
    names = resolve_models(models)
    rule_spec = parse_rule(rule) if isinstance(rule, str) else rule
    wanted = resolve_issues(scenario, issues)
    actors = tuple(a.id for a in scenario.actors)
    row = {a: k for k, a in enumerate(actors)}
    n = len(actors)
    skipped: dict[str, str] = {}
    usable: list[str] = []
    for ident in wanted:
        issue = scenario.issue(ident)
        spec, members = issue_rule(scenario, issue, rule_spec)
        if issue.status_quo is None:
            skipped[ident] = "no status quo"
        elif spec is None:
            skipped[ident] = "no decision rule"
        elif not members:
            skipped[ident] = "no voting members with a stance"
        else:
            usable.append(ident)
    if not usable:
        raise UsageError(
            "no issue can be part of a package deal",
            field="issues",
            expected="issues with a status quo, a rule and voting members",
        )
    notes: list[str] = []
    exchange_out: dict[str, float] | None = None
    if exchange:
        exchange_out, why = _exchange_outcomes(scenario, usable, exchange_rounds)
        if why is not None:
            notes.append(f"exchange model not used: {why}")

    cands: list[IssueCandidates] = []
    for ident in usable:
        issue = scenario.issue(ident)
        arrays = issue_arrays(scenario, ident)
        spec, members = issue_rule(scenario, issue, rule_spec)
        assert spec is not None and arrays.status_quo is not None
        decision_rule = build_rule(spec, members)
        member_rows = np.array([row[a.id] for a in members], dtype=np.intp)
        veto_rows = member_rows[veto_players(decision_rule)]
        sq = arrays.status_quo
        points: list[FloatArray] = [sq]
        sources: list[str] = ["status quo"]
        fc = forecast_issue(scenario, ident, names, rule=rule_spec, seed=seed)
        for item in fc.forecasts:
            points.append(np.clip(np.asarray(item.outcome, dtype=np.float64), arrays.lo, arrays.hi))
            sources.append(f"model {item.model}")
        stance_row = {a: k for k, a in enumerate(arrays.actor_ids)}
        who = veto_rows if veto_rows.size else member_rows
        for r in who.tolist():
            points.append(arrays.positions[stance_row[actors[r]]])
            sources.append(f"position of {actors[r]}")
        if grid and arrays.n_dims == 1:
            for v in np.linspace(arrays.lo[0], arrays.hi[0], grid):
                points.append(np.array([v]))
                sources.append("grid")
        if exchange_out is not None and ident in exchange_out:
            points.append(np.array([exchange_out[ident]]))
            sources.append("exchange model")
        pts, labels = _unique_points(points, sources)
        back = rollback_mask(
            pts, sq, _record_point(issue), _drift(arrays.positions, arrays.saliences, sq)
        )
        if not include_rollbacks and back[1:].any():
            dropped = [lab for lab, b in zip(labels[1:], back[1:], strict=True) if b]
            notes.append(
                f"issue {ident}: {len(dropped)} candidate(s) left out as rollbacks below the "
                "status quo or the record (" + "; ".join(", ".join(d) for d in dropped) + ")"
            )
            keep = ~back
            keep[0] = True
            pts = pts[keep]
            labels = tuple(lab for lab, k in zip(labels, keep, strict=True) if k)
            back = back[keep]
        x = np.zeros((n, arrays.n_dims))
        s = np.zeros((n, arrays.n_dims))
        stance_rows = np.array([row[a] for a in arrays.actor_ids], dtype=np.intp)
        x[stance_rows], s[stance_rows] = arrays.positions, arrays.saliences
        scale = np.where(arrays.hi > arrays.lo, arrays.hi - arrays.lo, 1.0)
        losses = actor_losses(pts, x, s, scale, loss)
        cands.append(
            IssueCandidates(
                issue_id=ident,
                dimensions=tuple(d.id for d in issue.dimensions),
                points=pts,
                sources=labels,
                gains=losses[0][None, :] - losses,
                rule=decision_rule,
                rule_name=spec.kind,
                members=member_rows,
                vetoes=veto_rows,
                rollback=back,
                status_quo=sq,
                member_positions=x[member_rows],
                member_saliences=s[member_rows],
                settings=resolve_procedure(scenario, issue, spec.kind),
            )
        )
    voters = np.unique(np.concatenate([c.members for c in cands]))
    vetoes = np.unique(np.concatenate([c.vetoes for c in cands]))
    sizes = [c.points.shape[0] for c in cands]
    n_packages = int(np.prod([float(v) for v in sizes]))
    if n_packages <= max_exact:
        choices, totals = exact_search(cands, voters, top, progress)
        method = "exact"
    else:
        choices, totals = beam_search(cands, voters, vetoes, top, beam_width, progress)
        method = "beam"
    deals = tuple(
        _deal(cands, actors, voters, vetoes, choices[k], float(totals[k]))
        for k in range(choices.shape[0])
    )
    exchange_json: dict[str, Any] | None = None
    if exchange_out is not None:
        # issues the exchange model did not cover stay at the status quo (candidate 0)
        covered = exchange_out
        picks = [_index_of(c, covered[c.issue_id]) if c.issue_id in covered else 0 for c in cands]
        choice = np.array([picks], dtype=np.intp)
        g = package_gains([c.gains for c in cands], choice)
        exchange_json = {
            "outcomes": {
                c.issue_id: [float(v) for v in c.points[picks[d]]] for d, c in enumerate(cands)
            },
            "total_gain": float(g[0, voters].sum()),
            "feasible": bool(feasible(g, cands, choice)[0]),
            "rounds": exchange_rounds,
        }
    return PackageDeals(
        scenario_id=scenario.id,
        issues=tuple(usable),
        skipped=skipped,
        actors=actors,
        voters=tuple(actors[i] for i in voters),
        veto_players=tuple(actors[i] for i in vetoes),
        loss=loss,
        method=method,
        n_packages=n_packages,
        candidates={
            c.issue_id: [
                {"point": [float(v) for v in p], "sources": list(src)}
                for p, src in zip(c.points, c.sources, strict=True)
            ]
            for c in cands
        },
        deals=deals,
        exchange=exchange_json,
        notes=tuple(notes),
    )


def _record_point(issue: Issue) -> FloatArray | None:
    """The recorded value of a passed issue (``None`` with no record, no value, or no pass)."""
    record = issue.record
    if record is None or record.outcome in ("delayed", "blocked"):
        return None
    values = record.values()
    if values is None or len(values) != len(issue.dimensions):
        return None
    return np.asarray(values, dtype=np.float64)


def _drift(positions: FloatArray, saliences: FloatArray, sq: FloatArray) -> FloatArray:
    """Sign, per dimension, of the salience-weighted mean position minus the status quo."""
    weight = saliences.sum(axis=0)
    mean = (saliences * positions).sum(axis=0) / np.where(weight > 0, weight, 1.0)
    return np.asarray(np.sign(np.where(weight > 0, mean - sq, 0.0)), dtype=np.float64)


def rollback_mask(
    points: FloatArray, sq: FloatArray, record: FloatArray | None, drift: FloatArray
) -> NDArray[np.bool_]:
    """Which candidates ``(c, m)`` roll the issue back (module docstring, "Rollbacks").

    The direction is ``sign(record - sq)`` where a passed record moved the issue, else
    ``drift``; a candidate rolls back when some dimension lies against it, beyond ``sq`` or
    (for a passed record) short of the record, by more than ``1e-9`` of the scale.
    """
    d = drift.copy()
    if record is not None:
        moved = np.sign(record - sq)
        d = np.where(moved != 0, moved, d)
    tol = 1e-9
    below_sq = ((points - sq[None, :]) * d[None, :] < -tol).any(axis=1)
    if record is None:
        return np.asarray(below_sq)
    below_record = ((points - record[None, :]) * d[None, :] < -tol).any(axis=1)
    return np.asarray(below_sq | below_record)


def deal_procedure(
    cands: Sequence[IssueCandidates], actors: tuple[str, ...], choice: IntArray
) -> dict[str, Any]:
    """The practised procedure's reading of a deal (module docstring, "Procedure").

    Per issue it changes, the outcome, objectors and reservations of the deal's text on that issue
    alone; for the package, the members whose summed net loss exceeds their cost (``objectors``) or
    the reservation threshold (``reservations``).
    """
    per_issue: dict[str, Any] = {}
    total: dict[int, float] = {}
    cost: dict[int, float] = {}
    tau: dict[int, float] = {}
    for d, c in enumerate(cands):
        k = int(choice[d])
        if k == 0 or c.settings is None or c.status_quo is None:
            continue
        assert c.member_positions is not None and c.member_saliences is not None
        point = c.points[k]
        result = c.settings.run(c.rule, c.member_positions, c.member_saliences, c.status_quo, point)
        ids = [actors[i] for i in c.members.tolist()]
        per_issue[c.issue_id] = {
            "outcome": result.outcome,
            "value": [float(v) for v in result.value],
            "objectors": [ids[i] for i in result.objectors],
            "reservations": [ids[i] for i in result.reservations],
            "opt_outs": [ids[i] for i in result.opt_outs],
        }
        losses = net_losses(c.member_positions, c.member_saliences, c.status_quo, point)
        costs = c.settings.costs(ids)
        for j, row in enumerate(c.members.tolist()):
            total[row] = total.get(row, 0.0) + float(losses[j])
            cost[row] = min(cost.get(row, np.inf), float(costs[j]))
            tau[row] = min(tau.get(row, np.inf), float(c.settings.reservation_threshold))
    objectors = sorted(actors[r] for r, v in total.items() if v > cost[r])
    reservations = sorted(actors[r] for r, v in total.items() if tau[r] < v <= cost[r])
    return {
        "issues": per_issue,
        "objectors": objectors,
        "reservations": reservations,
        "passes": not objectors,
    }


def _index_of(cand: IssueCandidates, value: float) -> int:
    return int(np.argmin(np.abs(cand.points[:, 0] - value)))


def _deal(
    cands: Sequence[IssueCandidates],
    actors: tuple[str, ...],
    voters: IntArray,
    vetoes: IntArray,
    choice: IntArray,
    total: float,
) -> PackageDeal:
    per_issue = np.stack([c.gains[int(choice[d])] for d, c in enumerate(cands)])  # (D, n)
    gains = per_issue.sum(axis=0)
    trades: list[dict[str, Any]] = []
    for v in vetoes.tolist():
        loses = [cands[d].issue_id for d in np.flatnonzero(per_issue[:, v] < -GAIN_TOL).tolist()]
        wins = [cands[d].issue_id for d in np.flatnonzero(per_issue[:, v] > GAIN_TOL).tolist()]
        if loses:
            trades.append({"actor": actors[v], "concedes_on": loses, "gains_on": wins})
    return PackageDeal(
        choice=tuple(int(v) for v in choice),
        outcomes={
            c.issue_id: [float(v) for v in c.points[int(choice[d])]] for d, c in enumerate(cands)
        },
        sources={c.issue_id: list(c.sources[int(choice[d])]) for d, c in enumerate(cands)},
        total_gain=total,
        gains={actors[i]: float(gains[i]) for i in voters.tolist()},
        gains_by_issue={
            c.issue_id: {actors[i]: float(per_issue[d, i]) for i in voters.tolist()}
            for d, c in enumerate(cands)
        },
        trades=trades,
        rollbacks=[
            c.issue_id
            for d, c in enumerate(cands)
            # candidate 0, the status quo, leaves the issue out of the package: no rollback
            if c.rollback is not None and int(choice[d]) > 0 and bool(c.rollback[int(choice[d])])
        ],
        procedure=deal_procedure(cands, actors, choice),
    )


__all__ = [
    "PackageDeal",
    "PackageDeals",
    "actor_losses",
    "beam_search",
    "deal_procedure",
    "exact_search",
    "feasible",
    "find_package_deals",
    "package_gains",
    "rollback_mask",
]
