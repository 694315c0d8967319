"""Build the reference output of ``decide-exchange-model`` (the exchange-model test oracle).

Run from the repository root::

    python tests/oracle/make_exchange_reference.py [--rounds 10]

The oracle is a test-only tool: it pins PyQt5, matplotlib 3.6 and numpy 1.23, which clash with
accord's own pins, so this script keeps it in a separate virtual environment (default
``/tmp/oracle-venv``; override with ``ORACLE_VENV``). When started with a Python that cannot import
``decide``, it creates that environment (``pip install decide-exchange-model==2022.1.28``, the
version pip resolves on Python 3.11) and re-runs itself there.

The oracle's ``decide-cli`` fails in its SQLite observer, so the script uses the library API:
``InputDataFile.open(path)``, ``ModelFactory(file)(model_klass=EqualGainModel,
randomized_value=0.0)``, then ``ModelLoop(model, Observable(...), 0).loop()`` once per round, with
an observer that records, per round, the positions at the start of the round, the exchanges made
(in the order they were carried out), the NBS on the voting positions and on the new start
positions.

**Ties.** By default decide breaks an exact tie between the two highest gains (difference below
1e-20) with Python's global ``random`` (a coin flip, and in one branch the tied exchange is left
in the list twice). Ties are common in these files (about 3 to 4 per round) and the coin flips
change the result: over seeds 0..3 the final NBS of copenhagen differs by up to 2.7 points on the
0..100 scale. With decide's own switch ``EqualGainModel.ALLOW_RANDOM = False`` the highest gain in
``Decimal`` wins, and gains that are equal in exact arithmetic then differ only in the 27th digit
(rounding noise of the 28-digit ``Decimal`` context, e.g. 0.200691876750700281687245003 against
...002), which no floating-point implementation can reproduce. The reference is therefore made
with ``ALLOW_RANDOM = False`` and one change to decide's ``sort_exchanges``: gains are compared
rounded to ``TIE_DECIMALS`` (12) decimals, so equal gains keep their list order (the candidate list
is built issue pair by issue pair in file order, actors in file order, and stays in the order of
the previous stable sort). accord's ``tie_decimals`` parameter is the same rule. Ties are counted
(``tie_count`` per round).

**Variants** (to tell algorithm from noise, see ``docs/models/exchange.md``):

* ``--nbs-eps 1e-9`` patches decide's ``AbstractExchangeActor.check_nbs`` so that an NBS within
  ``1e-9`` of the demander's position counts as *on* it and the move is not limited (the reading
  in exact arithmetic, accord's ``NBS_EPS``); otherwise decide's branch follows ``Decimal`` noise
  of about 1e-22. Output ``<name>_equalgain_nbs_eps.json``.
* ``--seeds N`` also runs decide as shipped (``ALLOW_RANDOM = True``, ties broken by Python's
  global ``random``, unpatched sort) with seeds ``0..N-1`` and writes every seed's final NBS to
  ``<name>_equalgain_seeds.json``: the oracle's own spread.

Output: ``tests/data/stokman/reference/<name>_equalgain.json`` for ``cop21.csv`` and
``copenhagen.csv``. Positions are on decide's internal 0..100 scale (the files' own scale: every
issue in them runs from 0 to 100); a missing actor-issue pair is ``null``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

ORACLE = "decide-exchange-model==2022.1.28"
VENV = Path(os.environ.get("ORACLE_VENV", "/tmp/oracle-venv"))
ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "stokman"
FILES = ("cop21.csv", "copenhagen.csv")
TIE_DECIMALS = 12


def _ensure_oracle() -> None:
    """Re-run this script inside the oracle venv unless ``decide`` is importable here."""
    try:
        import decide  # noqa: F401
    except ImportError:
        python = VENV / "bin" / "python"
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", ORACLE], check=True)
        os.execv(str(python), [str(python), __file__, *sys.argv[1:]])


def _f(value: Any) -> float:
    return float(value)


_PLAIN_CHECK_NBS: Any = None


def _patch_check_nbs(eps: float | None) -> None:
    """Read an NBS within ``eps`` of the demander's position as on it (``None``: decide as is)."""
    global _PLAIN_CHECK_NBS
    from decide.model import base

    if _PLAIN_CHECK_NBS is None:
        _PLAIN_CHECK_NBS = base.AbstractExchangeActor.check_nbs
    plain = _PLAIN_CHECK_NBS
    if eps is None:
        base.AbstractExchangeActor.check_nbs = plain
        return
    tolerance = Decimal(str(eps))

    def check_nbs(self: Any) -> None:
        nbs_0 = self.adjust_nbs(self.supply.position)
        if abs(self.opposite_actor.demand.position - nbs_0) <= tolerance:
            # on the position: in exact arithmetic one of decide's first two branches holds,
            # so the move is not limited
            self.nbs_0 = nbs_0
            self.nbs_1 = self.adjust_nbs(self.y)
            return
        plain(self)

    base.AbstractExchangeActor.check_nbs = check_nbs


