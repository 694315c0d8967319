"""SMP's switches, constants and the errors shared by the step functions and both engines.

Source: KTAB (fork lsyaseen/KTAB @3b5b063), ``examples/smp/libsrc/smp.cpp``, as written out in the
project brief ``ktab-smp.md`` (section numbers below refer to it); [Wise2015].
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from accord.errors import UsageError
from accord.models.smp.pce import BigRAdjust, BigRRange, PCEModel, VictoryModel, VotingRule

IntArray = NDArray[np.intp]

#: Seed of the principals' coalitions in a challenge (§6).
CHALLENGE_SEED = 1e-10
#: A target needs an expected gain above this (§6).
MIN_EDU = 1e-5
#: Extra pull of each side toward its own position in a bargain (§7).
BARGAIN_FLOOR = 1e-6
#: Bargain coordinates are rounded to this grid (§7).
GRID = 10000.0
#: Positions closer than this (Euclidean, [0, 1]) are the same position (§10).
EQUIV_TOL = 1e-3
#: Stop test: added to the first turn's movement, and the ratio threshold (§9).
STOP_FLOOR = 1e-4
STOP_RATIO = 0.02
#: Sanity check of the risk attitudes (§4.6): utilities must move by more than this.
SANITY_TOL = 1e-6
#: Elements per chunk of the (pairs, third parties) challenge arrays (about 8 MB each).
CHUNK_ELEMENTS = 1_000_000


class StateTransition(StrEnum):
    """KTAB ``StateTransMode``: how an actor's queue choice is made."""

    DETERMINISTIC = "Deterministic"
    STOCHASTIC = "Stochastic"


class ThirdPartyCommit(StrEnum):
    """KTAB ``ThirdPartyCommit``: what a third party expects to happen to its own position."""

    NO_COMMIT = "NoCommit"
    SEMI_COMMIT = "SemiCommit"
    FULL_COMMIT = "FullCommit"


class BargainInterpolation(StrEnum):
    """KTAB ``InterVecBrgn``: how a bargain interpolates between the two positions."""

    S1P1 = "S1P1"
    S2P2 = "S2P2"
    S2PMAX = "S2PMax"


class BargainModel(StrEnum):
    """KTAB ``SMPBargnModel``: whose view of the challenge shapes the bargain."""

    INIT_ONLY = "InitOnlyInterp"
    INIT_RCVR = "InitRcvrInterp"
    PW_COMP = "PWCompInterp"


_E = TypeVar("_E", bound=StrEnum)

#: KTAB's C++ enumerator names accepted as aliases of the brief's names.
_ALIASES = {
    "conditionalpcm": "Conditional",
    "markovipcm": "MarkovIncentive",
    "markovupcm": "MarkovUniform",
    "proportional": "Prop",
}


def _parse(enum: type[_E], name: str, value: object) -> _E:
    if isinstance(value, enum):
        return value
    text = str(value).strip()
    text = _ALIASES.get(text.lower(), text)
    for member in enum:
        if member.value.lower() == text.lower():
            return member
    raise UsageError(
        f"smp switch '{name}' has no value {value!r}",
        field=name,
        expected="one of " + ", ".join(m.value for m in enum),
    )


@dataclass(frozen=True)
class SMPSwitches:
    """KTAB's nine SMP switches; the defaults are KTAB's defaults."""

    victory_model: VictoryModel = VictoryModel.LINEAR
    pce: PCEModel = PCEModel.CONDITIONAL
    state_transitions: StateTransition = StateTransition.DETERMINISTIC
    voting_rule: VotingRule = VotingRule.PROP
    big_r_adjust: BigRAdjust = BigRAdjust.ONE_THIRD
    big_r_range: BigRRange = BigRRange.MID
    third_party_commit: ThirdPartyCommit = ThirdPartyCommit.SEMI_COMMIT
    bargain_interpolation: BargainInterpolation = BargainInterpolation.S2P2
    bargain_model: BargainModel = BargainModel.INIT_ONLY

    @classmethod
    def from_names(cls, **names: object) -> SMPSwitches:
        """Build from KTAB value names (case-insensitive); unknown names raise UsageError."""
        kinds: dict[str, type[StrEnum]] = {
            "victory_model": VictoryModel,
            "pce": PCEModel,
            "state_transitions": StateTransition,
            "voting_rule": VotingRule,
            "big_r_adjust": BigRAdjust,
            "big_r_range": BigRRange,
            "third_party_commit": ThirdPartyCommit,
            "bargain_interpolation": BargainInterpolation,
            "bargain_model": BargainModel,
        }
        unknown = sorted(set(names) - set(kinds))
        if unknown:
            raise UsageError(f"unknown smp switch {unknown[0]!r}", expected=", ".join(kinds))
        parsed = {key: _parse(kinds[key], key, value) for key, value in names.items()}
        return cls(**parsed)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, str]:
        """The switches as ``{name: KTAB value name}``."""
        return {key: str(getattr(self, key).value) for key in self.__dataclass_fields__}


# --------------------------------------------------------------------------------------------
# Errors shared by the step functions and both engines


def degenerate_start_error() -> UsageError:
    """KTAB aborts when the risk attitudes leave the utilities unchanged (§4.6)."""
    return UsageError(
        "SMP risk attitudes do not change the utilities (e.g. all positions coincide)",
        expected="actors at distinct positions",
    )


def bargain_utility_error() -> UsageError:
    """A bargain's mean utility left (0, 1] (§8): the input is degenerate."""
    return UsageError(
        "SMP bargain utilities left (0, 1]: the input is degenerate",
        expected="positions and saliences on [0, 1]",
    )


def engine_supports(switches: SMPSwitches) -> bool:
    """Whether the engines cover these switches.

    Whether the engines cover these switches (else :func:`accord.models.smp.smp` runs the
    reference step functions).
    """
    return (
        switches.pce is PCEModel.CONDITIONAL
        and switches.state_transitions is StateTransition.DETERMINISTIC
        and switches.bargain_model is BargainModel.INIT_ONLY
    )
