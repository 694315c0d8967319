"""Read input files and write output files safely.

Reading (:func:`read_input`): only regular files. A FIFO would block forever and a device such
as ``/dev/zero`` reports a size of 0 and never ends, so the file is opened without blocking, its
type checked on the open descriptor (no race with a rename), and at most the size limit
(:data:`accord.limits.FILE_MB`) plus one byte is read, whatever the size the file claims.

Writing (:func:`write_atomic`): every output (scenario, report, JSON, CSV, game file) goes through
a temporary file in the target's folder that is flushed, fsync'ed and renamed over the target,
so a reader sees the old file or the new one, never half. A symlink is followed to the file it
names (the link stays a link); a target that is not a regular file (a device such as
``/dev/full``, a FIFO, a folder) is refused; an existing target keeps its permission bits; a
missing folder is reported by the target's name, never the temporary file's.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from accord import limits
from accord.errors import ScenarioError, UsageError


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_input(path: str | os.PathLike[str], source: str | None = None) -> bytes:
    """The bytes of the regular file at ``path`` (at most the file-size limit).

    Raises:
        ScenarioError: missing, unreadable, not a regular file, or larger than the limit; the
            message names ``source`` (default: the path as given).
    """
    name = source or str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ScenarioError("no such file", file=str(path), expected="an existing file") from None
    except IsADirectoryError:
        raise ScenarioError("is a folder, not a file", file=str(path), expected="a file") from None
    except OSError as exc:
        raise ScenarioError(
            f"cannot read the file ({exc.strerror})", file=name, expected="a readable file"
        ) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioError(
                f"is {_kind(info.st_mode)}, not a regular file",
                file=name,
                expected="a regular file",
            )
        bound = limits.max_file_bytes()
        if info.st_size > bound:
            raise _too_large(info.st_size, name)
        chunks: list[bytes] = []
        total = 0
        while total <= bound:
            try:
                chunk = os.read(fd, min(1 << 20, bound + 1 - total))
            except OSError as exc:
                raise ScenarioError(
                    f"cannot read the file ({exc.strerror})", file=name, expected="a readable file"
                ) from None
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > bound:
            raise _too_large(total, name)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _too_large(size: int, name: str) -> ScenarioError:
    bound = limits.FILE_MB.value
    return ScenarioError(
        f"the file is too large ({size / limits.MB:.1f} MiB or more; the limit is {bound} MiB)",
        file=name,
        expected=f"at most {bound} MiB; {limits.FILE_MB.hint}",
    )


def _umask() -> int:
    """The process umask, read without changing it (Linux); 0o022 where it cannot be read."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def write_atomic(path: str | os.PathLike[str], text: str | bytes) -> None:
    r"""Write ``text`` (str as UTF-8 with ``\n`` line ends, or bytes) to ``path`` atomically.

    Raises:
        UsageError: the target (after following symlinks) is not a regular file, or its folder
            is missing or not writable.
    """
    import tempfile  # loaded when writing, not by every command that reads a file

    given = Path(path)
    target = Path(os.path.realpath(given)) if given.is_symlink() else given
    mode = 0o666 & ~_umask()
    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise UsageError(
            f"cannot write here ({exc.strerror})", file=str(given), expected="a writable path"
        ) from None
    if info is not None:
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(
                f"is {_kind(info.st_mode)}, not a regular file; refusing to write onto it",
                file=str(given),
                expected="a path to a regular file",
            )
        mode = info.st_mode & 0o7777
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(
            f"the folder '{folder}' does not exist",
            file=str(given),
            expected="an existing folder (create it first)",
        )
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UsageError(
            f"cannot write in the folder '{folder}' ({exc.strerror})",
            file=str(given),
            expected="a writable folder",
        ) from None
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS):
            raise UsageError(
                f"cannot write the file ({exc.strerror})",
                file=str(given),
                expected="a writable path with free space",
            ) from None
        raise
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
