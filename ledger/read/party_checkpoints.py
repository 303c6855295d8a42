"""Checkpoints of a busy party's fold, so its as-of queries fold a tail, not its whole story.

A one-party state folds the party's closure: the events indexed under it and what they link to
(:func:`ledger.store.foldreads.party_closure`). For the busiest parties (tens of thousands of
events at a million, a hundred thousand at ten million) reading and folding that closure is most
of a query, and it grows with the ledger. ``rebuild`` therefore folds the closure of each party
with :data:`BUSY` indexed events or more once, as known at the head and with no date bound, and
stores the Folder at dates about :data:`PART` closure events apart (the first, empty, before
every date, :data:`START`; the last at its latest date). With each it stores the keys the closure followed and the (date, position) of the
selected closure events dated after it, up to the party's next checkpoint: the party index has no
dates, so reading "the party's events after D" through it would visit every one of them.

A checkpoint of party X at (D, P), whose next checkpoint is at D', answers a query (D <= as_of <=
D', known_at >= P, every certainty) when the whole-ledger rule holds (nothing recorded in (P,
known_at] changes what is dated <= D, :func:`ledger.read.checkpoints.changed_from`) and the events
of X's closure recorded in (P, known_at] link to no key the checkpoint's closure did not follow:
the answer is the checkpoint, plus its listed events dated <= as_of, plus those recorded since
(withdrawals among them remove listed ones). The closure folded into the checkpoint holds events
linked only from events dated after a query's date; the fold of a party without date bounds did
the same, and they shape no item involving the party (the party-index property tests check every
answer against the filtered full fold). Any doubt: the closure is read whole, as without them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import orjson

from events import date_sort_key
from ledger.read.checkpoint_text import decode, differs, encode
from ledger.read.checkpoints import folded_past, valid_candidates
from projections import Folder, select_events

if TYPE_CHECKING:
    from ledger.store.port import EventStore

BUSY = 5_000
"""Indexed events from which a party gets checkpoints (below, its query folds in milliseconds)."""
PART = 5_000
"""Closure events between two checkpoints of a party: about the most a query reads and folds on top."""
MOST = 32
"""Checkpoints per party at most (a busier party's are further apart)."""
START = "0000-00-00"
"""The date of each busy party's first checkpoint, before every date: an empty fold listing the
party's events up to its second one, so an early date reads those, not the party's whole index."""
_FAR = "9999-12-31"

Keys = dict[str, tuple[str, ...]]


def rebuild(store: EventStore, head: int, clear: bool = False) -> list[tuple[str, str]]:
    """Checkpoints for every busy party as known at ``head``, after clearing the parties' old ones
    (``clear``; a full rebuild cleared every checkpoint already): returns (party, date) of each."""
    if clear:
        store.clear_party_checkpoints()
    made = []
    for party in store.busy_parties(head, BUSY):
        for day, count, folder, closure in _folds(store, head, party):
            store.add_party_checkpoint(party, day, head, count, closure, encode(folder))
            made.append((party, day))
    return made


def _folds(store: EventStore, head: int, party: str, days: list[str] | None = None) -> Iterator[tuple[str, int, Folder, str]]:
    """The fold of ``party``'s closure as known at ``head``, paused at ``days`` (default: about
    every :data:`PART` events, and the latest date): (day, events folded, the folder, the closure
    text), the folder folded on once the next one is asked for (encode or compare it first)."""
    events, keys = store.party_closure(head, party)
    ordered = select_events(events, as_of=_FAR, known_at=head)
    dates = [date_sort_key(e["effective_date"]) for e in ordered]
    if days is None:
        days = [START, *_cuts(dates)]
    folder, at = Folder(), 0
    for n, day in enumerate(days):
        end = bisect_right(dates, day, at)
        folder.apply(ordered[at:end], in_fold_order=True)
        at = end
        until = days[n + 1] if n + 1 < len(days) else None
        stop = bisect_right(dates, until, at) if until is not None else len(dates)
        later = [[dates[i], ordered[i]["position"]] for i in range(at, stop)]
        yield day, at, folder, _closure_text(keys, later, until)


def _cuts(dates: list[str]) -> list[str]:
    """Dates (ascending, each a day's last event) about every ``max(PART, n / MOST)`` events."""
    if not dates:
        return []
    step = max(PART, -(-len(dates) // MOST))
    cuts: list[str] = []
    for n in range(step - 1, len(dates) - 1, step):
        if not cuts or cuts[-1] < dates[n]:
            cuts.append(dates[n])
    if not cuts or cuts[-1] < dates[-1]:
        cuts.append(dates[-1])
    return cuts


def _closure_text(keys: Keys, later: list[list[Any]], until: str | None) -> str:
    return orjson.dumps({"keys": {key: list(only) for key, only in sorted(keys.items())}, "later": later,
                         "until": until}).decode()


def _closure(text: str) -> tuple[Keys, list[str], list[int], str | None]:
    """(keys, dates, positions, until) of a stored closure; ValueError when it is not one."""
    data = orjson.loads(text)
    keys, later, until = data["keys"], data["later"], data["until"]
    if not isinstance(keys, dict) or not all(isinstance(v, list) for v in keys.values()):
        raise ValueError("its keys are not an object of lists")
    if not isinstance(later, list) or not (until is None or isinstance(until, str)):
        raise ValueError("its later events are not a list")
    dates, positions = [str(d) for d, _ in later], [int(p) for _, p in later]
    return {str(key): tuple(str(t) for t in only) for key, only in keys.items()}, dates, positions, until


def fold_from_checkpoint(store: EventStore, party: str, as_of: str, known_at: int,
                         ) -> dict[str, list[dict[str, Any]]] | None:
    """The sections of ``party``'s closure from its best valid checkpoint (filter them to the
    party), or None when none applies."""
    candidates = store.party_checkpoint_candidates(party, as_of, known_at)
    for checkpoint_id, day, position in valid_candidates(store, as_of, known_at, candidates):
        try:
            text, blob = store.party_checkpoint_blob(checkpoint_id)
            keys, dates, positions, until = _closure(text)
            folder = decode(blob)
        except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):  # unreadable: answer without it
            continue
        if folded_past(folder, day) or (until is not None and until < as_of):
            return None  # folded past its date (verify reports it), or its next checkpoint is not valid
        recent = store.party_recent(known_at, party, keys, position, None if day == START else day, as_of)
        if recent is None:
            return None  # a link its closure lacks: the other checkpoints of the party lack it too
        # withdrawals recorded since are dated after the checkpoint (or it would not be valid): among
        # the events folded on, they remove what they withdraw from the listed events too
        tail = store.rows_at(positions[:bisect_right(dates, as_of)]) + recent
        later = [e for e in tail if date_sort_key(e["effective_date"]) > day]
        folder.apply(select_events(later, as_of=as_of, known_at=known_at), in_fold_order=True)
        return folder.result(as_of, consume=True)
    return None


def verify(store: EventStore, limit: int = 20) -> list[dict[str, Any]]:
    """Re-fold every party checkpoint from the events and compare it and its closure."""
    problems: list[dict[str, Any]] = []
    groups: dict[tuple[str, int], list[tuple[int, str]]] = {}
    for checkpoint_id, party, day, position in store.party_checkpoints():
        groups.setdefault((party, position), []).append((checkpoint_id, day))
    for (party, position), items in groups.items():
        folds = _folds(store, position, party, [day for _, day in items])
        for (checkpoint_id, day), (_, _, folder, closure) in zip(items, folds, strict=True):
            text, blob = store.party_checkpoint_blob(checkpoint_id)
            what = differs(blob, folder) or (None if text == closure else "lists another closure than the events give")
            if what and len(problems) < limit:
                problems.append({"position": position, "id": None, "problem":
                                 f"party checkpoint {checkpoint_id} ({party}, {day}) {what}: run "
                                 "`alliance-ledger rebuild` (checkpoints are derived data)"})
    return problems
