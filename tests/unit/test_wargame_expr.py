"""The safe expression language: what it computes, and what it refuses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.errors import ScenarioError
from accord.wargame.expr import can_hold, compile_expr, interval

NAMES = {"x", "y", "turn"}


def value(text: str, **env: float) -> float:
    return compile_expr(text, NAMES, "test").value({"x": 0.0, "y": 0.0, "turn": 1.0, **env})


def test_arithmetic_logic_and_functions() -> None:
    assert value("1 + 2 * 3 - 4 / 2") == 5.0
    assert value("-(x) + +y", x=2, y=3) == 1.0
    assert value("x < y <= 3", x=1, y=3) == 1.0
    assert value("x < y < 2", x=1, y=3) == 0.0
    assert value("x >= 1 and not y", x=1) == 1.0
    assert value("x > 5 or y == 2", y=2) == 1.0
    assert value("min(x, y, 0.5) + max(x, 2) + clip(x, 0, 1) + abs(-3)", x=4, y=1) == 8.5
    assert value("true") == 1.0 and value("False") == 0.0
    assert compile_expr(0.25, NAMES).value({}) == 0.25
    assert compile_expr(True, NAMES).truth({})


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("__import__('os').system('echo hi')", "calls other than"),
        ("x.__class__", "attribute access"),
        ("(lambda: 1)()", "calls other than"),
        ("lambda: 1", "lambda"),
        ("9 ** 9 ** 9", "'**'"),
        ("x[0]", "subscripts"),
        ("'text'", "constant"),
        ("open('f')", "calls other than"),
        ("min(x, key=y)", "keyword"),
        ("clip(x)", "takes 3"),
        ("x if y else 1", "if"),
        ("x % 2", "'%'"),
        ("x in y", "'in'"),
        ("(y := 3)", "':='"),
        ("1e400", "not finite"),
        ("unknown + 1", "unknown variable 'unknown'"),
        ("min", "is a function"),
        ("x +", "syntax error"),
        ("", "empty"),
    ],
)
def test_hostile_or_broken_expressions_are_rejected(text: str, fragment: str) -> None:
    with pytest.raises(ScenarioError) as info:
        compile_expr(text, NAMES, "actions[0].precondition")
    assert fragment in str(info.value)
    assert "actions[0].precondition" in str(info.value)


def test_size_limits() -> None:
    with pytest.raises(ScenarioError, match="too long"):
        compile_expr("x + " * 200 + "1", NAMES)
    with pytest.raises(ScenarioError, match=r"nested|parsed"):
        compile_expr("(" * 60 + "x" + ")" * 60 + " + -" * 40 + "1", NAMES)
    with pytest.raises(ScenarioError, match=r"nested|parsed"):
        compile_expr("-" * 100 + "x", NAMES)


def test_division_by_zero_is_a_scenario_error() -> None:
    with pytest.raises(ScenarioError, match="divides by zero"):
        value("1 / x", x=0)


@given(st.floats(-10, 10), st.floats(-10, 10), st.floats(-10, 10), st.floats(-10, 10))
def test_interval_bounds_contain_every_value(a: float, b: float, x: float, y: float) -> None:
    lo_x, hi_x = min(a, x), max(a, x)
    lo_y, hi_y = min(b, y), max(b, y)
    box = {"x": (lo_x, hi_x), "y": (lo_y, hi_y), "turn": (1.0, 1.0)}
    for text in ("x * y - 2 * x", "min(x, y) + abs(y)", "clip(x, -1, 1) - y", "x > y and y < 3"):
        expr = compile_expr(text, NAMES)
        lo, hi = interval(expr, box)
        v = expr.value({"x": x, "y": y, "turn": 1.0})
        assert lo - 1e-9 <= v <= hi + 1e-9
        if expr.truth({"x": x, "y": y, "turn": 1.0}):
            assert can_hold(expr, box)


def test_can_hold_finds_impossible_conditions() -> None:
    box = {"x": (0.0, 5.0), "y": (0.0, 1.0), "turn": (1.0, 6.0)}
    assert not can_hold(compile_expr("x > 7", NAMES), box)
    assert not can_hold(compile_expr("x >= 1 and x < 0", NAMES), box)
    assert not can_hold(compile_expr("turn > 6", NAMES), box)
    assert can_hold(compile_expr("x > 4.5 or y > 2", NAMES), box)
