"""Audience rules of the engine's views (issue #14 findings 2, 3 and 12; issue #12 item 9):
teams and observers see outcomes and what their role may see, never the dice (draw
probabilities, random numbers), the seed, other actors' hidden values, hidden events (no seq
gaps) or a facilitator's forced draw on a covert action."""

from __future__ import annotations

from pathlib import Path

from accord.wargame import Game, loads_wargame
from accord.wargame.log import Draw, GameStarted, Override
from accord.wargame.review import describe, team_debrief_html
from accord.wargame.view import audience_log, debrief, redact

TINY = Path(__file__).parents[2] / "scenarios" / "wargame-tiny.yaml"
BLUE = frozenset({"blue", "jp", "us"})
RED = frozenset({"red", "cn"})


def _tiny(covert: bool = False) -> str:
    text = TINY.read_text(encoding="utf-8")
    if covert:
        text = text.replace(
            "  - id: cn_landing\n    actor: cn\n",
            "  - id: cn_landing\n    actor: cn\n    covert: true\n",
        )
    return text


def _landing_game(covert: bool = False, force: bool = False) -> Game:
    """A game in which China attempts a landing in turn 3 (a draw on a hidden input)."""
    scenario = loads_wargame(_tiny(covert), "tiny.yaml")
    game = Game(scenario, 5)
    game.step({"cn": ["cn_blockade"], "jp": [], "us": [], "fr": [], "de": []})
    game.step({"cn": ["cn_blockade"], "jp": [], "us": [], "fr": [], "de": []})
    if force:
        game.override("white cell", force={"cn_landing": False})
    game.step({"cn": ["cn_landing"], "jp": [], "us": [], "fr": [], "de": []})
    return game


def test_teams_and_observers_never_see_the_dice() -> None:
    game = _landing_game()
    draws = [e for e in game.events if isinstance(e, Draw)]
    assert draws and draws[0].subject == "cn_landing"  # a public draw on hidden cn_resolve
    for who in (BLUE, RED, frozenset()):
        seen = [e for e in audience_log(game.scenario, game.events, who) if isinstance(e, Draw)]
        assert len(seen) == 1
        assert seen[0].probability is None and seen[0].u is None
        assert seen[0].success == draws[0].success  # the outcome is shown
        text = describe(seen[0])
        assert "p =" not in text and "u =" not in text
        for e in debrief(game.scenario, game.events, 3, who):
            if isinstance(e, Draw):
                assert e.probability is None and e.u is None
    # the facilitator (who=None) and the review keep them
    full = audience_log(game.scenario, game.events, None)
    assert next(e for e in full if isinstance(e, Draw)).probability == draws[0].probability
    page = team_debrief_html(game.scenario, game.events, "blue")
    assert "p = " not in page and "u = " not in page


def test_the_seed_stays_server_side() -> None:
    game = _landing_game()
    for who in (BLUE, RED, frozenset()):
        start = audience_log(game.scenario, game.events, who)[0]
        assert isinstance(start, GameStarted) and start.seed is None
        assert "seed" not in start.model_dump(exclude_none=True)
        assert "cn_resolve" not in start.values or who == RED
    assert audience_log(game.scenario, game.events, None)[0].seed == 5


def test_sequence_numbers_have_no_gaps_per_audience() -> None:
    game = _landing_game(covert=True)
    blue = audience_log(game.scenario, game.events, BLUE)
    assert len(blue) < len(game.events)  # the covert landing and its draw are hidden
    assert [e.seq for e in blue] == list(range(len(blue)))
    red = audience_log(game.scenario, game.events, RED)
    assert any(isinstance(e, Draw) for e in red)
    assert [e.seq for e in red] == list(range(len(red)))


def test_a_forced_draw_on_a_covert_action_is_hidden() -> None:
    game = _landing_game(covert=True, force=True)
    assert any(isinstance(e, Override) and "cn_landing" in e.force for e in game.events)
    for who in (BLUE, frozenset()):
        log = audience_log(game.scenario, game.events, who)
        assert not any(isinstance(e, Override) for e in log)
        assert "cn_landing" not in " ".join(describe(e) for e in log)
    red = [e for e in audience_log(game.scenario, game.events, RED) if isinstance(e, Override)]
    assert red and red[0].force == {"cn_landing": False}


def test_override_values_follow_the_variables_audience() -> None:
    scenario = loads_wargame(_tiny(), "tiny.yaml")
    game = Game(scenario, 1)
    event = game.override("crisis cell", values={"cn_resolve": 0.2})
    assert redact(scenario, event, BLUE) is None  # nothing blue may see
    kept = redact(scenario, event, RED)
    assert kept is not None and kept.changes == {"cn_resolve": 0.2}
    mixed = game.override("crisis cell", values={"cn_resolve": 0.3, "escalation": 2.0})
    shown = redact(scenario, mixed, BLUE)
    assert shown is not None and shown.changes == {"escalation": 2.0}
