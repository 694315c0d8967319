"""Alembic environment: migrate the connection that :mod:`accord.runs.store` hands over.

There is no alembic.ini: the store builds an :class:`alembic.config.Config` in code and puts an
open connection in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context

from accord.runs.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when alembic is run by hand
    raise RuntimeError("run the accord migrations through accord.runs.store.RunStore")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
