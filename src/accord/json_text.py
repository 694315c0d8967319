"""Indented JSON text, the same as ``json.dumps(obj, indent=2, ensure_ascii=False)``, faster.

With ``indent`` set, the standard library encodes in pure Python, one generator step per
value: the JSON of a 200,000-actor forecast (20 MB, four lines per actor) took longer than the
forecast (issue 15). :func:`dumps` writes the same text with fewer steps: strings through the
standard library's C escaper, numbers through ``int.__repr__`` and ``float.__repr__`` as the
encoder does (``NaN``, ``Infinity`` and ``-Infinity`` for the non-finite floats it allows),
and a list of plain numbers or strings in one join. Anything else the standard encoder would
refuse or treat specially (a type it does not know, a dict key that is not a string, number,
boolean or None) goes to ``json.dumps`` itself, so its error or its text is the standard one.
``tests/unit/test_json_text.py`` compares both on generated data.
"""

from __future__ import annotations

import json
import math
from operator import itemgetter
from typing import Any

_ESCAPE = json.encoder.encode_basestring  # the C escaper when available, as json.dumps uses
_STEP = "  "
_FIRST = itemgetter(0)


class _UnusualError(Exception):
    """A value this module leaves to ``json.dumps`` (an unknown type, an unusual key)."""


def dumps(obj: Any) -> str:
    """``obj`` as ``json.dumps(obj, indent=2, ensure_ascii=False)`` writes it.

    Raises:
        TypeError, ValueError: as ``json.dumps`` raises them (an object it cannot encode).
    """
    out: list[str] = []
    try:
        _write(obj, "\n", out)
    except (_UnusualError, RecursionError):
        return json.dumps(obj, indent=2, ensure_ascii=False)
    return "".join(out)


def _number(value: float) -> str:
    if value != value:
        return "NaN"
    if value == math.inf:
        return "Infinity"
    if value == -math.inf:
        return "-Infinity"
    return float.__repr__(value)


def _scalar(value: Any) -> str | None:
    """The JSON of a string, number, boolean or None; None for anything else."""
    if isinstance(value, str):
        return _ESCAPE(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _number(value)
    return None


def _key(key: Any) -> str:
    """A dict key as the encoder writes it: strings as they are, numbers and constants as text."""
    if isinstance(key, str):
        return _ESCAPE(key)
    if isinstance(key, float):
        return _ESCAPE(_number(key))
    if key is True:
        return '"true"'
    if key is False:
        return '"false"'
    if key is None:
        return '"null"'
    if isinstance(key, int):
        return _ESCAPE(int.__repr__(key))
    raise _UnusualError


def _flat(values: list[Any] | tuple[Any, ...]) -> list[str] | None:
    """Each item's text when every item is a finite float or every item a string, else None.

    Both tests run in C: a sum is finite only when every float is (and raises for a string),
    ``float.__repr__`` and the escaper raise for anything that is not a float or a string.
    A sum that overflows (``math.fsum`` raises, no NumPy warning) only sends the list through
    :func:`_write` item by item.
    """
    try:
        if math.isfinite(math.fsum(values)):
            return list(map(float.__repr__, values))
    except (OverflowError, ValueError):  # an intermediate overflow, or inf - inf
        return None
    except TypeError:
        pass
    try:
        return list(map(_ESCAPE, values))
    except TypeError:
        return None


def _singles(value: dict[Any, Any], inner: str) -> list[str] | None:
    """The entries' text when every key is a string and every value a one-item flat list.

    The shape of the per-actor positions of a one-dimensional forecast (``{"a1": [52.0],
    ...}``, 200,000 entries for a large file): every test and the text of every entry in C.
    None for any other dict.
    """
    values = list(value.values())
    if set(map(type, values)) != {list} or set(map(len, values)) != {1}:
        return None
    flat = _flat(list(map(_FIRST, values)))
    if flat is None:
        return None
    try:
        keys = list(map(_ESCAPE, value))
    except TypeError:
        return None
    entry = "{}: [" + inner + _STEP + "{}" + inner + "]"
    return list(map(entry.format, keys, flat))


def _write(value: Any, newline: str, out: list[str]) -> None:
    """Append ``value``'s text; ``newline`` is a newline and the indentation of its own line."""
    text = _scalar(value)
    if text is not None:
        out.append(text)
        return
    inner = newline + _STEP
    if isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        flat = _flat(value)
        if flat is not None:
            out.append("[" + inner + ("," + inner).join(flat) + newline + "]")
            return
        out.append("[")
        separator = inner
        for item in value:
            out.append(separator)
            separator = "," + inner
            _write(item, inner, out)
        out.append(newline + "]")
        return
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        batch = _singles(value, inner)
        if batch is not None:
            out.append("{" + inner + ("," + inner).join(batch) + newline + "}")
            return
        out.append("{")
        separator, deeper = inner, inner + _STEP
        for key, item in value.items():
            flat = _flat(item) if type(item) is list and item else None
            if flat is None:
                out.append(separator + _key(key) + ": ")
                _write(item, inner, out)
            else:  # a list of numbers or strings (an actor's position): one append
                body = ("," + deeper).join(flat)
                out.append(f"{separator}{_key(key)}: [{deeper}{body}{inner}]")
            separator = "," + inner
        out.append(newline + "}")
        return
    raise _UnusualError
