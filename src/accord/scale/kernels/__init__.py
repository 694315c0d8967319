"""Vectorised batch kernels: one module per model, each a ``kernel(batch, params, rng)``.

A kernel returns the ``(B, m)`` outcomes of its model on every draw of an
:class:`~accord.scale.batch.IssueBatch`, equal to a loop of single runs (the tests say to what
precision and why), or ``None`` when the parameters ask for a variant it does not vectorise; the
caller then falls back to the loop. Memory: every kernel works on chunks of draws so that its
largest temporary array stays near :data:`CHUNK_ELEMENTS` float64 elements.
"""

from __future__ import annotations

#: Target size (elements) of a kernel's largest temporary array; 4e6 float64 = 32 MB.
CHUNK_ELEMENTS = 4_000_000


def chunk_size(per_draw: int, limit: int = CHUNK_ELEMENTS) -> int:
    """Draws per chunk so that ``draws * per_draw`` stays at or under ``limit`` (at least 1)."""
    return max(1, limit // max(1, per_draw))
