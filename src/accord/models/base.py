"""The contract every forecasting model follows.

A model is a pure function over NumPy arrays (its own module or package, its own docstring with
formula and source). Each model also exposes ``SPEC``, a :class:`ModelSpec` whose ``run`` adapts
an :class:`IssueArrays` to that function, whose ``params`` class (a frozen dataclass with
``from_mapping``) checks the parameters, and whose optional ``batch_kernel`` runs many draws of an
issue at once (:class:`IssueBatch`). Models that work on a whole scenario (the exchange model
trades across issues) also expose a :class:`ScenarioModel` as ``SCENARIO``. The registry
(:mod:`accord.models.registry`) lists the specs by name, and the CLI, the Python API and the web
app call models only through it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar, Self

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class IssueArrays:
    """One issue as arrays: ``n`` actors on ``m`` dimensions.

    Attributes:
        actor_ids: actor ids in row order.
        positions: ``(n, m)`` positions on the issue's own scale (e.g. years, or 0-100).
        saliences: ``(n, m)`` saliences normalised to [0, 1] (the file's scale is divided out).
        capabilities: ``(n,)`` capabilities, >= 0, in the file's own units.
        lo: ``(m,)`` lower end of each dimension's scale.
        hi: ``(m,)`` upper end of each dimension's scale.
        status_quo: ``(m,)`` the reference point, or ``None`` when the issue has none.
    """

    actor_ids: tuple[str, ...]
    positions: FloatArray
    saliences: FloatArray
    capabilities: FloatArray
    lo: FloatArray
    hi: FloatArray
    status_quo: FloatArray | None = None

    @property
    def n_actors(self) -> int:
        """Number of actors ``n``."""
        return int(self.positions.shape[0])

    @property
    def n_dims(self) -> int:
        """Number of dimensions ``m``."""
        return int(self.positions.shape[1])

    def to_unit(self, x: FloatArray) -> FloatArray:
        """Map positions from the issue's scale to [0, 1] per dimension."""
        return (x - self.lo) / (self.hi - self.lo)

    def from_unit(self, u: FloatArray) -> FloatArray:
        """Map positions from [0, 1] back to the issue's scale."""
        return self.lo + u * (self.hi - self.lo)


@dataclass(frozen=True)
class ModelRun:
    """What a model returns for one issue.

    Attributes:
        model: registry name of the model.
        positions: ``(T + 1, n, m)`` actor positions per round on the issue's scale; round 0 is
            the input.
        outcome: ``(m,)`` the model's forecast on the issue's scale.
        series: per-round aggregates, each ``(T + 1, m)`` (e.g. BDM's ``median`` and ``mean``).
        diagnostics: JSON-serialisable facts about the run (converged, turns, parameters, ...).
    """

    model: str
    positions: FloatArray
    outcome: FloatArray
    series: Mapping[str, FloatArray] = field(default_factory=dict)
    diagnostics: Mapping[str, Any] = field(default_factory=dict)

    @property
    def n_rounds(self) -> int:
        """Number of rounds after the initial one."""
        return int(self.positions.shape[0]) - 1


RunFunction = Callable[[IssueArrays, Mapping[str, Any], np.random.Generator], ModelRun]


@dataclass(frozen=True)
class IssueBatch:
    """``B`` draws of one issue: arrays with a leading batch axis.

    Attributes:
        actor_ids: actor ids in row order.
        positions: ``(B, n, m)`` on the issue's scale.
        saliences: ``(B, n, m)`` on [0, 1].
        capabilities: ``(B, n)``.
        lo, hi: ``(m,)`` the scale (not drawn).
        status_quo: ``(B, m)`` or ``None``.
    """

    actor_ids: tuple[str, ...]
    positions: FloatArray
    saliences: FloatArray
    capabilities: FloatArray
    lo: FloatArray
    hi: FloatArray
    status_quo: FloatArray | None = None

    @property
    def size(self) -> int:
        """Number of draws ``B``."""
        return int(self.positions.shape[0])

    def _drawn(self, rows: int | slice) -> dict[str, Any]:
        """The drawn arrays at ``rows`` (one draw or a slice of them), as keyword arguments."""
        return {
            "positions": self.positions[rows],
            "saliences": self.saliences[rows],
            "capabilities": self.capabilities[rows],
            "status_quo": None if self.status_quo is None else self.status_quo[rows],
        }

    def draw(self, b: int) -> IssueArrays:
        """Draw ``b`` as a plain :class:`IssueArrays`."""
        return IssueArrays(actor_ids=self.actor_ids, lo=self.lo, hi=self.hi, **self._drawn(b))

    def take(self, rows: slice) -> IssueBatch:
        """The draws in ``rows`` as a batch (views, not copies)."""
        return IssueBatch(actor_ids=self.actor_ids, lo=self.lo, hi=self.hi, **self._drawn(rows))

    @classmethod
    def repeat(cls, issue: IssueArrays, size: int) -> IssueBatch:
        """``size`` identical copies of ``issue`` (to be perturbed by the caller)."""
        return cls(
            actor_ids=issue.actor_ids,
            positions=np.repeat(issue.positions[None], size, axis=0),
            saliences=np.repeat(issue.saliences[None], size, axis=0),
            capabilities=np.repeat(issue.capabilities[None], size, axis=0),
            lo=issue.lo,
            hi=issue.hi,
            status_quo=None
            if issue.status_quo is None
            else np.repeat(issue.status_quo[None], size, axis=0),
        )


#: A vectorised batch kernel: ``kernel(batch, params, rng) -> (B, m)`` outcomes, equal to the
#: loop of single runs (the tests say to what precision), or ``None`` when the parameters ask for
#: a variant the kernel does not vectorise (the caller then runs the loop). A kernel's outcome
#: for a draw must not depend on the other draws in the batch (so that a batch may run in slices).
BatchKernel = Callable[[IssueBatch, Mapping[str, Any], np.random.Generator], FloatArray | None]


@dataclass(frozen=True)
class ModelParams:
    """Base of every model's parameter class: a frozen dataclass whose fields are the parameters.

    Subclasses set :attr:`model` (the registry name, for error messages), give every field a
    default and check values in ``__post_init__``; :meth:`from_mapping` rejects unknown keys.
    """

    model: ClassVar[str] = ""

    @classmethod
    def from_mapping(cls, params: Mapping[str, Any]) -> Self:
        """Build from a parameter mapping (any subset of the fields).

        Unknown keys are usage errors naming the valid ones, bad values are usage errors from
        ``__post_init__``.
        """
        merged = check_params(cls.model, cls.defaults(), params)
        return cls(**merged)

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """The default values by field name (``accord models`` lists them)."""
        return asdict(cls())

    def as_dict(self) -> dict[str, Any]:
        """The parameters as a plain mapping (JSON-serialisable)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def stochastic(self) -> bool:
        """Whether a run with these parameters draws from the generator (default: no)."""
        return False


def check_choice(model: str, name: str, value: object, choices: tuple[str, ...]) -> None:
    """A usage error unless ``value`` is one of ``choices``."""
    if value not in choices:
        from accord.errors import UsageError

        raise UsageError(
            f"{model}: {name} is {value!r}",
            field=name,
            expected="one of " + ", ".join(repr(c) for c in choices),
        )


@dataclass(frozen=True)
class ModelSpec:
    """A registered model.

    Attributes:
        name: the registry name users type (``--model NAME``).
        summary: one line for ``accord models`` and the docs.
        citation: bibliography key(s) in ``docs/bibliography.md``.
        run: adapter from :class:`IssueArrays` and a parameter mapping to :class:`ModelRun`.
        params: the model's parameter class (:class:`ModelParams`); its defaults are
            :attr:`defaults`, and ``run`` accepts any subset of them.
        batch_kernel: the vectorised kernel over an :class:`IssueBatch`, or ``None`` (the caller
            loops over single runs).
        uses_status_quo: whether the model reads ``IssueArrays.status_quo``.
    """

    name: str
    summary: str
    citation: str
    run: RunFunction
    params: type[ModelParams]
    batch_kernel: BatchKernel | None = None
    uses_status_quo: bool = False

    @property
    def defaults(self) -> dict[str, Any]:
        """Default parameter values by name."""
        return self.params.defaults()

    def is_stochastic(self, params: Mapping[str, Any] | None = None) -> bool:
        """Whether a run with ``params`` depends on the generator (derived from the params)."""
        return self.params.from_mapping(params or {}).stochastic


@dataclass(frozen=True)
class ScenarioRun:
    """What a scenario model returns: one outcome per issue, over all of them at once.

    Attributes:
        model: registry name.
        issue_ids: the issues, in scenario order.
        outcomes: ``{issue id: (m,) outcome}`` on each issue's scale.
        runs: ``{issue id: ModelRun}`` per issue (positions per round, the outcome, series).
        diagnostics: JSON-serialisable facts about the whole run.
    """

    model: str
    issue_ids: tuple[str, ...]
    runs: Mapping[str, ModelRun]
    diagnostics: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ScenarioArrays:
    """A whole scenario's one-dimensional issues as matrices (the scenario models' input).

    Attributes:
        actor_ids: ``(n,)`` actor ids; issue_ids: ``(p,)`` issue ids.
        positions: ``(n, p)`` on each issue's scale, NaN where an actor holds no stance.
        saliences: ``(n, p)`` on [0, 1]; power: ``(n, p)`` per actor and issue.
        lo, hi: ``(p,)`` each issue's scale.
    """

    actor_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    positions: FloatArray
    saliences: FloatArray
    power: FloatArray
    lo: FloatArray
    hi: FloatArray


@dataclass(frozen=True)
class ScenarioModel:
    """The contract of a model that runs on all of a scenario's issues at once.

    Attributes:
        name: the registry name (the same as its :class:`ModelSpec`).
        min_issues: the fewest issues it can work on (the exchange model trades between two).
        run: ``run(arrays, params) -> ScenarioRun``.
    """

    name: str
    min_issues: int
    run: Callable[[ScenarioArrays, Mapping[str, Any]], ScenarioRun]


#: Target size (elements) of a batch kernel's largest temporary array; 4e6 float64 = 32 MB.
CHUNK_ELEMENTS = 4_000_000


def chunk_size(per_draw: int, limit: int = CHUNK_ELEMENTS) -> int:
    """Draws per chunk so that ``draws * per_draw`` stays at or under ``limit`` (at least 1)."""
    return max(1, limit // max(1, per_draw))


def check_params(
    spec_name: str, defaults: Mapping[str, Any], params: Mapping[str, Any]
) -> dict[str, Any]:
    """Merge ``params`` over ``defaults``; unknown keys are a usage error naming the valid ones."""
    from accord.errors import UsageError

    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise UsageError(
            f"model '{spec_name}' has no parameter {', '.join(repr(u) for u in unknown)}",
            expected="one of " + ", ".join(sorted(defaults)) if defaults else "no parameters",
        )
    merged = dict(defaults)
    merged.update(params)
    return merged
