"""EU Council facts used by the DEU importer and the backtest: vote weights, populations, rules.

Everything here is data with its source, plus small lookup functions. Actor codes are the DEU
codes (``com``, ``ep`` and ISO-like state codes: ``bu`` is Bulgaria, ``cr`` Croatia, ``el``
Greece, ``uk`` the United Kingdom).

Vote weights (Council votes under qualified majority voting):

* **Pre-Nice** (1 January 1995 to 30 April 2004, EU-15): Treaty establishing the European
  Community, Art. 205(2) (ex Art. 148(2)), as adapted by the 1994 Act of Accession of Austria,
  Finland and Sweden (OJ C 241, 29.8.1994, Art. 15) and Council Decision 95/1/EC (OJ L 1,
  1.1.1995). 87 votes in all; a qualified majority is 62 votes.
* **Nice** (from the 1 May 2004 enlargement on, per the project brief): Protocol on the
  enlargement of the European Union annexed to the Treaty of Nice, Art. 3 (OJ C 80, 10.3.2001),
  as completed by the 2003 Act of Accession, Art. 12 (OJ L 236, 23.9.2003), the 2005 Act of
  Accession of Bulgaria and Romania, Art. 22 (OJ L 157, 21.6.2005), and the 2012 Act of Accession
  of Croatia, Art. 20 (OJ L 112, 24.4.2012). EU-25: 232 of 321 votes; EU-27: 255 of 345; EU-28:
  260 of 352. A qualified majority also needs a majority of the member states (on a Commission
  proposal) and, on request, 62% of the Union's population.

Simplifications, all named and documented in ``docs/backtest.md``:

* The period is chosen by the proposal's **introduction date** (DEU ``intro``), the only
  undamaged date in the file. Before 1 May 2004 the pre-Nice table applies, from that day on the
  Nice table (the transitional weights of 1 May to 31 October 2004, Act of Accession 2003
  Art. 26, are not used). The Lisbon double majority (from 1 November 2014) is not applied.
* A state that has no weight in the period's table (e.g. Poland on a proposal introduced in
  2003) gets weight 0: it had no Council vote then. With ``accession_aware=True`` a state also
  gets 0 before its own accession date (Bulgaria and Romania before 2007, Croatia before
  1 July 2013); the default is the plain period table, as the brief states it.
* The Commission (``com``) and the Parliament (``ep``) are not Council members; for the
  capability options they get the largest weight of the period (models.md section 6).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final, Literal

Period = Literal["pre-nice", "nice"]

ENLARGEMENT_2004: Final = dt.date(2004, 5, 1)
"""The 1 May 2004 enlargement: the switch from pre-Nice to Nice weights (models.md section 6)."""

INSTITUTIONS: Final[dict[str, str]] = {
    "com": "European Commission",
    "ep": "European Parliament",
}

STATE_NAMES: Final[dict[str, str]] = {
    "at": "Austria",
    "be": "Belgium",
    "bu": "Bulgaria",
    "cr": "Croatia",
    "cy": "Cyprus",
    "cz": "Czech Republic",
    "dk": "Denmark",
    "ee": "Estonia",
    "fi": "Finland",
    "fr": "France",
    "de": "Germany",
    "el": "Greece",
    "hu": "Hungary",
    "ie": "Ireland",
    "it": "Italy",
    "lv": "Latvia",
    "lt": "Lithuania",
    "lu": "Luxembourg",
    "mt": "Malta",
    "nl": "Netherlands",
    "pl": "Poland",
    "pt": "Portugal",
    "ro": "Romania",
    "si": "Slovenia",
    "sk": "Slovakia",
    "es": "Spain",
    "se": "Sweden",
    "uk": "United Kingdom",
}

ACCESSION: Final[dict[str, dt.date]] = {
    **{code: dt.date(1958, 1, 1) for code in ("be", "de", "fr", "it", "lu", "nl")},
    **{code: dt.date(1973, 1, 1) for code in ("dk", "ie", "uk")},
    "el": dt.date(1981, 1, 1),
    "es": dt.date(1986, 1, 1),
    "pt": dt.date(1986, 1, 1),
    **{code: dt.date(1995, 1, 1) for code in ("at", "fi", "se")},
    **{
        code: ENLARGEMENT_2004
        for code in ("cy", "cz", "ee", "hu", "lv", "lt", "mt", "pl", "si", "sk")
    },
    "bu": dt.date(2007, 1, 1),
    "ro": dt.date(2007, 1, 1),
    "cr": dt.date(2013, 7, 1),
}
"""Accession dates (used only with ``accession_aware=True``)."""


@dataclass(frozen=True)
class VoteTable:
    """Council vote weights of one period, with their legal source."""

    period: Period
    weights: dict[str, int]
    source: str


PRE_NICE: Final = VoteTable(
    period="pre-nice",
    weights={
        "de": 10,
        "fr": 10,
        "it": 10,
        "uk": 10,
        "es": 8,
        "be": 5,
        "el": 5,
        "nl": 5,
        "pt": 5,
        "at": 4,
        "se": 4,
        "dk": 3,
        "ie": 3,
        "fi": 3,
        "lu": 2,
    },
    source=(
        "Council votes before 1 May 2004 (pre-Nice, EU-15, 87 votes): TEC Art. 205(2) as adapted "
        "by the 1994 Act of Accession Art. 15 and Council Decision 95/1/EC"
    ),
)

NICE: Final = VoteTable(
    period="nice",
    weights={
        "de": 29,
        "fr": 29,
        "it": 29,
        "uk": 29,
        "es": 27,
        "pl": 27,
        "ro": 14,
        "nl": 13,
        "be": 12,
        "cz": 12,
        "el": 12,
        "hu": 12,
        "pt": 12,
        "at": 10,
        "se": 10,
        "bu": 10,
        "dk": 7,
        "ie": 7,
        "lt": 7,
        "sk": 7,
        "fi": 7,
        "cr": 7,
        "cy": 4,
        "ee": 4,
        "lv": 4,
        "lu": 4,
        "si": 4,
        "mt": 3,
    },
    source=(
        "Council votes from 1 May 2004 (Nice): Treaty of Nice Protocol on enlargement Art. 3, "
        "2003 Act of Accession Art. 12, 2005 Act of Accession Art. 22, 2012 Act of Accession "
        "Art. 20"
    ),
)

POPULATION_MILLIONS: Final[dict[str, float]] = {
    "at": 8.3,
    "be": 10.6,
    "bu": 7.7,
    "cr": 4.3,
    "cy": 0.8,
    "cz": 10.3,
    "dk": 5.4,
    "ee": 1.3,
    "fi": 5.3,
    "fr": 63.4,
    "de": 82.3,
    "el": 11.2,
    "hu": 10.1,
    "ie": 4.3,
    "it": 59.1,
    "lv": 2.3,
    "lt": 3.4,
    "lu": 0.5,
    "mt": 0.4,
    "nl": 16.4,
    "pl": 38.1,
    "pt": 10.6,
    "ro": 21.6,
    "si": 2.0,
    "sk": 5.4,
    "es": 44.5,
    "se": 9.1,
    "uk": 60.8,
}
"""Resident population in millions, one decimal (precision +-0.1 million)."""

POPULATION_SOURCE: Final = (
    "Eurostat demo_pjan, population on 1 January 2007 in millions rounded to 0.1 "
    "(Croatia: 1 January 2013)"
)

POPULATION_PRECISION: Final = 0.1
"""Half-width of the range recorded with each population figure (rounding, in millions)."""

CapabilityOption = Literal["council-votes", "council-votes-accession", "population", "equal"]

CAPABILITY_OPTIONS: Final[dict[str, str]] = {
    "council-votes": (
        "Council vote weights of the period of the intro date (pre-Nice before 1 May 2004, Nice "
        "after); states without a weight in that table get 0; com and ep get the largest weight "
        "of the period"
    ),
    "council-votes-accession": (
        "as council-votes, but a state also gets 0 before its own accession date "
        "(a sensitivity variant)"
    ),
    "population": (
        "population in millions for states with a Council weight in the period (others 0); com "
        "and ep get the largest population among those states"
    ),
    "equal": "every actor gets capability 1",
}


@dataclass(frozen=True)
class CapabilityValue:
    """A capability with its unit and the sentence that says where it comes from."""

    value: float
    unit: str | None
    source: str


def vote_period(date: dt.date) -> Period:
    """``"pre-nice"`` before the 1 May 2004 enlargement, ``"nice"`` from that day on."""
    return "pre-nice" if date < ENLARGEMENT_2004 else "nice"


def vote_table(date: dt.date) -> VoteTable:
    """The Council vote table in force on ``date`` (see the module docstring)."""
    return PRE_NICE if vote_period(date) == "pre-nice" else NICE


def is_state(code: str) -> bool:
    """Whether ``code`` is a DEU member-state code."""
    return code in STATE_NAMES


def is_known_actor(code: str) -> bool:
    """Whether ``code`` is a DEU actor code (an institution or a member state)."""
    return code in INSTITUTIONS or code in STATE_NAMES


def actor_name(code: str) -> str:
    """The full name of a DEU actor code (the code itself when unknown)."""
    return INSTITUTIONS.get(code) or STATE_NAMES.get(code) or code


def council_votes(state: str, date: dt.date, *, accession_aware: bool = False) -> int:
    """The Council votes of ``state`` on ``date``.

    0 when it has no weight in that period's table (or, with ``accession_aware``, before its
    accession date).
    """
    if accession_aware and date < ACCESSION.get(state, dt.date.max):
        return 0
    return vote_table(date).weights.get(state, 0)


def largest_weight(date: dt.date) -> int:
    """The largest Council weight of the period (10 pre-Nice, 29 Nice): com's and ep's weight."""
    return max(vote_table(date).weights.values())


def population(state: str) -> float:
    """Population of ``state`` in millions (:data:`POPULATION_MILLIONS`)."""
    return POPULATION_MILLIONS[state]


def qmv_vote_share(date: dt.date) -> tuple[float, str]:
    """The qualified-majority vote threshold as a share of all votes, and its source.

    Pre-Nice 62/87; Nice with EU-25 232/321 (used from 1 May 2004), EU-27 255/345 (from
    1 January 2007), EU-28 260/352 (from 1 July 2013).
    """
    if date < ENLARGEMENT_2004:
        return 62 / 87, "62 of 87 votes, TEC Art. 205(2) (pre-Nice)"
    if date < dt.date(2007, 1, 1):
        return 232 / 321, "232 of 321 votes, 2003 Act of Accession Art. 12 (Nice, EU-25)"
    if date < dt.date(2013, 7, 1):
        return 255 / 345, "255 of 345 votes, 2005 Act of Accession Art. 22 (Nice, EU-27)"
    return 260 / 352, "260 of 352 votes, 2012 Act of Accession Art. 20 (Nice, EU-28)"


def capability(code: str, date: dt.date, option: str) -> CapabilityValue:
    """The capability of DEU actor ``code`` for a proposal introduced on ``date``.

    Args:
        code: a DEU actor code (see :data:`INSTITUTIONS` and :data:`STATE_NAMES`).
        date: the proposal's introduction date (it picks the vote period).
        option: one of :data:`CAPABILITY_OPTIONS`.

    Raises:
        UsageError: for an unknown option or actor code.
    """
    from accord.errors import UsageError

    if option not in CAPABILITY_OPTIONS:
        raise UsageError(
            f"unknown capability option '{option}'",
            field="capability",
            expected="one of " + ", ".join(CAPABILITY_OPTIONS),
        )
    if not is_known_actor(code):
        raise UsageError(
            f"unknown DEU actor code '{code}'",
            field="actor",
            expected="com, ep or one of " + ", ".join(STATE_NAMES),
        )
    if option == "equal":
        return CapabilityValue(1.0, None, "capability option 'equal': every actor counts 1")
    table = vote_table(date)
    period = f"{table.period} period (intro {date.isoformat()})"
    if option in ("council-votes", "council-votes-accession"):
        aware = option == "council-votes-accession"
        if code in INSTITUTIONS:
            value = float(largest_weight(date))
            text = f"largest Council weight of the {period}, given to {code}; {table.source}"
            return CapabilityValue(value, "Council votes", text)
        votes = council_votes(code, date, accession_aware=aware)
        if votes == 0:
            text = f"no Council vote in the {period}; {table.source}"
        else:
            text = f"{table.source}; {period}"
        return CapabilityValue(float(votes), "Council votes", text)
    # population
    members = [s for s in table.weights if s in POPULATION_MILLIONS]
    if code in INSTITUTIONS:
        value = max(POPULATION_MILLIONS[s] for s in members)
        text = f"largest population among Council members of the {period}; {POPULATION_SOURCE}"
        return CapabilityValue(value, "million inhabitants", text)
    if code not in table.weights:
        return CapabilityValue(
            0.0, "million inhabitants", f"no Council vote in the {period}; {table.source}"
        )
    return CapabilityValue(population(code), "million inhabitants", POPULATION_SOURCE)
