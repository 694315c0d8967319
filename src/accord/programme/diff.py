"""Compare two programmes: which areas were added, dropped, kept, and which are unverified.

Areas match by ``id``. An area of the earlier programme that is missing from the later one is
*dropped* only when the later programme names all its areas; when the later programme has
unverified placeholders, the area may hide among them, so it is *unresolved* instead. The same
holds the other way round for *added* areas against an earlier programme with placeholders
(*possibly new*). Unverified placeholders of either programme are listed on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accord.errors import UsageError
from accord.programme.model import Item, Programme, ProgrammeBook


@dataclass(frozen=True)
class AreaChange:
    """One area in a comparison: how it changed, and the issues that depend on it."""

    change: str
    id: str
    name: str
    verified: bool
    issues: tuple[str, ...]
    source: str

    def to_json_dict(self) -> dict[str, Any]:
        """The change as a JSON-serialisable dict."""
        return {
            "change": self.change,
            "id": self.id,
            "name": self.name,
            "verified": self.verified,
            "issues": list(self.issues),
            "source": self.source,
        }


#: Order of the change kinds in tables.
CHANGES = ("added", "possibly-new", "kept", "dropped", "unresolved", "unverified")


@dataclass(frozen=True)
class ProgrammeDiff:
    """The comparison of programme ``before`` with programme ``after``."""

    before: str
    after: str
    before_counts: dict[str, int]
    after_counts: dict[str, int]
    areas: tuple[AreaChange, ...]
    objectives_after: tuple[str, ...]

    def of(self, change: str) -> list[AreaChange]:
        """The areas whose change is ``change``."""
        return [a for a in self.areas if a.change == change]

    def rows(self) -> list[dict[str, Any]]:
        """One table row per changed area: change, name, verified and issues."""
        return [
            {
                "change": a.change,
                "name": a.name,
                "verified": "yes" if a.verified else "NO",
                "issues": list(a.issues),
            }
            for a in self.areas
        ]

    def summary(self) -> str:
        """One sentence with both programmes' area counts and the changes by kind."""
        counts = ", ".join(f"{len(self.of(c))} {c}" for c in CHANGES if self.of(c))
        b, a = self.before_counts, self.after_counts
        return (
            f"{self.before}: {b['areas']} areas ({b['verified']} verified); {self.after}: "
            f"{a['areas']} areas ({a['verified']} verified). Changes: {counts}."
        )

    def to_json_dict(self) -> dict[str, Any]:
        """The diff as a JSON-serialisable dict."""
        return {
            "before": self.before,
            "after": self.after,
            "before_counts": self.before_counts,
            "after_counts": self.after_counts,
            "objectives_after": list(self.objectives_after),
            "changes": {c: [a.to_json_dict() for a in self.of(c)] for c in CHANGES},
            "summary": self.summary(),
        }


def _counts(programme: Programme) -> dict[str, int]:
    verified = sum(1 for a in programme.areas if a.verified)
    return {
        "areas": len(programme.areas),
        "verified": verified,
        "unverified": len(programme.areas) - verified,
        "stated": programme.n_areas if programme.n_areas is not None else len(programme.areas),
    }


def _change(kind: str, item: Item) -> AreaChange:
    return AreaChange(kind, item.id, item.name, item.verified, tuple(item.issues), item.source)


def _get(book: ProgrammeBook, programme_id: str, option: str) -> Programme:
    try:
        return book.programme(programme_id)
    except KeyError:
        raise UsageError(
            f"no programme '{programme_id}'",
            field=option,
            expected="one of " + ", ".join(p.id for p in book.programmes),
        ) from None


def diff_programmes(book: ProgrammeBook, before_id: str, after_id: str) -> ProgrammeDiff:
    """Compare programme ``before_id`` with ``after_id`` of ``book`` (see the module docstring)."""
    before = _get(book, before_id, "--from")
    after = _get(book, after_id, "--to")
    b_named = {a.id: a for a in before.areas if a.verified}
    a_named = {a.id: a for a in after.areas if a.verified}
    b_open = any(not a.verified for a in before.areas)
    a_open = any(not a.verified for a in after.areas)
    areas: list[AreaChange] = []
    for item in after.areas:
        if not item.verified:
            continue
        if item.id in b_named:
            areas.append(_change("kept", item))
        else:
            areas.append(_change("possibly-new" if b_open else "added", item))
    for item in before.areas:
        if item.verified and item.id not in a_named:
            areas.append(_change("unresolved" if a_open else "dropped", item))
    for programme in (before, after):
        for item in programme.areas:
            if not item.verified:
                change = _change("unverified", item)
                areas.append(
                    AreaChange(
                        change.change,
                        change.id,
                        f"{programme.id}: {item.name}",
                        False,
                        change.issues,
                        change.source,
                    )
                )
    order = {c: k for k, c in enumerate(CHANGES)}
    areas.sort(key=lambda a: order[a.change])
    return ProgrammeDiff(
        before=before.id,
        after=after.id,
        before_counts=_counts(before),
        after_counts=_counts(after),
        areas=tuple(areas),
        objectives_after=tuple(o.name for o in after.objectives),
    )
