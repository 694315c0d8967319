"""The bottom line of an issue for a decision-maker.

The bottom line of an issue for a decision-maker, computed from the Monte Carlo over the
practised procedure (:mod:`accord.analysis.mc_procedure`).

* **Likelihood**: P(adopted) is the share of draws in which the issue's decision procedure
  adopts the model's forecast (passes, with reservations or with opt-outs), averaged over the
  Monte Carlo models; without a procedure, the rule's P(passes). It is put in the words of
  ICD 203 (Office of the Director of National Intelligence, Intelligence Community Directive 203,
  "Analytic Standards", 2015, table of expressions of likelihood): :data:`ICD203`.
* **Confidence** (:func:`confidence`): from the share of the issue's numbers that are sourced
  rather than assumed, and from how far the models' P(adopted) agree.
* **Signposts** (:func:`signposts`): for each of the procedure's strongest drivers (Spearman rho
  of the input with adoption), P(adopted) among the draws in the lowest and the highest fifth of
  that input; a signpost *flips* the bottom line when the two fifths fall on different sides of
  even chance (50 %).
* **Options** (:func:`options`): the anchor points the issue's unit names (``"30 = decision
  deferred, 60 = liaison officer"``), each with the share of draws in which the outcome the rule
  allows reaches it; and the other issues whose id the description names (a lesser format).
* **Numbers** (:func:`count_numbers`): every number of the scenario with a ``source``: sourced,
  assumed (``assumed: true``) or elicited (a source that says "elicit").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel

from accord.analysis.montecarlo import IssueUncertainty, ModelUncertainty
from accord.scenario.schema import Issue, Scenario

#: ICD 203 expressions of likelihood: (term, low %, high %).
ICD203: tuple[tuple[str, int, int], ...] = (
    ("almost no chance", 1, 5),
    ("very unlikely", 5, 20),
    ("unlikely", 20, 45),
    ("roughly even chance", 45, 55),
    ("likely", 55, 80),
    ("very likely", 80, 95),
    ("almost certain", 95, 99),
)

#: Confidence rule (docs/report.md): high needs at least this sourced share and at most this
#: spread of the models' P(adopted); low below/above the second pair.
HIGH_SOURCED, HIGH_SPREAD = 0.7, 0.15
LOW_SOURCED, LOW_SPREAD = 0.3, 0.4
#: A signpost compares the lowest and the highest fifth of the draws of an input.
TAIL = 0.2


def icd203(probability: float) -> tuple[str, int, int]:
    """The ICD 203 term of a probability (0-1) and its range in percent.

    The bounds between terms go to the upper term (5 % is "very unlikely").
    """
    percent = 100.0 * probability
    for term, lo, hi in ICD203:
        if percent < hi:
            return term, lo, hi
    return ICD203[-1]


def confidence(sourced_share: float, spread: float) -> str:
    """``high``, ``moderate`` or ``low`` (rule in the module docstring and docs/report.md)."""
    if sourced_share < LOW_SOURCED or spread > LOW_SPREAD:
        return "low"
    if sourced_share >= HIGH_SOURCED and spread <= HIGH_SPREAD:
        return "high"
    return "moderate"


def adoption(mu: ModelUncertainty) -> NDArray[np.bool_]:
    """Per draw, whether the decision is adopted: the procedure's outcome, else the rule."""
    if mu.procedure is not None:
        passing = ("passes", "passes_with_reservations", "passes_with_opt_outs")
        return np.array([o in passing for o in mu.procedure.outcomes], dtype=bool)
    return np.asarray(mu.passes, dtype=bool)


@dataclass(frozen=True)
class NumberRecord:
    """One number of the scenario with its provenance."""

    where: str
    kind: str  # sourced | assumed | elicited
    source: str

    def to_json_dict(self) -> dict[str, Any]:
        """The record as a JSON-serialisable dict."""
        return {"where": self.where, "kind": self.kind, "source": self.source}


