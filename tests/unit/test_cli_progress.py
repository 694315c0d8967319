"""The CLI's progress bar draws on a terminal without a refresh thread (so reports can fork)."""

from __future__ import annotations

import threading

import pytest

from accord.analysis.case import can_fork
from accord.cli.common import progress_bar


def test_progress_bar_on_a_terminal_starts_no_thread(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    before = threading.active_count()
    with progress_bar("Monte Carlo") as update:
        for done in range(1, 6):
            update(done, 5)
            assert threading.active_count() == before
        if before == 1:
            assert can_fork()
    drawn = capsys.readouterr().err
    assert "Monte Carlo" in drawn
    assert "5/5" in drawn


def test_progress_bar_off_a_terminal_draws_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "0")
    with progress_bar("Monte Carlo") as update:
        update(1, 2)
    assert capsys.readouterr().err == ""
