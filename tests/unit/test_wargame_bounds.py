"""Load-time overflow checks of war-game expressions (issue #14 finding 11)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import ScenarioError
from accord.wargame import Game, loads_wargame
from accord.wargame.bounds import MAX_MAGNITUDE, bounds
from accord.wargame.expr import compile_expr

ROOT = Path(__file__).parents[2]
TINY = (ROOT / "scenarios" / "wargame-tiny.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "effect",
    [
        '"1e308 * 1e308 * escalation"',
        '"1e200"',
        '"escalation / (escalation - 1)"',
        '"1 / jp_support"',
    ],
)
def test_an_expression_that_can_overflow_is_refused_at_load(effect: str) -> None:
    bad = TINY.replace("effects: {escalation: 0.5}", f"effects: {{escalation: {effect}}}", 1)
    with pytest.raises(ScenarioError) as info:
        loads_wargame(bad, "bad.yaml")
    err = info.value
    assert "may overflow" in err.message and err.location.line is not None
    assert err.location.field == "actions[0].effects.escalation"


def test_the_shipped_war_games_pass() -> None:
    # core.yaml is the hand-written input of scripts/build_taiwan_strait.py, not a game file
    paths = [p for p in (ROOT / "scenarios").glob("**/*.yaml") if p.name != "core.yaml"]
    checked = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if text.lstrip().startswith("clock") or "\nclock:" in text:
            loads_wargame(text, path.name)
            checked += 1
    assert checked >= 2  # wargame-tiny and taiwan-strait


def test_before_the_fix_such_a_game_got_stuck() -> None:
    """What the check prevents: the engine refuses the non-finite value on every try."""
    expr = compile_expr("1e308 * 1e308 * x", ["x"], "effects.x")
    with pytest.raises(ScenarioError):
        expr.value({"x": 1.0})
    with pytest.raises(ScenarioError):
        bounds(expr, {"x": (0.0, 1.0)})
    assert Game(loads_wargame(TINY, "tiny.yaml"), 1).run().ended


_NAMES = ("a", "b")
_atoms = st.sampled_from(["a", "b", "2", "0.5", "1e3", "-3"])


def _exprs() -> st.SearchStrategy[str]:
    return st.recursive(
        _atoms,
        lambda inner: (
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            )
            | st.tuples(st.sampled_from(["min", "max"]), inner, inner).map(
                lambda t: f"{t[0]}({t[1]}, {t[2]})"
            )
            | inner.map(lambda x: f"abs({x})")
        ),
        max_leaves=8,
    )


@settings(max_examples=150, deadline=None)
@given(_exprs(), st.floats(-5, 5), st.floats(-5, 5))
def test_bounds_contain_every_value(text: str, a: float, b: float) -> None:
    expr = compile_expr(text, _NAMES, "x")
    box = {"a": (-5.0, 5.0), "b": (-5.0, 5.0)}
    try:
        lo, hi = bounds(expr, box)
    except ScenarioError:
        return  # refused: never evaluated in a game
    value = expr.value({"a": a, "b": b})
    assert lo - 1e-9 * (1 + abs(lo)) <= value <= hi + 1e-9 * (1 + abs(hi))
    assert max(abs(lo), abs(hi)) <= MAX_MAGNITUDE
