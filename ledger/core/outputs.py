"""Files a command writes (an export, a report, a snapshot): never the ledger itself, never half.

``export -o ledger.db`` truncated the database it was reading, and ``report --out ledger.db``
replaced it with HTML: an output path that is the ledger's own file (or its ``-wal``/``-shm``
companions), under any spelling, through a symlink or a hard link, is refused. Outputs are
written to a temporary file beside the target and moved over it at the end, so a failure
leaves the old file as it was and never a truncated one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from ledger.errors import LedgerError

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
    """Open ``out`` for writing, atomically, after :func:`refuse_database`; parent folders are made."""
    target = refuse_database(out, database)
    target.parent.mkdir(parents=True, exist_ok=True)
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


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
