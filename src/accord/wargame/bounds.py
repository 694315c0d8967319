"""Load-time proof that no expression can overflow or divide by zero during a game.

A game gets stuck when an expression it must evaluate gives a non-finite number (the engine
refuses it with a :class:`~accord.errors.ScenarioError`, every time the turn is proposed or
released). Variables never leave their declared ranges (the ``bounds`` policy clamps them or
refuses the change), gates are 0/1, tables lie between their lowest and highest point and
``turn`` between 1 and the last turn. So interval arithmetic over those ranges (Moore, *Interval
Analysis*, 1966: every operation's result interval contains every value the operation can give
on its operands' intervals) bounds every intermediate value an expression can ever take.

:func:`check` refuses an expression when

* some intermediate bound exceeds :data:`MAX_MAGNITUDE` in absolute value (a sum of fewer than
  10^150 such values is still finite, so adding an action's deltas cannot overflow either), or
* a divisor's interval contains 0 (a possible division by zero).

The test is sound but not tight: it may refuse an expression that could never actually overflow
(e.g. ``x / (x + 1)`` with ``x`` in ``[-2, 0]``); rewrite such an expression with ``clip``/``max``.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping

from accord.errors import ScenarioError
from accord.limits import check_deadline
from accord.wargame.expr import CONSTANTS, HISTORY, Expr, call_interval

MAX_MAGNITUDE = 1e150
"""Largest absolute value an expression may reach at any step."""

Box = Mapping[str, tuple[float, float]]
Interval = tuple[float, float]


class _OverflowError(Exception):
    pass


#: A bound on any event count in one game (far above horizon x actions under the input limits).
MAX_EVENT_COUNT = 1e9


def _checked(lo: float, hi: float, what: str) -> Interval:
    if not (math.isfinite(lo) and math.isfinite(hi)) or max(-lo, hi) > MAX_MAGNITUDE:
        raise _OverflowError(f"{what} can reach {max(abs(lo), abs(hi)):g}")
    return lo, hi


def _bool(can_true: bool, can_false: bool) -> Interval:
    return (0.0 if can_false else 1.0), (1.0 if can_true else 0.0)


def _iv(node: ast.AST, box: Box) -> Interval:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        v = float(node.value)
        return _checked(v, v, f"the constant {node.value!r}")
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            v = CONSTANTS[node.id]
            return v, v
        lo, hi = box[node.id]
        return _checked(lo, hi, f"'{node.id}'")
    if isinstance(node, ast.UnaryOp):
        lo, hi = _iv(node.operand, box)
        if isinstance(node.op, ast.USub):
            return -hi, -lo
        if isinstance(node.op, ast.Not):
            return _bool(lo <= 0.0 <= hi, lo != 0.0 or hi != 0.0)
        return lo, hi
    if isinstance(node, ast.BinOp):
        a, b = _iv(node.left, box), _iv(node.right, box)
        text = ast.unparse(node)
        if isinstance(node.op, ast.Add):
            return _checked(a[0] + b[0], a[1] + b[1], f"'{text}'")
        if isinstance(node.op, ast.Sub):
            return _checked(a[0] - b[1], a[1] - b[0], f"'{text}'")
        if isinstance(node.op, ast.Div):
            if b[0] <= 0.0 <= b[1]:
                raise _OverflowError(
                    f"the divisor of '{text}' can be 0 (it lies in [{b[0]:g}, {b[1]:g}])"
                )
            b = (1.0 / b[1], 1.0 / b[0])
        products = [x * y for x in a for y in b]
        return _checked(min(products), max(products), f"'{text}'")
    if isinstance(node, ast.BoolOp):
        parts = [_iv(v, box) for v in node.values]
        truths = [(lo != 0.0 or hi != 0.0, lo <= 0.0 <= hi) for lo, hi in parts]
        if isinstance(node.op, ast.And):
            return _bool(all(t for t, _ in truths), any(f for _, f in truths))
        return _bool(any(t for t, _ in truths), all(f for _, f in truths))
    if isinstance(node, ast.Compare):
        for part in (node.left, *node.comparators):
            _iv(part, box)
        return 0.0, 1.0
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in HISTORY:
        # done(action), agreed(decision), ...: a count of logged events, never negative; its
        # argument names an event, not a variable
        return 0.0, MAX_EVENT_COUNT
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return call_interval(node.func.id, [_iv(a, box) for a in node.args])
    raise _OverflowError(f"cannot bound '{ast.unparse(node)}'")  # the compiler admits nothing else


def bounds(expr: Expr, box: Box) -> Interval:
    """Sound bounds of ``expr`` over ``box``.

    Raises:
        ScenarioError: an intermediate value can exceed :data:`MAX_MAGNITUDE` (overflow) or a
            divisor can be 0; the message names the part of the expression.
    """
    check_deadline()  # a web request's time limit (accord.limits.deadline); else nothing
    try:
        return _iv(expr.tree, box)
    except _OverflowError as exc:
        raise ScenarioError(
            f"expression '{expr.text}' may overflow: {exc}",
            field=expr.where or None,
            expected=f"values within ±{MAX_MAGNITUDE:g} and divisors that cannot be 0 over the "
            "variables' declared ranges",
        ) from None


def check(expr: Expr, box: Box) -> Expr:
    """``expr`` itself, after :func:`bounds` found no overflow (the loader's hook)."""
    bounds(expr, box)
    return expr
