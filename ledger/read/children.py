"""A second process for a read that splits in two (``verify``'s checkpoint re-fold, a whole-ledger
fold's stakes): the work whose answer the parent can do without, so that any failure of the child
means only that the parent does that part itself, slower, with the same answer.

The child is ``python -m <module>``, a process of its own rather than :mod:`multiprocessing`,
whose spawn would re-run the caller's main script. Its request goes through its stdin (it holds
the store's address, and a URL may hold a password: never on a command line); its answer comes
back on its stdout as one frame (:func:`send`): its length, then its bytes, and it counts only
when it is whole.

Why a frame, and a thread that reads it from the start: before, the parent read the pipe only
once its own half was done and took the answer at end of file, i.e. when the child had exited.
A child done first then sat blocked on a full pipe, and the parent waited for the exit of a
process that holds a million-event fold, which the kernel takes ~0.6 s to tear down. Now the
child writes into the thread's reads as soon as it is done, and the parent has the answer when
its last byte arrives; the child's exit is reaped in the background.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from typing import IO

_HEADER = 8
"""Bytes of a frame's length (big-endian)."""


def worth_it(address: str | None, events: int, least: int) -> bool:
    """Whether to start a child: the store can be opened by another process (not in memory),
    there are enough events for the child's start (~0.3 s) to pay, and a second core to run it."""
    return address is not None and events >= least and (os.cpu_count() or 1) >= 2


def send(answer: bytes, out: IO[bytes] | None = None) -> None:
    """The child's side: write ``answer`` as one frame on stdout (the parent's read ends with its
    last byte, not at this process's exit)."""
    out = out or sys.stdout.buffer
    out.write(len(answer).to_bytes(_HEADER, "big"))
    out.write(answer)
    out.flush()


def _frame(pipe: IO[bytes]) -> bytes | None:
    """One frame read from ``pipe``; None when it ends before the frame does."""
    header = pipe.read(_HEADER)
    if len(header) != _HEADER:
        return None
    size = int.from_bytes(header, "big")
    body = pipe.read(size)
    return body if len(body) == size else None


class Child:
    """A started child process (:meth:`start`); read its answer with :meth:`answer`, and always
    :meth:`stop` it (in a ``finally``)."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self._answer: bytes | None = None
        self._reader = threading.Thread(target=self._read, name=f"child-{process.pid}", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        with contextlib.suppress(OSError, ValueError):  # a pipe that fails or is closed: no answer
            self._answer = _frame(self.process.stdout)

    @classmethod
    def start(cls, module: str, request: bytes) -> Child | None:
        """``python -m module`` with ``request`` on its stdin; None when it cannot be started."""
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
        try:
            process = subprocess.Popen([sys.executable, "-m", module], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        except OSError:
            return None
        child = cls(process)
        try:
            assert process.stdin is not None
            process.stdin.write(request)
            process.stdin.close()
        except OSError:  # it is gone already: the parent does the work
            child.stop()
            return None
        return child

    def answer(self) -> bytes | None:
        """The child's whole answer, once its last byte arrived; None when it failed (it exited,
        or closed its stdout, before a whole frame)."""
        self._reader.join()
        return self._answer

    def stop(self) -> None:
        """End the child. One that sent its whole answer is exiting: it is reaped by a thread, so
        the parent does not wait for its teardown; any other is killed and reaped here."""
        if self._answer is not None:  # set as the reader's last step: it is done
            threading.Thread(target=self._close, daemon=True).start()
            return
        if self.process.poll() is None:
            self.process.kill()
        self._close()

    def _close(self) -> None:
        self.process.wait()
        self._reader.join()  # it reads to the end of the pipe, which the exit closed
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None and not pipe.closed:
                with contextlib.suppress(OSError):  # a write to it that never reached the child
                    pipe.close()
