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


TAIWAN = Path(__file__).parents[2] / "scenarios" / "taiwan-strait" / "scenario.yaml"


@pytest.mark.skipif(not TAIWAN.is_file(), reason="scenarios/taiwan-strait is absent")
def test_taiwan_review_uses_names_not_ids(tmp_path: Path) -> None:
    import re

    from accord.wargame.review import Names, decision_points, write_review

    scenario = load_wargame(TAIWAN)
    game = Game(scenario, 3, default_players(scenario)).run()
    write_review(scenario, game.events, tmp_path)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    # The chart legends and titles are text in the SVG: checked with the rest of the page.
    text = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    raw = re.findall(r"\b(?:thr|exp|aln|def)_[a-z]{3}\b|\bcabinet_[a-z_]+", text)
    assert raw == [], raw[:5]
    assert "&lt;the declaring action&gt;" not in page
    end = game.events[-1]
    assert end.kind == "game-ended"
    label = next(o.label for o in scenario.spec.outcomes if o.id == end.outcome)  # type: ignore[union-attr]
    assert label and f"Outcome: {label}" in page.replace("&#x27;", "'")
    names = Names(scenario)
    assert names.variable("thr_alb") == "Threat perception of China: Albania"
    assert "Japan: legal situation" in page
    assert names.theme("thr_alb") == scenario.spec.teams["nac"]
    assert names.theme("cabinet_hesitation") == scenario.spec.teams["jp_nsc"]
    for row in decision_points(scenario, game.events):
        taken = row["text"]
        for alt in row["alternatives"]:
            assert taken not in alt


def test_alternatives_not_taken_are_played_on_with_seeded_continuations(tmp_path: Path) -> None:
    """Issue 13: decision points show the alternatives not taken with their Monte Carlo
    consequences; the branch is faithful (the game's own seed and orders replay the game)."""
    from accord.wargame.alternatives import MAX_ALTERNATIVES, continuation, orders_of
    from accord.wargame.log import ActionExecuted, OrderRejected
    from accord.wargame.review import decision_points, write_review

    scenario = load_wargame(TINY)
    game = Game(scenario, 0, default_players(scenario)).run()
    rows = [
        r for r in decision_points(scenario, game.events, runs=4, seed=7) if "consequences" in r
    ]
    assert 1 <= len(rows) <= 3
    point = rows[-1]
    options = point["consequences"]
    assert options[0].as_played and not any(o.as_played for o in options[1:])
    assert 2 <= len(options) <= 1 + MAX_ALTERNATIVES
    assert all(sum(o.outcomes.values()) == o.runs == 4 for o in options)
    # seeded: the same table twice
    again = decision_points(scenario, game.events, runs=4, seed=7)
    assert [r["consequences"] for r in again if "consequences" in r] == [
        r["consequences"] for r in rows
    ]
    # faithful: the game's own seed with the orders actually given replays the game
    turn = point["turn"]
    actor = next(
        e.actor
        for e in game.events
        if e.turn == turn
        and isinstance(e, ActionExecuted | OrderRejected)
        and e.action == options[0].action
    )
    played = orders_of(game.events, actor, turn)
    replay = continuation(scenario, game.events, turn=turn, orders={actor: played}, seed=game.seed)
    assert [e.model_dump() for e in replay.events] == [e.model_dump() for e in game.events]
    # the alternative is really ordered in the branch
    other = options[1].action
    orders = [other if o == options[0].action else o for o in played]
    branch = continuation(scenario, game.events, turn=turn, orders={actor: orders}, seed=1)
    assert any(
        isinstance(e, ActionExecuted | OrderRejected) and e.turn == turn and e.action == other
        for e in branch.events
    )
    write_review(scenario, game.events, tmp_path, runs=2, seed=7)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Monte Carlo: 2 seeded continuations" in page and "as played:" in page
    assert "had it ordered" in page
