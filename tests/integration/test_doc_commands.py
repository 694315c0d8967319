"""Every shell command in README.md and docs/ runs, with its expected exit code (issue 17).

The convention (docs/cli.md, "Commands in the docs are tested"):

* Fenced blocks marked ``sh``, ``bash``, ``console`` or ``shell``, and unmarked ones, are read;
  a line starting with ``accord `` or ``make `` (after an optional ``$ ``) is a command, a line
  ending in ``\\`` continues on the next, `` # ...`` is a comment, ``NAME=VALUE`` lines set a
  variable the later lines use as ``$NAME``, and ``*`` globs expand as the shell would.
* A command is run through ``accord.cli.main`` with a time limit, in a fresh folder per page
  holding the repository's ``scenarios/`` and ``tests/data/`` (so outputs land there), in page
  order (a page's later commands may read what its earlier ones wrote). It must exit 0.
* A synopsis (a line with placeholders such as ``FILE``, ``SCENARIO`` or ``[--draws N]``) is
  not run: its command must exist and accept every option it names (``--help``).
* In the suite, counts are capped so that the pages run in a minute rather than a quarter of an
  hour (:func:`suite_form`): ``--runs``, ``--draws`` and ``-n`` at most :data:`CAP`, ``accord
  report`` with ``--draws CAP``, and ``accord backtest deu`` with the compromise model only
  and ``--replicates 10*CAP`` bootstrap replicates (every documented option still runs). ``ACCORD_DOC_COMMANDS=full`` runs them as written.
* ``<!-- doc-test: skip PREFIX (why) -->`` anywhere on a page skips the commands starting with
  PREFIX there, and ``<!-- doc-test: exit N PREFIX -->`` expects exit code N (e.g. a command
  shown failing on purpose). Skips are listed in :data:`EXPECTED_SKIPS` so none goes unseen.
"""

from __future__ import annotations

import glob
import os
import re
import shlex
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
SHELLS = ("", "sh", "bash", "console", "shell")
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.M | re.S)
MARK = re.compile(r"<!--\s*doc-test:\s*(skip|exit\s+(\d+))\s+(.+?)\s*-->")
PLACEHOLDER = re.compile(r"\b(FILE|SCENARIO|SHEET|DIR|OUT|ID|NAME|N|S|M|R|K|RATIO)\b|\[")
#: Seconds one documented command may take (the slowest, the report, takes about 10 s alone).
LIMIT = 120

#: The largest count a documented command runs with in the suite (see :func:`suite_form`).
CAP = 20
FULL = os.environ.get("ACCORD_DOC_COMMANDS") == "full"

#: Every skip the pages declare, so that a new one is a visible change to this test.
EXPECTED_SKIPS = {
    ("README.md", "make demo"),
    ("README.md", "make test"),
    ("README.md", "accord serve"),
    ("docs/web.md", "accord serve"),
    ("docs/storage.md", "accord wargame run scenarios/taiwan-strait --runs 500 --db postgresql"),
}


@dataclass(frozen=True)
class Command:
    """One documented command: its page, line, words, expected exit code, and whether it is a
    synopsis (checked against ``--help``) rather than a command to run."""

    page: str
    line: int
    words: tuple[str, ...]
    code: int
    synopsis: bool

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {shlex.join(self.words)}"


def _marks(text: str) -> tuple[list[str], dict[str, int]]:
    skips, exits = [], {}
    for m in MARK.finditer(text):
        prefix = m.group(3).split(" (")[0].strip()
        if m.group(1) == "skip":
            skips.append(prefix)
        else:
            exits[prefix] = int(m.group(2))
    return skips, exits


def _lines(body: str, first: int) -> Iterator[tuple[int, str]]:
    """(line number, logical line) of a block: continuations joined, comments cut."""
    pending, start = "", first
    for k, raw in enumerate(body.splitlines()):
        line = raw.strip()
        if not pending:
            start = first + k
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        line = re.sub(r"\s+", " ", re.sub(r"\s+#.*$", "", line)).strip()
        if line.startswith("$ "):
            line = line[2:]
        if line:
            yield start, line


def page_commands(page: Path, root: Path = ROOT) -> tuple[list[Command], list[str]]:
    """The commands of ``page`` in order, and the skip prefixes that skipped some."""
    text = page.read_text(encoding="utf-8")
    rel = page.relative_to(root).as_posix()
    skips, exits = _marks(text)
    found: list[Command] = []
    skipped: list[str] = []
    for fence in FENCE.finditer(text):
        if fence.group(1) not in SHELLS:
            continue
        first = text.count("\n", 0, fence.start(2)) + 1
        env: dict[str, str] = {}
        for number, line in _lines(fence.group(2), first):
            assign = re.fullmatch(r"([A-Z_]+)=(\S+)", line)
            if assign:
                env[assign.group(1)] = assign.group(2)
                continue
            if not line.startswith(("accord ", "make ")):
                continue
            for name, value in env.items():
                line = line.replace(f"${name}", value)
            skip = next((p for p in skips if line.startswith(p)), None)
            if skip is not None:
                skipped.append(skip)
                continue
            code = next((c for p, c in exits.items() if line.startswith(p)), 0)
            words = tuple(shlex.split(line))
            found.append(Command(rel, number, words, code, bool(PLACEHOLDER.search(line))))
    return found, skipped


ALL = [(page, page_commands(page)) for page in PAGES]
TESTED = [(page, cmds) for page, (cmds, _) in ALL if cmds]