def run_file(
    path: Path,
    rounds: int,
    *,
    nbs_eps: float | None = None,
    random_ties: bool = False,
    seed: int = 0,
) -> dict[str, Any]:
    """Run the equal-gain model on one decide file and collect what the tests compare.

    ``random_ties`` runs decide as shipped (coin flips on ties, seeded with ``seed``); otherwise
    ties go to the first of gains equal to ``TIE_DECIMALS`` decimals. ``nbs_eps`` patches the NBS
    check (module docstring).
    """
    from decide.data.modelfactory import ModelFactory
    from decide.data.reader import InputDataFile
    from decide.model import equalgain
    from decide.model.observers.observer import Observable, Observer
    from decide.model.utils import ModelLoop

    _patch_check_nbs(nbs_eps)
    random.seed(seed)
    equalgain.EqualGainModel.ALLOW_RANDOM = random_ties
    data_file = InputDataFile.open(str(path))
    model = ModelFactory(data_file)(model_klass=equalgain.EqualGainModel, randomized_value=0.0)
    quantum = Decimal(1).scaleb(-TIE_DECIMALS)

    def key(exchange: Any) -> Decimal:
        return Decimal(exchange.gain).quantize(quantum, rounding=ROUND_HALF_EVEN)

    def sort_exchanges() -> None:
        model.exchanges.sort(key=key, reverse=True)

    if not random_ties:
        model.sort_exchanges = sort_exchanges
        plain_highest_gain = model.highest_gain

        def counting_highest_gain() -> Any:
            sort_exchanges()
            top = model.exchanges
            if len(top) > 1 and key(top[0]) == key(top[1]):
                model.tie_count += 1
            return plain_highest_gain()

        model.highest_gain = counting_highest_gain
    actors = list(model.actors)
    issues = list(model.issues)

    def positions() -> list[list[float | None]]:
        return [
            [
                _f(model.actor_issues[issue][actor].position)
                if actor in model.actor_issues[issue]
                else None
                for issue in issues
            ]
            for actor in actors
        ]

    def nbs() -> list[float]:
        return [_f(model.nbs[issue]) for issue in issues]

    record: dict[str, Any] = {}

    class Recorder(Observer):
        def before_loop(self, iteration: int, repetition: int) -> None:
            record["nbs_start"] = nbs()

        def after_loop(self, realized: list[Any], iteration: int, repetition: int) -> None:
            record["exchanges"] = [
                {
                    "i": e.i.actor.actor_id,
                    "i_supply": e.i.supply.issue.issue_id,
                    "i_start": _f(e.i.start_position),
                    "i_from": _f(e.i.supply.position),
                    "i_y": _f(e.i.y),
                    "j": e.j.actor.actor_id,
                    "j_supply": e.j.supply.issue.issue_id,
                    "j_start": _f(e.j.start_position),
                    "j_from": _f(e.j.supply.position),
                    "j_y": _f(e.j.y),
                    "gain": _f(e.gain),
                }
                for e in realized
            ]

        def end_loop(self, iteration: int, repetition: int) -> None:
            record["voting_positions"] = positions()
            record["nbs_voting"] = nbs()

    out_rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        observable = Observable(model_ref=model, output_directory=tmp)
        Recorder(observable)
        loop = ModelLoop(model, observable, 0)
        t0 = time.perf_counter()
        for r in range(rounds):
            start = positions()
            ties_before = model.tie_count
            record.clear()
            loop.loop()
            out_rounds.append(
                {
                    "round": r + 1,
                    "start_positions": start,
                    "nbs_start": record["nbs_start"],
                    "exchanges": record["exchanges"],
                    "n_exchanges": len(record["exchanges"]),
                    "voting_positions": record["voting_positions"],
                    "nbs_voting": record["nbs_voting"],
                    "tie_count": model.tie_count - ties_before,
                }
            )
        seconds = time.perf_counter() - t0
    model.calc_nbs()
    return {
        "oracle": ORACLE,
        "model": "equalgain.EqualGainModel",
        "randomized_value": 0.0,
        "allow_random": random_ties,
        "seed": seed if random_ties else None,
        "nbs_eps": nbs_eps,
        "tie_decimals": TIE_DECIMALS,
        "salience_weight": float(model.SALIENCE_WEIGHT),
        "fixed_weight": float(model.FIXED_WEIGHT),
        "input": f"tests/data/stokman/{path.name}",
        "rounds": rounds,
        "seconds": round(seconds, 2),
        "actors": [a.actor_id for a in actors],
        "issues": [i.issue_id for i in issues],
        "lo": [_f(i.lower) for i in issues],
        "hi": [_f(i.upper) for i in issues],
        "per_round": out_rounds,
        "final_positions": positions(),
        "final_nbs": nbs(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--out", type=Path, default=DATA / "reference")
    parser.add_argument("--files", nargs="*", default=list(FILES))
    parser.add_argument(
        "--nbs-eps", type=float, default=None, help="write the NBS-check variant (e.g. 1e-9)"
    )
    parser.add_argument("--seeds", type=int, default=0, help="random-tie runs, seeds 0..N-1")
    parser.add_argument("--skip-plain", action="store_true", help="only the variants")
    args = parser.parse_args()
    _ensure_oracle()
    import logging

    logging.disable(logging.CRITICAL)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.files:
        stem = Path(name).stem
        runs: list[tuple[str, dict[str, Any]]] = []
        if not args.skip_plain:
            runs.append((f"{stem}_equalgain.json", run_file(DATA / name, args.rounds)))
        if args.nbs_eps is not None:
            variant = run_file(DATA / name, args.rounds, nbs_eps=args.nbs_eps)
            runs.append((f"{stem}_equalgain_nbs_eps.json", variant))
        for file_name, result in runs:
            target = args.out / file_name
            target.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
            counts = [r["n_exchanges"] for r in result["per_round"]]
            ties = sum(r["tie_count"] for r in result["per_round"])
            print(f"{target}: exchanges per round {counts}, ties {ties}, {result['seconds']} s")
        if args.seeds:
            finals = []
            for seed in range(args.seeds):
                result = run_file(DATA / name, args.rounds, random_ties=True, seed=seed)
                finals.append(result["final_nbs"])
                print(f"{name} seed {seed}: {result['seconds']} s", flush=True)
            spread = {
                "oracle": ORACLE,
                "allow_random": True,
                "rounds": args.rounds,
                "seeds": list(range(args.seeds)),
                "issues": result["issues"],
                "final_nbs": finals,
            }
            target = args.out / f"{stem}_equalgain_seeds.json"
            target.write_text(json.dumps(spread, indent=1) + "\n", encoding="utf-8")
            print(f"{target}: {args.seeds} seeds")


if __name__ == "__main__":
    main()
