"""Storage of war games (their event logs) and Monte Carlo runs through SQLAlchemy.

SQLite by default, PostgreSQL by URL; the schema is kept by Alembic migrations run on open.
See docs/storage.md.
"""

from accord.runs.store import (
    DEFAULT_URL,
    GameInfo,
    RunInfo,
    RunStore,
    StoreError,
    migrate,
    resume_point,
)

__all__ = [
    "DEFAULT_URL",
    "GameInfo",
    "RunInfo",
    "RunStore",
    "StoreError",
    "migrate",
    "resume_point",
]
