"""Partnership programmes as data: programmes, their objectives and cooperation areas.

A programme file (YAML, e.g. ``scenarios/japan-nato/programmes.yaml``) holds one partner's
programmes with NATO (IPCP 2014, IPCP 2020, ITPP 2023-26, ...). Every objective and area carries
its ``source`` and a ``verified`` flag: an area counted by the sources but not named by any of
them is kept as a placeholder with ``verified: false``, so that comparisons say what is unknown.
Areas that are the same across programmes share an ``id``; ``issues`` links an area to the
scenario issues (``ISSUE`` or ``ISSUE:DIMENSION``) that depend on it.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from accord.scenario.schema import Identifier, find_by_id, require_unique_ids
from accord.scenario.schema import Strict as _Strict


class Item(_Strict):
    """An objective or a cooperation area of a programme."""

    id: Identifier
    name: str = Field(min_length=1)
    verified: bool
    source: str = Field(min_length=1)
    note: str | None = None
    issues: list[str] = Field(default_factory=list)


class Programme(_Strict):
    """One programme (a version of it): its date, stated size, objectives and areas."""

    id: Identifier
    name: str = Field(min_length=1)
    date: str = Field(min_length=4)
    source: str = Field(min_length=1)
    n_areas: int | None = Field(default=None, ge=0)
    objectives: list[Item] = Field(default_factory=list)
    areas: list[Item] = Field(default_factory=list)

    @field_validator("areas", "objectives")
    @classmethod
    def _unique_ids(cls, items: list[Item]) -> list[Item]:
        return require_unique_ids(items, "id")

    def area(self, area_id: str) -> Item:
        """The area with id ``area_id`` (:func:`~accord.scenario.schema.find_by_id`)."""
        return find_by_id(self.areas, area_id)


class ProgrammeBook(_Strict):
    """A programme file: one partner's programmes, oldest first."""

    accord_programmes: int = 1
    partner: str = Field(min_length=1)
    scenario: str | None = None
    description: str | None = None
    programmes: list[Programme] = Field(min_length=1)

    @field_validator("programmes")
    @classmethod
    def _unique_programmes(cls, items: list[Programme]) -> list[Programme]:
        return require_unique_ids(items, "programme id")

    def programme(self, programme_id: str) -> Programme:
        """The programme with id ``programme_id`` (:func:`~accord.scenario.schema.find_by_id`)."""
        return find_by_id(self.programmes, programme_id)
