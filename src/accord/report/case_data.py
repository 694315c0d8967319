"""What the case report shows, gathered once and rendered by the section modules.

What the case report shows (:class:`CaseReport`), gathered by
:func:`accord.report.case_report.build_report` and rendered by the section modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from accord.analysis.bottom_line import BottomLine, NumberRecord
from accord.analysis.montecarlo import MonteCarloResult
from accord.forecast import ScenarioForecast
from accord.report.html import Unavailable
from accord.scenario.schema import Scenario


@dataclass
class CaseReport:
    """Everything the report shows; :func:`render_case_report` turns it into HTML."""

    scenario: Scenario
    source: str
    seed: int
    draws: int
    forecast: ScenarioForecast
    montecarlo: MonteCarloResult | Unavailable
    deadlocks: dict[str, Any] = field(default_factory=dict)
    deals: Any = None
    gaps: Any = None
    programmes: Any = None
    problems: list[str] = field(default_factory=list)
    bottom_lines: dict[str, BottomLine] = field(default_factory=dict)
    numbers: list[NumberRecord] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        """The case report's data as a JSON-serialisable dict (``report.json``)."""

        def part(value: Any) -> Any:
            if isinstance(value, Unavailable):
                return {"available": False, "reason": value.reason}
            if value is None:
                return None
            return value.to_json_dict()

        return {
            "scenario": self.scenario.id,
            "source": self.source,
            "seed": self.seed,
            "draws": self.draws,
            "forecast": self.forecast.to_json_dict(),
            "deadlock": {k: part(v) for k, v in self.deadlocks.items()},
            "package_deals": part(self.deals),
            "perception_gaps": part(self.gaps),
            "programmes": part(self.programmes),
            "montecarlo": part(self.montecarlo),
            "problems": list(self.problems),
            "bottom_line": {k: v.to_json_dict() for k, v in self.bottom_lines.items()},
            "numbers": [n.to_json_dict() for n in self.numbers],
        }


@dataclass(frozen=True)
class ProgrammeComparison:
    """The programme diff and the programmes compared (for the presence chart)."""

    diff: Any
    book: Any
    before: str
    after: str

    def to_json_dict(self) -> dict[str, Any]:
        """The programme comparison as a JSON-serialisable dict."""
        data: dict[str, Any] = self.diff.to_json_dict()
        return data
