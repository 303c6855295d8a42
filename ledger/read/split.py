"""A whole-ledger fold in two processes: on a large ledger that another process can open and a
machine with a second core, a child folds the stake events (:data:`projections.STAKE_TYPES`,
which write the stakes section and nothing else) while this process folds all the others; the
stakes the child sends replace the empty section here.

Measured on a million-event SQLite ledger (2 cores, ``Ledger.state`` cold, the benchmark's
rebuild, alternating runs of the code before and after): 8.3-9.7 s in one process, 6.5-6.6 s
split (this process folds 586,000 events while the child folds 414,000 and sends 360,000 stakes;
it then waits 1.2-1.9 s for them and loads them in 0.4 s). Other independent sections given to
the child measured slower in one batch of prototype runs: stakes alone 6.1 s, stakes and metrics
8.2 s (the child then had the larger share), metrics, roles, parties and legal actions 7.1 s.

If the child cannot start, fails (a stored event it cannot fold among them) or sends anything
but a list, this process folds the stake events itself: slower, the same answer or the same
error. A property test checks that the two halves make the state that one fold does
(tests/unit/test_fold_properties.py); a contract test, that the split answers as one process does.
"""

from __future__ import annotations

import marshal
from typing import Any

import orjson

from ledger.read import checkpoints
from ledger.read.children import Child, worth_it
from ledger.store.port import EventStore
from projections import STAKE_TYPES, Folder, gc_paused

SPLIT_FROM = 100_000
"""Events from which the stakes are folded in a child process. Measured on the benchmark's first
100,000 events, 3 alternating runs: 0.66-0.72 s split against 0.77-0.80 s in one process; at
50,000, 0.34-0.36 s against 0.34-0.35 s (the child's start eats the gain)."""

CHILD = "ledger.read.fold_child"


def fold_whole(store: EventStore, day: str, position: int, min_certainty: str) -> dict[str, list[dict[str, Any]]]:
    """The sections of the whole ledger as of ``day`` as known at ``position``, folded from the
    first event (no checkpoint), the stakes in a child process when that is worth it."""
    child = _start(store, day, position, min_certainty)
    if child is None:
        return checkpoints.fold_in_order(store, Folder(), None, day, position, min_certainty)
    try:
        sections = checkpoints.fold_in_order(store, Folder(), None, day, position, min_certainty,
                                             STAKE_TYPES, exclude=True)
        stakes = _stakes(child.answer())
    finally:
        child.stop()
    if stakes is None:  # the child failed: fold them here
        stakes = fold_stakes(store, day, position, min_certainty)
    sections["stakes"] = stakes
    return sections


def fold_stakes(store: EventStore, day: str, position: int, min_certainty: str) -> list[dict[str, Any]]:
    """The stakes section alone: the fold of the stake events (what the child computes)."""
    return checkpoints.fold_in_order(store, Folder(), None, day, position, min_certainty, STAKE_TYPES)["stakes"]


def _start(store: EventStore, day: str, position: int, min_certainty: str) -> Child | None:
    address = store.address
    if not worth_it(address, position, SPLIT_FROM):
        return None
    request = {"address": address, "day": day, "position": position, "min_certainty": min_certainty}
    return Child.start(CHILD, orjson.dumps(request))


def _stakes(answer: bytes | None) -> list[dict[str, Any]] | None:
    """The child's stakes, or None when it sent nothing usable. Marshal keeps Python's exact types
    (a tuple stays a tuple) and loads only plain containers; for 360,000 stakes it loaded in
    0.39-0.52 s against orjson's 0.49-0.66 s (and dumped in about the same time)."""
    if answer is None:
        return None
    try:
        with gc_paused():  # else the collector rescans the whole state for each batch of new items: 6.4 s, not 0.4
            stakes = marshal.loads(answer)
    except (ValueError, EOFError, TypeError):
        return None
    return stakes if isinstance(stakes, list) else None
