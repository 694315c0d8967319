"""Monte Carlo tallies and the after-action review."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from accord.errors import UsageError
from accord.wargame import Game, default_players, load_wargame, review_html, run_monte_carlo
from accord.wargame.review import key_points, series, start_of_turn_debrief, timeline

TINY = Path(__file__).parents[2] / "scenarios" / "wargame-tiny.yaml"


def test_monte_carlo_tallies_are_consistent_and_seeded() -> None:
    scenario = load_wargame(TINY)
    a = run_monte_carlo(scenario, 40, seed=2)
    b = run_monte_carlo(scenario, 40, seed=2)
    assert a.outcomes == b.outcomes and a.seeds == b.seeds
    assert math.isclose(sum(a.outcome_share.values()), 1.0)
    assert set(a.outcome_share) <= {"taiwan_holds", "taiwan_falls", "no_decisive_outcome"}
    assert 0.0 <= a.decision_share["nato_statement"] <= 1.0
    assert set(a.inputs) == {"escalation", "threat_fr"}
    assert all(0.5 <= x <= 1.5 for x in a.inputs["escalation"])
    summary = a.summary()
    assert summary["n"] == 40 and "taiwan_control" in summary["final"]
    # every run with the first seed replays as a single game
    game = Game(scenario, a.seeds[0], default_players(scenario), sample_uncertain=True).run()
    assert game.state.outcome == a.outcomes[0]
    with pytest.raises(UsageError):
        run_monte_carlo(scenario, 0)


def test_review_timeline_series_debrief_and_html() -> None:
    scenario = load_wargame(TINY)
    game = Game(scenario, 4, default_players(scenario)).run()
    rows = timeline(game.events)
    assert len(rows) == len(game.events) and rows[-1]["kind"] == "game-ended"
    data = series(game.events)
    assert len(data["escalation"]) == scenario.spec.clock.turns + 1
    assert (
        data["escalation"][0] == 1.0 and data["escalation"][-1] == game.state.values["escalation"]
    )
    points = key_points(game.events)
    assert any("nato_statement" in p["text"] for p in points)
    facilitator = start_of_turn_debrief(scenario, game.events, 2)
    japan = start_of_turn_debrief(scenario, game.events, 2, "jp")
    assert facilitator and len(japan) <= len(facilitator)
    page = review_html(scenario, game.events)
    assert page.startswith("<!doctype html>") and "Key decision points" in page
    assert "<script" not in page
