"""More hostile inputs (issue 15, the ones kept back): digits of other scripts and ``1_000`` in
every importer, numbers too long to read, alias bombs, deep nesting, other encodings, oversized
CSV fields and padding. Each refusal is exit 2 with one line naming the file; each accepted
input answers from every model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import accord
from tests.unit.test_hostile import BDM_HEADER, SMALL_TEXT, Run, refused, write

DATA = Path(__file__).parents[1] / "data"
ROOT = Path(__file__).parents[2]


def _mutated(source: Path, old: str, new: str) -> str:
    text = source.read_text(encoding="utf-8")
    assert old in text, (source, old)
    return text.replace(old, new, 1)


@pytest.mark.parametrize("bad", ["\u0661\u0660\u0662", "1_02.5", "0x66", "nan"])
@pytest.mark.parametrize(
    ("source", "old", "name"),
    [
        (DATA / "ktab" / "dummyData_3Dim.csv", "102.543", "ktab.csv"),
        (DATA / "ktab" / "smpExample.xml", "<capability>117.7<", "ktab.xml"),
        (DATA / "stokman" / "copenhagen.csv", "'#M'\t'Newtreaty'\t100", "decide.csv"),
    ],
    ids=["ktab-csv", "ktab-xml", "decide"],
)
def test_every_importer_reads_numbers_as_its_format_writes_them(
    run_cli: Run, tmp_path: Path, source: Path, old: str, name: str, bad: str
) -> None:
    """Python's float() reads '١٠٢' (Arabic-Indic digits) as 102 and '1_02.5' as 102.5; no
    format writes numbers so, so every importer refuses them with the line."""
    if name == "ktab.xml":
        new = f"<capability>{bad}<"
    elif name == "decide.csv":
        new = f"'#M'\t'Newtreaty'\t{bad}"
    else:
        new = bad
    path = write(tmp_path, _mutated(source, old, new), name)
    line = refused(run_cli("validate", path), name)
    # '0x66' in the KTAB CSV's first actor row already fails the format's detection
    assert bad in line or "not a number" in line or "cannot tell the file's format" in line


def test_bdm_csv_refuses_digits_of_other_scripts(run_cli: Run, tmp_path: Path) -> None:
    path = write(tmp_path, BDM_HEADER + "a,\u0661\u0662,4,0.5\nb,1,5,0.5\n", "arabic.csv")
    assert "\u0661\u0662" in refused(run_cli("validate", path), "arabic.csv:2")


def test_deu_refuses_a_number_with_an_underscore(run_cli: Run, tmp_path: Path) -> None:
    lines = (DATA / "deu" / "deu3_dev.tsv").read_text(encoding="utf-8").splitlines()
    cells = lines[1].split("\t")
    at = next(i for i, c in enumerate(cells) if i > 12 and c == "100")
    cells[at] = "1_00"
    path = write(tmp_path, "\n".join([lines[0], "\t".join(cells), *lines[2:40]]) + "\n", "d.tsv")
    assert "1_00" in refused(run_cli("validate", path), "d.tsv:2")


def test_a_number_too_long_to_read_is_refused_with_its_line(run_cli: Run, tmp_path: Path) -> None:
    """A 5,000-digit integer made Python's int() raise ValueError inside the YAML loader
    (an internal error, exit 1); now it is refused by length, in scenarios and war games."""
    huge = "1" + "0" * 5000
    path = write(
        tmp_path,
        SMALL_TEXT.replace("capability: {value: 45,", f"capability: {{value: {huge},", 1),
        "huge.yaml",
    )
    line = refused(run_cli("validate", path), "huge.yaml:")
    assert "5,001 characters" in line and "capability" in line
    game = (ROOT / "scenarios" / "wargame-tiny.yaml").read_text(encoding="utf-8")
    assert "hi: 5\n" in game
    path = write(tmp_path, game.replace("hi: 5\n", f"hi: {huge}\n", 1), "hugegame.yaml")
    refused(run_cli("validate", path), "hugegame.yaml:")


def test_an_alias_bomb_is_refused_quickly(run_cli: Run, tmp_path: Path) -> None:
    text = SMALL_TEXT + '\nnotes: &n0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]\n'
    text += "".join(f"n{i}: &n{i} [{', '.join([f'*n{i - 1}'] * 10)}]\n" for i in range(1, 9))
    path = write(tmp_path, text, "laughs.yaml")  # 10^9 values from 3 KB
    assert "aliases" in refused(run_cli("validate", path), "laughs.yaml")


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "a:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(3000)),
    ],
    ids=["flow", "block"],
)
def test_deep_nesting_is_refused(run_cli: Run, tmp_path: Path, text: str) -> None:
    refused(run_cli("validate", write(tmp_path, text, "deep.yaml")), "deep.yaml")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "latin-1"])
def test_other_encodings_are_refused(run_cli: Run, tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "enc.yaml"
    path.write_bytes(SMALL_TEXT.replace("title:", "title: Jos\u00e9", 1).encode(encoding))
    assert "UTF-8" in refused(run_cli("validate", path), "enc.yaml")


def test_an_oversized_csv_field_is_refused(run_cli: Run, tmp_path: Path) -> None:
    text = BDM_HEADER + "a" * 200_000 + ",1,4,0.5\nb,1,5,0.5\n"
    refused(run_cli("validate", write(tmp_path, text, "wide.csv")), "wide.csv")


def test_a_csv_padded_with_blank_lines_answers_from_every_model(
    run_cli: Run, tmp_path: Path
) -> None:
    text = BDM_HEADER + "\n" * 20_000 + "a,1,40,0.5\n\n\nb,2,60,0.4\nc,1,55,0.9\n" + "\n" * 20_000
    result = run_cli("forecast", write(tmp_path, text, "padded.csv"), "-f", "json")
    assert result.code == 0, result.stderr
    forecasts = json.loads(result.stdout)["issues"][0]["forecasts"]
    assert len(forecasts) == len(accord.model_names())
    assert not [f for f in forecasts if "error" in f]
