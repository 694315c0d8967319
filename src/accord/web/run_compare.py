"""Two runs of the same analysis side by side, matched by issue, model, actor and input.

Rows are keyed by what they are about (issue ``tokyo-office``, model ``bdm``, driver ``position
usa``), never by their rank in a list, so that a driver that moved from first to third place is
still compared with itself. Runs of different analyses are not comparable.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from accord.errors import UsageError
from accord.report.run_views import deadlock_parts

KIND_NAMES = {
    "forecast": "a forecast",
    "deadlock": "a deadlock analysis",
    "gaps": "a perception-gaps analysis",
    "montecarlo": "a Monte Carlo analysis",
    "wargame_montecarlo": "a war-game Monte Carlo",
}

Key = tuple[str, str, str]  # (section, item, quantity)


@dataclass(frozen=True)
class Row:
    """One compared quantity: where it is, and its value in each run (``""`` if absent)."""

    section: str
    item: str
    quantity: str
    left: str
    right: str

    @property
    def differs(self) -> bool:
        """Whether the two runs disagree on it (as printed: 4 significant digits)."""
        return self.left != self.right


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(_fmt(v) for v in value)
    return str(value)


def _forecast(data: Mapping[str, Any]) -> Iterator[tuple[Key, Any]]:
    for issue in data.get("issues", []):
        for f in issue.get("forecasts", []):
            where = f"{issue['id']} / {f['model']}"
            if "error" in f:
                yield ("forecast", where, "error"), f["error"]
                continue
            yield ("forecast", where, "outcome"), f["outcome"]
            yield ("forecast", where, "allowed by the rule"), f["allowed_outcome"]
            yield ("forecast", where, "passes"), f["passes"]
            yield ("forecast", where, "blockers"), ", ".join(sorted(f.get("blockers", [])))


def _montecarlo(data: Mapping[str, Any]) -> Iterator[tuple[Key, Any]]:
    yield ("run", "", "draws"), data.get("draws")
    for issue in data.get("issues", []):
        for m in issue.get("models", []):
            where = f"{issue['id']} / {m['model']}"
            yield ("pass probability", where, "passes"), m.get("pass_probability")
            yield (
                ("pass probability", where, "moves off the status quo"),
                m.get("change_probability"),
            )
            for dim, o in zip(issue.get("dimensions", []), m.get("outcome", []), strict=False):
                q = o["quantiles"]
                yield ("forecast", where, f"{dim} median"), q["q50"]
                yield ("forecast", where, f"{dim} 5-95%"), [q["q05"], q["q95"]]
            for d in m.get("drivers", []):
                rho = max(d["rho"], key=abs) if d.get("rho") else None
                yield ("drivers", where, d["input"]), rho


def _deadlock(data: Mapping[str, Any]) -> Iterator[tuple[Key, Any]]:
    d, deals = deadlock_parts(data)
    where = str(d.get("issue", ""))
    yield ("deadlock", where, "rule"), d.get("rule")
    yield ("deadlock", where, "proposal"), d.get("proposal")
    yield ("deadlock", where, "passes"), d.get("passes")
    blockers = set(d.get("blockers", []))
    actors = sorted(blockers | {c["actor"] for c in d.get("what_it_would_take", [])})
    changes = {c["actor"]: c for c in d.get("what_it_would_take", [])}
    for actor in actors:
        yield ("blockers", actor, "blocks"), actor in blockers
        if actor in changes:
            yield ("blockers", actor, "would accept at"), changes[actor].get("shift_to")
    if deals is not None:
        found = deals.get("deals", [])
        yield ("package deals", "", "deals found"), len(found)
        if found:
            yield ("package deals", "best", "total gain"), found[0].get("total_gain")
            for issue, value in found[0].get("outcomes", {}).items():
                yield ("package deals", "best", issue), value


def _gaps(data: Mapping[str, Any]) -> Iterator[tuple[Key, Any]]:
    for name in ("focal_values", "alliance_mean", "gap"):
        for threat, value in (data.get(name) or {}).items():
            yield ("gaps", threat, name.replace("_", " ")), value
    threats = data.get("threats", [])
    for actor, row in zip(data.get("actors", []), data.get("matrix", []), strict=False):
        for threat, value in zip(threats, row, strict=False):
            yield ("threat perception", actor, threat), value


def _wargame(data: Mapping[str, Any]) -> Iterator[tuple[Key, Any]]:
    s = data.get("summary", data)
    yield ("run", "", "runs"), s.get("n")
    for section, key in (("outcomes", "outcome"), ("decisions", "decision"), ("gates", "gate")):
        for item, value in (s.get(f"{key}_share") or {}).items():
            yield (section, item, "share"), value
    for target, inputs in {**s.get("drivers", {}), **s.get("decision_drivers", {})}.items():
        for name, rho in inputs.items():
            yield ("drivers", target, name), rho


EXTRACT = {
    "forecast": _forecast,
    "montecarlo": _montecarlo,
    "deadlock": _deadlock,
    "gaps": _gaps,
    "wargame_montecarlo": _wargame,
}


def compare(kind_a: str, a: Any, kind_b: str, b: Any) -> list[Row]:
    """The rows of two results of the same analysis, in the order of the first then the second.

    Raises:
        UsageError: the two runs are of different analyses (a forecast against a deadlock).
    """
    if kind_a != kind_b:
        raise UsageError(
            f"cannot compare {KIND_NAMES.get(kind_a, kind_a)} with "
            f"{KIND_NAMES.get(kind_b, kind_b)}",
            field="b",
            expected="two runs of the same analysis",
        )
    extract = EXTRACT.get(kind_a)
    if extract is None:
        raise UsageError(f"runs of kind '{kind_a}' cannot be compared", field="a")
    left = dict(extract(a)) if isinstance(a, Mapping) else {}
    right = dict(extract(b)) if isinstance(b, Mapping) else {}
    keys = list(dict.fromkeys([*left, *right]))
    return [
        Row(
            k[0],
            k[1],
            k[2],
            _fmt(left[k]) if k in left else "",
            _fmt(right[k]) if k in right else "",
        )
        for k in keys
    ]
