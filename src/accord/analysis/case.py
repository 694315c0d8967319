"""Every analysis of a case, gathered for the case report (:func:`analyse_case`).

The report (:mod:`accord.report.case_report`) only renders; this module computes:

* per issue, each model's forecast (:func:`accord.forecast.forecast`);
* the Monte Carlo over the assumed ranges (:func:`accord.analysis.montecarlo.monte_carlo`),
  with the issue's decision procedure on every draw;
* the blockers and what it would take to unblock
  (:func:`accord.analysis.deadlock.analyse_deadlock`);
* package deals across issues (:func:`accord.analysis.package_deals.find_package_deals`);
* the perception gaps (:mod:`accord.analysis.gaps`);
* the partnership-programme comparison (:mod:`accord.programme`, from a ``programmes.yaml``
  next to the scenario file);
* the bottom line per issue and the count of sourced, assumed and elicited numbers
  (:mod:`accord.analysis.bottom_line`), read from the Monte Carlo's draws (no extra run).

An analysis that does not apply (an issue without a status quo has no blockers) or that this
installation lacks becomes :class:`Unavailable` with the reason; the rest is still computed.
"""

from __future__ import annotations

import functools
import importlib
import os
import pickle
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord.analysis.montecarlo import MD_ALLOWED_DRAWS
from accord.errors import AccordError

if TYPE_CHECKING:
    from accord.analysis.bottom_line import BottomLine, NumberRecord
    from accord.analysis.montecarlo import MonteCarloResult
    from accord.forecast import ScenarioForecast
    from accord.scenario.schema import RuleSpec, Scenario

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Unavailable:
    """An analysis that could not be included, and why (shown in the report)."""

    reason: str


@dataclass(frozen=True)
class ProgrammeComparison:
    """The programme diff and the programmes compared (for the presence chart)."""

    diff: Any
    book: Any
    before: str
    after: str

    def to_json_dict(self) -> dict[str, Any]:
        """The diff as JSON-ready data."""
        data: dict[str, Any] = self.diff.to_json_dict()
        return data


@dataclass
class CaseAnalysis:
    """Everything the case report shows, computed by :func:`analyse_case`."""

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
        """The analyses as JSON-ready data (``report.json``)."""

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


def attempt(what: str, problems: list[str], call: Callable[[], Any]) -> Any:
    """Run one optional analysis: its result, or :class:`Unavailable` with the reason.

    A missing optional part (``ImportError``) or an analysis that does not apply
    (:class:`~accord.errors.AccordError`) is a reason; any other exception is a bug in that
    analysis, recorded in ``problems`` so that the rest of the report is still written.
    """
    try:
        return call()
    except ImportError as exc:
        return Unavailable(f"{what} is not available in this installation ({exc.name or exc}).")
    except AccordError as exc:
        return Unavailable(f"{what} does not apply: {exc}")
    except Exception as exc:  # a bug in one analysis must not lose the whole report
        problems.append(f"{what} failed: {type(exc).__name__}: {exc}")
        return Unavailable(f"{what} failed: {type(exc).__name__}: {exc}")


def can_fork() -> bool:
    """Whether a side analysis may run in a forked process now.

    Only from a single-threaded process (a web server's threads may hold locks) and only
    before Numba's thread pool has started (a forked child cannot use an OpenMP pool that its
    parent started).
    """
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    pool = sys.modules.get("numba.np.ufunc.parallel")
    return pool is None or not bool(getattr(pool, "_is_initialized", True))


def in_child(work: Callable[[], Any]) -> Callable[[], tuple[bool, Any]] | None:
    """Start ``work()`` in a forked process; returns a function that waits for its result.

    The waiting function returns ``(True, result)``, or ``(False, None)`` when the child
    failed in any way (the caller then computes the result itself). ``None`` when forking is
    not possible (:func:`can_fork`). The result comes back pickled through a pipe.
    """
    if not can_fork():
        return None
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running the parent's exit code
        code = 0
        try:
            os.close(read)
            try:
                data = pickle.dumps((True, work()), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:  # any failure: the parent recomputes it
                data = pickle.dumps((False, None))
            with os.fdopen(write, "wb") as out:
                out.write(data)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write)

    def wait() -> tuple[bool, Any]:
        with os.fdopen(read, "rb") as stream:
            data = stream.read()
        _, status = os.waitpid(pid, 0)
        try:
            if os.waitstatus_to_exitcode(status) != 0:
                return False, None
            ok, value = pickle.loads(data)
        except Exception:  # a truncated or unreadable result: recompute
            return False, None
        return bool(ok), value

    return wait


def _warm_up(mc_names: Sequence[str]) -> None:
    """Import what both processes need before forking, so that the child inherits it.

    SciPy's optimiser (the winset of several dimensions) and, when BDM is in the Monte Carlo,
    its compiled kernel (loading it initialises Numba without starting its thread pool).
    """
    try:
        importlib.import_module("accord.rules.constrain")
        if "bdm" in mc_names:
            from accord.models.bdm.engine_numba import _kernel

            _kernel()
    except ImportError:  # an optional part missing: each analysis reports it itself
        pass


def _perception_gaps(scenario: Scenario) -> Any:
    module = importlib.import_module("accord.analysis.gaps")
    for name in ("perception_gaps", "analyse_gaps", "compute_gaps", "gaps"):
        function = getattr(module, name, None)
        if callable(function):
            return function(scenario)
    raise ImportError("accord.analysis.gaps has no perception_gaps()", name="perception_gaps")


def _programme_file(source: str) -> Path | None:
    path = Path(source)
    for candidate in (path.parent / "programmes.yaml", path.parent / "programmes.yml"):
        if candidate.is_file():
            return candidate
    return None


