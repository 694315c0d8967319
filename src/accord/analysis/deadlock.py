r"""Deadlock analysis: who blocks a proposal, and what it would take to unblock it.

For one issue with a status quo ``q`` decided by a rule over ``k`` members, and a proposal ``y``
(a model's forecast, by default the compromise, or a point given by the user), each member ``i``
with ideal point ``x_i`` and saliences ``s_i`` weakly prefers ``y`` to ``q`` iff

.. math:: \sum_k s_{ik} (y_k - x_{ik})^2 \le \sum_k s_{ik} (q_k - x_{ik})^2

(the preference of :mod:`accord.rules.winset`; in one dimension :math:`|y - x_i| \le |q - x_i|`).
The proposal passes iff its supporters form a winning coalition. Otherwise:

* **Blockers** are the members who strictly prefer ``q``; a **minimal blocking set** is a smallest
  subset of them whose opposition alone defeats ``y``
  (:func:`accord.rules.constrain.minimal_blocking_set`).
* **Smallest position shift.** Writing :math:`a_{ik} = (y_k - x_{ik})^2 - (q_k - x_{ik})^2`, the
  condition is :math:`\sum_k s_{ik} a_{ik} \le 0`, which is *linear* in ``x_i``:

  .. math:: w \cdot (x_i - m) \ge 0, \qquad w_k = s_{ik}(y_k - q_k), \quad m = (y + q)/2.

  The acceptable ideal points form a half-space through the midpoint ``m``. The smallest shift
  is the projection of ``x_i`` onto that half-space intersected with the issue's box
  :math:`[lo, hi]` (widened to contain ``q`` and ``y``), in the metric
  :math:`\|(x' - x_i)/L\|_2`, :math:`L = hi - lo` (the metric of
  :mod:`accord.rules.constrain`). By the KKT conditions the projection is
  :math:`x'(\lambda) = \operatorname{clip}(x_i + \lambda L^2 w, lo, hi)` at the smallest
  :math:`\lambda \ge 0` with :math:`w \cdot (x'(\lambda) - m) \ge 0`; that function of
  :math:`\lambda` is piecewise linear and non-decreasing, so :math:`\lambda` is found exactly
  from its breakpoints. In **one dimension** this is the closed form :math:`x' = (y + q)/2`: the
  member must move to the midpoint between proposal and status quo; the shift is
  :math:`|x_i - (y + q)/2|` in the issue's units. In several dimensions the shift is reported per
  dimension in each dimension's units, with its normalised length.
* **Smallest fall in salience.** Only relative saliences matter, so a fall helps only on
  dimensions where ``y`` is worse for ``i`` than ``q`` (:math:`a_{ik} > 0`), and only if ``i``
  gains on some other dimension (:math:`a_{ik} < 0`, :math:`s_{ik} > 0`). The smallest total fall
  :math:`\sum_k \delta_k` with :math:`\sum_k (s_{ik} - \delta_k) a_{ik} \le 0`,
  :math:`0 \le \delta_k \le s_{ik}`, is a fractional knapsack: lower the dimensions in
  decreasing order of :math:`a_{ik}` until the excess :math:`\sum_k s_{ik} a_{ik}` is used up.
  Otherwise (always in one dimension, where salience is a common factor) **no salience change
  suffices**: only ceasing to care about the issue at all (salience 0, indifference) would, and
  that is reported as such, not as a salience fall. Falls are given on [0, 1] and on the file's
  salience scale.
* **Turns alone.** Whether converting that blocker alone (the others unchanged) lets the proposal
  pass; under consensus with several blockers none does.
* **Cheapest turning set.** A set of blockers, of least total normalised shift, whose conversion
  makes the supporters a winning coalition: exact over all subsets when there are at most
  ``MAX_EXACT_BLOCKERS`` blockers, otherwise greedy (cheapest first, then dropping the most
  expensive members not needed).

The module also reports what *can* pass: the point of the winset nearest the proposal
(:func:`accord.rules.constrain.constrain`). Package deals across issues are in
:mod:`accord.analysis.package_deals`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from accord.errors import UsageError
from accord.forecast import forecast_issue, parse_rule, required_issue_rule
from accord.rules.base import BoolArray, DecisionRule, FloatArray
from accord.rules.build import build_rule
from accord.rules.constrain import constrain
from accord.rules.winset import prefers
from accord.scenario.arrays import issue_arrays
from accord.scenario.schema import RuleSpec, Scenario

MAX_EXACT_BLOCKERS = 16
"""Most blockers for which every subset is tried when looking for the cheapest turning set."""

DEFAULT_MODEL = "compromise"


# ---------------------------------------------------------------------------------------------
# numerical cores (pure functions over arrays, vectorised over members)


def _scale(lo: FloatArray, hi: FloatArray) -> FloatArray:
    span = hi - lo
    return np.asarray(np.where(np.isfinite(span) & (span > 0), span, 1.0))


def smallest_shifts(
    positions: FloatArray,
    saliences: FloatArray,
    status_quo: FloatArray,
    proposal: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    r"""The nearest ideal point from which each member weakly prefers ``proposal`` to the SQ.

    Args:
        positions: ``(b, m)`` ideal points (the blockers').
        saliences: ``(b, m)`` saliences (>= 0).
        status_quo: ``(m,)``.
        proposal: ``(m,)``.
        lo: ``(m,)`` lower ends of the scales.
        hi: ``(m,)`` upper ends.

    Returns:
        ``(new_positions (b, m), normalised_distance (b,))``: the projection of each ideal point
        onto :math:`\{x : w \cdot (x - m) \ge 0\} \cap [lo, hi]` in the metric
        :math:`\|\cdot / L\|` (module docstring); members who already accept keep their point
        (distance 0). A member with zero salience wherever ``y`` and ``q`` differ accepts from
        anywhere. In one dimension the new point is exactly ``(y + q) / 2``.
    """
    x = np.asarray(positions, dtype=np.float64)
    s = np.asarray(saliences, dtype=np.float64)
    q = np.asarray(status_quo, dtype=np.float64)
    y = np.asarray(proposal, dtype=np.float64)
    box_lo = np.minimum(np.minimum(lo, q), y)
    box_hi = np.maximum(np.maximum(hi, q), y)
    scale = _scale(np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64))
    mid = (y + q) / 2.0
    w = s * (y - q)  # (b, m)
    xc = np.clip(x, box_lo, box_hi)
    # Who must move is decided by the same preference test the rules use, so that a member the
    # rules count as accepting is never moved by rounding in the linear form below.
    needs = ~np.asarray(prefers(x, s, q, y), dtype=bool)
    step = scale**2 * w  # direction of x'(lambda)
    bound = np.where(w > 0, box_hi, box_lo)
    with np.errstate(divide="ignore", invalid="ignore"):
        brk = np.where(step != 0, (bound - xc) / step, np.inf)
    brk = np.maximum(brk, 0.0)
    # breakpoints 0, sorted finite breakpoints (inf where a dimension never binds)
    lams = np.concatenate([np.zeros((x.shape[0], 1)), np.sort(brk, axis=1)], axis=1)
    finite = np.isfinite(lams)
    lam_eval = np.where(finite, lams, 0.0)
    pts = np.clip(xc[:, None, :] + lam_eval[:, :, None] * step[:, None, :], box_lo, box_hi)
    phi = np.sum(w[:, None, :] * (pts - mid), axis=2)  # (b, m + 1)
    phi = np.where(finite, phi, -np.inf)
    reach = phi >= 0
    # the first breakpoint where phi >= 0; phi is linear between it and the one before
    j = np.where(reach.any(axis=1), np.argmax(reach, axis=1), lams.shape[1] - 1)
    j = np.maximum(j, 1)
    rows = np.arange(x.shape[0])
    lam0, lam1 = lam_eval[rows, j - 1], lam_eval[rows, j]
    phi0_, phi1_ = phi[rows, j - 1], phi[rows, j]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(phi1_ > phi0_, -phi0_ / (phi1_ - phi0_), 1.0)
    lam = lam0 + np.clip(frac, 0.0, 1.0) * (lam1 - lam0)
    new = np.clip(xc + lam[:, None] * step, box_lo, box_hi)
    if x.shape[1] == 1:
        new = np.broadcast_to(mid, new.shape).copy()
    new = np.where(needs[:, None], new, x)
    dist = np.linalg.norm((new - x) / scale, axis=1)
    return np.asarray(new), np.asarray(dist)


def smallest_salience_falls(
    positions: FloatArray, saliences: FloatArray, status_quo: FloatArray, proposal: FloatArray
) -> tuple[FloatArray, BoolArray]:
    r"""The smallest total fall in each member's saliences that makes it accept ``proposal``.

    Solves :math:`\min \sum_k \delta_k` subject to :math:`\sum_k (s_k - \delta_k) a_k \le 0`,
    :math:`0 \le \delta_k \le s_k`, with :math:`a_k = (y_k - x_k)^2 - (q_k - x_k)^2`, by the
    fractional-knapsack rule (largest :math:`a_k` first), for all members at once.

    Args:
        positions: ``(b, m)`` ideal points.
        saliences: ``(b, m)`` saliences on [0, 1].
        status_quo: ``(m,)``.
        proposal: ``(m,)``.

    Returns:
        ``(falls (b, m), possible (b,))``: ``falls[i, k]`` is :math:`\delta_k`; ``possible`` is
        ``False`` where no salience change suffices (the member gains on no dimension with
        positive salience; always so in one dimension). Members who already accept get zeros and
        ``possible = True``.
    """
    x = np.asarray(positions, dtype=np.float64)
    s = np.asarray(saliences, dtype=np.float64)
    q = np.asarray(status_quo, dtype=np.float64)
    y = np.asarray(proposal, dtype=np.float64)
    a = (y - x) ** 2 - (q - x) ** 2  # (b, m)
    excess = np.sum(s * a, axis=1)
    accepts = excess <= 0
    gains_somewhere = np.any((a < 0) & (s > 0), axis=1)
    possible = accepts | gains_somewhere
    order = np.argsort(-a, axis=1, kind="stable")
    a_sorted = np.take_along_axis(a, order, axis=1)
    s_sorted = np.take_along_axis(s, order, axis=1)
    cap = np.where(a_sorted > 0, s_sorted * a_sorted, 0.0)  # excess removable per dimension
    before = np.cumsum(cap, axis=1) - cap
    need = np.clip(excess[:, None] - before, 0.0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        fall_sorted = np.where(a_sorted > 0, np.minimum(s_sorted, need / a_sorted), 0.0)
    falls = np.empty_like(fall_sorted)
    np.put_along_axis(falls, order, fall_sorted, axis=1)
    falls = np.where((accepts | ~possible)[:, None], 0.0, falls)
    return np.asarray(falls), np.asarray(possible)


def cheapest_turning_set(
    rule: DecisionRule, support: BoolArray, blockers: Sequence[int], cost: FloatArray
) -> tuple[list[int] | None, str]:
    """A set of blockers of least total ``cost`` whose support makes the coalition win.

    Args:
        rule: the decision rule over ``k`` members.
        support: ``(k,)`` who supports the proposal now.
        blockers: member indices who do not.
        cost: ``(k,)`` cost of turning each member (its normalised shift).

    Returns:
        ``(members, method)``: ``method`` is ``"exact"`` (every subset, at most
        ``MAX_EXACT_BLOCKERS`` blockers) or ``"greedy"``; ``members`` is ``None`` when even
        turning every blocker does not win (the grand coalition loses).
    """
    b = np.asarray(sorted(blockers), dtype=np.intp)
    everyone = support.copy()
    everyone[b] = True
    if not bool(rule.is_winning(everyone)):
        return None, "exact"
    if b.size <= MAX_EXACT_BLOCKERS:
        masks = np.arange(1 << b.size, dtype=np.int64)
        chosen = ((masks[:, None] >> np.arange(b.size)) & 1).astype(np.bool_)
        trial = np.broadcast_to(support, (masks.size, support.size)).copy()
        trial[:, b] |= chosen
        wins = rule.is_winning(trial)
        total = chosen.astype(np.float64) @ cost[b] + 1e-12 * chosen.sum(axis=1)
        total = np.where(wins, total, np.inf)
        best = int(np.argmin(total))
        return [int(v) for v in b[chosen[best]]], "exact"
    order = b[np.argsort(cost[b], kind="stable")]
    trial = support.copy()
    picked: list[int] = []
    for i in order.tolist():
        trial[i] = True
        picked.append(i)
        if bool(rule.is_winning(trial)):
            break
    for i in sorted(picked, key=lambda v: -cost[v]):
        trial[i] = False
        if bool(rule.is_winning(trial)):
            picked.remove(i)
        else:
            trial[i] = True
    return sorted(picked), "greedy"


# ---------------------------------------------------------------------------------------------
# the analysis of one issue


def _floats(values: Any) -> list[float]:
    return [float(v) for v in np.asarray(values, dtype=np.float64).ravel()]


@dataclass(frozen=True)
class BlockerChange:
    """What it would take for one blocker to accept the proposal.

    Attributes:
        actor: the blocker's actor id.
        veto_player: whether it is a veto player of the rule.
        in_minimal_blocking: whether it is in the reported minimal blocking set.
        position: its ideal point, issue units.
        salience: its saliences on [0, 1].
        shift_to: the nearest ideal point from which it accepts, issue units.
        shift: ``shift_to - position`` per dimension, issue units.
        shift_distance: the shift's length in the normalised metric ``||shift / (hi - lo)||``.
        salience_fall: the smallest total fall per dimension on [0, 1], or ``None`` when no
            salience change suffices.
        salience_scale: the file's salience scale (falls in file units are ``fall * scale``).
        turns_alone: whether its conversion alone (others unchanged) lets the proposal pass.
    """

    actor: str
    veto_player: bool
    in_minimal_blocking: bool
    position: FloatArray
    salience: FloatArray
    shift_to: FloatArray
    shift: FloatArray
    shift_distance: float
    salience_fall: FloatArray | None
    salience_scale: float
    turns_alone: bool

    def to_json_dict(self) -> dict[str, Any]:
        """The blocker's changes as a JSON-serialisable dict."""
        fall = self.salience_fall
        return {
            "actor": self.actor,
            "veto_player": self.veto_player,
            "in_minimal_blocking": self.in_minimal_blocking,
            "position": _floats(self.position),
            "salience": _floats(self.salience),
            "shift_to": _floats(self.shift_to),
            "shift": _floats(self.shift),
            "shift_distance": self.shift_distance,
            "salience_change_suffices": fall is not None,
            "salience_fall": None if fall is None else _floats(fall),
            "salience_fall_file_scale": None
            if fall is None
            else _floats(fall * self.salience_scale),
            "salience_to": None if fall is None else _floats(self.salience - fall),
            "salience_fall_total": None if fall is None else float(fall.sum()),
            "turns_alone": self.turns_alone,
        }

    def describe(self, dims: Sequence[str], units: Sequence[str]) -> tuple[str, str]:
        """Two short phrases: the position shift and the salience fall."""
        parts = [
            f"{dims[k]} {self.position[k]:g} -> {self.shift_to[k]:.4g} "
            f"({self.shift[k]:+.4g} {units[k]})"
            for k in range(len(dims))
            if len(dims) == 1 or abs(self.shift[k]) > 1e-12
        ]
        if self.salience_fall is None:
            sal = "no salience change suffices"
        else:
            sal = ", ".join(
                f"{dims[k]} {self.salience[k] * self.salience_scale:g} -> "
                f"{(self.salience[k] - self.salience_fall[k]) * self.salience_scale:.4g}"
                for k in range(len(dims))
                if self.salience_fall[k] > 0
            )
        return "; ".join(parts), sal


@dataclass(frozen=True)
class DeadlockAnalysis:
    """The result of :func:`analyse_deadlock` (see the module docstring for the definitions)."""

    scenario_id: str
    issue_id: str
    dimensions: tuple[str, ...]
    units: tuple[str, ...]
    rule: str
    members: tuple[str, ...]
    veto_players: tuple[str, ...]
    status_quo: FloatArray
    proposal: FloatArray
    proposal_source: str
    passes: bool
    supporters: tuple[str, ...]
    blockers: tuple[str, ...]
    minimal_blocking: tuple[str, ...]
    changes: tuple[BlockerChange, ...]
    turning_set: tuple[str, ...] | None
    turning_method: str
    allowed: FloatArray
    winset: list[tuple[float, float]] | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def change_of(self, actor: str) -> BlockerChange:
        """The changes of blocker ``actor``; ``KeyError`` when it is not a blocker."""
        for item in self.changes:
            if item.actor == actor:
                return item
        raise KeyError(actor)

    def to_json_dict(self) -> dict[str, Any]:
        """The analysis as a JSON-serialisable dict (``accord deadlock --format json``)."""
        return {
            "scenario": self.scenario_id,
            "issue": self.issue_id,
            "dimensions": list(self.dimensions),
            "units": list(self.units),
            "rule": self.rule,
            "members": list(self.members),
            "veto_players": list(self.veto_players),
            "status_quo": _floats(self.status_quo),
            "proposal": _floats(self.proposal),
            "proposal_source": self.proposal_source,
            "passes": self.passes,
            "supporters": list(self.supporters),
            "blockers": list(self.blockers),
            "minimal_blocking": list(self.minimal_blocking),
            "what_it_would_take": [c.to_json_dict() for c in self.changes],
            "cheapest_turning_set": None if self.turning_set is None else list(self.turning_set),
            "turning_method": self.turning_method,
            "allowed": _floats(self.allowed),
            "winset": None if self.winset is None else [list(iv) for iv in self.winset],
            "notes": list(self.notes),
        }

    def summary(self) -> str:
        """One paragraph in words: who blocks and what would unblock."""
        if self.passes:
            return (
                f"The proposal {_fmt(self.proposal)} ({self.proposal_source}) passes under "
                f"{self.rule}: no blockers."
            )
        lines = [
            f"The proposal {_fmt(self.proposal)} ({self.proposal_source}) fails under "
            f"{self.rule} against the status quo {_fmt(self.status_quo)}; blockers: "
            f"{', '.join(self.blockers)} (minimal blocking set: "
            f"{', '.join(self.minimal_blocking)})."
        ]
        for c in self.changes:
            shift, sal = c.describe(self.dimensions, self.units)
            alone = " (alone enough to pass)" if c.turns_alone else ""
            lines.append(f"{c.actor}{alone}: position {shift}; salience: {sal}.")
        if self.turning_set is not None:
            lines.append(f"Cheapest set to move: {', '.join(self.turning_set)}.")
        lines.append(f"Nearest passing point: {_fmt(self.allowed)}.")
        return " ".join(lines)


def _fmt(values: FloatArray) -> str:
    return "(" + ", ".join(f"{float(v):.4g}" for v in values) + ")"


def _proposal_values(text: str | Sequence[float], m: int) -> FloatArray:
    if isinstance(text, str):
        try:
            values = [float(v) for v in text.split(",") if v.strip()]
        except ValueError:
            raise UsageError(
                f"proposal '{text}' is not a list of numbers",
                field="--proposal",
                expected=f"{m} comma-separated numbers",
            ) from None
    else:
        values = [float(v) for v in text]
    arr = np.asarray(values, dtype=np.float64)
    if arr.shape != (m,) or not np.all(np.isfinite(arr)):
        raise UsageError(
            f"proposal has {arr.size} values for {m} dimensions",
            field="--proposal",
            expected=f"{m} finite numbers",
        )
    return arr


def analyse_deadlock(
    scenario: Scenario,
    issue_id: str,
    *,
    model: str = DEFAULT_MODEL,
    rule: RuleSpec | str | None = None,
    proposal: str | Sequence[float] | None = None,
    seed: int | None = 0,
) -> DeadlockAnalysis:
    """Who blocks a proposal on ``issue_id`` and what would unblock it.

    Args:
        scenario: a validated scenario.
        issue_id: the issue to analyse.
        model: the registry model whose forecast is the proposal (default ``compromise``);
            ignored when ``proposal`` is given.
        rule: overrides the issue's rule (a :data:`RuleSpec` or ``accord forecast --rule`` text).
        proposal: the proposal itself, ``"v1,v2"`` or a sequence, one value per dimension.
        seed: seed of a stochastic model.

    Raises:
        UsageError: unknown issue or model, no status quo, no rule or no voting members, a
            proposal of the wrong length, or outside the issue's scale.
    """
    arrays = issue_arrays(scenario, issue_id)  # raises a UsageError for an unknown issue
    issue = scenario.issue(issue_id)
    rule_spec = parse_rule(rule) if isinstance(rule, str) else rule
    if arrays.status_quo is None:
        raise UsageError(
            f"issue '{issue_id}' has no status quo, so nothing can be blocked",
            field=f"issues.{issue_id}.status_quo",
            expected="a status quo",
        )
    spec, members = required_issue_rule(
        scenario, issue, rule_spec, members_field=f"issues.{issue_id}.body"
    )
    decision_rule = build_rule(spec, members)
    m = arrays.n_dims
    if proposal is None:
        fc = forecast_issue(scenario, issue_id, [model], rule=rule_spec, seed=seed)
        y = np.asarray(fc.forecasts[0].outcome, dtype=np.float64)
        source = f"model {model}"
    else:
        y = _proposal_values(proposal, m)
        source = "given"
        if np.any(y < arrays.lo - 1e-12) or np.any(y > arrays.hi + 1e-12):
            raise UsageError(
                f"proposal {_fmt(y)} lies outside the issue's scale",
                field="--proposal",
                expected=f"values within {_fmt(arrays.lo)} .. {_fmt(arrays.hi)}",
            )
    index = {a: i for i, a in enumerate(arrays.actor_ids)}
    rows = np.array([index[a.id] for a in members], dtype=np.intp)
    x, s = arrays.positions[rows], arrays.saliences[rows]
    sq = arrays.status_quo
    ids = tuple(a.id for a in members)
    outcome = constrain(decision_rule, x, s, sq, y, arrays.lo, arrays.hi)
    support = prefers(x, s, sq, y)
    passes = bool(decision_rule.is_winning(support))
    # as in constrain: members against a proposal that passes anyway are not blockers
    blockers = [] if passes else [int(i) for i in np.flatnonzero(~support)]
    minimal = outcome.minimal_blocking or []
    vetoes = set(outcome.veto_players)

    changes: list[BlockerChange] = []
    turning: list[int] | None = []
    method = "passes"
    notes: list[str] = []
    if blockers:
        b = np.asarray(blockers, dtype=np.intp)
        new, dist = smallest_shifts(x[b], s[b], sq, y, arrays.lo, arrays.hi)
        falls, possible = smallest_salience_falls(x[b], s[b], sq, y)
        alone = np.broadcast_to(support, (b.size, support.size)).copy()
        alone[np.arange(b.size), b] = True
        turns = decision_rule.is_winning(alone)
        for j, i in enumerate(blockers):
            changes.append(
                BlockerChange(
                    actor=ids[i],
                    veto_player=i in vetoes,
                    in_minimal_blocking=i in minimal,
                    position=x[i].copy(),
                    salience=s[i].copy(),
                    shift_to=new[j],
                    shift=new[j] - x[i],
                    shift_distance=float(dist[j]),
                    salience_fall=falls[j] if bool(possible[j]) else None,
                    salience_scale=float(issue.salience_scale),
                    turns_alone=bool(turns[j]),
                )
            )
        cost = np.zeros(decision_rule.k)
        cost[b] = dist
        turning, method = cheapest_turning_set(decision_rule, support, blockers, cost)
        if turning is None:
            notes.append("the grand coalition does not win: nothing can pass under this rule")
        if m == 1:
            notes.append(
                "one dimension: salience scales both sides of the preference, so no salience "
                "change short of indifference (salience 0) makes a blocker accept"
            )
    return DeadlockAnalysis(
        scenario_id=scenario.id,
        issue_id=issue_id,
        dimensions=tuple(d.id for d in issue.dimensions),
        units=tuple(d.unit for d in issue.dimensions),
        rule=spec.kind,
        members=ids,
        veto_players=tuple(ids[i] for i in sorted(vetoes)),
        status_quo=sq.copy(),
        proposal=y,
        proposal_source=source,
        passes=passes,
        supporters=tuple(ids[i] for i in np.flatnonzero(support)),
        blockers=tuple(ids[i] for i in blockers),
        minimal_blocking=tuple(ids[i] for i in minimal),
        changes=tuple(changes),
        turning_set=None if turning is None else tuple(ids[i] for i in turning),
        turning_method=method,
        allowed=np.asarray(outcome.allowed, dtype=np.float64),
        winset=None
        if outcome.winset is None
        else [(float(a), float(b_)) for a, b_ in outcome.winset],
        notes=tuple(notes),
    )


__all__ = [
    "BlockerChange",
    "DeadlockAnalysis",
    "analyse_deadlock",
    "cheapest_turning_set",
    "smallest_salience_falls",
    "smallest_shifts",
]
