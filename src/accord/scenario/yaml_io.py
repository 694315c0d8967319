"""Load and save accord scenario files (YAML), with a file line for every error.

Loading parses with PyYAML's ``SafeLoader`` only (its libyaml build ``CSafeLoader`` when present,
same rules): no Python objects, and no tags beyond YAML's plain data types, so a
``!!python/object`` tag is an error, not code. While parsing, it records
the line of every mapping key and sequence item, keyed by data path, so that a pydantic error at
``('issues', 0, 'stances', 3, 'salience', 'value')`` is reported as
``file:LINE, field 'issues[0].stances[3].salience.value': <message> (expected <what>)``.

Saving writes block-style YAML (short records and lists of numbers inline) with the fields in
schema order, leaves out fields at their defaults, and replaces the file atomically: the text
goes to a temporary file in the same folder, is flushed to disk, and is renamed over the target,
so a failure never leaves a half-written scenario.
"""

from __future__ import annotations

import os
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from accord import limits
from accord.errors import ScenarioError
from accord.files import read_input
from accord.scenario.schema import RULE_KINDS, SCHEMA_VERSION, Scenario
from accord.scenario.validate import (
    CombinedScenarioError,
    check,
    format_path,
    problems_error,
    sort_errors,
)

Path_ = tuple[str | int, ...]
LineMap = dict[Path_, int]

#: Largest number of values a YAML document may expand to (aliases counted at every use).
MAX_NODES = 1_000_000

_TAG = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {
    _TAG + name for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
}
_SHAPE = "a YAML mapping with id, title, actors and issues"
_NUMBER_TAGS = {_TAG + "int", _TAG + "float"}
#: Longest number in a YAML file, in characters: Python refuses to read an integer of more
#: than 4,300 digits (a ValueError deep in the loader), and no scenario needs a tenth of this.
MAX_NUMBER_CHARS = 400

#: PyYAML's safe loader; its C implementation (libyaml, same rules, ~15x faster) where built in.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# ----------------------------------------------------------------------------- reading


def read_text(path: str | os.PathLike[str], source: str | None = None) -> str:
    """The text of the regular file ``path``.

    At most the file-size limit (:data:`accord.limits.FILE_MB`), UTF-8 (a byte-order mark is
    dropped).

    Raises:
        ScenarioError: the file is missing, unreadable, not a regular file (a FIFO, a device),
            too large or not UTF-8.
    """
    name = source or Path(path).name
    return decode(read_input(path, name), name)


def decode(data: bytes, source: str) -> str:
    """UTF-8 text of ``data`` (BOM dropped), or a ScenarioError naming the first bad byte's line."""
    if len(data) > limits.max_file_bytes():
        bound = limits.FILE_MB.value
        raise ScenarioError(
            f"the input is too large ({len(data) / limits.MB:.1f} MiB; the limit is {bound} MiB)",
            file=source,
            expected=f"at most {bound} MiB; {limits.FILE_MB.hint}",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ScenarioError(
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded)",
            file=source,
            line=line,
            expected="a text file saved as UTF-8",
        ) from None


