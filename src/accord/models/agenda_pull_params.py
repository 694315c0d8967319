"""Fitted parameters of the ``agenda_pull`` model (data, generated; do not edit by hand).

Fitted by ``scripts/cross_validate.py --only agenda-setter-pull`` on
``tests/data/deu/deu3_dev.tsv`` (DEU III dev split, 244 scored issues, capability option
``council-votes``): the grid point (step 0.05 on [-0.3, 0.6] for each pull) with the smallest
in-sample MAE on all 244 issues. Cross-validated figures: docs/accuracy.md.
"""

from __future__ import annotations

from typing import Final

FITTED_PULLS: Final[dict[str, float]] = {"com": 0.05, "ep": 0.10}
"""Pull of each agenda setter's position on the compromise, by DEU actor id."""

FIT_SOURCE: Final = (
    "scripts/cross_validate.py, approach agenda-setter-pull, full fit on deu3_dev.tsv "
    "(244 issues, council-votes capabilities, grid step 0.05)"
)
