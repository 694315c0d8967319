"""Bad panel sheets: one clear line naming the sheet, the row and what was expected; exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import DATA, ROOT, CliResult
from tests.unit.test_panel_merge import edit_csv

SMALL = DATA / "scenarios" / "small.yaml"


@pytest.fixture
def sheet(tmp_path: Path, run_cli: Callable[..., CliResult]) -> Path:
    r = run_cli("panel", "template", SMALL, "-o", tmp_path, "-e", "a")
    assert r.code == 0
    return tmp_path / "a.csv"


def flat(text: str) -> str:
    return " ".join(text.split())


def refused(run_cli: Callable[..., CliResult], *sheets: Path) -> str:
    r = run_cli("panel", "merge", SMALL, *sheets, "-o", sheets[0].parent / "out.yaml")
    assert r.code == 2, r.stdout
    assert "Traceback" not in r.stderr
    assert r.stderr.count("error:") == 1
    assert not (sheets[0].parent / "out.yaml").exists()  # nothing half-written
    return flat(r.stderr)


def test_unknown_actor_is_one_line_naming_sheet_and_line(sheet: Path) -> None:
    text = sheet.read_text(encoding="utf-8").replace("a,de,office", "a,xx,office", 1)
    sheet.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("a,xx,"))
    env = dict(os.environ, COLUMNS="400", PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "accord.cli",
            "panel",
            "merge",
            str(SMALL),
            str(sheet),
            "-o",
            str(sheet.parent / "out.yaml"),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"error: {sheet}:{line}, field 'actor': unknown actor 'xx'")
    assert "expected one of us, fr, de, jp" in lines[0]


def test_position_outside_the_scale(sheet: Path, run_cli: Callable[..., CliResult]) -> None:
    edit_csv(sheet, {("fr", "office", "scope"): {"position": "120"}})
    msg = refused(run_cli, sheet)
    assert f"{sheet}:4, field 'position': 120 is outside the scale of 'office/scope'" in msg
    assert "(expected a number in 0..100)" in msg


def test_salience_outside_unit_interval(sheet: Path, run_cli: Callable[..., CliResult]) -> None:
    edit_csv(sheet, {("de", "cooperation", "space"): {"salience": "40"}})
    msg = refused(run_cli, sheet)
    assert f"{sheet}:12, field 'salience': 40 is outside 0..1 (expected a salience in 0..1)" in msg


def test_text_in_a_csv_number(sheet: Path, run_cli: Callable[..., CliResult]) -> None:
    edit_csv(sheet, {("us", "office", "scope"): {"capability": "lots"}})
    msg = refused(run_cli, sheet)
    assert f"{sheet}:3, field 'capability': 'lots' is not a number (expected a number)" in msg


def test_duplicate_expert_and_row(sheet: Path, run_cli: Callable[..., CliResult]) -> None:
    copy = sheet.with_name("again.csv")
    copy.write_text(sheet.read_text(encoding="utf-8"), encoding="utf-8")
    msg = refused(run_cli, sheet, copy)
    assert f"{copy}:3: expert 'a' answers us/office/scope twice (also at {sheet}:3)" in msg
    assert "expected one row per expert, actor, issue and dimension" in msg
    lines = sheet.read_text(encoding="utf-8").splitlines()
    sheet.write_text("\n".join([*lines, lines[2]]) + "\n", encoding="utf-8")
    msg = refused(run_cli, sheet)
    assert f"{sheet}:{len(lines) + 1}: expert 'a' answers us/office/scope twice" in msg


def test_empty_sheets(sheet: Path, run_cli: Callable[..., CliResult]) -> None:
    sheet.write_text("", encoding="utf-8")
    msg = refused(run_cli, sheet)
    assert f"{sheet}:1: the sheet is empty" in msg
    lines = sheet.parent.joinpath("a.xlsx")  # still there; make a CSV with header, no rows
    text = "# accord panel sheet for scenario small-alliance\n" + (
        "expert,actor,issue,dimension,position,salience,capability,confidence,note\n"
    )
    sheet.write_text(text, encoding="utf-8")
    msg = refused(run_cli, sheet)
    assert f"{sheet}:2: the sheet has no answers (expected at least one filled row)" in msg
    assert lines.exists()


def test_sheet_for_another_scenario(sheet: Path, run_cli: Callable[..., CliResult]) -> None:
    text = sheet.read_text(encoding="utf-8").replace("small-alliance", "japan-nato", 1)
    sheet.write_text(text, encoding="utf-8")
    msg = refused(run_cli, sheet)
    assert f"{sheet}:1: this sheet is for scenario 'japan-nato', not 'small-alliance'" in msg


def test_wrong_columns(sheet: Path, run_cli: Callable[..., CliResult]) -> None:
    text = sheet.read_text(encoding="utf-8").replace("salience,capability", "capability,salience")
    sheet.write_text(text, encoding="utf-8")
    msg = refused(run_cli, sheet)
    assert f"{sheet}:2: the columns are" in msg and "in this order" in msg


def test_xlsx_formula_and_text(sheet: Path, run_cli: Callable[..., CliResult]) -> None:
    from openpyxl import load_workbook

    book = sheet.with_suffix(".xlsx")
    wb = load_workbook(book)
    wb["answers"]["E4"] = "=10+5"
    wb.save(book)
    msg = refused(run_cli, book)
    assert f"{book}[answers]:4, field 'position': the cell holds a formula '=10+5'" in msg
    assert "(expected a value, not a formula)" in msg
    wb = load_workbook(book)
    wb["answers"]["E4"] = 15
    wb["answers"]["F5"] = "0.4"  # a number typed as text
    wb.save(book)
    msg = refused(run_cli, book)
    assert f"{book}[answers]:5, field 'salience': the cell holds text '0.4'" in msg
    assert "(expected a number (a value, not text))" in msg


def test_xlsx_for_another_scenario(sheet: Path, run_cli: Callable[..., CliResult]) -> None:
    from openpyxl import load_workbook

    book = sheet.with_suffix(".xlsx")
    wb = load_workbook(book)
    wb["README"]["A1"] = "# accord panel sheet for scenario other"
    wb.save(book)
    msg = refused(run_cli, book)
    assert f"{book}:1: this sheet is for scenario 'other', not 'small-alliance'" in msg


def test_two_capabilities_for_one_actor(sheet: Path, run_cli: Callable[..., CliResult]) -> None:
    edit_csv(sheet, {("fr", "cooperation", "cyber"): {"capability": "55"}})
    msg = refused(run_cli, sheet)
    assert "expert 'a' gives fr capability 55, but 40 at" in msg


def test_bad_template_arguments(tmp_path: Path, run_cli: Callable[..., CliResult]) -> None:
    r = run_cli("panel", "template", SMALL, "-o", tmp_path / "x", "--issue", "nope")
    assert r.code == 2 and "has no issue 'nope'" in flat(r.stderr)
    assert not (tmp_path / "x").exists()
    r = run_cli("panel", "template", SMALL, "-o", tmp_path / "x", "-e", "bad name")
    assert r.code == 2 and "expert id 'bad name' is not valid" in flat(r.stderr)
    r = run_cli("panel", "merge", SMALL, tmp_path / "x.ods", "-o", tmp_path / "o.yaml")
    assert r.code == 2 and "expected a .csv or .xlsx sheet" in flat(r.stderr)
