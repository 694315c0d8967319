"""Helpers shared by the scenario importers and exporters."""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from accord.errors import UsageError
from accord.scenario.schema import Issue, Scenario

_ID_BAD = re.compile(r"[^A-Za-z0-9_.\-]+")
#: An id :func:`make_id` keeps as it is: its characters allowed, a letter or digit at both
#: ends, at most 60 characters.
_ID_KEPT = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.\-]{0,58}[A-Za-z0-9])?")

#: A number as the text formats write it: ASCII digits, an optional sign, point and exponent.
#: Python's ``float`` also reads ``1_000``, ``inf``, ``nan`` and digits of other scripts
#: (``'١٢'`` is 12.0), which no format defines (issue 15).
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def first_line(text: str) -> tuple[int, str] | None:
    """The first line with a non-blank character, and its number (after a leading BOM).

    The same as the first non-blank entry of ``enumerate(text.lstrip(BOM).splitlines(),
    start=1)``, without splitting the whole text: the formats' sniffers ask for it, and
    splitting a 200,000-row file for one line took a tenth of a second (issue 15). The lines
    of a first block are enough unless the line found may run on past the block.
    """
    body = text.lstrip("\ufeff")
    size = 1 << 16
    while True:
        lines = body[:size].splitlines()
        complete = len(lines) if size >= len(body) else len(lines) - 1
        for number in range(complete):
            if lines[number].strip():
                return number + 1, lines[number]
        if size >= len(body):
            return None
        size *= 4


def strict_float(text: str) -> float:
    """``text`` (spaces around it ignored) as a float when it matches :data:`NUMBER`.

    Raises:
        ValueError: anything else, as ``float`` does for text it cannot read (callers turn it
            into their format's one-line error with the line and the column).
    """
    stripped = text.strip()
    if NUMBER.fullmatch(stripped) is None:
        raise ValueError(f"not a number: {stripped!r}")
    return float(stripped)


def make_id(name: str, taken: set[str], fallback: str) -> str:
    """Turn ``name`` into an id that is not in ``taken``, and add it to ``taken``.

    Runs of characters other than letters, digits, ``_``, ``.`` and ``-`` become ``-``; the result
    is trimmed of ``-._`` and cut to 60 characters. An empty result becomes ``fallback``; one that
    does not start with a letter or digit gets ``fallback[0]`` in front. A clash with ``taken`` is
    resolved by appending ``-2``, ``-3``, ...
    """
    base = _ID_BAD.sub("-", name.strip()).strip("-._")[:60] or fallback
    if not base[0].isalnum():
        base = fallback[0] + base
    candidate, k = base, 2
    while candidate in taken:
        candidate, k = f"{base}-{k}", k + 1
    taken.add(candidate)
    return candidate


def make_ids(names: Sequence[str], fallback: str) -> list[str]:
    """The ids :func:`make_id` gives ``names`` one after the other, starting from no ids taken.

    When every name is already an id that :func:`make_id` keeps unchanged and no name repeats,
    the ids are the names themselves (one regular expression match per name, no set of taken
    ids): the common case of a large import (issue 15). Otherwise :func:`make_id` runs on
    each name in turn, so the result is always the same as that loop's.
    """
    if len(set(names)) == len(names) and all(map(_ID_KEPT.fullmatch, names)):
        return list(names)
    taken: set[str] = set()
    return [make_id(name, taken, fallback) for name in names]


def pick_issue(scenario: Scenario, issue_id: str | None, format_label: str) -> Issue:
    """Return the issue ``issue_id`` of ``scenario``, or its only issue when ``issue_id`` is None.

    Raises:
        UsageError: when ``issue_id`` is None and the scenario does not have exactly one issue
            (``format_label`` names the format in the message), or when the issue does not exist.
    """
    if issue_id is None:
        if len(scenario.issues) != 1:
            raise UsageError(
                f"scenario '{scenario.id}' has {len(scenario.issues)} issues; "
                f"{format_label} holds one",
                field="issue",
                expected="an issue id: " + ", ".join(i.id for i in scenario.issues),
            )
        return scenario.issues[0]
    try:
        return scenario.issue(issue_id)
    except KeyError:
        raise UsageError(
            f"scenario '{scenario.id}' has no issue '{issue_id}'",
            field="issue",
            expected="one of " + ", ".join(i.id for i in scenario.issues),
        ) from None


M = TypeVar("M", bound=BaseModel)

