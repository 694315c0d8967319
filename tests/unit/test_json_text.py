"""``accord.json_text.dumps`` writes exactly ``json.dumps(obj, indent=2, ensure_ascii=False)``."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.json_text import dumps

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=False, allow_infinity=False).map(np.float64),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
)
KEYS = st.one_of(st.text(max_size=6), st.integers(-5, 5), st.floats(), st.booleans(), st.none())
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(KEYS, inner, max_size=5),
        st.dictionaries(st.text(max_size=4), st.lists(st.floats(), min_size=1, max_size=1)),
        st.lists(st.floats(allow_nan=False), max_size=4),
        st.lists(st.text(max_size=3), max_size=4),
    ),
    max_leaves=30,
)


def reference(obj: Any) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_the_text_is_the_standard_encoders(obj: Any) -> None:
    assert dumps(obj) == reference(obj)


@pytest.mark.parametrize(
    "obj",
    [
        {"positions": {f"a{i}": [i / 7] for i in range(50)}, "members": ["a", "b"]},
        {"a": [1e308, 1e308], "b": [math.nan], "c": [math.inf], "d": [1, 2.5], "e": [True]},
        {"x": {}, "y": [], "z": [[]], "w": {"k": [1.0, "s"]}},
        [np.float64(0.1), np.float64(math.nan)],
        {"s": 'tab\tquote"nl\n\u2028é\x00'},
    ],
)
def test_chosen_shapes(obj: Any) -> None:
    assert dumps(obj) == reference(obj)


def test_what_the_encoder_refuses_is_refused_alike() -> None:
    for bad in ({"a": object()}, {(1, 2): 3}, [np.float32(1.0)], {"a": {1, 2}}):
        with pytest.raises(TypeError) as ours:
            dumps(bad)
        with pytest.raises(TypeError) as theirs:
            reference(bad)
        assert str(ours.value) == str(theirs.value)
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps(loop)