def _programme_diff(source: str) -> ProgrammeComparison:
    module = importlib.import_module("accord.programme")
    file = _programme_file(source)
    if file is None:
        raise ImportError("no programmes.yaml next to the scenario file", name="programmes.yaml")
    book = module.load_programmes(file)
    ids = [p.id for p in book.programmes]
    if len(ids) < 2:
        raise ImportError(f"{file} holds fewer than two programmes", name=str(file))
    pair = ("IPCP-2020", "ITPP-2023")
    before, after = pair if set(pair) <= set(ids) else (ids[-2], ids[-1])
    return ProgrammeComparison(module.diff_programmes(book, before, after), book, before, after)


def analyse_case(
    scenario: Scenario,
    *,
    models: str | Sequence[str] = "all",
    mc_models: str | Sequence[str] = "compromise,median,bdm",
    draws: int = 500,
    seed: int = 0,
    rule: RuleSpec | str | None = None,
    source: str | Path = "<scenario>",
    progress: Progress | None = None,
    allowed_draws: int = MD_ALLOWED_DRAWS,
    parallel: bool = True,
) -> CaseAnalysis:
    """Run every analysis of the case report, once each.

    Bad arguments (unknown model, a rule that does not fit, ``draws < 1``) raise at once; an
    optional analysis that fails or is missing becomes :class:`Unavailable`. Each analysis
    runs once: the bottom line reads the Monte Carlo's draws and the deadlock analysis its
    own (seeded) runs, so the report's sections agree with ``report.json``.

    With ``parallel`` (the default) the forecasts, deadlock, deal, gap and programme analyses
    run in a forked process (:func:`in_child`) while this one runs the Monte Carlo, where
    forking is safe (:func:`can_fork`); the results are the same as with ``parallel=False``.
    """
    from accord.analysis.bottom_line import bottom_line, count_numbers
    from accord.analysis.montecarlo import monte_carlo
    from accord.forecast import forecast, parse_rule, resolve_models

    rule_spec = parse_rule(rule) if isinstance(rule, str) else rule
    names = resolve_models(models)
    mc_names = resolve_models(mc_models)
    n_issues = len(scenario.issues)
    total = n_issues * len(names) + n_issues + 3 + n_issues * len(mc_names) * draws
    done = 0

    def step(k: int = 1) -> None:
        nonlocal done
        done += k
        if progress is not None:
            progress(min(done, total), total)

    def side(tick: Callable[[], None]) -> tuple[Any, ...]:
        """Everything but the Monte Carlo: forecasts, deadlocks, deals, gaps, programmes."""
        problems: list[str] = []
        result = forecast(scenario, names, rule=rule_spec, seed=seed, progress=lambda d, t: tick())
        deadlocks: dict[str, Any] = {}
        for issue in scenario.issues:

            def one(issue_id: str = issue.id) -> Any:
                from accord.analysis.deadlock import analyse_deadlock

                return analyse_deadlock(scenario, issue_id, rule=rule_spec, seed=seed)

            deadlocks[issue.id] = attempt("The deadlock analysis", problems, one)
            tick()

        def deals() -> Any:
            from accord.analysis.package_deals import find_package_deals

            return find_package_deals(scenario, models=names, rule=rule_spec, seed=seed)

        package = attempt("The package-deal search", problems, deals)
        tick()
        gaps = attempt("The perception-gap analysis", problems, lambda: _perception_gaps(scenario))
        tick()
        programmes = attempt(
            "The programme comparison", problems, lambda: _programme_diff(str(source))
        )
        tick()
        return result, deadlocks, package, gaps, programmes, problems

    # The analyses other than the Monte Carlo run in a forked process while this one runs the
    # Monte Carlo (each analysis is seeded on its own, so the results are the same either way;
    # tested); where forking is not possible they run here, one after another.
    _warm_up(mc_names)
    waiting = in_child(lambda: side(lambda: None)) if parallel else None
    mc_base = n_issues * len(names) + n_issues + 3 if waiting is not None else 0
    if waiting is None:
        parts = side(step)
        mc_base = done

    def mc_tick(d: int, t: int) -> None:
        if progress is not None:
            progress(min(mc_base + d, total), total)

    mc = monte_carlo(
        scenario,
        mc_names,
        draws=draws,
        seed=seed,
        rule=rule_spec,
        progress=mc_tick,
        allowed_draws=allowed_draws,
    )
    if waiting is not None:
        ok, parts = waiting()
        if not ok:  # the child failed: compute here (same results, one after another)
            parts = side(lambda: None)
    if progress is not None:
        progress(total, total)
    result, deadlocks, package, gaps, programmes, problems = parts
    ran = {i.issue_id for i in mc.issues}

    def line(issue_id: str) -> Any:
        return bottom_line(scenario, issue_id, mc.issue(issue_id) if issue_id in ran else None)

    lines = {
        issue.id: attempt("The bottom line", problems, functools.partial(line, issue.id))
        for issue in scenario.issues
    }
    return CaseAnalysis(
        scenario=scenario,
        source=str(source),
        seed=seed,
        draws=draws,
        forecast=result,
        montecarlo=mc,
        deadlocks=deadlocks,
        deals=package,
        gaps=gaps,
        programmes=programmes,
        problems=problems,
        bottom_lines={k: v for k, v in lines.items() if not isinstance(v, Unavailable)},
        numbers=count_numbers(scenario),
    )


__all__ = ["CaseAnalysis", "ProgrammeComparison", "Unavailable", "analyse_case", "attempt"]