Factories = tuple[tuple[str, Callable[[], Any]], ...]
_DEFAULTS: dict[type[BaseModel], tuple[dict[str, Any], Factories]] = {}
_set = object.__setattr__


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while an importer builds and checks its models.

    An import allocates a few objects per row and frees none of them, so every collection
    walks every model built so far for nothing: with the collector on, a 50,000-row BDM CSV
    took more than twice the CPU time (issue 15). The models hold no reference cycles, so
    nothing is left for the collector afterwards; it is switched back on (when it was on)
    at the end of the block, whatever happens in it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _defaults(cls: type[BaseModel]) -> tuple[dict[str, Any], Factories]:
    """The plain defaults of ``cls``'s fields, and the factories of the others (cached)."""
    found = _DEFAULTS.get(cls)
    if found is None:
        plain = {
            name: info.default
            for name, info in cls.model_fields.items()
            if info.default_factory is None
        }
        factories: Factories = tuple(
            (name, cast(Callable[[], Any], info.default_factory))
            for name, info in cls.model_fields.items()
            if info.default_factory is not None
        )
        found = _DEFAULTS[cls] = (plain, factories)
    return found


def model_builder(cls: type[M], fields: Sequence[str]) -> Callable[..., M]:
    """A fast maker of ``cls`` instances from the values of ``fields``, given by position.

    ``model_builder(Quantity, ("value", "source"))(0.5, "f.csv, line 2")`` is the same instance
    as ``checked_model(Quantity, value=0.5, source="f.csv, line 2")`` (same field values, same
    set fields), about twice as fast, for importers that build a model per row of a large file
    (a 200,000-actor CSV builds a million; issue 15). Fields with a default factory (lists,
    dicts) that are not in ``fields`` get a fresh value from the factory for every instance.

    How: the maker is generated once per call, as dataclasses generates ``__init__``: one
    function whose dict literal lists every field (the defaults are bound to it), so that an
    instance costs one allocation of the object, one of its dict and four stores through the
    slot descriptors' setters. Every instance shares one set of set field names. Sharing it
    is safe because the schema's models are frozen: pydantic adds to that set only on
    assignment, which a frozen model refuses, and ``model_copy`` copies it before adding the
    updated names. One set per instance took about 200 MB for a 200,000-actor CSV.

    Raises:
        ValueError: when ``fields`` names a field ``cls`` does not have, or names one twice.
    """
    if any(name not in cls.model_fields for name in fields) or len(set(fields)) != len(fields):
        raise ValueError(f"{cls.__name__} fields {list(fields)!r} are not distinct field names")
    plain, factories = _defaults(cls)
    made = dict(factories)
    slots = BaseModel.__dict__  # the slot descriptors' setters: no attribute lookup per store
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    for slot in (
        "__dict__",
        "__pydantic_fields_set__",
        "__pydantic_extra__",
        "__pydantic_private__",
    ):
        namespace["_set" + slot.strip("_")] = slots[slot].__set__
    namespace["_shared"] = set(fields)
    params = [f"_v{k}" for k in range(len(fields))]
    items: list[str] = []
    for index, name in enumerate(cls.model_fields):
        if name in fields:
            value = params[fields.index(name)]
        elif name in made:
            value = f"_f{index}()"
            namespace[f"_f{index}"] = made[name]
        else:
            value = f"_d{index}"
            namespace[f"_d{index}"] = plain[name]
        items.append(f"{name!r}: {value}")
    source = (
        f"def make({', '.join(params)}):\n"
        "    obj = _new(_cls)\n"
        f"    _setdict(obj, {{{', '.join(items)}}})\n"
        "    _setpydantic_fields_set(obj, _shared)\n"
        "    _setpydantic_extra(obj, None)\n"
        "    _setpydantic_private(obj, None)\n"
        "    return obj\n"
    )
    exec(source, namespace)  # field names from the class; values bound by name
    return cast(Callable[..., M], namespace["make"])


def checked_model(cls: type[M], **values: Any) -> M:
    """An instance of a schema model built without per-object validation.

    An instance of the schema model ``cls`` holding ``values`` as they are, without pydantic's
    per-object validation.

    For importers only, and only with values they have checked themselves (finite numbers in
    their ranges, ids from :func:`make_id`); :func:`accord.scenario.validate.check` still runs
    on the whole scenario. It makes a 200,000-actor CSV load in seconds: validating five models
    per row took over a minute (issue 15). Unset fields get their defaults, as in
    ``model_construct`` (which inspects each default factory's signature on every call).
    """
    plain, factories = _defaults(cls)
    data = dict(plain)
    for name, factory in factories:
        if name not in values:
            data[name] = factory()
    data.update(values)
    obj = cls.__new__(cls)
    _set(obj, "__dict__", data)
    _set(obj, "__pydantic_fields_set__", set(values))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj
