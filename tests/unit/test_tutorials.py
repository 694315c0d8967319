"""The tutorial notebooks in docs/tutorials run from top to bottom (their cells assert as they go).

Executed with nbclient (the engine of nbmake) in the notebooks' own folder, on this Python.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TUTORIALS = Path(__file__).parents[2] / "docs" / "tutorials"
NOTEBOOKS = sorted(TUTORIALS.glob("*.ipynb"))


def test_the_two_tutorials_are_there() -> None:
    assert {p.name for p in NOTEBOOKS} == {
        "forecast-a-ktab-file.ipynb",
        "tokyo-office-under-consensus.ipynb",
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path) -> None:
    import nbclient
    import nbformat

    book = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        book, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(TUTORIALS)}}
    )
    client.execute()
    outputs = [o for cell in book.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("ok" in str(o.get("data", {}).get("text/plain", "")) for o in outputs)
