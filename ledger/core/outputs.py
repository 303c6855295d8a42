"""Files a command writes (an export, a report, a snapshot): never the ledger itself, never half.

``export -o ledger.db`` truncated the database it was reading, and ``report --out ledger.db``
replaced it with HTML: an output path that is the ledger's own file (or its ``-wal``/``-shm``
companions), under any spelling, through a symlink or a hard link, is refused. Outputs are
written to a temporary file beside the target and moved over it at the end, so a failure
leaves the old file as it was and never a truncated one.

What is at the path decides how it is written: a symlink is followed (the file it names is
replaced, the link stays); a FIFO, a terminal or a device (``/dev/stdout``) is written in place,
since replacing it would break it for everyone; an existing SQLite database (any, not only this
ledger's) is never replaced by an export or a report; a missing parent folder is an error, as a
typo in a path should be.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from ledger.errors import LedgerError

_SQLITE_MAGIC = b"SQLite format 3\x00"

_COMPANIONS = ("", "-wal", "-shm", "-journal")


def _same_file(a: Path, b: Path) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def refuse_database(out: str | os.PathLike[str], database: str | None) -> Path:
    """``out`` as a Path, or a :class:`LedgerError` (exit 2) when it is the ledger's own file."""
    target = Path(out)
    if database is not None:
        for suffix in _COMPANIONS:
            if _same_file(target, Path(database + suffix)):
                raise LedgerError(f"{out}: that is the ledger's own database file; nothing was written (choose "
                                  "another output file)")
    if target.is_dir():
        raise LedgerError(f"{out}: is a directory; give a file name")
    return target


@contextmanager
def output_file(out: str | os.PathLike[str], database: str | None, mode: str = "wb") -> Iterator[IO]:  # type: ignore[type-arg]
    """Open ``out`` for writing after :func:`refuse_database` (see the module docstring)."""
    given = refuse_database(out, database)
    if given.exists() and not given.is_file():  # a FIFO, a terminal, a device, /dev/stdout: write in place
        with open(given, mode) as fh:
            yield fh
        return
    target = Path(os.path.realpath(given))  # a symlink: replace the file it names, keep the link
    if not target.parent.is_dir():
        raise LedgerError(f"{out}: the folder {str(target.parent)!r} does not exist; nothing was written")
    if _is_sqlite(target):
        raise LedgerError(f"{out}: is a SQLite database; an export or report does not replace one (remove it first, "
                          "or choose another file); nothing was written")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, mode) as fh:
            yield fh
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == _SQLITE_MAGIC
    except (FileNotFoundError, IsADirectoryError):
        return False


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
