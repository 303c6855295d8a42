"""``verify`` over a store: the hash chain and recording invariants (:mod:`ledger.core.verify`),
then the derived data that queries trust (the party index, the fold checkpoints), compared only
when the chain is intact (derived data is only comparable with the events it derives from)."""

from __future__ import annotations

from collections.abc import Callable

from ledger.core.verify import PartyIndexCheck, VerifyReport, verify_chain
from ledger.read import checkpoints
from ledger.store.port import EventStore


def verify(store: EventStore, anchor: tuple[int, str] | None = None,
           progress: Callable[[int], None] | None = None) -> VerifyReport:
    head = store.head()[0]  # one consistent prefix, whatever writers do meanwhile
    index_check = PartyIndexCheck(store.party_index(head),
                                  lambda ids: {e["id"]: e for e in store.read(ids=ids, tolerant=True)})
    report = verify_chain(store.read_for_verify(head), anchor=anchor, progress=progress, on_event=index_check)
    if not report.problems:
        report.problems += index_check.finish()
    if not report.problems:
        report.problems += checkpoints.verify(store)
    report.ok = not report.problems
    return report
