"""Hostile inputs (issue 15): every refusal is exit 2 with one clean line naming the file and
saying what was expected; big inputs are bounded; one failing model never sinks the others."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

import accord
from accord.errors import AccordError, ScenarioError, UsageError
from accord.scenario import io
from tests.conftest import CliResult

DATA = Path(__file__).parents[1] / "data"
SMALL = DATA / "scenarios" / "small.yaml"
SMALL_TEXT = SMALL.read_text(encoding="utf-8")
BDM_HEADER = "Actor,Capability,Position,Salience\n"

Run = Callable[..., CliResult]


def refused(result: CliResult, name: str | None = None) -> str:
    """Assert a clean refusal: exit 2, one line on stderr, naming ``name``, with 'expected'."""
    assert result.code == 2, (result.code, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("error: "), line
    assert "Traceback" not in line and "internal error" not in line
    assert "(expected " in line, line
    if name is not None:
        assert name in line, line
    return line


def write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def bdm_csv(tmp_path: Path, rows: str, name: str = "three.csv", header: str = BDM_HEADER) -> Path:
    return write(tmp_path, header + rows, name)


# --------------------------------------------------------------------------- files read


def test_dev_zero_is_refused_at_once(run_cli: Run) -> None:
    line = refused(run_cli("forecast", "/dev/zero", "-m", "compromise"))
    assert "not a regular file" in line


def test_a_fifo_is_refused_without_blocking(run_cli: Run, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    line = refused(run_cli("validate", fifo), "pipe.yaml")
    assert "FIFO" in line


def test_a_file_over_the_size_limit(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCORD_MAX_FILE_MB", "1")
    path = write(tmp_path, "# " + "x" * (1024 * 1024 + 10) + "\n", "big.yaml")
    line = refused(run_cli("validate", path), "big.yaml")
    assert "ACCORD_MAX_FILE_MB" in line  # says how to raise it


# ------------------------------------------------------------------------- one line


def test_nul_byte_gives_one_line_with_the_line_number(run_cli: Run, tmp_path: Path) -> None:
    path = write(tmp_path, SMALL_TEXT.replace("title: A small", "title: A \x00small"), "nul.yaml")
    line = refused(run_cli("validate", path), "nul.yaml")
    assert "nul.yaml:4" in line and "\\x00" in line


def test_long_errors_are_not_wrapped(run_cli: Run, tmp_path: Path) -> None:
    long_id = "x" * 300
    path = write(tmp_path, SMALL_TEXT.replace("- actor: us", f"- actor: {long_id}", 1), "l.yaml")
    line = refused(run_cli("validate", path), "l.yaml")
    assert len(line) > 120


def test_control_characters_are_escaped(run_cli: Run, tmp_path: Path) -> None:
    path = bdm_csv(tmp_path, "a\x1b[31m,1,4,0.5\n", "esc.csv")
    line = refused(run_cli("validate", path), "esc.csv")
    assert "\x1b" not in line


def test_typer_usage_errors_are_one_line(run_cli: Run) -> None:
    line = refused(run_cli("forecast", SMALL, "--seed", "many"))
    assert "--seed" in line
    refused(run_cli("forecast"))


# ------------------------------------------------------------------------------ seeds


def test_negative_seed_is_refused(run_cli: Run) -> None:
    assert "--seed" in refused(run_cli("forecast", SMALL, "--seed", "-1", "-m", "compromise"))
    assert "--seed" in refused(
        run_cli("montecarlo", SMALL, "--seed", "-1", "-n", "5", "-m", "compromise")
    )


def test_rounds_over_the_limit_are_refused(run_cli: Run) -> None:
    line = refused(run_cli("forecast", SMALL, "-m", "bdm", "--param", "bdm.rounds=20000000"))
    assert "ACCORD_MAX_ROUNDS" in line


# ------------------------------------------------------------------ per-model reports


def test_one_failing_model_does_not_sink_the_others(run_cli: Run, tmp_path: Path) -> None:
    # every salience 0: bdm and smp have no one who cares; the weighted means still answer
    path = bdm_csv(tmp_path, "a,1,4,0\nb,1,5,0\n", "zero.csv")
    table = run_cli("forecast", path)
    assert table.code == 0, table.stderr
    assert "bdm" in table.stdout and "error" in table.stdout
    result = run_cli("forecast", path, "-f", "json")
    assert result.code == 0
    forecasts = json.loads(result.stdout)["issues"][0]["forecasts"]
    failed = [f for f in forecasts if "error" in f]
    assert sorted(f["model"] for f in failed) == ["bdm", "smp"]
    assert all(set(f) == {"model", "error"} for f in failed)
    assert len(forecasts) == len(accord.model_names())
    # the one model asked for fails: exit 2 with its error, naming the file
    refused(run_cli("forecast", path, "-m", "bdm"), "zero.csv")
    refused(run_cli("forecast", path, "-m", "bdm,smp"), "zero.csv")


@pytest.mark.parametrize(
    "text",
    [
        BDM_HEADER + "a,1,4,0.5\nb,1,5,0.5\nc,1,6,0.5\n",
        ("\ufeff" + BDM_HEADER + "a,1,4,0.5\nb,1,5,0.5\nc,1,6,0.5\n").replace("\n", "\r\n"),
        BDM_HEADER + '"Smith, John",1,4,0.5\nb,2,5,0.5\nc,1,6,0.4\n',
    ],
    ids=["positions-4-5-6", "bom-crlf", "quoted-comma"],
)
def test_degenerate_csv_answers_from_every_model(run_cli: Run, tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text, "deg.csv")
    result = run_cli("forecast", path, "-f", "json")
    assert result.code == 0, result.stderr
    forecasts = json.loads(result.stdout)["issues"][0]["forecasts"]
    assert {f["model"] for f in forecasts} == set(accord.model_names())


# ------------------------------------------------------------------------ strict numbers


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("position: {value: 100, source", "position: {value: true, source", "true"),
        ("position: {value: 100, source", 'position: {value: "50", source', "'50'"),
        ("position: {value: 100, source", "position: {value: .nan, source", "finite"),
        ("capability: {value: 45,", "capability: {value: .inf,", "finite"),
        ("capability: {value: 45,", "capability: {value: 1e308,", "1e308"),
        ("capability: {value: 45,", "capability: {value: 1.0e+308,", "out of range"),
        ("accord: 1", "accord: 999", "999"),
        ("accord: 1", "accord: true", "true"),
    ],
)
def test_strict_numbers_in_yaml(
    run_cli: Run, tmp_path: Path, old: str, new: str, needle: str
) -> None:
    assert old in SMALL_TEXT
    path = write(tmp_path, SMALL_TEXT.replace(old, new, 1), "num.yaml")
    line = refused(run_cli("validate", path), "num.yaml:")
    assert needle in line


@pytest.mark.parametrize(
    ("rows", "needle"),
    [
        ("a,1_000,4,0.5\nb,1,5,0.5\n", "1_000"),
        ("a,1,4,0.5,,\nb,1,5,0.5,,\n", "empty column"),
        ("a,1,4,0.5\nb,1,5,0.5\nc,1,inf,0.5\n", "inf"),
        ("a,1,4,0.5\nb,0x10,5,0.5\n", "0x10"),
        ("a,1,4,0.5\nb,1e400,5,0.5\n", "1e400"),
    ],
)
def test_csv_numbers_as_the_format_defines_them(
    run_cli: Run, tmp_path: Path, rows: str, needle: str
) -> None:
    path = bdm_csv(tmp_path, rows, "nums.csv")
    line = refused(run_cli("validate", path), "nums.csv:")
    assert needle in line


def test_header_only_deu_file_is_refused(run_cli: Run, tmp_path: Path) -> None:
    header = (DATA / "deu" / "deu3_dev.tsv").read_text(encoding="utf-8").splitlines()[0]
    path = write(tmp_path, header + "\n", "empty.tsv")
    refused(run_cli("validate", path), "empty.tsv")


def test_one_actor_and_zero_saliences_name_the_file(run_cli: Run, tmp_path: Path) -> None:
    refused(run_cli("validate", bdm_csv(tmp_path, "a,1,4,0.5\n", "one.csv")), "one.csv")
    zero = bdm_csv(tmp_path, "a,1,4,0\nb,1,5,0\n", "zero.csv")
    for model in ("all", *accord.model_names()):
        result = run_cli("forecast", zero, "-m", model)
        if result.code != 0:
            refused(result, "zero.csv")


def test_dtd_is_refused_by_name(run_cli: Run, tmp_path: Path) -> None:
    text = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n<Scenario></Scenario>\n'
    line = refused(run_cli("validate", write(tmp_path, text, "dtd.xml")), "dtd.xml")
    assert "DTD" in line


def test_rule_quota_and_range_errors_say_expected(run_cli: Run, tmp_path: Path) -> None:
    refused(run_cli("forecast", SMALL, "--rule", "qualified-majority:1.5", "-m", "compromise"))
    path = write(tmp_path, SMALL_TEXT.replace("lo: 0\n", "lo: 200\n", 1), "lohi.yaml")
    refused(run_cli("validate", path), "lohi.yaml")


# ---------------------------------------------------------------------------- outputs


def test_output_onto_a_symlink_to_a_device_is_refused(run_cli: Run, tmp_path: Path) -> None:
    link = tmp_path / "out.yaml"
    link.symlink_to("/dev/full")
    line = refused(run_cli("export", SMALL, "--to", "yaml", "-o", link), "out.yaml")
    assert "device" in line
    assert link.is_symlink() and os.readlink(link) == "/dev/full"


def test_output_through_a_symlink_keeps_the_link_and_the_mode(run_cli: Run, tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text("old\n", encoding="utf-8")
    real.chmod(0o600)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    assert run_cli("export", SMALL, "--to", "yaml", "-o", link).code == 0
    assert link.is_symlink() and "small-alliance" in real.read_text(encoding="utf-8")
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


def test_output_into_a_missing_folder_names_the_target(run_cli: Run, tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "out.yaml"
    line = refused(run_cli("export", SMALL, "--to", "yaml", "-o", target), "out.yaml")
    assert ".tmp" not in line and "does not exist" in line


# -------------------------------------------------------------------------------- API


@pytest.mark.parametrize(
    "call",
    [
        lambda s: accord.forecast(s, seed=-1),
        lambda s: accord.forecast(s, seed="x"),
        lambda s: accord.forecast(s, model=None),
        lambda s: accord.forecast(s, model=["compromise", 3]),
        lambda s: accord.forecast(s, params={"bdm": 5}),
        lambda s: accord.forecast("not a scenario"),
        lambda s: accord.forecast(s, issues=["nope"]),
        lambda s: accord.load(None),
        lambda s: accord.load(b"accord: 1"),
        lambda s: accord.load("/no/such/file.yaml"),
        lambda s: accord.save(s, "/no/such/folder/out.yaml"),
        lambda s: accord.save("x", "out.yaml"),
    ],
)
def test_api_raises_accord_errors(call: Callable[[object], object]) -> None:
    scenario = accord.load(SMALL)
    with pytest.raises(AccordError) as info:
        call(scenario)
    assert isinstance(info.value, UsageError | ScenarioError)
    assert "\n" not in str(info.value) and info.value.expected


def test_api_issues_accepts_a_string() -> None:
    scenario = accord.load(SMALL)
    result = accord.forecast(scenario, "compromise", issues="office")
    assert [i.issue_id for i in result.issues] == ["office"]


def test_api_messages_match_the_cli(run_cli: Run) -> None:
    with pytest.raises(UsageError) as info:
        accord.forecast(accord.load(SMALL), "compromise", seed=-1)
    cli = run_cli("forecast", SMALL, "-m", "compromise", "--seed", "-1")
    expected = f"error: {info.value}".replace("field 'seed'", "small.yaml, field '--seed'")
    assert cli.stderr.strip() == expected


# --------------------------------------------------------------------------- limits


def test_actor_limit_says_how_to_raise_it(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCORD_MAX_ACTORS", "3")
    path = bdm_csv(tmp_path, "".join(f"a{i},1,{i},0.5\n" for i in range(5)), "many.csv")
    line = refused(run_cli("validate", path), "many.csv")
    assert "ACCORD_MAX_ACTORS" in line


def test_memory_budget_is_checked_before_allocating(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCORD_MEMORY_MB", "1")
    path = bdm_csv(tmp_path, "".join(f"a{i},1,{i},0.5\n" for i in range(300)), "mem.csv")
    line = refused(run_cli("forecast", path, "-m", "bdm"))
    assert "ACCORD_MEMORY_MB" in line


def test_io_load_of_io_error_is_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError):
        io.load(tmp_path)


def test_draws_over_the_limit_point_to_sweep(run_cli: Run) -> None:
    line = refused(run_cli("montecarlo", SMALL, "-n", "2000000", "-m", "compromise"))
    assert "ACCORD_MAX_DRAWS" in line and "accord sweep" in line
