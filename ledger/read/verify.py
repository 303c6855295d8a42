"""``verify`` over a store: the hash chain and recording invariants (:mod:`ledger.core.verify`),
then the derived data that queries trust (the party index, the fold checkpoints), compared only
when the chain is intact (derived data is only comparable with the events it derives from).

Re-folding the checkpoints is a fold of the whole ledger, independent of the chain walk; on a
large ledger that another process can open (a SQLite file, PostgreSQL) and a machine with a
second core, a child process does it while this one walks the chain, and its answer is used only
if the chain is intact. If the child cannot run or dies, the fold is done here: slower, the same.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from ledger.core.verify import PartyIndexCheck, VerifyReport, verify_chain
from ledger.read import checkpoints, party_checkpoints
from ledger.store.port import Envelope, EventStore

PARALLEL_FROM = 50_000
"""Events from which the checkpoints are re-folded in a child process (below, starting one costs
more than it saves)."""


def verify(store: EventStore, anchor: tuple[int, str] | None = None,
           progress: Callable[[int], None] | None = None) -> VerifyReport:
    head = store.head()[0]  # one consistent prefix, whatever writers do meanwhile
    side = _Side.start(store, head)
    try:
        index_check = PartyIndexCheck(store.party_index(head), lambda: store.misplaced_index_rows(head),
                                      lambda ids: {e["id"]: e for e in store.read(ids=ids, tolerant=True)})
        report = verify_chain(_checking(store.read_for_verify(head), index_check), anchor=anchor, progress=progress)
        if not report.problems:
            report.problems += index_check.finish()
        if not report.problems:
            found = side.result() if side is not None else None
            report.problems += found if found is not None else fold_checks(store)
    finally:
        if side is not None:
            side.stop()
    report.ok = not report.problems
    return report


def fold_checks(store: EventStore, limit: int = 20) -> list[dict[str, Any]]:
    """Every checkpoint re-folded from the events and compared: the whole ledger's, then each
    busy party's (:mod:`ledger.read.party_checkpoints`)."""
    found = checkpoints.verify(store, limit)
    return found + party_checkpoints.verify(store, limit - len(found)) if len(found) < limit else found


def _checking(envelopes: Iterable[Envelope], check: PartyIndexCheck, size: int = 20_000) -> Iterator[Envelope]:
    """The envelopes, for the chain walk, after the party index check saw them, a chunk at a time."""
    it = iter(envelopes)
    while chunk := list(islice(it, size)):
        check.check(chunk)
        yield from chunk


class _Side:
    """A child process re-folding the checkpoints (see the module docstring): ``python -m
    ledger.read.verify_child``, a process of its own rather than :mod:`multiprocessing`, whose
    spawn would re-run the caller's main script. The address goes through its stdin (a URL may
    hold a password: never on a command line); the problems come back as JSON on its stdout."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process

    @classmethod
    def start(cls, store: EventStore, head: int) -> _Side | None:
        address = store.address
        if address is None or head < PARALLEL_FROM or (os.cpu_count() or 1) < 2 or not (
                store.checkpoints() or store.party_checkpoints()):
            return None
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
        try:
            process = subprocess.Popen([sys.executable, "-m", "ledger.read.verify_child"], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        except OSError:
            return None
        side = cls(process)
        try:
            assert process.stdin is not None
            process.stdin.write(address.encode())
            process.stdin.close()
        except OSError:  # it is gone already: fold here
            side.stop()
            return None
        return side

    def result(self) -> list[dict[str, Any]] | None:
        """The child's problems, or None when it sent none (it failed: the caller folds here)."""
        import orjson

        assert self.process.stdout is not None
        try:
            found = orjson.loads(self.process.stdout.read())
        except (OSError, orjson.JSONDecodeError):
            return None
        if self.process.wait() != 0 or not isinstance(found, list):
            return None
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None and not pipe.closed:
                with contextlib.suppress(OSError):  # a write to it that never reached the child
                    pipe.close()