def _walk(value: Any, where: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        if "source" in fields and "assumed" in fields:
            yield where, value
        for name in fields:
            yield from _walk(getattr(value, name), f"{where}.{name}" if where else name)
    elif isinstance(value, list | tuple):
        for k, item in enumerate(value):
            label = getattr(item, "id", None) or getattr(item, "actor", None) or str(k)
            yield from _walk(item, f"{where}[{label}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{where}.{key}")


def count_numbers(scenario: Scenario, issue: Issue | None = None) -> list[NumberRecord]:
    """Every number with a source in the scenario (or in one issue)."""
    root: Any = scenario if issue is None else issue
    found = []
    for where, item in _walk(root, "" if issue is None else f"issues[{issue.id}]"):
        source = str(item.source)
        kind = (
            "assumed" if item.assumed else "elicited" if "elicit" in source.lower() else "sourced"
        )
        found.append(NumberRecord(where, kind, source))
    return found


def _issue_numbers(scenario: Scenario, issue: Issue) -> list[NumberRecord]:
    """The issue's own numbers and the capabilities of its actors."""
    numbers = count_numbers(scenario, issue)
    for stance in issue.stances:
        actor = scenario.actor(stance.actor)
        source = str(actor.capability.source)
        numbers.append(
            NumberRecord(
                f"actors[{actor.id}].capability",
                "assumed" if actor.capability.assumed else "sourced",
                source,
            )
        )
    return numbers


@dataclass(frozen=True)
class Signpost:
    """An input to watch: P(adopted) in its lowest and highest fifth of draws."""

    name: str
    rho: float
    p_low: float
    p_high: float
    flips: bool

    def to_json_dict(self) -> dict[str, Any]:
        """The signpost as a JSON-serialisable dict."""
        return {
            "input": self.name,
            "rho_adopted": self.rho,
            "p_adopted_lowest_fifth": self.p_low,
            "p_adopted_highest_fifth": self.p_high,
            "flips_bottom_line": self.flips,
        }


def signposts(item: IssueUncertainty, mu: ModelUncertainty, top: int = 3) -> list[Signpost]:
    """The ``top`` drivers of adoption, flips first (module docstring)."""
    adopted = adoption(mu)
    names = [i.name for i in item.inputs]
    drivers = (
        list(mu.procedure.drivers)
        if mu.procedure is not None
        else [(d.input.name, d.rho_pass or 0.0) for d in mu.drivers if d.rho_pass]
    )
    found = []
    for name, rho in drivers[: 3 * top]:
        if name in names:
            values = item.values[:, names.index(name)]
        elif mu.procedure is not None and name == "cost of objecting":
            values = mu.procedure.costs
        else:
            continue
        lo, hi = np.quantile(values, [TAIL, 1.0 - TAIL])
        low, high = adopted[values <= lo], adopted[values >= hi]
        if not low.size or not high.size:
            continue
        p_low, p_high = float(low.mean()), float(high.mean())
        if p_low == p_high:  # uninformative: adoption does not change across the range
            continue
        found.append(Signpost(name, float(rho), p_low, p_high, (p_low >= 0.5) != (p_high >= 0.5)))
    found.sort(key=lambda s: (not s.flips, -abs(s.p_high - s.p_low)))
    return found[:top]


_ANCHOR = re.compile(r"(-?\d+(?:\.\d+)?)\s*=\s*([^,;()]+)")


@dataclass(frozen=True)
class Option:
    """A format short of the full proposal: an anchor of the scale or a related issue."""

    label: str
    value: float | None
    p_reached: float | None
    issue: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """The option as a JSON-serialisable dict."""
        return {
            "label": self.label,
            "value": self.value,
            "p_allowed_reaches": self.p_reached,
            "issue": self.issue,
        }


def options(scenario: Scenario, issue: Issue, mu: ModelUncertainty | None) -> list[Option]:
    """Anchors named in the unit of a one-dimension issue and issues its description names."""
    found: list[Option] = []
    if len(issue.dimensions) == 1:
        d = issue.dimensions[0]
        sq = None if issue.status_quo is None else issue.status_quo.values()[0]
        for value_text, label in _ANCHOR.findall(d.unit or ""):
            value = float(value_text)
            far = d.hi if sq is None or sq <= (d.lo + d.hi) / 2 else d.lo
            if (sq is not None and value == sq) or value == far:
                continue  # the status quo, or the full proposal: not a lesser format
            p = None
            if mu is not None:
                # reached: the rule allows it, or the procedure adopts a forecast beyond it
                toward = value > (sq if sq is not None else d.lo)
                adopted = adoption(mu)

                def beyond(x: NDArray[np.float64], v: float = value, up: bool = toward) -> Any:
                    return x >= v - 1e-9 if up else x <= v + 1e-9

                reached = beyond(mu.allowed[:, 0]) | (adopted & beyond(mu.outcomes[:, 0]))
                p = float(reached.mean())
            found.append(Option(label.strip(), value, p))
    text = issue.description or ""
    for other in scenario.issues:
        if other.id != issue.id and f"'{other.id}'" in text:
            found.append(Option(other.name, None, None, other.id))
    return found


@dataclass(frozen=True)
class BottomLine:
    """What a decision-maker reads first about one issue."""

    issue_id: str
    probability: float | None
    per_model: dict[str, float]
    term: str | None
    range_percent: tuple[int, int] | None
    procedure: str | None
    sourced_share: float
    confidence: str
    objectors: dict[str, float]
    signposts: list[Signpost] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        """The bottom line as a JSON-serialisable dict."""
        return {
            "issue": self.issue_id,
            "p_adopted": self.probability,
            "p_adopted_per_model": self.per_model,
            "icd203_term": self.term,
            "icd203_range_percent": None
            if self.range_percent is None
            else list(self.range_percent),
            "procedure": self.procedure,
            "sourced_share": self.sourced_share,
            "confidence": self.confidence,
            "objectors": self.objectors,
            "signposts": [s.to_json_dict() for s in self.signposts],
            "options": [o.to_json_dict() for o in self.options],
            "numbers": self.numbers,
        }


def bottom_line(scenario: Scenario, issue_id: str, item: IssueUncertainty | None) -> BottomLine:
    """The bottom line of one issue from its Monte Carlo (``item``; ``None``: none ran)."""
    issue = scenario.issue(issue_id)
    numbers = _issue_numbers(scenario, issue)
    counts = {k: sum(n.kind == k for n in numbers) for k in ("sourced", "assumed", "elicited")}
    sourced = (counts["sourced"] + counts["elicited"]) / max(len(numbers), 1)
    models: Sequence[ModelUncertainty] = () if item is None or item.rule is None else item.models
    per_model = {mu.model: float(adoption(mu).mean()) for mu in models}
    if not per_model:
        return BottomLine(issue.id, None, {}, None, None, None, sourced, "low", {}, [], [], counts)
    p = float(np.mean(list(per_model.values())))
    spread = max(per_model.values()) - min(per_model.values())
    term, lo, hi = icd203(p)
    lead = models[0]
    objectors: dict[str, float] = {}
    for mu in models:
        if mu.procedure is not None:
            for actor, share in mu.procedure.objectors.items():
                objectors[actor] = objectors.get(actor, 0.0) + share / len(models)
    objectors = dict(sorted(objectors.items(), key=lambda kv: -kv[1]))
    assert item is not None
    return BottomLine(
        issue_id=issue.id,
        probability=p,
        per_model=per_model,
        term=term,
        range_percent=(lo, hi),
        procedure=None if lead.procedure is None else lead.procedure.name,
        sourced_share=sourced,
        confidence=confidence(sourced, spread),
        objectors=objectors,
        signposts=signposts(item, lead),
        options=options(scenario, issue, lead),
        numbers=counts,
    )


def record_agrees(outcome: str, probability: float) -> bool:
    """Whether a record's outcome lies on the side of even chance the forecast gives."""
    passed = outcome in ("passes", "passes_with_reservations", "passes_with_opt_outs")
    return passed == (probability >= 0.5)
