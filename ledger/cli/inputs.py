"""Reading the events a command is given: a file or ``-`` (standard input), strictly (see
:mod:`ledger.core.jsontext`), and a progress bar for long appends and imports on a terminal."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from ledger.core.jsontext import parse_text
from ledger.errors import LedgerError


def read_input(file: str) -> list[Any]:
    if file == "-":
        return parse_text(sys.stdin.buffer.read(), "standard input")
    path = Path(file)
    if path.is_dir() or not path.exists():
        raise LedgerError(f"{file}: no such file")
    return parse_text(path.read_bytes(), file)


class InputEvents:
    """The events of a file (or ``-``), read as they are appended: one chunk in memory at a time
    (:mod:`ledger.core.jsonstream`). Counts the events without a source as they pass."""

    def __init__(self, file: str) -> None:
        self.name = "standard input" if file == "-" else file
        if file != "-" and (Path(file).is_dir() or not Path(file).exists()):
            raise LedgerError(f"{file}: no such file")
        self._stream: IO[bytes] = sys.stdin.buffer if file == "-" else open(file, "rb")  # noqa: SIM115
        self.count = self.missing = 0
        self.first_missing: int | None = None
        self.size: int | None = None  # bytes, for a regular file (the progress bar's total)
        if file != "-" and Path(file).is_file():
            self.size = os.fstat(self._stream.fileno()).st_size

    def position(self) -> int:
        """Bytes of the file read so far (the reader is at most one block ahead of the events)."""
        return self._stream.tell()

    def __iter__(self) -> Iterator[Any]:
        from ledger.core.jsonstream import iter_items

        for event in iter_items(self._stream, self.name):
            self.count += 1
            if isinstance(event, dict) and not event.get("source"):
                self.missing += 1
                self.first_missing = self.first_missing or self.count
            yield event

    def close(self) -> None:
        if self._stream is not sys.stdin.buffer:
            self._stream.close()


@contextmanager
def progress_bar(verb: str, total: int | None, threshold: int = 10_000,
                 source: InputEvents | None = None) -> Iterator[Callable[[int], None] | None]:
    """A bar with the count, the rate and the time left, on a terminal, for work big enough to
    wait for; nothing in a pipe. Yields the callback that advances it (events done so far).

    ``total`` events are known for a verify; a streamed file's events are not, so with
    ``source`` the bar follows the bytes read of the file (its size is known, the time left
    follows from it) while counting events; standard input has no size: count and rate only."""
    size = source.size if source is not None else None
    small = (total is not None and total < threshold) or (size is not None and size < 1_000_000)
    if not sys.stderr.isatty() or small:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from ledger.cli.common import err

    columns = (TextColumn(verb), BarColumn(), TextColumn("{task.fields[count]} events"),
               TextColumn("{task.fields[rate]} events/s"), TextColumn("left"), TimeRemainingColumn())
    with Progress(*columns, console=err(), transient=True) as bar:
        task = bar.add_task(verb, total=size or total, rate="…", count="0")
        started = [0.0]

        def tick(done: int) -> None:
            import time

            now = time.monotonic()
            if not started[0]:
                started[0] = now
            elapsed = now - started[0]
            rate = f"{done / elapsed:,.0f}" if elapsed > 0.5 else "…"
            completed = source.position() if size is not None and source is not None else done
            bar.update(task, completed=completed, rate=rate, count=f"{done:,}" + (f"/{total:,}" if total else ""))

        tick(0)
        yield tick
