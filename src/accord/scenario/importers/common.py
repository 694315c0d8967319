"""Helpers shared by the scenario importers and exporters."""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from accord.errors import UsageError
from accord.scenario.schema import Issue, Scenario

_ID_BAD = re.compile(r"[^A-Za-z0-9_.\-]+")

#: A number as the text formats write it: ASCII digits, an optional sign, point and exponent.
#: Python's ``float`` also reads ``1_000``, ``inf``, ``nan`` and digits of other scripts
#: (``'١٢'`` is 12.0), which no format defines (issue 15).
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


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
    plain, factories = found
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
