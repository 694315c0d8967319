"""Build only the command a process runs: the others become stand-ins that carry their help.

Typer turns every registered function into a click command before it parses anything, reading
each function's signature and building each option (some 30 commands, 200 options): a tenth of
a short forecast's time and a third of ``accord --help``'s. A process runs one command, so
:func:`only_invoked` returns a copy of the app in which every other command is a stand-in: the
same name, help, short help, hidden and deprecated flags, with no parameters and a callback
that is never called. The group's help lists the stand-ins exactly as it lists the real
commands (``tests/unit/test_fast_start.py`` compares the two), and a mistyped command name
gets the same error and suggestions, as those read only the names.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Sequence

import typer
from typer.main import get_command_name, solve_typer_info_defaults
from typer.models import CommandInfo, TyperInfo


def _never_called() -> None:  # pragma: no cover - a stand-in is listed, never invoked
    raise AssertionError("a stand-in command was invoked")


def _command_name(info: CommandInfo) -> str:
    """The name Typer gives a registered command (its function's, with ``_`` as ``-``)."""
    if info.name:
        return info.name
    assert info.callback is not None
    return get_command_name(info.callback.__name__)


def _stand_in(info: CommandInfo) -> CommandInfo:
    """A parameterless copy of a command with the help text Typer would have given it."""
    stub = copy.copy(info)
    stub.name = _command_name(info)
    # Typer cleans the help it is given; the docstring as inspect.getdoc reads it is already
    # clean, and cleaning it again leaves it unchanged.
    stub.help = info.help if info.help is not None else inspect.getdoc(info.callback)
    stub.callback = _never_called
    return stub


def _group_name(info: TyperInfo) -> str | None:
    """The name Typer gives a registered group, as it resolves it when building the group."""
    name = solve_typer_info_defaults(info).name
    return name if isinstance(name, str) else None


def only_invoked(app: typer.Typer, args: Sequence[str]) -> typer.Typer:
    """A copy of ``app`` with only the command (or group) named by ``args[0]`` built in full.

    Args:
        app: the application, with all its commands registered.
        args: the command-line arguments after the program name.

    Returns:
        A shallow copy of ``app`` whose other commands are stand-ins (help only); within an
        invoked group the same applies to its own commands, with ``args[1:]``. When ``args[0]``
        names no command (``--help``, a typo, nothing), every command is a stand-in.
    """
    wanted = args[0] if args else None
    lazy = copy.copy(app)
    lazy.registered_commands = [
        info if _command_name(info) == wanted else _stand_in(info)
        for info in app.registered_commands
    ]
    groups = []
    for info in app.registered_groups:
        sub = info.typer_instance
        stub = copy.copy(info)
        if sub is not None:
            stub.typer_instance = only_invoked(sub, args[1:] if _group_name(info) == wanted else ())
        groups.append(stub)
    lazy.registered_groups = groups
    return lazy
