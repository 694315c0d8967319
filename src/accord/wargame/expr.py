"""A small, safe expression language for war-game conditions, effects and formulas.

A scenario file is data and must never be able to run code, so expressions are parsed with
Python's :mod:`ast` module and only a whitelist of node types is accepted; nothing is ever passed
to ``eval`` or ``exec``. The grammar:

* numbers (``3``, ``0.25``, ``1e-3``) and ``true``/``false`` (also ``True``/``False``);
* names of state variables, legal gates (1 when open, else 0), probability tables and ``turn``;
* ``+ - * /`` (binary) and unary ``-``/``+``; comparisons ``< <= > >= == !=`` (chains allowed);
* ``and``, ``or``, ``not`` and parentheses;
* the functions ``min(a, b, ...)``, ``max(a, b, ...)``, ``clip(x, lo, hi)`` and ``abs(x)``;
* where the caller allows it (outcomes, invariants, injects, group decisions, legal gates), the
  event-history functions :data:`HISTORY`: ``done(action)`` (times the action was executed),
  ``succeeded(action)`` / ``failed(action)`` (its adjudicated draws that succeeded / failed),
  ``fired(inject)``, ``agreed(decision)`` (times agreed) and ``declared(gate)``. Their argument
  must name an event of the right kind in the scenario; they read counters that
  :class:`accord.wargame.state.GameState` folds from the event log (key ``"done:<id>"`` etc.).

Everything else is a :class:`~accord.errors.ScenarioError` at load time: attribute access
(``x.__class__``), subscripts, other calls (``__import__('os')``), lambdas, strings, ``**`` (so no
huge powers), comprehensions, walrus, ``%``, ``//``. Expressions are at most
:data:`MAX_LENGTH` characters, :data:`MAX_DEPTH` levels deep and :data:`MAX_NODES` nodes, and
every name must be known when the expression is compiled. Constants must be finite.

Values are floats; a boolean counts as 1.0/0.0 in arithmetic, and a number is true when it is not
zero. A division by zero or a non-finite result while evaluating is a ScenarioError naming the
expression's field.

:func:`interval` evaluates an expression over boxes of variable ranges (interval arithmetic); the
loader uses it to reject a triggered inject whose condition can never hold.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from accord.errors import ScenarioError
from accord.limits import check_deadline

MAX_LENGTH = 500
"""Longest expression accepted, in characters."""
MAX_DEPTH = 32
"""Deepest syntax tree accepted."""
MAX_NODES = 256
"""Most syntax-tree nodes accepted."""

FUNCTIONS = ("min", "max", "clip", "abs")
HISTORY = ("done", "succeeded", "failed", "fired", "agreed", "declared")
"""Event-history functions; each takes the id of an action, inject, decision or gate."""
HISTORY_KIND = {
    "done": "action",
    "succeeded": "action",
    "failed": "action",
    "fired": "inject",
    "agreed": "group decision",
    "declared": "legal gate",
}
CONSTANTS = {"true": 1.0, "false": 0.0, "True": 1.0, "False": 0.0}
RESERVED = frozenset((*FUNCTIONS, *HISTORY, *CONSTANTS, "turn"))
Events = Mapping[str, frozenset[str]]
"""History function -> the ids it may name (absent: the function is not allowed here)."""

Env = Mapping[str, float]
Fn = Callable[[Env], float]

_BINOPS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
}
_CMPOPS: dict[type[ast.cmpop], Callable[[float, float], bool]] = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
}
_EXPECTED = (
    "numbers, variable names, + - * /, comparisons, and/or/not, parentheses and min/max/clip/abs"
)


def _describe(node: ast.AST) -> str:
    names = {
        ast.Attribute: "attribute access ('.')",
        ast.Subscript: "subscripts ('[...]')",
        ast.Lambda: "lambda",
        ast.Pow: "'**' (powers)",
        ast.Mod: "'%'",
        ast.FloorDiv: "'//'",
        ast.NamedExpr: "':='",
        ast.IfExp: "'... if ... else ...'",
        ast.Starred: "'*' unpacking",
    }
    for kind, text in names.items():
        if isinstance(node, kind):
            return text
    if isinstance(node, ast.Constant):
        return f"the constant {node.value!r}"
    if isinstance(node, ast.Call):
        return "calls other than min/max/clip/abs and the history functions"
    return f"'{type(node).__name__}'"


@dataclass(frozen=True)
class Expr:
    """A compiled expression: its text, the names it reads and a closure that evaluates it."""

    text: str
    names: frozenset[str]
    tree: ast.expr = field(repr=False, compare=False)
    fn: Fn = field(repr=False, compare=False)
    where: str = field(default="", compare=False)

    def value(self, env: Env) -> float:
        """The expression's value on ``env`` (a mapping from names to floats)."""
        result = self.fn(env)
        if not math.isfinite(result):
            raise ScenarioError(
                f"expression '{self.text}' gave {result}",
                field=self.where or None,
                expected="a finite number",
            )
        return float(result)

    def truth(self, env: Env) -> bool:
        """Whether the expression holds on ``env`` (non-zero is true)."""
        return self.fn(env) != 0.0


