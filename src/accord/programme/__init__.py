"""Partnership programmes as data (model, loading, comparison)."""

from accord.programme.diff import AreaChange, ProgrammeDiff, diff_programmes
from accord.programme.load import load_programmes, loads_programmes, unresolved_links
from accord.programme.model import Item, Programme, ProgrammeBook

__all__ = [
    "AreaChange",
    "Item",
    "Programme",
    "ProgrammeBook",
    "ProgrammeDiff",
    "diff_programmes",
    "load_programmes",
    "loads_programmes",
    "unresolved_links",
]
