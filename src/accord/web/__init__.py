"""The web workbench (FastAPI): analysts' pages and multi-team war-game play. See docs/web.md."""

from accord.web.app import create_app

__all__ = ["create_app"]