class _Compiler:
    def __init__(
        self, text: str, where: str, known: frozenset[str], events: Events | None = None
    ) -> None:
        self.text = text
        self.where = where
        self.known = known
        self.events: Events = events or {}
        self.names: set[str] = set()

    def error(self, message: str, expected: str = _EXPECTED) -> ScenarioError:
        return ScenarioError(
            f"expression '{self.text}': {message}", field=self.where or None, expected=expected
        )

    def compile(self, node: ast.AST) -> Fn:
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool | int | float):
                try:
                    number = float(value)
                except OverflowError:  # an integer literal of hundreds of digits
                    number = math.inf
                if not math.isfinite(number):
                    shown = repr(value) if len(repr(value)) <= 30 else repr(value)[:27] + "..."
                    raise self.error(f"the number {shown} is not finite", "finite numbers")
                return lambda env: number
            raise self.error(f"{_describe(node)} is not allowed")
        if isinstance(node, ast.Name):
            name = node.id
            if name in CONSTANTS:
                constant = CONSTANTS[name]
                return lambda env: constant
            if name in FUNCTIONS:
                raise self.error(f"'{name}' is a function; call it as {name}(...)")
            if name not in self.known:
                known = ", ".join(sorted(self.known)[:12])
                raise self.error(
                    f"unknown variable '{name}'", f"one of the scenario's names ({known}, ...)"
                )
            self.names.add(name)
            return lambda env: env[name]
        if isinstance(node, ast.UnaryOp):
            operand = self.compile(node.operand)
            if isinstance(node.op, ast.USub):
                return lambda env: -operand(env)
            if isinstance(node.op, ast.UAdd):
                return operand
            if isinstance(node.op, ast.Not):
                return lambda env: 0.0 if operand(env) != 0.0 else 1.0
            raise self.error(f"the operator {_describe(node.op)} is not allowed")
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINOPS:
                raise self.error(f"{_describe(node.op)} is not allowed")
            left, right = self.compile(node.left), self.compile(node.right)
            if isinstance(node.op, ast.Add):
                return lambda env: left(env) + right(env)
            if isinstance(node.op, ast.Sub):
                return lambda env: left(env) - right(env)
            if isinstance(node.op, ast.Mult):
                return lambda env: left(env) * right(env)
            text, where = self.text, self.where

            def divide(env: Env) -> float:
                denominator = right(env)
                if denominator == 0.0:
                    raise ScenarioError(
                        f"expression '{text}' divides by zero",
                        field=where or None,
                        expected="a non-zero divisor",
                    )
                return left(env) / denominator

            return divide
        if isinstance(node, ast.BoolOp):
            parts = [self.compile(v) for v in node.values]
            if isinstance(node.op, ast.And):
                return lambda env: 1.0 if all(p(env) != 0.0 for p in parts) else 0.0
            return lambda env: 1.0 if any(p(env) != 0.0 for p in parts) else 0.0
        if isinstance(node, ast.Compare):
            first = self.compile(node.left)
            ops = [_CMPOPS[type(op)] for op in node.ops if type(op) in _CMPOPS]
            if len(ops) != len(node.ops):
                raise self.error("'in', 'is' and their negations are not allowed")
            rest = [self.compile(c) for c in node.comparators]

            def compare(env: Env) -> float:
                a = first(env)
                for op, nxt in zip(ops, rest, strict=True):
                    b = nxt(env)
                    if not op(a, b):
                        return 0.0
                    a = b
                return 1.0

            return compare
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.error(f"{_describe(node)} is not allowed")

    def history(self, node: ast.Call) -> Fn:
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        kind = HISTORY_KIND[name]
        if name not in self.events:
            raise self.error(
                f"the event-history function '{name}' is not allowed here",
                "history functions only in outcomes, invariants, injects, decisions and gates",
            )
        if node.keywords or len(node.args) != 1 or not isinstance(node.args[0], ast.Name):
            raise self.error(f"{name}() takes one {kind} id", f"{name}(<{kind} id>)")
        arg = node.args[0].id
        pool = self.events[name]
        if arg not in pool:
            some = ", ".join(sorted(pool)[:10]) or "none defined"
            raise self.error(f"{name}() names unknown {kind} event '{arg}'", f"one of: {some}")
        key = f"{name}:{arg}"
        self.names.add(key)
        return lambda env: env.get(key, 0.0)

    def call(self, node: ast.Call) -> Fn:
        if isinstance(node.func, ast.Name) and node.func.id in HISTORY:
            return self.history(node)
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise self.error(f"{_describe(node)} are not allowed")
        if node.keywords:
            raise self.error("keyword arguments are not allowed")
        name = node.func.id
        args = [self.compile(a) for a in node.args]
        arity = {"clip": (3, 3), "abs": (1, 1), "min": (1, 64), "max": (1, 64)}[name]
        if not arity[0] <= len(args) <= arity[1]:
            want = str(arity[0]) if arity[0] == arity[1] else f"at least {arity[0]}"
            raise self.error(f"{name}() takes {want} argument(s), got {len(args)}")
        if name == "min":
            return lambda env: min(a(env) for a in args)
        if name == "max":
            return lambda env: max(a(env) for a in args)
        if name == "abs":
            only = args[0]
            return lambda env: abs(only(env))
        x, lo, hi = args
        return lambda env: min(max(x(env), lo(env)), hi(env))