@dataclass(frozen=True)
class ParsedYaml:
    """A YAML document as plain data, with the line of every key and item."""

    data: Any
    lines: LineMap

    def line_for(self, path: Path_) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def _walk_nodes(root: yaml.Node, source: str) -> LineMap:
    """Record lines by data path; reject unknown tags, duplicate keys and alias bombs."""
    lines: LineMap = {(): root.start_mark.line + 1}
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        sizes[key] = 1  # a cycle counts once
        total = 1
        if isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total += sum(size(v) for v in node.value)
        sizes[key] = total
        return total

    if size(root) > MAX_NODES:
        raise ScenarioError(
            f"the document expands to more than {MAX_NODES:,} values (through YAML aliases)",
            file=source,
            expected="a scenario without alias chains",
        )

    visited: set[int] = set()

    def walk(node: yaml.Node, path: Path_) -> None:
        if node.tag not in _ALLOWED_TAGS:
            tag = node.tag.replace(_TAG, "!!")
            raise ScenarioError(
                f"the tag '{tag}' is not allowed",
                file=source,
                line=node.start_mark.line + 1,
                field=format_path(path) or None,
                expected="plain YAML data: mappings, lists, text, numbers, true/false (no tags)",
            )
        if id(node) in visited:  # an alias: already walked under its anchor
            return
        visited.add(id(node))
        limits.check_deadline()  # a web request's time limit (accord.limits.deadline); else nothing
        if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
            shown = node.value[:20] + "..."
            raise ScenarioError(
                f"the number {shown} has {len(node.value):,} characters",
                file=source,
                line=node.start_mark.line + 1,
                field=format_path(path) or None,
                expected=f"a number of at most {MAX_NUMBER_CHARS} characters",
            )
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                if key_node.tag not in _ALLOWED_TAGS:
                    walk(key_node, path)
                if not isinstance(key_node, yaml.ScalarNode):
                    raise ScenarioError(
                        "a mapping key is itself a list or mapping",
                        file=source,
                        line=key_node.start_mark.line + 1,
                        field=format_path(path) or None,
                        expected="a plain name before ':'",
                    )
                key = str(key_node.value)
                line = key_node.start_mark.line + 1
                if key == "<<":  # a merge key: its values show up under their own names
                    walk(value_node, path)
                    continue
                if key in seen:
                    raise ScenarioError(
                        f"duplicate key '{key}' (first on line {seen[key]})",
                        file=source,
                        line=line,
                        field=format_path((*path, key)),
                        expected="each key once per mapping",
                    )
                seen[key] = line
                lines[(*path, key)] = line
                walk(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines[(*path, index)] = item.start_mark.line + 1
                walk(item, (*path, index))

    walk(root, ())
    return lines


def parse_yaml(text: str, source: str) -> ParsedYaml:
    """Parse ``text`` with ``SafeLoader``; ``source`` names the file in errors.

    Raises:
        ScenarioError: a syntax error (with its line), a disallowed tag, a duplicate key, an
            empty document or more than one document.
    """
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise ScenarioError("the file is empty", file=source, expected=_SHAPE)
    loader = _SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise ScenarioError("the file is empty", file=source, expected=_SHAPE)
        lines = _walk_nodes(root, source)
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        if "expected a single document" in what or "but found another document" in what:
            what = "the file holds more than one YAML document ('---')"
        raise ScenarioError(
            f"YAML syntax error: {what or 'cannot parse'}",
            file=source,
            line=None if mark is None else mark.line + 1,
            expected="valid YAML (check indentation, colons and quotes)",
        ) from None
    except yaml.reader.ReaderError as exc:
        raise ScenarioError(
            f"the character {chr(exc.character)!r} is not allowed in YAML",
            file=source,
            line=text.count("\n", 0, exc.position) + 1,
            expected="printable text (no control characters such as NUL)",
        ) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"YAML error: {exc}", file=source, expected="valid YAML") from None
    except RecursionError:
        raise ScenarioError(
            "the YAML is nested too deeply", file=source, expected="a scenario mapping"
        ) from None
    finally:
        loader.dispose()
    return ParsedYaml(data=data, lines=lines)


# ----------------------------------------------------------------------- pydantic errors


