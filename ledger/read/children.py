"""A second process for a read that splits in two (``verify``'s checkpoint re-fold, a whole-ledger
fold's stakes): the work whose answer the parent can do without, so that any failure of the child
means only that the parent does that part itself, slower, with the same answer.

The child is ``python -m <module>``, a process of its own rather than :mod:`multiprocessing`,
whose spawn would re-run the caller's main script. Its request goes through its stdin (it holds
the store's address, and a URL may hold a password: never on a command line); its answer comes
back whole on its stdout, and counts only when it exits 0.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys


def worth_it(address: str | None, events: int, least: int) -> bool:
    """Whether to start a child: the store can be opened by another process (not in memory),
    there are enough events for the child's start (~0.3 s) to pay, and a second core to run it."""
    return address is not None and events >= least and (os.cpu_count() or 1) >= 2


class Child:
    """A started child process (:meth:`start`); read its answer with :meth:`answer`, and always
    :meth:`stop` it (in a ``finally``)."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process

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
        """Everything the child wrote, once it exited 0; None when it failed."""
        assert self.process.stdout is not None
        try:
            out = self.process.stdout.read()
        except OSError:
            return None
        return out if self.process.wait() == 0 else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None and not pipe.closed:
                with contextlib.suppress(OSError):  # a write to it that never reached the child
                    pipe.close()
