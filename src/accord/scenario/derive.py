r"""Positions and attributes derived from a transparent formula over actor attributes.

Where the record gives no position, a scenario may derive one from what is known about the actor
(threat perception, defence effort, economic exposure, ...). The formula and its weights are
stated in the scenario file (``position_formulas`` and ``attribute_formulas``, see
:mod:`accord.scenario.schema` and ``docs/scenario-format.md``), never in code:

.. math::

    z_{ij} = \operatorname{clip}\left(\frac{a_{ij} - lo_j}{hi_j - lo_j}, 0, 1\right), \qquad
    s_i = \operatorname{clip}\Big(b + \sum_j w_j z_{ij}, 0, 1\Big)

with :math:`a_{ij}` actor ``i``'s attribute for input ``j``, :math:`[lo_j, hi_j]` the input's
stated normalisation, :math:`w_j` the weights and :math:`b` the intercept. A position on
dimension ``d`` is :math:`lo_d + (hi_d - lo_d)\,\operatorname{clip}(s_i + o_d, 0, 1)` with
:math:`o_d` the dimension's offset; a salience is ``salience_scale`` times the same score over the
salience weights; an attribute is :math:`lo + (hi - lo) s_i`. Each derived value is marked
``assumed: true`` with the range :math:`\pm` ``half_width`` on the score scale (clipped to the
scale), so Monte Carlo sees the uncertainty of the formula.

Derived values are rounded to :data:`DECIMALS` decimals so that a file states exactly what the
formula gives; :func:`check` compares a file's stated values with a fresh derivation.

The numerical core (:func:`normalise`, :func:`linear_score`) is pure and vectorised over actors.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.errors import ScenarioError, UsageError
from accord.scenario.schema import (
    Attribute,
    AttributeFormula,
    Formula,
    Issue,
    PositionFormula,
    Scenario,
    Stance,
)

FloatArray = NDArray[np.float64]

#: Derived values are rounded to this many decimals (file values compare exactly).
DECIMALS = 2
#: Tolerance of :func:`check` (half a unit in the last stated decimal, plus float noise).
TOLERANCE = 0.5 * 10.0**-DECIMALS + 1e-9

FORMULA_TAG = "formula"


def normalise(values: FloatArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
    """``clip((values - lo) / (hi - lo), 0, 1)`` column by column; ``values`` is ``(n, k)``."""
    return np.asarray(np.clip((values - lo) / (hi - lo), 0.0, 1.0), dtype=np.float64)


def linear_score(
    z: FloatArray, weights: FloatArray, intercept: float, offset: float = 0.0
) -> FloatArray:
    """``clip(intercept + z @ weights + offset, 0, 1)`` for every actor (row of ``z``)."""
    return np.asarray(np.clip(intercept + z @ weights + offset, 0.0, 1.0), dtype=np.float64)


def _round(x: float) -> float:
    return float(round(float(x), DECIMALS))


def _clip_range(value: float, half: float, lo: float, hi: float) -> tuple[float, float]:
    a = max(lo, _round(value - half))
    b = min(hi, _round(value + half))
    return (min(a, value), max(b, value))


# --------------------------------------------------------------------------------- inputs


def _formula_path(scenario: Scenario, formula: Formula) -> str:
    if isinstance(formula, PositionFormula):
        return f"position_formulas[{scenario.position_formulas.index(formula)}]"
    assert isinstance(formula, AttributeFormula)
    return f"attribute_formulas[{scenario.attribute_formulas.index(formula)}]"


def input_matrix(
    scenario: Scenario,
    formula: Formula,
    actor_ids: Sequence[str],
    attributes: dict[tuple[str, str], float] | None = None,
) -> FloatArray:
    """The normalised inputs of a formula for some actors.

    The ``(n, k)`` normalised inputs ``z`` of ``formula`` for ``actor_ids`` (inputs in the
    formula's order). ``attributes`` overrides file values (derived attributes not yet written).

    Raises:
        ScenarioError: an actor is unknown, or lacks a numeric attribute the formula reads.
    """
    where = _formula_path(scenario, formula)
    known = {a.id: a for a in scenario.actors}
    raw = np.empty((len(actor_ids), len(formula.inputs)), dtype=np.float64)
    for i, actor_id in enumerate(actor_ids):
        actor = known.get(actor_id)
        if actor is None:
            raise ScenarioError(
                f"formula '{formula.id}' names unknown actor '{actor_id}'",
                field=f"{where}.actors",
                expected="the id of an actor in 'actors'",
            )
        for j, (name, spec) in enumerate(formula.inputs.items()):
            key = (actor_id, spec.attribute)
            if attributes is not None and key in attributes:
                raw[i, j] = attributes[key]
                continue
            attr = actor.attributes.get(spec.attribute)
            value = None if attr is None else attr.value
            if isinstance(value, bool) and attr is not None:
                value = float(value)
            if not isinstance(value, int | float) or not math.isfinite(float(value)):
                raise ScenarioError(
                    f"formula '{formula.id}' input '{name}' reads attribute '{spec.attribute}', "
                    f"which actor '{actor_id}' "
                    + ("lacks" if attr is None else f"has as {value!r}, not a number"),
                    field=f"{where}.inputs.{name}",
                    expected=f"a numeric attribute '{spec.attribute}' on every actor it derives",
                )
            raw[i, j] = float(value)
    lo = np.array([s.lo for s in formula.inputs.values()], dtype=np.float64)
    hi = np.array([s.hi for s in formula.inputs.values()], dtype=np.float64)
    return normalise(raw, lo, hi)


def weight_vector(formula: Formula, weights: dict[str, float] | None = None) -> FloatArray:
    """The weights in input order (inputs without a weight weigh 0)."""
    w = formula.weights if weights is None else weights
    return np.array([w.get(name, 0.0) for name in formula.inputs], dtype=np.float64)


# ------------------------------------------------------------------------------ derivation


@dataclass(frozen=True)
class DerivedStance:
    """A formula's position and salience for one actor on one issue (file units)."""

    formula: str
    issue: str
    actor: str
    position: tuple[float, ...]
    position_range: tuple[tuple[float, float], ...]
    salience: float
    salience_range: tuple[float, float]


@dataclass(frozen=True)
class DerivedAttribute:
    """A formula's value of one attribute for one actor."""

    formula: str
    attribute: str
    actor: str
    value: float
    range: tuple[float, float]
    unit: str | None


@dataclass(frozen=True)
class Derivation:
    """Everything the scenario's formulas derive."""

    attributes: tuple[DerivedAttribute, ...]
    stances: tuple[DerivedStance, ...]


def _issue_of(scenario: Scenario, formula: PositionFormula) -> Issue:
    try:
        issue = scenario.issue(formula.issue)
    except KeyError:
        raise ScenarioError(
            f"formula '{formula.id}' derives positions on unknown issue '{formula.issue}'",
            field=f"{_formula_path(scenario, formula)}.issue",
            expected="one of " + ", ".join(i.id for i in scenario.issues),
        ) from None
    dims = {d.id for d in issue.dimensions}
    unknown = sorted(set(formula.offsets) - dims)
    if unknown:
        raise ScenarioError(
            f"formula '{formula.id}' offsets unknown dimension(s) {', '.join(unknown)}",
            field=f"{_formula_path(scenario, formula)}.offsets",
            expected="dimension ids of issue '" + issue.id + "': " + ", ".join(sorted(dims)),
        )
    return issue


def derive(scenario: Scenario) -> Derivation:
    """Evaluate every formula of ``scenario``.

    Attribute formulas first, in file order (a later formula may read an attribute an earlier one
    derives), then position formulas.
    """
    derived_attrs: dict[tuple[str, str], float] = {}
    attrs: list[DerivedAttribute] = []
    for af in scenario.attribute_formulas:
        z = input_matrix(scenario, af, af.actors, derived_attrs)
        score = linear_score(z, weight_vector(af), af.intercept)
        span = af.hi - af.lo
        for actor_id, s in zip(af.actors, score, strict=True):
            value = _round(af.lo + span * float(s))
            derived_attrs[(actor_id, af.attribute)] = value
            rng = _clip_range(value, af.half_width * span, af.lo, af.hi)
            attrs.append(DerivedAttribute(af.id, af.attribute, actor_id, value, rng, af.unit))

    stances: list[DerivedStance] = []
    for pf in scenario.position_formulas:
        issue = _issue_of(scenario, pf)
        z = input_matrix(scenario, pf, pf.actors, derived_attrs)
        w = weight_vector(pf)
        sal_score = linear_score(z, weight_vector(pf, pf.salience_weights), pf.salience_intercept)
        per_dim: list[FloatArray] = []
        for dim in issue.dimensions:
            score = linear_score(z, w, pf.intercept, pf.offsets.get(dim.id, 0.0))
            per_dim.append(dim.lo + (dim.hi - dim.lo) * score)
        positions = np.stack(per_dim, axis=1)
        top = issue.salience_scale
        for i, actor_id in enumerate(pf.actors):
            pos = tuple(_round(v) for v in positions[i])
            prng = tuple(
                _clip_range(v, pf.half_width * (d.hi - d.lo), d.lo, d.hi)
                for v, d in zip(pos, issue.dimensions, strict=True)
            )
            sal = _round(top * float(sal_score[i]))
            srng = _clip_range(sal, pf.salience_half_width * top, 0.0, top)
            stances.append(DerivedStance(pf.id, issue.id, actor_id, pos, prng, sal, srng))
    return Derivation(tuple(attrs), tuple(stances))


def _stance_source(formula: PositionFormula, what: str) -> str:
    inputs = ", ".join(f"{n}={s.attribute}" for n, s in formula.inputs.items())
    return (
        f"{FORMULA_TAG} '{formula.id}' (position_formulas): {what} from the actor's attributes "
        f"({inputs}); assumed, see the formula's source"
    )


def _record_coded(scenario: Scenario, issue_id: str, actor: str) -> bool:
    """Whether the file codes an actor's stance from the record.

    Whether the file states a stance of ``actor`` on the issue that no formula wrote (coded
    from the record: its source does not start with the formula tag).
    """
    for stance in scenario.issue(issue_id).stances:
        if stance.actor == actor:
            return not stance.position.source.startswith(FORMULA_TAG)
    return False


def _keep_record(scenario: Scenario, result: Derivation) -> Derivation:
    kept = tuple(s for s in result.stances if not _record_coded(scenario, s.issue, s.actor))
    return Derivation(result.attributes, kept)


def apply(scenario: Scenario, *, keep_record: bool = False) -> Scenario:
    """A copy of the scenario with every derived value written in.

    A copy of ``scenario`` with every derived attribute and stance written in (replacing the
    derived actors' existing stances on the issue, appending missing ones). With
    ``keep_record``, a stance the file codes from the record (its source is not a formula's)
    is kept: the formulas then only fill in what the record leaves open.
    """
    result = derive(scenario)
    if keep_record:
        result = _keep_record(scenario, result)
    data: dict[str, Any] = scenario.model_dump(mode="python")
    formulas_a = {f.id: f for f in scenario.attribute_formulas}
    by_actor = {a["id"]: a for a in data["actors"]}
    for da in result.attributes:
        af = formulas_a[da.formula]
        inputs = ", ".join(f"{n}={s.attribute}" for n, s in af.inputs.items())
        by_actor[da.actor]["attributes"][da.attribute] = Attribute(
            value=da.value,
            source=f"{FORMULA_TAG} '{af.id}' (attribute_formulas) over {inputs}; assumed, "
            "see the formula's source",
            assumed=True,
            range=da.range,
            unit=da.unit,
        ).model_dump(mode="python")
    formulas_p = {f.id: f for f in scenario.position_formulas}
    issues = {i["id"]: i for i in data["issues"]}
    for ds in result.stances:
        pf = formulas_p[ds.formula]
        multi = len(ds.position) > 1
        stance = Stance.model_validate(
            {
                "actor": ds.actor,
                "position": {
                    "value": list(ds.position) if multi else ds.position[0],
                    "source": _stance_source(pf, "position"),
                    "assumed": True,
                    "range": [list(r) for r in ds.position_range]
                    if multi
                    else list(ds.position_range[0]),
                },
                "salience": {
                    "value": ds.salience,
                    "source": _stance_source(pf, "salience"),
                    "assumed": True,
                    "range": list(ds.salience_range),
                },
            }
        ).model_dump(mode="python")
        listed = issues[ds.issue]["stances"]
        for k, existing in enumerate(listed):
            if existing["actor"] == ds.actor:
                listed[k] = stance
                break
        else:
            listed.append(stance)
    return Scenario.model_validate(data)


@dataclass(frozen=True)
class Mismatch:
    """A stated value that differs from what its formula gives."""

    formula: str
    where: str
    stated: Any
    derived: Any

    def __str__(self) -> str:
        return (
            f"{self.where}: the file states {self.stated}, formula '{self.formula}' gives "
            f"{self.derived}"
        )


def _close(a: Sequence[float], b: Sequence[float]) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= TOLERANCE for x, y in zip(a, b, strict=True))


