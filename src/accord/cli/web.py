"""``accord serve``: the web workbench (analysts' pages and multi-team war-game play)."""

from __future__ import annotations

from typing import Annotated

import typer

from accord.cli.common import err


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    db: Annotated[
        str,
        typer.Option(help="Database URL: sqlite:///FILE (default) or postgresql+psycopg://..."),
    ] = "sqlite:///accord-web.db",
    schema: Annotated[
        str | None,
        typer.Option(help="PostgreSQL schema to keep the tables in (e.g. to isolate tests)."),
    ] = None,
) -> None:
    """Serve the web workbench.

    Serve the web workbench (open http://HOST:PORT/; the first visit creates the
    facilitator account).
    """
    import uvicorn

    from accord.web.app import create_app

    app = create_app(db, schema=schema)
    err.print(f"accord workbench on http://{host}:{port}/ (database {db.split('@')[-1]})")
    # open live-update streams (server-sent events) never end by themselves: give them a few
    # seconds on shutdown, then close them (the browsers reconnect to the next server)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=3,
        # idle keep-alive connections stay open longer than clients keep them (httpx: 5 s, the
        # old server value too, so a request sent just as the server closed was reset)
        timeout_keep_alive=75,
    )


def register(app: typer.Typer) -> None:
    """Add ``accord serve`` to ``app``."""
    app.command("serve")(serve)
