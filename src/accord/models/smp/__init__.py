"""KTAB's Spatial Model of Politics (SMP): bargaining over positions on one or more dimensions.

Source: KAPSARC KTAB (fork lsyaseen/KTAB @3b5b063): ``examples/smp/libsrc/smp.cpp``,
``smpbcn.cpp``, ``smpread.cpp`` and ``KTAB/kmodel/libsrc/*.cpp``, as written out step by step in
the project brief ``ktab-smp.md`` (section numbers below refer to it). Method: Wise, Lester &
Efird (2015) [Wise2015]; application: Efird, Lester & Wise (2016) [Efird2016], J. East Asian
Studies 16:117-145. Keys resolve in ``docs/bibliography.md``.

All values lie on [0, 1] (KTAB's 0-100 inputs divided by 100). One turn:

1. Distances ``d(i, y) = sqrt(sum_k ((ideal_ik - y_k) s_ik)^2 / sum_k s_ik^2)`` and utilities
   ``U(d, R) = (1 - d)(1 + d R)`` (§4).
2. Risk attitudes: a PCE among all actor positions with risk-neutral utilities and capability
   weights gives p; ``R_i = (3 p_i - (p_max + 2 p_min)) / (2 (p_max - p_min))`` (Mid); actor h
   estimates ``r_hi = (2 R_h + R_i) / 3`` (OneThird) and ``A_h[i, j] = U(D[i, j], r_hi)`` (§4-5).
3. Challenges: i's expected gain from challenging j, with j's resistance ``S_j`` and third
   parties voting under SemiCommit, ``edu_ij = Chlg - SQ`` (§6). i targets the j with the largest
   ``edu_ij > 1e-5`` (lowest j on ties).
4. Bargains: ``b = r4(((w_i + 1e-6) x_i + w_j x_j) / (w_i + 1e-6 + w_j))`` with
   ``w = s^2 p^2`` and ``r4`` rounding to the 1e-4 grid (§7).
5. Queues: each actor's queue holds its status quo, its own bargain and the bargains aimed at
   it; a capability-weighted PCE over the actors' mean utilities picks one (argmax), and the actor
   takes its side of it (§8). All queues are resolved on the old state at once.
6. Stop when ``sum_i ||x_i(t) - x_i(t-1)|| / (sum_i ||x_i(1) - x_i(0)|| + 1e-4) < 0.02``
   (t >= 2) or at ``max_turns`` (§9).

Reporting (§10): positions closer than 1e-3 are one unique position (greedy, in actor order);
each state's PCE over the unique positions, with each actor's own utilities, gives the
probability of each actor's position. accord's outcome is the PCE-weighted mean of the unique
final positions (``outcome="mean"``) or the most probable one (``outcome="mode"``).

The nine KTAB switches are all supported (see :class:`SMPSwitches` and ``docs/models/smp.md``).
Under the defaults this implementation follows the brief's order of operations exactly.

The package: :mod:`~accord.models.smp.switches` (switches, constants, shared errors),
:mod:`~accord.models.smp.pce` (votes, victory, PCE, risk), :mod:`~accord.models.smp.reference`
(the step functions), :mod:`~accord.models.smp.engine_numpy` (B runs at once with NumPy),
:mod:`~accord.models.smp.engine_numba` with :mod:`~accord.models.smp.numba_loops` (the compiled
engine); this module holds :func:`smp`, :func:`prepare`, :class:`SMPParams`, :func:`run` and
``SPEC``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
from numpy.typing import NDArray

from accord.errors import UsageError
from accord.models.base import (
    FloatArray,
    IssueArrays,
    IssueBatch,
    ModelParams,
    ModelRun,
    ModelSpec,
    check_params,
)
from accord.models.smp import engine_numba, engine_numpy
from accord.models.smp.engine_numba import smp_batch_compiled
from accord.models.smp.engine_numpy import ENGINE_CHUNK, SMPBatchResult, smp_batch
from accord.models.smp.pce import (
    BigRAdjust,
    BigRRange,
    PCEModel,
    VictoryModel,
    VotingRule,
)
from accord.models.smp.reference import (
    Bargains,
    Challenge,
    QueueResult,
    SMPResult,
    SMPState,
    all_challenges,
    choose_targets,
    distances,
    interpolate,
    make_bargains,
    perspective_util,
    prob_edu_challenge,
    resolve_queues,
    run_reference,
    setup_state,
    unique_positions,
)
from accord.models.smp.switches import (
    BARGAIN_FLOOR,
    CHALLENGE_SEED,
    EQUIV_TOL,
    GRID,
    MIN_EDU,
    SANITY_TOL,
    STOP_FLOOR,
    STOP_RATIO,
    BargainInterpolation,
    BargainModel,
    SMPSwitches,
    StateTransition,
    ThirdPartyCommit,
    engine_supports,
)

__all__ = [
    "BARGAIN_FLOOR",
    "CHALLENGE_SEED",
    "DEFAULTS",
    "ENGINES",
    "ENGINE_CHUNK",
    "EQUIV_TOL",
    "GRID",
    "MIN_EDU",
    "SALIENCE_SUM_TOL",
    "SANITY_TOL",
    "SPEC",
    "STOP_FLOOR",
    "STOP_RATIO",
    "BargainInterpolation",
    "BargainModel",
    "Bargains",
    "BigRAdjust",
    "BigRRange",
    "Challenge",
    "PCEModel",
    "Prepared",
    "QueueResult",
    "SMPBatchResult",
    "SMPParams",
    "SMPResult",
    "SMPState",
    "SMPSwitches",
    "StateTransition",
    "ThirdPartyCommit",
    "VictoryModel",
    "VotingRule",
    "all_challenges",
    "choose_targets",
    "distances",
    "engine_supports",
    "in_domain",
    "interpolate",
    "make_bargains",
    "perspective_util",
    "prepare",
    "prob_edu_challenge",
    "resolve_queues",
    "run",
    "setup_state",
    "smp",
    "smp_batch",
    "smp_batch_compiled",
    "unique_positions",
]

#: Engines: compiled loops (default), the NumPy batched engine, and the reference step functions.
#: The first two cover the switches :func:`engine_supports` accepts (other switches always run
#: the step functions); all three give the same results bit for bit.
ENGINES = ("compiled", "numpy", "reference")
#: What ``engine`` accepts: an engine, or ``"auto"`` (the default; see :func:`choose_engine`).
ENGINE_CHOICES = ("auto", *ENGINES)
Engine = Literal["auto", "compiled", "numpy", "reference"]

#: Under ``engine="auto"``, single runs with at most this many actors use the NumPy engine unless
#: the compiled engine is already loaded: loading Numba and its cache takes about 0.75 s on an
#: idle machine, more than the NumPy engine needs for such a run (0.06 s for KTAB's 7-actor d3
#: case, 0.1 s at 24 actors; docs/performance.md). The results are the same bit for bit.
AUTO_NUMPY_ACTORS = 24


def choose_engine(engine: str, n_actors: int) -> str:
    """The engine a single run uses.

    ``engine`` itself, or for ``"auto"`` the NumPy engine on small problems
    (:data:`AUTO_NUMPY_ACTORS`) while the compiled one is not loaded yet.
    """
    if engine != "auto":
        return engine
    if n_actors <= AUTO_NUMPY_ACTORS and not engine_numba.loaded():
        return "numpy"
    return "compiled"


#: Under ``engine="auto"``, batches of at most this much work (draws x actors^3 x dimensions)
#: run on the NumPy engine unless the compiled engine is already loaded: loading Numba and its
#: cache takes about 0.75 s on an idle machine, while the NumPy engine needed 0.14 s of CPU for
#: the 100 draws of a forecast's interval over a 7-actor issue (34,300) and 0.44 s at 13 actors
#: (219,700), both on a loaded machine (docs/performance.md). The results are the same bit for bit.
AUTO_NUMPY_BATCH_WORK = 250_000


def choose_batch_engine(engine: str, draws: int, n_actors: int, n_dims: int) -> str:
    """The engine a batch of ``draws`` problems of ``n_actors`` x ``n_dims`` uses.

    ``engine`` itself, or for ``"auto"`` the NumPy engine on small batches
    (:data:`AUTO_NUMPY_BATCH_WORK`) while the compiled one is not loaded yet.
    """
    if engine != "auto":
        return engine
    small = draws * n_actors**3 * n_dims <= AUTO_NUMPY_BATCH_WORK
    return "numpy" if small and not engine_numba.loaded() else "compiled"


#: Salience rows summing to more than 1 + this are divided by their sum (rounding slack).
SALIENCE_SUM_TOL = 1e-9


def in_domain(x: FloatArray, s: FloatArray, c: FloatArray) -> NDArray[np.bool_]:
    """Whether each problem's inputs are in SMP's domain.

    Per problem (any leading axes before ``(n, m)``): positions and saliences finite and on
    [0, 1], capabilities finite. What :func:`smp` requires beyond shapes, salience sums and
    positive capabilities (which :func:`prepare`'s ``active`` mask covers).
    """
    ok_x = np.all(np.isfinite(x) & (x >= 0.0) & (x <= 1.0), axis=(-2, -1))
    ok_s = np.all(np.isfinite(s) & (s >= 0.0) & (s <= 1.0), axis=(-2, -1))
    ok_c = np.all(np.isfinite(c), axis=-1)
    out: NDArray[np.bool_] = ok_x & ok_s & ok_c
    return out


def _check_inputs(x: FloatArray, s: FloatArray, c: FloatArray) -> None:
    if x.ndim != 2 or s.shape != x.shape or c.shape != (x.shape[0],):
        raise UsageError(
            "smp needs positions and saliences of shape (n, m) and capabilities of shape (n,)",
            expected=f"shapes (n, m), (n, m), (n,); got {x.shape}, {s.shape}, {c.shape}",
        )
    if x.shape[0] < 2 or x.shape[1] < 1:
        raise UsageError("smp needs at least 2 actors and 1 dimension", field="positions")
    for name, arr in (("positions", x), ("saliences", s)):
        if not (np.all(np.isfinite(arr)) and np.all(arr >= 0.0) and np.all(arr <= 1.0)):
            raise UsageError(f"smp {name} must lie on [0, 1]", field=name, expected="[0, 1]")
    if not np.all(s.sum(axis=1) > 0.0):
        raise UsageError("every actor needs a positive salience", field="saliences")
    if not (np.all(np.isfinite(c)) and np.all(c > 0.0)):
        raise UsageError("smp capabilities must be positive", field="capabilities", expected="> 0")


def smp(
    positions: FloatArray,
    saliences: FloatArray,
    capabilities: FloatArray,
    switches: SMPSwitches | None = None,
    max_turns: int = 100,
    rng: np.random.Generator | None = None,
    strict_start: bool = True,
    engine: str = "auto",
) -> SMPResult:
    """Run KTAB's Spatial Model of Politics to convergence (see the module docstring).

    Args:
        positions: ``(n, m)`` on [0, 1] (KTAB's 0-100 divided by 100).
        saliences: ``(n, m)`` on [0, 1]; an actor's row should sum to at most 1 (not
            renormalised: ``S_i`` is the probability that i resists a challenge).
        capabilities: ``(n,)``, > 0, used raw.
        switches: KTAB's switches (defaults: KTAB's defaults).
        max_turns: the turn limit (KTAB: 100).
        rng: used only by ``state_transitions=Stochastic``.
        strict_start: abort, as KTAB does, when the initial state is degenerate (risk
            attitudes leave every utility unchanged, e.g. all actors at the two ends of a 1-D
            scale); otherwise start from risk-neutral attitudes (``R = 0``) and go on.
        engine: ``"compiled"`` (:mod:`~accord.models.smp.engine_numba`), ``"numpy"``
            (:mod:`~accord.models.smp.engine_numpy`), ``"reference"`` (the step functions of
            :mod:`~accord.models.smp.reference`) or ``"auto"`` (the default:
            :func:`choose_engine`); all equal bit for bit. Switches
            the engines do not cover (:func:`engine_supports`) always run the step functions.

    Returns:
        An :class:`SMPResult`.
    """
    sw = switches if switches is not None else SMPSwitches()
    x = np.array(positions, dtype=np.float64)
    s = np.array(saliences, dtype=np.float64)
    c = np.array(capabilities, dtype=np.float64)
    _check_inputs(x, s, c)
    if max_turns < 1:
        raise UsageError("max_turns must be at least 1", field="max_turns", expected=">= 1")
    if engine not in ENGINE_CHOICES:
        raise UsageError(
            f"smp engine {engine!r}", field="engine", expected=" or ".join(ENGINE_CHOICES)
        )
    engine = choose_engine(engine, x.shape[0])
    if engine == "reference" or not engine_supports(sw):
        return run_reference(x, s, c, sw, max_turns, rng, strict_start)
    if engine == "compiled":
        return engine_numba.run_recorded(x, s, c, sw, max_turns, strict_start)
    return engine_numpy.run_recorded(x, s, c, sw, max_turns, strict_start)


# --------------------------------------------------------------------------------------------
# The registry adapter: typed parameters, the shared preparation, run and SPEC

#: The adapter's parameters: the nine switches by lower-case name, and the run options.
DEFAULTS: dict[str, Any] = {
    **SMPSwitches().as_dict(),
    "max_turns": 100,
    "outcome": "mean",
    "abort_on_degenerate": False,
    "engine": "auto",
}


@dataclass(frozen=True)
class SMPParams(ModelParams):
    """The adapter's parameters, checked (build with :meth:`from_mapping`).

    Attributes:
        switches: KTAB's nine switches.
        max_turns: the turn limit (>= 1).
        outcome: ``"mean"`` (PCE-weighted mean of the unique final positions) or ``"mode"``
            (the most probable unique final position).
        abort_on_degenerate: abort on a degenerate start as KTAB does (``strict_start``).
        engine: one of :data:`ENGINE_CHOICES`.
    """

    model: ClassVar[str] = "smp"

    switches: SMPSwitches = field(default_factory=SMPSwitches)
    max_turns: int = 100
    outcome: Literal["mean", "mode"] = "mean"
    abort_on_degenerate: bool = False
    engine: Engine = "auto"

    @classmethod
    def from_mapping(cls, params: Mapping[str, Any]) -> SMPParams:
        """Check ``params`` (any subset of :data:`DEFAULTS`); bad keys or values are usage errors."""
        p = check_params("smp", DEFAULTS, params)
        switches = SMPSwitches.from_names(**{key: p[key] for key in SMPSwitches().as_dict()})
        max_turns = p["max_turns"]
        if (
            isinstance(max_turns, bool)
            or not isinstance(max_turns, int | np.integer)
            or max_turns < 1
        ):
            raise UsageError(f"smp max_turns {max_turns!r}", field="max_turns", expected="int >= 1")
        outcome = str(p["outcome"])
        if outcome not in ("mean", "mode"):
            raise UsageError(
                f"smp outcome {outcome!r}", field="outcome", expected="'mean' or 'mode'"
            )
        engine = str(p["engine"])
        if engine not in ENGINE_CHOICES:
            raise UsageError(
                f"smp engine {engine!r}", field="engine", expected=" or ".join(ENGINE_CHOICES)
            )
        return cls(
            switches=switches,
            max_turns=int(max_turns),
            outcome="mode" if outcome == "mode" else "mean",
            abort_on_degenerate=bool(p["abort_on_degenerate"]),
            engine=engine,  # type: ignore[arg-type]
        )

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """The flat defaults: the nine switches by name, then the run options."""
        return dict(DEFAULTS)

    def as_dict(self) -> dict[str, Any]:
        """The parameters in the flat form of :data:`DEFAULTS`."""
        return {
            **self.switches.as_dict(),
            "max_turns": self.max_turns,
            "outcome": self.outcome,
            "abort_on_degenerate": self.abort_on_degenerate,
            "engine": self.engine,
        }

    @property
    def stochastic(self) -> bool:
        """Whether a run draws from the generator (only under ``state_transitions=Stochastic``)."""
        return self.switches.state_transitions is StateTransition.STOCHASTIC


@dataclass(frozen=True)
class Prepared:
    """Inputs on SMP's unit scale, for one issue ``(n, m)`` or a batch ``(B, n, m)``.

    Attributes:
        positions: positions mapped to [0, 1] per dimension (``(x - lo) / (hi - lo)``).
        saliences: saliences, each actor's row divided by its sum where that exceeds 1.
        capabilities: capabilities as float64.
        over: ``(..., n)`` the rows that were divided.
        active: ``(..., n)`` actors with positive salience and capability (KTAB refuses the
            others; accord holds them still).
    """

    positions: FloatArray
    saliences: FloatArray
    capabilities: FloatArray
    over: NDArray[np.bool_]
    active: NDArray[np.bool_]


def prepare(
    positions: FloatArray,
    saliences: FloatArray,
    capabilities: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
) -> Prepared:
    """The one preparation of SMP's inputs, shared by :func:`run` and the batch kernel."""
    x: FloatArray = (positions - lo) / (hi - lo)
    sal = np.array(saliences, dtype=np.float64)
    totals = sal.sum(axis=-1)
    over = totals > 1.0 + SALIENCE_SUM_TOL
    sal[over] = sal[over] / totals[over][..., None]
    cap = np.asarray(capabilities, dtype=np.float64)
    # KTAB refuses actors with no salience or no capability (their vote weight is 0). They have
    # no stake and no power, so accord leaves them out of the bargaining and holds them still.
    active = (sal.sum(axis=-1) > 0.0) & (cap > 0.0)
    return Prepared(x, sal, cap, over, active)