def _depth_and_size(tree: ast.AST) -> tuple[int, int]:
    deepest, count = 0, 0
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest, count


def compile_expr(
    text: str | float | bool,
    known: Iterable[str],
    where: str = "",
    events: Events | None = None,
) -> Expr:
    """Parse and check ``text``; every name must be in ``known``.

    Args:
        text: the expression (a number or bool from YAML is accepted as its text).
        known: the names the expression may read.
        where: the field path used in error messages.
        events: the history functions allowed here and the ids each may name (default: none).

    Raises:
        ScenarioError: too long, too deep, a syntax error, a disallowed construct or an unknown
            name; the message names the expression and ``where``.
    """
    if isinstance(text, bool):
        text = "true" if text else "false"
    elif isinstance(text, int | float):
        text = repr(text)
    if not isinstance(text, str):
        raise ScenarioError(
            f"{type(text).__name__} is not an expression", field=where or None, expected=_EXPECTED
        )
    check_deadline()  # a web request's time limit (accord.limits.deadline); else nothing
    source = text.strip()
    compiler = _Compiler(source, where, frozenset(known), events)
    if not source:
        raise compiler.error("the expression is empty", "an expression")
    if len(source) > MAX_LENGTH:
        raise ScenarioError(
            f"expression of {len(source)} characters is too long",
            field=where or None,
            expected=f"at most {MAX_LENGTH} characters",
        )
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise compiler.error(f"syntax error ({exc.msg})", "a well-formed expression") from None
    except (RecursionError, MemoryError, ValueError):
        raise compiler.error("cannot be parsed (nested too deeply?)") from None
    depth, size = _depth_and_size(tree.body)
    if depth > MAX_DEPTH:
        raise compiler.error(f"nested {depth} levels deep", f"at most {MAX_DEPTH} levels")
    if size > MAX_NODES:
        raise compiler.error(f"has {size} parts", f"at most {MAX_NODES} parts")
    fn = compiler.compile(tree.body)
    return Expr(text=source, names=frozenset(compiler.names), tree=tree.body, fn=fn, where=where)


# ------------------------------------------------------------------ interval arithmetic

Box = Mapping[str, tuple[float, float]]
_ANY = (-math.inf, math.inf)


