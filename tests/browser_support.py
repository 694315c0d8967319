"""Headless Debian Chromium for the browser tests (the case report and the web game).

The browser is ``ACCORD_CHROMIUM`` (set by scripts/test-services.sh and exported by CI). Without
it a test is skipped, except under CI (``CI=true``), where a missing browser is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path(default: str | None = None) -> str:
    """The browser to use (``ACCORD_CHROMIUM``, else ``default``), or skip (fail under CI)."""
    path = os.environ.get("ACCORD_CHROMIUM", default)
    ci = os.environ.get("CI") == "true"
    if not path:
        if ci:
            pytest.fail("ACCORD_CHROMIUM is not set under CI: the browser test cannot run")
        pytest.skip("ACCORD_CHROMIUM is not set (run scripts/test-services.sh)")
    if not Path(path).is_file():
        if ci:
            pytest.fail(f"no Chromium at {path} under CI")
        pytest.skip(f"no Chromium at {path} (run scripts/test-services.sh)")
    return path


def launch_chromium(playwright: Any, executable: str) -> Any:
    """Launch headless Chromium from a started ``sync_playwright()`` context."""
    return playwright.chromium.launch(executable_path=executable, headless=True, args=LAUNCH_ARGS)