def check(scenario: Scenario, *, keep_record: bool = False) -> list[Mismatch]:
    """Every stated value (value, range, ``assumed``) that differs from a fresh derivation.

    With ``keep_record``, stances the file codes from the record are not compared.
    """
    result = derive(scenario)
    if keep_record:
        result = _keep_record(scenario, result)
    problems: list[Mismatch] = []
    for da in result.attributes:
        attr = scenario.actor(da.actor).attributes.get(da.attribute)
        where = f"actor '{da.actor}' attribute '{da.attribute}'"
        stated_value = None if attr is None else attr.value
        ok = (
            attr is not None
            and isinstance(attr.value, int | float)
            and not isinstance(attr.value, bool)
            and _close([float(attr.value)], [da.value])
            and attr.range is not None
            and _close(list(attr.range), list(da.range))
            and attr.assumed
        )
        if not ok:
            stated = None if attr is None else (stated_value, attr.range, attr.assumed)
            problems.append(Mismatch(da.formula, where, stated, (da.value, da.range, True)))
    for ds in result.stances:
        issue = scenario.issue(ds.issue)
        where = f"issue '{ds.issue}' stance of '{ds.actor}'"
        found = [s for s in issue.stances if s.actor == ds.actor]
        if not found:
            problems.append(Mismatch(ds.formula, where, None, ds.position))
            continue
        st = found[0]
        m = len(issue.dimensions)
        ranges = st.position.ranges()
        ok = (
            _close(st.position.values(), list(ds.position))
            and ranges is not None
            and _close([x for r in ranges for x in r], [x for r in ds.position_range for x in r])
            and st.position.assumed
            and _close(st.salience.values(m), [ds.salience] * m)
            and st.salience.range is not None
            and _close(list(st.salience.range), list(ds.salience_range))
            and st.salience.assumed
        )
        if not ok:
            problems.append(
                Mismatch(
                    ds.formula,
                    where,
                    (st.position.values(), st.salience.values(m)),
                    (list(ds.position), ds.salience),
                )
            )
    return problems


#: Where a scenario's stances come from (``--inputs`` of the commands that take a scenario).
INPUTS: tuple[str, ...] = ("record", "formulas")


def apply_inputs(scenario: Scenario, inputs: str) -> Scenario:
    """The scenario as analysed under ``inputs``.

    ``record`` (the default): the stances as the file states them, coded from what each actor
    said or did. ``formulas``: the sensitivity in which the stances of every actor a position
    formula lists are replaced by the formula's output (:func:`apply`), the record-coded stances
    of the others kept.

    Raises:
        UsageError: ``inputs`` is neither, or it is ``formulas`` and the file states none.
    """
    if inputs == "record":
        return scenario
    if inputs != "formulas":
        raise UsageError(
            f"unknown inputs '{inputs}'", field="--inputs", expected="record or formulas"
        )
    if not scenario.position_formulas:
        raise UsageError(
            f"scenario '{scenario.id}' states no position formulas",
            field="--inputs",
            expected="--inputs record, or a 'position_formulas' block in the file",
        )
    return apply(scenario)