def _iv(node: ast.AST, box: Box) -> tuple[float, float]:
    """Bounds ``(lo, hi)`` of ``node`` over ``box`` (booleans are 0/1); sound, not tight."""
    if isinstance(node, ast.Constant):
        v = float(node.value) if isinstance(node.value, int | float) else math.nan
        return v, v
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            v = CONSTANTS[node.id]
            return v, v
        return box.get(node.id, _ANY)
    if isinstance(node, ast.UnaryOp):
        lo, hi = _iv(node.operand, box)
        if isinstance(node.op, ast.USub):
            return -hi, -lo
        if isinstance(node.op, ast.Not):
            can_true, can_false = hi != 0.0 or lo != 0.0, lo <= 0.0 <= hi
            return (0.0 if can_true else 1.0), (1.0 if can_false else 0.0)
        return lo, hi
    if isinstance(node, ast.BinOp):
        a, b = _iv(node.left, box), _iv(node.right, box)
        if isinstance(node.op, ast.Add):
            return a[0] + b[0], a[1] + b[1]
        if isinstance(node.op, ast.Sub):
            return a[0] - b[1], a[1] - b[0]
        if isinstance(node.op, ast.Div):
            if b[0] <= 0.0 <= b[1]:
                return _ANY
            b = (1.0 / b[1], 1.0 / b[0])
        products = [x * y for x in a for y in b if not (math.isinf(x) or math.isinf(y))]
        if len(products) < 4:
            return _ANY
        return min(products), max(products)
    if isinstance(node, ast.BoolOp):
        parts = [_truth(v, box) for v in node.values]
        if isinstance(node.op, ast.And):
            can_true, can_false = all(t for t, _ in parts), any(f for _, f in parts)
        else:
            can_true, can_false = any(t for t, _ in parts), all(f for _, f in parts)
        return (0.0 if can_false else 1.0), (1.0 if can_true else 0.0)
    if isinstance(node, ast.Compare):
        can_true, can_false = True, False
        left = _iv(node.left, box)
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _iv(comp, box)
            t, f = _compare_iv(op, left, right)
            can_true = can_true and t
            can_false = can_false or f
            left = right
        return (0.0 if can_false else 1.0), (1.0 if can_true else 0.0)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id in HISTORY:
            return 0.0, math.inf  # a count of events
        return call_interval(node.func.id, [_iv(a, box) for a in node.args])
    return _ANY


def call_interval(name: str, args: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """The range of ``min``, ``max``, ``abs`` or ``clip(x, lo, hi)`` over argument ranges."""
    if name == "min":
        return min(a[0] for a in args), min(a[1] for a in args)
    if name == "max":
        return max(a[0] for a in args), max(a[1] for a in args)
    if name == "abs":
        lo, hi = args[0]
        if lo >= 0:
            return lo, hi
        if hi <= 0:
            return -hi, -lo
        return 0.0, max(-lo, hi)
    x, lo_, hi_ = args
    return min(max(x[0], lo_[0]), hi_[0]), min(max(x[1], lo_[1]), hi_[1])


def _compare_iv(op: ast.cmpop, a: tuple[float, float], b: tuple[float, float]) -> tuple[bool, bool]:
    """(can be true, can be false) for ``a op b`` over the intervals."""
    if isinstance(op, ast.Lt):
        return a[0] < b[1], a[1] >= b[0]
    if isinstance(op, ast.LtE):
        return a[0] <= b[1], a[1] > b[0]
    if isinstance(op, ast.Gt):
        return a[1] > b[0], a[0] <= b[1]
    if isinstance(op, ast.GtE):
        return a[1] >= b[0], a[0] < b[1]
    overlap = a[0] <= b[1] and b[0] <= a[1]
    single = a[0] == a[1] == b[0] == b[1]
    if isinstance(op, ast.Eq):
        return overlap, not single
    return not single, overlap


def _truth(node: ast.AST, box: Box) -> tuple[bool, bool]:
    lo, hi = _iv(node, box)
    return (lo != 0.0 or hi != 0.0), lo <= 0.0 <= hi


def interval(expr: Expr, box: Box) -> tuple[float, float]:
    """Sound bounds of ``expr`` when each name lies in its interval in ``box``."""
    check_deadline()
    return _iv(expr.tree, box)


def can_hold(expr: Expr, box: Box) -> bool:
    """False only when ``expr`` is false for every point of ``box`` (a sound test)."""
    return _truth(expr.tree, box)[0]
