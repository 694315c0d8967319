"""Format detection, load/load_all/import_file/save, and round trips over every importer."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.errors import ScenarioError, UsageError
from accord.scenario import io, yaml_io
from accord.scenario.schema import Scenario
from accord.scenario.validate import check

DATA = Path(__file__).parents[1] / "data"
SMALL = DATA / "scenarios" / "small.yaml"
DEU = DATA / "deu" / "deu3_dev.tsv"

EXPECTED_FORMAT = {
    "scenarios/small.yaml": "yaml",
    "scenarios/smpExample-fixed.xml": "ktab-xml",
    "ktab/smpExample.xml": "ktab-xml",
    "ktab/dummyData_3Dim.csv": "ktab-csv",
    "ktab/dummyData_3Dim-no-final-comma.csv": "ktab-csv",
    "ktab/SOE-Pol-Comp.csv": "ktab-csv",
    "bdm/emission_standards.csv": "bdm-csv",
    "bdm/sultan.csv": "bdm-csv",
    "deu/deu3_dev.tsv": "deu-tsv",
    "stokman/cop21.csv": "decide",
    "stokman/sample_data.txt": "decide",
}

#: Every shipped input that must import cleanly (the upstream smpExample.xml has a blank value).
IMPORTABLE = [
    *sorted((DATA / "ktab").glob("*.csv")),
    *sorted((DATA / "bdm").glob("*.csv")),
    *sorted((DATA / "stokman").glob("*.csv")),
    DATA / "stokman" / "sample_data.txt",
    DATA / "scenarios" / "smpExample-fixed.xml",
    SMALL,
]


@pytest.mark.parametrize(("name", "fmt"), sorted(EXPECTED_FORMAT.items()))
def test_detect_format(name: str, fmt: str) -> None:
    text = (DATA / name).read_text(encoding="utf-8-sig")
    assert io.detect_format(text, name) == fmt


def test_formats_lists_every_importer() -> None:
    assert io.formats() == ["ktab-xml", "ktab-csv", "bdm-csv", "deu-tsv", "decide", "yaml"]


def test_unknown_content_names_the_formats_tried() -> None:
    with pytest.raises(ScenarioError) as info:
        io.detect_format("\x00\x01binary,stuff;here\n", "odd.bin")
    err = info.value
    assert err.location.file == "odd.bin" and err.location.line == 1
    assert "cannot tell the file's format" in err.message
    assert err.expected is not None
    for fmt in io.formats():
        assert fmt in err.expected


def test_ambiguous_content_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def claims_all(text: str) -> bool:
        return True

    fakes = [
        io.Format(name, "fake", claims_all, lambda t, s: [], lambda s, i=None: "")
        for name in ("one", "two")
    ]
    monkeypatch.setattr(io, "importers", lambda: fakes)
    with pytest.raises(ScenarioError) as info:
        io.detect_format("anything", "x.txt")
    assert "fits several formats (one, two)" in info.value.message


def test_a_failing_sniff_counts_as_no(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> bool:
        raise IndexError("oops")

    fakes = [io.Format("bad", "fake", broken, lambda t, s: [], lambda s, i=None: "")]
    monkeypatch.setattr(io, "importers", lambda: fakes)
    assert io.detect_format("id: x\n") == "yaml"


@pytest.mark.parametrize("path", IMPORTABLE, ids=lambda p: p.name)
def test_every_importer_output_passes_check_and_round_trips_through_yaml(path: Path) -> None:
    scenarios = io.load_all(path)
    assert scenarios
    for scenario in scenarios:
        assert check(scenario) == []
        assert yaml_io.loads(yaml_io.dumps(scenario), "rt.yaml") == scenario


def test_deu_holds_one_scenario_per_issue() -> None:
    scenarios = io.load_all(DEU)
    assert len(scenarios) > 100
    assert len({s.id for s in scenarios}) == len(scenarios)
    for scenario in scenarios[:10]:  # a slice: dumping all of them takes seconds
        assert yaml_io.loads(yaml_io.dumps(scenario), "rt.yaml") == scenario
    with pytest.raises(UsageError) as info:
        io.load(DEU)
    assert f"holds {len(scenarios)} scenarios" in info.value.message
    assert info.value.location.file == "deu3_dev.tsv"
    assert info.value.expected is not None and "accord import" in info.value.expected


def test_save_by_extension_and_format(tmp_path: Path) -> None:
    scenario = io.load(SMALL)
    io.save(scenario, tmp_path / "a.yaml")
    io.save(scenario, tmp_path / "a.yml")
    assert io.load(tmp_path / "a.yaml") == scenario == io.load(tmp_path / "a.yml")
    io.save(scenario, tmp_path / "a.xml", issue_id="office")
    assert io.detect_format((tmp_path / "a.xml").read_text(encoding="utf-8")) == "ktab-xml"
    io.save(scenario, tmp_path / "a.txt", fmt="decide", issue_id="office")
    again = io.load(tmp_path / "a.txt")
    assert [s.actor for s in again.issues[0].stances] == ["us", "fr", "de", "jp"]
    with pytest.raises(UsageError, match="cannot tell the format to write"):
        io.save(scenario, tmp_path / "a.dat")
    with pytest.raises(UsageError, match="unknown format 'nope'"):
        io.save(scenario, tmp_path / "a.dat", fmt="nope")


def test_export_text_refuses_an_inconsistent_scenario() -> None:
    data = yaml_io.to_data(io.load(SMALL))
    data["issues"][0]["stances"][0]["actor"] = "ghost"
    scenario = Scenario.model_validate(data)
    with pytest.raises(ScenarioError, match="stance for unknown actor 'ghost'"):
        io.export_text(scenario)


def test_import_file_can_force_a_format() -> None:
    scenarios = io.import_file(DATA / "stokman" / "sample_data.txt", fmt="decide")
    assert len(scenarios) == 1
    with pytest.raises(ScenarioError):
        io.import_file(SMALL, fmt="decide")


def test_loads_from_text() -> None:
    (scenario,) = io.loads(SMALL.read_text(encoding="utf-8"), "body.yaml")
    assert scenario.id == "small-alliance"


def _fake_scenario(actor: str) -> Scenario:
    return Scenario.model_validate(
        {
            "id": "fake",
            "title": "fake",
            "actors": [{"id": "a", "name": "A", "capability": {"value": 1, "source": "f, line 2"}}],
            "issues": [
                {
                    "id": "i",
                    "name": "I",
                    "dimensions": [{"id": "d"}],
                    "stances": [
                        {
                            "actor": actor,
                            "position": {"value": 5, "source": "f.csv, line 7"},
                            "salience": {"value": 0.5, "source": "f.csv, line 7"},
                        }
                    ],
                }
            ],
        }
    )


def test_problems_in_imported_scenarios_take_their_line_from_the_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = io.Format(
        "fake", "fake", lambda t: True, lambda t, s: [_fake_scenario("ghost")], lambda s, i=None: ""
    )
    monkeypatch.setattr(io, "importers", lambda: [fake])
    with pytest.raises(ScenarioError) as info:
        io.loads("whatever", "f.csv")
    assert str(info.value).startswith(
        "f.csv:7, field 'issues[0].stances[0].actor': stance for unknown actor 'ghost'"
    )


def test_stray_importer_exceptions_become_scenario_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    def crashes(text: str, source: str) -> list[Scenario]:
        raise KeyError("Pstn1")

    def invalid(text: str, source: str) -> list[Scenario]:
        Scenario.model_validate({"id": "x", "title": "", "actors": [], "issues": []})
        return []

    for read, needle in ((crashes, "cannot read this fake file (KeyError"), (invalid, "is empty")):
        fake = io.Format("fake", "fake", lambda t: True, read, lambda s, i=None: "")
        monkeypatch.setattr(io, "importers", lambda fake=fake: [fake])
        with pytest.raises(ScenarioError) as info:
            io.loads("whatever", "f.csv")
        assert needle in str(info.value)
        assert info.value.location.file == "f.csv"
