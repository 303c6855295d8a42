"""``verify`` over a store: the hash chain and recording invariants (:mod:`ledger.core.verify`),
then the derived data that queries trust (the party index, :mod:`ledger.core.index_check`, and the
fold checkpoints), compared only when the chain is intact (derived data is only comparable with the
events it derives from).

Re-folding the checkpoints is a fold of the whole ledger, independent of the chain walk; on a
large ledger that another process can open (a SQLite file, PostgreSQL) and a machine with a
second core, a child process does it while this one walks the chain, and its answer is used only
if the chain is intact. If the child cannot run or dies, the fold is done here: slower, the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from ledger.core.index_check import IndexDigest, PartyIndexCheck
from ledger.core.verify import VerifyReport, verify_chain
from ledger.read import checkpoints, party_checkpoints
from ledger.read.children import Child, worth_it
from ledger.store.port import Envelope, EventStore

PARALLEL_FROM = 50_000
"""Events from which the checkpoints are re-folded in a child process (below, starting one costs
more than it saves)."""


def verify(store: EventStore, anchor: tuple[int, str] | None = None,
           progress: Callable[[int], None] | None = None) -> VerifyReport:
    head = store.head()[0]  # one consistent prefix, whatever writers do meanwhile
    side = _Side.start(store, head)
    try:
        digest = IndexDigest(lambda ids: _by_id(store, ids))
        report = verify_chain(_checking(store.read_for_verify(head), digest), anchor=anchor, progress=progress)
        if not report.problems and (not digest.agrees(store.party_index(head, ordered=False))
                                    or store.misplaced_index_rows(head)):
            report.problems += index_problems(store, head)
        if not report.problems:
            found = side.result() if side is not None else None
            report.problems += found if found is not None else fold_checks(store)
    finally:
        if side is not None:
            side.stop()
    report.ok = not report.problems
    return report


def index_problems(store: EventStore, head: int) -> list[dict[str, Any]]:
    """The party index rebuilt from the events and compared row by row, naming what differs: a
    second read of the ledger, run only when the fast check (:class:`IndexDigest`, beside the
    chain walk) found that something does."""
    check = PartyIndexCheck(store.party_index(head), lambda: store.misplaced_index_rows(head),
                            lambda ids: _by_id(store, ids))
    for _ in _checking(store.read_for_verify(head), check):
        pass
    return check.finish()


def _by_id(store: EventStore, ids: set[str]) -> dict[str, Envelope]:
    return {e["id"]: e for e in store.read(ids=ids, tolerant=True)}


def fold_checks(store: EventStore, limit: int = 20) -> list[dict[str, Any]]:
    """Every checkpoint re-folded from the events and compared: the whole ledger's, then each
    busy party's (:mod:`ledger.read.party_checkpoints`)."""
    found = checkpoints.verify(store, limit)
    return found + party_checkpoints.verify(store, limit - len(found)) if len(found) < limit else found


def _checking(envelopes: Iterable[Envelope], check: IndexDigest | PartyIndexCheck,
              size: int = 20_000) -> Iterator[Envelope]:
    """The envelopes, for the chain walk, after the party index check saw them, a chunk at a time."""
    it = iter(envelopes)
    while chunk := list(islice(it, size)):
        check.check(chunk)
        yield from chunk


class _Side:
    """The child process re-folding the checkpoints (see the module docstring,
    :mod:`ledger.read.children`): ``python -m ledger.read.verify_child``; the problems it found
    come back as JSON."""

    def __init__(self, child: Child) -> None:
        self.child = child

    @classmethod
    def start(cls, store: EventStore, head: int) -> _Side | None:
        address = store.address
        if not worth_it(address, head, PARALLEL_FROM) or not (store.checkpoints() or store.party_checkpoints()):
            return None
        assert address is not None
        child = Child.start("ledger.read.verify_child", address.encode())
        return cls(child) if child is not None else None

    def result(self) -> list[dict[str, Any]] | None:
        """The child's problems, or None when it sent none (it failed: the caller folds here)."""
        import orjson

        out = self.child.answer()
        try:
            found = orjson.loads(out) if out is not None else None
        except orjson.JSONDecodeError:
            return None
        return found if isinstance(found, list) else None

    def stop(self) -> None:
        self.child.stop()
