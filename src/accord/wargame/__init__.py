"""The crisis war game: scenario, safe expressions, engine, players, Monte Carlo and review.

Typical use::

    from accord.wargame import load_wargame, Game, default_players, run_monte_carlo
    scenario = load_wargame("scenarios/wargame-tiny.yaml")
    game = Game(scenario, seed=1, players=default_players(scenario)).run()
    print(game.state.outcome, game.log_json()[:80])

See docs/wargame.md.
"""

from accord.wargame.engine import Game, play
from accord.wargame.loader import CompiledScenario, load_wargame, loads_wargame
from accord.wargame.log import dump_log, load_log
from accord.wargame.montecarlo import MonteCarloResult, run_monte_carlo
from accord.wargame.players import (
    DoctrinePlayer,
    HumanPlayer,
    PassivePlayer,
    ScriptedPlayer,
    UtilityPlayer,
    default_players,
)
from accord.wargame.review import review_html, what_if
from accord.wargame.state import GameState, fold
from accord.wargame.view import Order, Player, View

__all__ = [
    "CompiledScenario",
    "DoctrinePlayer",
    "Game",
    "GameState",
    "HumanPlayer",
    "MonteCarloResult",
    "Order",
    "PassivePlayer",
    "Player",
    "ScriptedPlayer",
    "UtilityPlayer",
    "View",
    "default_players",
    "dump_log",
    "fold",
    "load_log",
    "load_wargame",
    "loads_wargame",
    "play",
    "review_html",
    "run_monte_carlo",
    "what_if",
]