def _short(value: Any) -> str:
    """A user-facing rendering of an input value."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return repr(text)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _members(tp: Any) -> list[Any]:
    tp = _unwrap(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(tp):
            if arg is not type(None):
                out.extend(_members(arg))
        return out
    return [tp]


def _type_name(tp: Any) -> str:
    """Pydantic's name for a union member, as it appears in an error's ``loc``."""
    tp = _unwrap(tp)
    origin = typing.get_origin(tp)
    if origin is not None:
        return f"{origin.__name__}[{', '.join(_type_name(a) for a in typing.get_args(tp))}]"
    return getattr(tp, "__name__", str(tp))


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _step(tp: Any, part: str | int) -> tuple[Any, FieldInfo | None] | None:
    """The type found one step down ``part`` from ``tp`` (and its field info), or None."""
    candidates = _members(tp)
    if isinstance(part, str):
        for member in candidates:  # a union branch named in the loc
            if _type_name(member) == part:
                return member, None
        for member in candidates:  # a discriminated union: the branch is the kind's value
            if _is_model(member) and "kind" in member.model_fields:
                kinds = typing.get_args(member.model_fields["kind"].annotation)
                if part in kinds:
                    return member, None
    for member in candidates:
        origin = typing.get_origin(member)
        args = typing.get_args(member)
        if _is_model(member) and isinstance(part, str) and part in member.model_fields:
            info = member.model_fields[part]
            return info.annotation, info
        if origin is list and isinstance(part, int):
            return args[0], None
        if origin is tuple and isinstance(part, int) and part < len(args):
            return args[part], None
        if origin is dict and isinstance(part, str):
            return args[1], None
    return None


def _type_at(loc: Sequence[str | int]) -> tuple[Any, FieldInfo | None] | None:
    tp: Any = Scenario
    info: FieldInfo | None = None
    for part in loc:
        found = _step(tp, part)
        if found is None:
            return None
        tp, step_info = found
        info = step_info if step_info is not None else (info if _is_model(tp) else None)
    return tp, info


_PLURAL = {
    "a number": "numbers",
    "text": "texts",
    "a pair [low, high]": "pairs [low, high]",
    "true or false": "true/false values",
}


def describe(tp: Any, info: FieldInfo | None = None) -> str:
    """What a value of type ``tp`` looks like, in words."""
    if info is not None and info.description and _unwrap(tp) is str:
        return f"an id ({info.description})"
    members = _members(tp)
    if len(members) > 1:
        if all(_is_model(m) and "kind" in m.model_fields for m in members):
            return f"a rule: a mapping with kind (one of {', '.join(RULE_KINDS)})"
        return " or ".join(describe(m) for m in members)
    tp = members[0]
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is float:
        return "a number"
    if tp is int:
        return "a whole number"
    if tp is bool:
        return "true or false"
    if tp is str:
        return "text"
    if origin is typing.Literal:
        return "one of " + ", ".join(str(a) for a in args)
    if origin is tuple:
        pair = tuple(_unwrap(a) for a in args) == (float, float)
        return "a pair [low, high]" if pair else f"a list of {len(args)} items"
    if origin is list:
        if _is_model(args[0]):
            return f"a list of mappings, each with {_and(_required_fields(args[0]))}"
        inner = describe(args[0])
        return f"a list of {_PLURAL.get(inner, 'items, each ' + inner)}"
    if origin is dict:
        return f"a mapping of names to {describe(args[1])}"
    if _is_model(tp):
        required = _required_fields(tp)
        return f"a mapping with {_and(required)}" if required else "a mapping"
    return _type_name(tp)


def _required_fields(model: Any) -> list[str]:
    return [n for n, f in model.model_fields.items() if f.is_required()]


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _expected_for(loc: Sequence[str | int]) -> str | None:
    found = _type_at(loc)
    if found is None:
        return None
    return describe(*found)


def _allowed_fields(loc: Sequence[str | int]) -> str | None:
    found = _type_at(loc)
    if found is None:
        return None
    models = [m for m in _members(found[0]) if _is_model(m)]
    if len(models) != 1:
        return None
    return "one of " + ", ".join(models[0].model_fields)


#: What a model validator's rule asks for, by the start of its message (schema.py).
_VALUE_ERROR_EXPECTED = (
    ("scale needs lo < hi", "lo < hi"),
    ("normalisation needs lo < hi", "lo < hi"),
    ("range [", "a range [low, high] with low <= value <= high"),
    ("value ", "a range [low, high] with low <= value <= high"),
    ("a relative quota", "a quota in (0, 1]"),
    ("duplicate", "unique ids"),
    ("cost of objecting", "costs >= 0"),
)

_TYPE_ERRORS = {
    "float_type",
    "int_type",
    "bool_type",
    "string_type",
    "list_type",
    "tuple_type",
    "dict_type",
    "model_type",
    "model_attributes_type",
    "is_instance_of",
}


def _text_hint(value: Any) -> str:
    """Why YAML turned intended text into something else, and the fix."""
    if isinstance(value, bool):
        return " (YAML reads yes/no/on/off as true/false: put the text in quotes)"
    if isinstance(value, int | float):
        return " (put it in quotes to make it text)"
    return ""


def _translate(error: Any, loc: tuple[str | int, ...]) -> tuple[str, str | None]:
    """(message, expected) in plain words for one pydantic error."""
    kind: str = error["type"]
    value = error.get("input")
    ctx: dict[str, Any] = error.get("ctx") or {}
    expected = _expected_for(loc)
    if tuple(loc) == ("accord",) and kind != "missing":
        return (
            f"schema version {_short(value)} is not supported",
            f"accord: {SCHEMA_VERSION}, the schema version this accord reads",
        )
    if kind == "missing":
        return "is missing", expected
    if kind == "extra_forbidden":
        return "unknown field", _allowed_fields(loc[:-1])
    if kind in ("float_parsing", "float_type", "finite_number"):
        if kind == "finite_number":
            return f"{_short(value)} is not a finite number", "a finite number"
        return f"{_short(value)} is not a number", "a number"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{_short(value)} is not a whole number", "a whole number"
    if kind in ("bool_parsing", "bool_type"):
        return f"{_short(value)} is not true or false", "true or false"
    if kind == "string_type":
        return f"{_short(value)} is not text{_text_hint(value)}", expected or "text"
    if kind == "string_too_short":
        return "is empty", expected or "text"
    if kind == "string_too_long":
        return f"is too long (more than {ctx.get('max_length')} characters)", expected
    if kind == "string_pattern_mismatch":
        return f"{_short(value)} is not a valid id", expected
    if kind == "literal_error":
        return f"{_short(value)} is not allowed here", f"one of {ctx.get('expected', '?')}"
    if kind == "union_tag_invalid":
        return (
            f"unknown rule kind {_short(ctx.get('tag', value))}",
            f"one of {', '.join(RULE_KINDS)}",
        )
    if kind == "union_tag_not_found":
        return "the rule has no kind", f"kind: one of {', '.join(RULE_KINDS)}"
    if kind in ("too_short", "too_long"):
        size = ctx.get("actual_length")
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        if kind == "too_short" and bound == 1:
            return "is empty", f"at least one item: {expected}" if expected else "at least one item"
        word = "few" if kind == "too_short" else "many"
        return f"has too {word} items ({size})", expected
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        symbol = {
            "greater_than": "> {gt}",
            "greater_than_equal": ">= {ge}",
            "less_than": "< {lt}",
            "less_than_equal": "<= {le}",
        }[kind].format(**{k: _fmt_bound(v) for k, v in ctx.items()})
        return f"{_short(value)} is out of range", f"a number {symbol}"
    if kind in ("value_error", "assertion_error"):
        message = str(ctx.get("error", error.get("msg", "")))
        for start, what in _VALUE_ERROR_EXPECTED:
            if message.startswith(start):
                return message, what
        return message, expected
    if kind in _TYPE_ERRORS:
        return f"got {_short(value)}", expected
    return str(error.get("msg", kind)), expected


def translate_error(error: Any) -> tuple[str, str | None]:
    """(message, expected) in plain words for one entry of ``ValidationError.errors()``."""
    return _translate(error, tuple(error["loc"]))


def _fmt_bound(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _split_loc(
    loc: tuple[str | int, ...], data: Any, kind: str
) -> tuple[tuple[str | int, ...], tuple[str | int, ...] | None]:
    """(data path, union point) of a pydantic ``loc``.

    Components that do not index into the input (union branch names such as ``'float'`` or a
    rule's ``'weighted'``) are dropped from the data path; the path up to the first of them is
    the union point (None when the error is not inside a union).
    """
    path: list[str | int] = []
    union: tuple[str | int, ...] | None = None
    current: Any = data
    last = len(loc) - 1
    for index, part in enumerate(loc):
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            current = current[part]
            path.append(part)
        elif index == last and kind == "missing":
            path.append(part)
            current = None
        else:
            if union is None:
                union = tuple(path)
    return tuple(path), union


def validation_errors(
    exc: ValidationError, data: Any, source: str, parsed: ParsedYaml | None = None
) -> list[ScenarioError]:
    """Plain-word errors, one per problem, for a pydantic ValidationError over ``data``.

    Errors from the branches of one union (``value: 'abc'`` fails both ``float`` and
    ``list[float]``) are collapsed: the branch whose type fits the input wins; when none fits,
    one error says which types are accepted.
    """
    Item = tuple[Any, tuple[str | int, ...], tuple[str | int, ...]]
    groups: dict[Any, list[Item]] = {}
    for number, err in enumerate(exc.errors()):
        loc = tuple(err["loc"])
        path, union = _split_loc(loc, data, err["type"])
        key: Any = ("single", number) if union is None else ("union", union)
        groups.setdefault(key, []).append((err, loc, path))
    order = list(groups)

    chosen: list[Item] = []
    merged: list[ScenarioError] = []
    for key in order:
        items = groups[key]
        if key[0] == "single":
            chosen.extend(items)
            continue
        union_path = key[1]
        depth = len(union_path)
        branches: dict[Any, list[Item]] = {}
        for item in items:
            branch = item[1][_branch_index(item[1], union_path)]
            branches.setdefault(branch, []).append(item)
        if len(branches) == 1:
            chosen.extend(items)
            continue
        fitting = [
            errs
            for errs in branches.values()
            if not any(e["type"] in _TYPE_ERRORS and len(p) == depth for e, _, p in errs)
        ]
        if fitting:
            chosen.extend(fitting[0])
            continue
        first_err, first_loc, _ = items[0]
        union_loc = first_loc[: _branch_index(first_loc, union_path)]
        expected = _expected_for(union_loc)
        value = first_err.get("input")
        numeric = any(e["type"] == "float_type" for e, _, _ in items)
        scalar = isinstance(value, str | bool | int | float)
        message = f"got {_short(value)}"
        if numeric and scalar:  # text or true/false where a number (or a list of them) belongs
            message, expected = f"{_short(value)} is not a number", "a number"
        merged.append(
            ScenarioError(
                message,
                file=source,
                line=None if parsed is None else parsed.line_for(union_path),
                field=format_path(union_path) or None,
                expected=expected,
            )
        )

    errors = list(merged)
    for err, loc, path in chosen:
        message, expected = _translate(err, loc)
        errors.append(
            ScenarioError(
                message,
                file=source,
                line=None if parsed is None else parsed.line_for(path),
                field=format_path(path) or None,
                expected=expected,
            )
        )
    return sort_errors(errors)


def _branch_index(loc: tuple[str | int, ...], union_path: tuple[str | int, ...]) -> int:
    """Index in ``loc`` of the union branch name that follows ``union_path``."""
    matched = 0
    for index, part in enumerate(loc):
        if matched == len(union_path):
            return index
        if part == union_path[matched]:
            matched += 1
    return len(loc) - 1


# ------------------------------------------------------------------------------ loading


def scenario_from_data(data: Any, source: str, parsed: ParsedYaml | None = None) -> Scenario:
    """Validate plain data as a Scenario (schema, then :func:`validate.check`).

    Raises:
        ScenarioError: every problem, the first (in file order) on the first line.
    """
    if not isinstance(data, dict):
        what = "a list" if isinstance(data, list) else f"only {_short(data)}"
        raise ScenarioError(
            f"the file holds {what}, not a mapping of fields",
            file=source,
            line=1 if parsed is None else parsed.line_for(()),
            expected=_SHAPE,
        )
    actors, issues = data.get("actors"), data.get("issues")
    if isinstance(actors, list) and isinstance(issues, list):
        dims = [i.get("dimensions") for i in issues if isinstance(i, dict)]
        widest = max((len(d) for d in dims if isinstance(d, list)), default=0)
        limits.check_scenario_size(len(actors), len(issues), widest, source)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise CombinedScenarioError(validation_errors(exc, data, source, parsed)) from None
    problems = check(scenario)
    if problems:
        raise problems_error(
            problems, file=source, line_for=None if parsed is None else parsed.line_for
        )
    return scenario


def loads(text: str, source: str = "<text>") -> Scenario:
    """A Scenario from YAML text; ``source`` names the file in errors."""
    parsed = parse_yaml(text, source)
    return scenario_from_data(parsed.data, source, parsed)


def load_yaml(path: str | os.PathLike[str]) -> Scenario:
    """A Scenario from a YAML file (errors name the file by its base name)."""
    name = Path(path).name
    return loads(read_text(path, name), name)


# Saving lives in accord.scenario.yaml_dump; these names stay importable from here.
from accord.scenario.yaml_dump import (  # noqa: E402
    HEADER,
    dumps,
    save_yaml,
    to_data,
    write_atomic,
)

__all__ = [
    "HEADER",
    "ParsedYaml",
    "dumps",
    "load_yaml",
    "loads",
    "parse_yaml",
    "read_text",
    "save_yaml",
    "scenario_from_data",
    "to_data",
    "validation_errors",
    "write_atomic",
]
