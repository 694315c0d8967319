"""Migration 0003 on a database written by the previous version (SQLite: the orders table is
copied into one with the per-team key): orders are kept and keys become per team."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from accord.runs.store import MIGRATIONS
from accord.web.db import WebStore


def test_upgrade_keeps_orders_and_makes_keys_per_team(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
        now = datetime.now(UTC)
        conn.execute(
            text(
                "INSERT INTO scenarios (sha256, text, source, scenario_id, created_at) "
                "VALUES ('s', 't', 'x.yaml', 'x', :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO games (id, scenario_sha256, scenario_id, seed, status, created_at) "
                "VALUES (1, 's', 'x', 0, 'running', :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO web_users (id, username, password_hash, role, created_at) "
                "VALUES (1, 'u', 'h', 'team', :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO web_orders (id, game_id, turn, team, actor, actions, user_id, "
                "client_key, created_at) VALUES (7, 1, 1, 'red', 'cn', '[]', 1, 'K', :now)"
            ),
            {"now": now},
        )
    engine.dispose()
    store = WebStore(url)  # migrates to the latest revision
    try:
        kept = store.orders(1)
        assert [(o.id, o.team, o.client_key) for o in kept] == [(7, "red", "K")]
        theirs, stored = store.add_order(1, 1, "blue", "us", [], 1, "K")
        assert stored and theirs.team == "blue"
        again, stored = store.add_order(1, 1, "red", "cn", ["x"], 1, "K")
        assert not stored and again.id == 7
    finally:
        store.close()