def test_the_pages_hold_commands_and_declare_every_skip() -> None:
    runnable = [c for _, cmds in TESTED for c in cmds if not c.synopsis]
    assert len(runnable) >= 40  # the README tour and the guides
    assert any(c.page == "README.md" for c in runnable)
    declared = {
        (page.relative_to(ROOT).as_posix(), prefix) for page, (_, skips) in ALL for prefix in skips
    }  # a skip that matches nothing is not listed, so stale skips show up here too
    assert declared == EXPECTED_SKIPS
    make = [c for _, cmds in TESTED for c in cmds if c.words[0] == "make"]
    assert make == [], f"a make target is documented but not tested or skipped: {make}"


def test_the_convention_reads_continuations_variables_marks_and_synopses(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- doc-test: skip accord serve (a server) -->\n"
        "<!-- doc-test: exit 2 accord validate missing -->\n"
        "```sh\nJN=a.yaml\naccord validate $JN   # ok\naccord serve\n"
        "accord wargame branch x.json --at 3 \\\n    --set a=1\n"
        "$ accord validate missing.yaml\n```\n"
        "```python\naccord validate nothing\n```\n"
        "```\naccord report FILE -o DIR [--draws N]\n```\n",
        encoding="utf-8",
    )
    commands, skipped = page_commands(page, tmp_path)
    assert [(c.line, c.words, c.code, c.synopsis) for c in commands] == [
        (5, ("accord", "validate", "a.yaml"), 0, False),
        (7, ("accord", "wargame", "branch", "x.json", "--at", "3", "--set", "a=1"), 0, False),
        (9, ("accord", "validate", "missing.yaml"), 2, False),
        (15, ("accord", "report", "FILE", "-o", "DIR", "[--draws", "N]"), 0, True),
    ]
    assert skipped == ["accord serve"]


@contextmanager
def time_limit(seconds: int, what: str) -> Iterator[None]:
    """Fail the test when the block runs longer than ``seconds`` (SIGALRM, main thread)."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"{what} took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_accord(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run ``accord ARGS`` through the real entry point: (exit code, stdout + stderr)."""
    from accord.cli import main

    saved = sys.argv
    sys.argv = ["accord", *args]
    capsys.readouterr()
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = saved
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _expand(words: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for word in words:
        matches = sorted(glob.glob(word)) if any(ch in word for ch in "*?") else []
        out.extend(matches or [word])
    return out


def suite_form(args: list[str]) -> list[str]:
    """``args`` with the suite's caps (module docstring); unchanged with ``ACCORD_DOC_COMMANDS=full``."""
    if FULL:
        return args
    out = list(args)
    for k, word in enumerate(out[:-1]):
        if word in ("--runs", "--draws", "-n") and out[k + 1].isdigit():
            out[k + 1] = str(min(int(out[k + 1]), CAP))
    if out[:1] == ["report"] and not {"--draws", "-n"} & set(out):
        out += ["--draws", str(CAP)]
    if out[:2] == ["backtest", "deu"]:
        for k, word in enumerate(out[:-1]):
            if word in ("-m", "--model", "--models"):
                out[k + 1] = "compromise"
        if not {"-m", "--model", "--models"} & set(out):
            out += ["-m", "compromise"]
        if "--replicates" not in out:
            out += ["--replicates", str(10 * CAP)]
    return out


def _check_synopsis(command: Command, capsys: pytest.CaptureFixture[str]) -> None:
    words = [w for w in command.words[1:] if not PLACEHOLDER.fullmatch(w.strip("[]."))]
    path = []
    for word in words:
        if word.startswith(("-", "[")) or not re.fullmatch(r"[a-z][a-z-]*", word):
            break
        path.append(word)
    code, text = run_accord([*path, "--help"], capsys)
    assert code == 0, f"{command}: `accord {' '.join(path)} --help` exits {code}: {text}"
    for option in re.findall(r"(--[a-z][a-z-]*)", " ".join(command.words)):
        assert option in text, f"{command}: `accord {' '.join(path)}` has no option {option}"


@pytest.mark.parametrize(
    "commands", [cmds for _, cmds in TESTED], ids=[c[0].page for _, c in TESTED]
)
def test_documented_commands_run(
    commands: list[Command], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    (tmp_path / "tests" / "data").symlink_to(ROOT / "tests" / "data")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for command in commands:
            if command.synopsis:
                _check_synopsis(command, capsys)
                continue
            with time_limit(LIMIT, str(command)):
                code, text = run_accord(suite_form(_expand(command.words[1:])), capsys)
            assert code == command.code, f"{command} exits {code}, not {command.code}:\n{text}"
    finally:
        os.chdir(cwd)


def test_suite_form_caps_counts_and_keeps_every_option() -> None:
    if FULL:
        pytest.skip("ACCORD_DOC_COMMANDS=full runs the commands as written")
    assert suite_form(["wargame", "run", "x", "--runs", "1000", "--jobs", "2"]) == [
        "wargame", "run", "x", "--runs", "20", "--jobs", "2",
    ]  # fmt: skip
    assert suite_form(["montecarlo", "x", "-n", "5"]) == ["montecarlo", "x", "-n", "5"]
    assert suite_form(["report", "x", "-o", "r"]) == ["report", "x", "-o", "r", "--draws", "20"]
    assert suite_form(["backtest", "deu", "f", "-m", "compromise,median", "--rule-aware"]) == [
        "backtest", "deu", "f", "-m", "compromise", "--rule-aware", "--replicates", "200",
    ]  # fmt: skip
    assert suite_form(["backtest", "deu", "f"])[3:] == ["-m", "compromise", "--replicates", "200"]
