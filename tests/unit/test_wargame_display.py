"""Display groups: declared groups, the default grouping, and load errors (issues 13, 19)."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.errors import ScenarioError
from accord.wargame.display import variable_groups, variable_label
from accord.wargame.loader import load_wargame, loads_wargame

ROOT = Path(__file__).resolve().parents[2]
TINY = (ROOT / "scenarios" / "wargame-tiny.yaml").read_text()


def _taiwan_without_display() -> str:
    """The taiwan-strait scenario with its declared ``display:`` groups removed."""
    text = (ROOT / "scenarios" / "taiwan-strait" / "scenario.yaml").read_text()
    head, _, tail = text.partition("\ndisplay:\n")
    rest = tail.split("\n")
    while rest and rest[0].startswith(("- ", "  ")):
        rest.pop(0)
    return head + "\n" + "\n".join(rest)


def test_default_groups_cover_every_variable_once() -> None:
    s = loads_wargame(_taiwan_without_display())
    assert not s.spec.display
    groups = variable_groups(s)
    seen = [v for g in groups for v in g.variables]
    assert sorted(seen) == sorted(s.variables)
    series = {g.id: g for g in groups if g.collapse}
    assert "series_thr" in series and all(
        v.startswith("thr_") for v in series["series_thr"].variables
    )
    # us_forces, us_resolve ... are not a per-actor series: 'forces' is no actor id.
    assert "series_us" not in series


def test_taiwan_groups_by_theme_with_the_series_collapsed() -> None:
    s = load_wargame(ROOT / "scenarios" / "taiwan-strait" / "scenario.yaml")
    groups = variable_groups(s)
    assert sorted(v for g in groups for v in g.variables) == sorted(s.variables)
    by_id = {g.id: g for g in groups}
    assert by_id["japan"].variables[:2] == ("tw_partner_reading", "cabinet_hesitation")
    assert by_id["allies_threat"].collapse and len(by_id["allies_threat"].variables) == 34
    # Every variable has a label: no raw id reaches a reader.
    assert all(variable_label(s, v) != v for v in s.variables)
    assert variable_label(s, "thr_alb") == "Threat perception of China: Albania"


def test_only_restricts_to_an_audience() -> None:
    s = load_wargame(ROOT / "scenarios" / "taiwan-strait" / "scenario.yaml")
    groups = variable_groups(s, only=("escalation", "thr_bel"))
    assert sorted(v for g in groups for v in g.variables) == ["escalation", "thr_bel"]


def _tiny_with(extra: str) -> str:
    return TINY.rstrip() + "\n" + extra


def test_declared_groups_and_labels_come_first() -> None:
    base = loads_wargame(TINY)
    first, second = base.variables[0], base.variables[1]
    text = _tiny_with(
        f"display:\n  - id: key\n    label: Key indicators\n    variables: [{second}, {first}]\n"
    )
    s = loads_wargame(text)
    groups = variable_groups(s)
    assert groups[0].label == "Key indicators"
    assert groups[0].variables == (second, first)
    assert first not in [v for g in groups[1:] for v in g.variables]
    assert variable_label(s, first) == first


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("display:\n  - id: g\n    label: G\n    variables: [nope]\n", "unknown variable 'nope'"),
        ("display:\n  - id: g\n    label: G\n    prefix: zzz_\n", "no variable id starts with"),
        ("display:\n  - id: g\n    label: G\n", "needs 'variables' or a 'prefix'"),
    ],
)
def test_bad_groups_are_load_errors(extra: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message) as info:
        loads_wargame(_tiny_with(extra), source="tiny.yaml")
    assert "display" in str(info.value)
