"""One policy for random numbers: every stochastic entry point takes ``seed`` and normalises it here.

``None`` means fresh OS entropy; an ``int`` or a :class:`numpy.random.SeedSequence` gives a
reproducible stream; an existing :class:`numpy.random.Generator` is used as it is. A seed of 0 is a
seed like any other (we test ``is None``, never truthiness).
"""

from __future__ import annotations

import zlib

import numpy as np

from accord.limits import check_seed

SeedLike = int | np.random.SeedSequence | np.random.Generator | None


def make_rng(seed: SeedLike) -> np.random.Generator:
    """Return a PCG64 generator for ``seed`` (see module docstring)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if not isinstance(seed, np.random.SeedSequence):
        check_seed(seed)
    return np.random.default_rng(seed)


def spawn(seed: SeedLike, count: int) -> list[np.random.Generator]:
    """Return ``count`` independent child generators, one per repeat run."""
    if isinstance(seed, np.random.Generator):
        return list(seed.spawn(count))
    if not isinstance(seed, np.random.SeedSequence):
        check_seed(seed)
    sequence = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return [np.random.default_rng(child) for child in sequence.spawn(count)]


def seed_for(seed: int | None, *labels: str) -> np.random.Generator:
    """A generator for one cell that does not depend on which other cells run.

    A generator for one cell (e.g. an (issue, model) pair) that does not depend on which other
    cells run: the labels' CRC-32 values are the spawn key under ``seed`` (``None``: fresh
    entropy).
    """
    keys = tuple(zlib.crc32(label.encode()) for label in labels)
    if seed is None:
        return np.random.default_rng()
    check_seed(seed)
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=keys))