def run(issue: IssueArrays, params: Mapping[str, Any], rng: np.random.Generator) -> ModelRun:
    """Run :func:`smp` on one issue; positions go through :func:`prepare` and back.

    Parameters: the nine switches by lower-case name with KTAB's value names, ``max_turns``, and
    ``outcome``: ``"mean"`` (PCE-weighted mean of the unique final positions) or ``"mode"`` (the
    most probable unique final position); ``engine``: one of :data:`ENGINES` (the same results
    bit for bit; see :func:`smp`). ``rng`` is used only under ``state_transitions=Stochastic``.
    """
    p = SMPParams.from_mapping(params)
    switches = p.switches
    prep = prepare(issue.positions, issue.saliences, issue.capabilities, issue.lo, issue.hi)
    x, sal, active, over = prep.positions, prep.saliences, prep.active, prep.over
    if int(active.sum()) < 2:
        raise UsageError(
            "smp needs at least 2 actors with positive salience and capability",
            field="saliences",
            expected="2 or more actors who care about the issue",
        )
    res = smp(
        x[active],
        sal[active],
        issue.capabilities[active],
        switches,
        p.max_turns,
        rng,
        strict_start=p.abort_on_degenerate,
        engine=p.engine,
    )
    outcome = p.outcome
    final_unit = res.modal[-1] if outcome == "mode" else res.expected[-1]
    ids = issue.actor_ids
    unit_positions = np.repeat(x[None, :, :], res.positions.shape[0], axis=0)
    unit_positions[:, active, :] = res.positions
    positions = issue.from_unit(unit_positions)
    # Round 0 and the actors held still keep their exact input values (no unit-scale round trip).
    positions[0] = issue.positions
    positions[:, ~active, :] = issue.positions[~active]
    active_ids = [a for a, keep in zip(ids, active, strict=True) if keep]
    return ModelRun(
        model="smp",
        positions=positions,
        outcome=issue.from_unit(final_unit),
        series={"expected": issue.from_unit(res.expected)},
        diagnostics={
            "turns": res.turns,
            "converged": res.converged,
            "stop_reason": res.stop_reason,
            "switches": switches.as_dict(),
            "outcome": outcome,
            "final_probabilities": {
                a: float(v) for a, v in zip(active_ids, res.probabilities[-1], strict=True)
            },
            "modal_position": [float(v) for v in issue.from_unit(res.modal[-1])],
            "unique_final_positions": [
                {
                    "actor": active_ids[int(r)],
                    "position": [float(v) for v in issue.from_unit(res.positions[-1][int(r)])],
                    "probability": float(q),
                }
                for r, q in zip(res.final_reps, res.final_rep_prob, strict=True)
            ],
            "salience_rows_normalised": [a for a, o in zip(ids, over, strict=True) if o],
            "inactive_actors": [a for a, keep in zip(ids, active, strict=True) if not keep],
        },
    )


def batch_kernel(
    batch: IssueBatch, params: Mapping[str, Any], rng: np.random.Generator
) -> FloatArray | None:
    """The SMP batch kernel.

    The batch kernel (:mod:`accord.models.smp.batch`; deterministic under the switches the
    engines cover, ``rng`` unused).
    """
    from accord.models.smp.batch import kernel

    return kernel(batch, params, rng)


SPEC = ModelSpec(
    name="smp",
    summary="KTAB's Spatial Model of Politics: challenges, bargains and PCE queues (KAPSARC)",
    citation="KTAB; Wise2015",
    run=run,
    params=SMPParams,
    batch_kernel=batch_kernel,
    uses_status_quo=False,
)
