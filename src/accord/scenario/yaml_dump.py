"""Save accord scenario files as YAML.

Block-style YAML (short records and lists of numbers inline) with the fields in schema order,
fields at their defaults left out, and the file replaced atomically: the text goes to a
temporary file in the same folder, is flushed to disk, and is renamed over the target, so a
failure never leaves a half-written scenario.
"""

from __future__ import annotations

import os
from typing import Any

import yaml

from accord import files
from accord.scenario.schema import Scenario

_TAG = "tag:yaml.org,2002:"

_SafeDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_SafeDumper):  # type: ignore[misc,valid-type]
    """PyYAML's safe dumper with inline short records.

    PyYAML's safe dumper (libyaml's emitter where built in, ~4x faster, same output) with
    short records and number lists inline and multi-line text as literal blocks.
    """


_FLOW_WIDTH = 80


def _scalar(x: Any) -> bool:
    return x is None or isinstance(x, bool | int | float) or (isinstance(x, str) and "\n" not in x)


def _flat(x: Any) -> bool:
    """A scalar, or a short list of scalars / of pairs of numbers."""
    if isinstance(x, list):
        return len(x) <= 12 and all(
            _scalar(y) or (isinstance(y, list) and all(isinstance(z, int | float) for z in y))
            for y in x
        )
    return _scalar(x)


def _width(x: Any) -> int:
    if isinstance(x, list):
        return 2 + sum(_width(y) + 2 for y in x)
    if isinstance(x, dict):
        return 2 + sum(len(str(k)) + 2 + _width(v) + 2 for k, v in x.items())
    return len(str(x)) + 2


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    numbers = _flat(data) and not any(isinstance(x, str) for x in data)
    short = all(_scalar(x) for x in data) and _width(data) <= _FLOW_WIDTH
    return dumper.represent_sequence(_TAG + "seq", data, flow_style=numbers or short)


def _represent_dict(dumper: yaml.SafeDumper, data: dict[Any, Any]) -> yaml.Node:
    """Inline a short record (a number with its source, a dimension, a rule), not a section."""
    record = any(key in data for key in ("value", "id", "kind"))
    flow = record and all(_flat(v) for v in data.values()) and _width(data) <= _FLOW_WIDTH
    return dumper.represent_mapping(_TAG + "map", data, flow_style=flow)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    """Multi-line text as a literal block (the emitter falls back to quotes where it must)."""
    if "\n" in data:
        return dumper.represent_scalar(_TAG + "str", data, style="|")
    return dumper.represent_str(data)


def _represent_float(dumper: yaml.SafeDumper, data: float) -> yaml.Node:
    if data.is_integer() and abs(data) < 1e15:
        return dumper.represent_int(int(data))
    return dumper.represent_float(data)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(float, _represent_float)


def to_data(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain data for a file.

    Fields at their defaults left out, except the schema version, each dimension's scale and each
    issue's salience_scale (kept for clarity).
    """
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    out: dict[str, Any] = {"accord": scenario.accord}
    out.update({k: v for k, v in data.items() if k != "accord"})
    for issue_model, issue in zip(scenario.issues, out["issues"], strict=True):
        for dim_model, dim in zip(issue_model.dimensions, issue["dimensions"], strict=True):
            dim.setdefault("lo", dim_model.lo)
            dim.setdefault("hi", dim_model.hi)
            _reorder(dim, list(type(dim_model).model_fields))
        issue["salience_scale"] = issue_model.salience_scale
        _reorder(issue, list(type(issue_model).model_fields))
    return out


def _reorder(mapping: dict[str, Any], order: list[str]) -> None:
    items = sorted(mapping.items(), key=lambda kv: order.index(kv[0]))
    mapping.clear()
    mapping.update(items)


HEADER = "# accord scenario file (format: docs/scenario-format.md)\n"


def dumps(scenario: Scenario) -> str:
    """YAML text of ``scenario`` that loads back to an equal Scenario."""
    body = yaml.dump(
        to_data(scenario),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return HEADER + body


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` atomically (:func:`accord.files.write_atomic`)."""
    files.write_atomic(path, text)


def save_yaml(scenario: Scenario, path: str | os.PathLike[str]) -> None:
    """Write ``scenario`` to ``path`` as accord YAML, atomically."""
    write_atomic(path, dumps(scenario))
