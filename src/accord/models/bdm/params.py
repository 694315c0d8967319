"""BDM's parameters: the switches that name each reading of the paper's ambiguities.

Source: the project spec ``bdm-scholz.md`` (§11 lists the ambiguities [A1]-[A16]) over
Scholz, Calbert & Smith (2011) [Scholz2011]; reading S1 is the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
from numpy.typing import NDArray

from accord.errors import UsageError
from accord.models.base import ModelParams

BoolArray = NDArray[np.bool_]

#: Ties in the weighted median: |F(y) - F(y')| / (R sum w) below this counts as equal (spec §3).
MEDIAN_TIE_TOL = 1e-12
#: Security levels that differ by less than this (relative) count as equal: R_i = 0 (spec §7).
SECURITY_TIE_TOL = 1e-12

#: The allowed values of each switch, the first being the S1 default of ``bdm-scholz.md``.
CHOICES: dict[str, tuple[str, ...]] = {
    "probability": ("global", "dyadic"),
    "vote_exponent": ("risk", "linear"),
    "voters": ("all", "third-parties"),
    "opponent_exponent": ("viewer", "opponent"),
    "security": ("column", "row"),
    "risk": ("two-pass-reset", "carry", "once", "off"),
    "compel": ("full", "none"),
    "selection": ("scholz", "least-movement", "category-least-movement", "most-enforceable"),
    "update": ("simultaneous", "sequential"),
    "range": ("initial", "current", "scale"),
    "median_tie": ("lowest", "highest", "first"),
    "salience": ("responder", "challenger"),
    "perception": ("mover", "proposer", "both"),
    "compromise": ("ratio", "weighted-average"),
    "bw_distance": ("sum", "difference"),
    "forecast": ("median", "mean"),
}


@dataclass(frozen=True)
class BDMParams(ModelParams):
    """Parameters of :func:`bdm`; each string switch names one reading of an ambiguity [Ak].

    The defaults are reading S1 of ``bdm-scholz.md`` (the only one that reproduces both Scholz's
    Figs 7-10 and Table 2). ``[Ak]`` refers to the spec's list of ambiguities (§11).

    Attributes:
        q: Q, the probability that the challenged actor does not respond (eq. 25); Scholz use 1.0.
        rounds: tau, the number of bargaining rounds.
        probability: [A2] ``"global"``: P(i,j) = sum_k max(0, v_k(i,j)) / sum_{k,a,b} |v_k(a,b)|;
            ``"dyadic"``: the printed eq. 31, denominator sum_k |v_k(i,j)|, so P(i,j)+P(j,i) = 1.
        vote_exponent: [A3] exponent on the vote distances in pass 2: ``"risk"`` the voter's own
            r_k, ``"linear"`` 1.
        voters: [A4] ``"all"`` n actors vote on (i, j), including i and j; ``"third-parties"``
            only k not in {i, j}.
        opponent_exponent: [A5] exponent of the opponent's EU in a's view: ``"viewer"`` r_a for
            both sides (Fig. 6 is i's viewpoint); ``"opponent"`` the opponent's own r_b.
        security: [A7] ``"column"`` Sec_i = sum_j E(j -> i) (BDM 1985 eq. 34); ``"row"``
            Sec_i = sum_j E(i -> j) (BDM 1997).
        risk: [A8] where the Appendix's step 13 loops back to. ``"two-pass-reset"``: every
            round resets r = 1, computes r from a first pass and decides in a second pass;
            ``"carry"``: one pass per round with the exponents carried over from the previous
            round (r = 1 in round 1), whose security levels give the next round's r;
            ``"once"``: round 1 as S1, later rounds reuse round 1's r in a single pass;
            ``"off"``: r = 1 throughout (risk neutral).
        compel: [A9] in the compel region (A < 0 < B <= |A|): ``"full"`` a moves to x_b,
            ``"none"`` no offer.
        selection: [A11] which offer a accepts: ``"scholz"`` (conflict offers by least movement,
            else compromises by the lowest K = (|A| x_a + |B| x_b)/(|A| + |B|), else compel by least
            movement); ``"least-movement"`` over all offers (the paper's text);
            ``"category-least-movement"`` (category priority, then least movement);
            ``"most-enforceable"`` (category priority, then the proposer with the largest B:
            "concede to the most enforceable offer").
        update: [A12] ``"simultaneous"`` all decisions read the start-of-round positions;
            ``"sequential"`` actors decide in data order, each reading the positions after the
            earlier moves (median, risk and utilities recomputed for each mover).
        range: [A14] R: ``"initial"`` the range of the initial positions, fixed;
            ``"current"`` the range of the positions each decision reads; ``"scale"`` the declared
            scale hi - lo (pass ``scale`` to :func:`bdm`).
        median_tie: [A15] tie-break of the weighted median: ``"lowest"``, ``"highest"`` or
            ``"first"`` (first actor in data order).
        salience: [A1] salience weighting the contest term of E(i -> j): ``"responder"`` s_j,
            ``"challenger"`` s_i (as printed in eq. 25b).
        perception: [A6] whose view classifies the dyad (a, b) for mover a: ``"mover"`` a's,
            ``"proposer"`` b's, ``"both"`` an offer only when both views give the same category
            (the amount then follows a's view).
        compromise: [A10] compromise offer: ``"ratio"`` x_a + (x_b - x_a)|A/B| (eqs. 35-36);
            ``"weighted-average"`` K = (|A| x_a + |B| x_b)/(|A| + |B|).
        bw_distance: [A13] distance in U_b and U_w (eqs. 22-23): ``"sum"`` m + delta as printed,
            ``"difference"`` |m - delta|. Has no effect when q = 1.
        forecast: what the adapter reports: ``"median"`` (the final round's Condorcet median,
            BDM's forecast) or ``"mean"`` (the final weighted mean); :func:`bdm` reports both.
    """

    model: ClassVar[str] = "bdm"

    q: float = 1.0
    rounds: int = 8
    probability: Literal["global", "dyadic"] = "global"
    vote_exponent: Literal["risk", "linear"] = "risk"
    voters: Literal["all", "third-parties"] = "all"
    opponent_exponent: Literal["viewer", "opponent"] = "viewer"
    security: Literal["column", "row"] = "column"
    risk: Literal["two-pass-reset", "carry", "once", "off"] = "two-pass-reset"
    compel: Literal["full", "none"] = "full"
    selection: Literal[
        "scholz", "least-movement", "category-least-movement", "most-enforceable"
    ] = "scholz"
    update: Literal["simultaneous", "sequential"] = "simultaneous"
    range: Literal["initial", "current", "scale"] = "initial"
    median_tie: Literal["lowest", "highest", "first"] = "lowest"
    salience: Literal["responder", "challenger"] = "responder"
    perception: Literal["mover", "proposer", "both"] = "mover"
    compromise: Literal["ratio", "weighted-average"] = "ratio"
    bw_distance: Literal["sum", "difference"] = "sum"
    forecast: Literal["median", "mean"] = "median"

    def __post_init__(self) -> None:
        if isinstance(self.q, bool) or not isinstance(self.q, int | float):
            raise UsageError(f"bdm: q is {self.q!r}", field="q", expected="a number in [0, 1]")
        if not 0.0 <= float(self.q) <= 1.0:
            raise UsageError(f"bdm: q is {self.q}", field="q", expected="a number in [0, 1]")
        object.__setattr__(self, "q", float(self.q))
        rounds: Any = self.rounds
        if isinstance(rounds, float) and rounds.is_integer():
            rounds = int(rounds)  # e.g. 8.0 from a JSON body
        if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 0:
            raise UsageError(
                f"bdm: rounds is {rounds!r}", field="rounds", expected="an integer >= 0"
            )
        object.__setattr__(self, "rounds", rounds)
        for name, allowed in CHOICES.items():
            value = getattr(self, name)
            if value not in allowed:
                raise UsageError(
                    f"bdm: {name} is {value!r}",
                    field=name,
                    expected="one of " + ", ".join(repr(a) for a in allowed),
                )
