"""Validation of a large batch's later chunks in a second process, while this one checks the
rules for and inserts the chunks before them (pydantic stays the validator: the same function,
:func:`ledger.core.intake.validate`, runs there).

Only for batches of :data:`MIN_EVENTS` events or more, or streamed ones of more than one chunk:
the process (``python -m ledger.write.pool``, not ``multiprocessing``, whose spawn would run the
caller's script again) is started once per open ledger and kept for later appends; at most
:data:`AHEAD` chunks are in flight, so memory still holds a few chunks, not the batch.
"""

from __future__ import annotations

import gc
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator
from typing import IO, Any

from ledger.core import intake
from ledger.errors import LedgerError, Problem

MIN_EVENTS = 10_000
AHEAD = 2
ENABLED = os.environ.get("ALLIANCE_LEDGER_VALIDATION_PROCESS", "1") != "0"
"""``ALLIANCE_LEDGER_VALIDATION_PROCESS=0``: every chunk is validated in this process."""
_SIZE = struct.Struct("<Q")

Validated = tuple[int, int, list[dict[str, Any]], list[Problem]]


def _send(out: IO[bytes], obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(_SIZE.pack(len(data)) + data)
    out.flush()


def _receive(src: IO[bytes]) -> Any:
    head = src.read(_SIZE.size)
    if len(head) < _SIZE.size:
        raise EOFError
    return pickle.loads(src.read(_SIZE.unpack(head)[0]))


class Validator:
    """The second process of one open ledger (none until a large batch needs it)."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._requests: queue.Queue[bytes | None] = queue.Queue()

    def _started(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
            self._proc = subprocess.Popen([sys.executable, "-m", "ledger.write.pool"], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, env=env)
            self._requests = queue.Queue()
            # requests go out from a thread: the worker may be blocked writing an answer we have not read yet
            threading.Thread(target=self._feed, args=(self._proc, self._requests), daemon=True).start()
        return self._proc

    @staticmethod
    def _feed(proc: subprocess.Popen[bytes], requests: queue.Queue[bytes | None]) -> None:
        assert proc.stdin is not None
        try:
            while (data := requests.get()) is not None:
                proc.stdin.write(data)
                proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    def chunks(self, parts: Iterator[list[Any]], offset: int, default_stream: str | None) -> Iterator[Validated]:
        """(offset, size, documents, problems) of each chunk of ``parts``, in order, the first at
        ``offset``; validated in the second process, :data:`AHEAD` chunks ahead of the caller."""
        proc = self._started()
        assert proc.stdout is not None
        pending: deque[tuple[int, int]] = deque()
        done = False
        try:
            for part in parts:
                data = pickle.dumps((intake.plain(part, default_stream), offset), protocol=pickle.HIGHEST_PROTOCOL)
                self._requests.put(_SIZE.pack(len(data)) + data)
                pending.append((offset, len(part)))
                offset += len(part)
                if len(pending) > AHEAD:
                    yield self._answer(proc.stdout, *pending.popleft())
            while pending:
                yield self._answer(proc.stdout, *pending.popleft())
            done = True
        finally:
            if not done:  # answers not read would come out of order next time: start afresh
                self.close()

    def _answer(self, src: IO[bytes], offset: int, size: int) -> Validated:
        try:
            docs, problems = _receive(src)
        except (EOFError, pickle.UnpicklingError) as exc:
            self.close()
            raise LedgerError(f"the validation process ended unexpectedly ({exc}); nothing was written") from None
        return offset, size, docs, problems

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            self._requests.put(None)
            proc.kill()
            proc.wait()


def main() -> None:
    """The second process: validate each chunk it is sent, answer in order, until its input ends."""
    gc.disable()  # validation builds many objects that all survive: cycle hunts tripled its time
    src, out = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            chunk, offset = _receive(src)
        except EOFError:
            return
        _send(out, intake.validate(chunk, offset))
        gc.collect(0)


if __name__ == "__main__":
    main()
