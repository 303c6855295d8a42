"""Checkpoints: persisted snapshots of the fold, so an as-of query folds only a tail.

A checkpoint at (D, P) holds the fold of every event with effective date <= D and position
<= P, as known at P. It answers a query (as_of >= D, known_at >= P) exactly when nothing
recorded in (P, known_at] changes that prefix: no event dated <= D arrived (a backdated one),
and no correction or retraction withdrew an event dated <= D. Then the answer is the
checkpoint plus the events dated in (D, as_of]. Any other query, or any doubt, folds from the
start: checkpoints are derived data, and deleting them changes nothing but speed
(``alliance-ledger rebuild`` recreates them).

They are stored as data (the fold accumulator as lines of JSON, :mod:`ledger.read.checkpoint_text`,
zlib-compressed), never pickled: reading a row can build nothing but plain containers, and an
unreadable row is skipped by queries (they fold from the start) and reported by ``verify``.
A checkpoint records the event ``schema_version`` it folded (the shape upcasting gave the
events then): one made before a new version's upcasters is not used, and ``verify`` names it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from events import date_sort_key
from ledger.read import tailed
from ledger.read.checkpoint_text import decode, differs, encode, pieces, usable
from projections import Folder, gc_paused, select_ordered

if TYPE_CHECKING:
    from ledger.store.port import EventStore


def boundaries(store: EventStore, upto: int, count: int) -> list[str]:
    """Up to ``count`` checkpoint dates that split the events dated so far into even parts, the
    last one the latest date: the state as of that date or any later one then has no events
    to fold after its checkpoint, and a whole state streams from it (:mod:`ledger.read.streamed`)."""
    keys = store.checkpoint_days(upto)
    picked = {keys[(n + 1) * len(keys) // count - 1] for n in range(count) if (n + 1) * len(keys) // count}
    return sorted(picked)


def rebuild(store: EventStore, count: int = 8) -> list[tuple[str, int]]:
    """Replace all checkpoints by ``count`` new ones at the current head; returns (date, position)."""
    head = store.head()[0]
    dates = boundaries(store, head, count)
    store.clear_checkpoints()
    if not dates:
        return []
    made = []
    for day, folder, done in _folds_at(store, head, dates):
        store.add_checkpoint(day, head, done, encode(folder))
        made.append((day, head))
    return made


def refresh_latest(store: EventStore) -> list[tuple[str, int]]:
    """Add a checkpoint at the latest date as known at the head, folded on from the best valid
    checkpoint before it: the events since, not the whole ledger (the other checkpoints stay).
    After appends this is what lets the current whole state stream again, at the cost of a tail.
    Its ``events`` count is the events folded on top of the checkpoint it resumed."""
    head = store.head()[0]
    days = store.checkpoint_days(head)
    if not days:
        return []
    latest = days[-1]
    folder, after = Folder(), None
    for checkpoint_id, day, position in valid_candidates(store, latest, head):
        blob = store.checkpoint_blob(checkpoint_id)  # read once, whichever way it is used
        if _in_lines(blob, day):
            if day == latest and position == head:
                return [(day, position)]  # already current (its header read, not its 200 MB of items)
            sparse = _rewritten(store, blob, day, latest, head)
            if sparse is not None:  # the tail folded on the items it reads, the rest copied line by line
                store.add_checkpoint(latest, head, sparse[1], sparse[0])
                return [(latest, head)]
        try:
            found = decode(blob)
        except ValueError:  # unreadable derived data: fold on from an older one (verify reports it)
            continue
        if folded_past(found, day):
            continue
        folder, after = found, day
        break
    done = [count for _, count in _feed(store, folder, after, latest, head, pauses=[latest])]
    store.add_checkpoint(latest, head, done[-1], encode(folder))
    return [(latest, head)]


def _rewritten(store: EventStore, blob: bytes, day: str, latest: str, head: int) -> tuple[bytes, int] | None:
    """The checkpoint at ``latest`` as a row, from the checkpoint ``blob`` (at ``day``, in lines this
    code reads: :func:`_in_lines`) with the tail folded on sparsely (:mod:`ledger.read.tailed`):
    memory holds the tail and the items it reads, not the accumulator. None when that cannot be
    done (the caller decodes it whole)."""
    try:
        tail = tailed.folded_tail(store, blob, day, latest, head, removals(store, head))
        return (tailed.rewritten(blob, tail), tail.events) if tail is not None else None
    except (ValueError, TypeError, zlib.error):  # an unreadable line: decoding it whole says so
        return None


def _in_lines(blob: bytes, day: str) -> bool:
    """Whether a checkpoint's header says it is in lines this code reads, folded up to ``day`` and
    no further: what ``rebuild --latest`` checks of a checkpoint already at the head, instead of
    decoding its items (2.5 s at a million events, for nothing), and before it reads its lines to
    fold a tail on. ``verify`` reads every line."""
    try:
        found = pieces(blob)
    except (ValueError, TypeError, zlib.error):
        return False
    return found is not None and usable(found[0], day)  # one document: decoded as before


def folded_past(folder: Folder, day: str) -> bool:
    """Whether a decoded checkpoint holds events dated after its own date: not what ``rebuild``
    writes (``verify`` reports it), so no query starts from it."""
    return folder.last is not None and folder.last[0] > day


def _folds_at(store: EventStore, position: int, days: list[str]) -> Iterator[tuple[str, Folder, int]]:
    """One fold of the ledger as known at ``position``, paused at each of ``days`` (ascending):
    yields (day, the folder with every event dated <= day, how many events that is)."""
    folder = Folder()
    for day, done in _feed(store, folder, None, "9999-12-31", position, pauses=days):
        yield day, folder, done


def still_valid(store: EventStore, day: str, position: int, known_at: int) -> bool:
    """True when nothing recorded in (position, known_at] changes the folded prefix (see above)."""
    return _valid(day, changed_from(store, position, known_at))


def _valid(day: str, horizon: str | None) -> bool:
    return horizon is None or horizon > day


def valid_candidates(store: EventStore, as_of: str, known_at: int,
                     candidates: Iterable[tuple[int, str, int]] | None = None) -> Iterator[tuple[int, str, int]]:
    """The checkpoints a query (``as_of``, ``known_at``) may start from, latest date first, as
    (id, date, position), among ``candidates`` (default: the whole ledger's dated up to ``as_of``
    and made up to ``known_at``): what was recorded since is read once per checkpoint position,
    not once per checkpoint (``rebuild`` makes them all at one position)."""
    horizons: dict[int, str | None] = {}  # per checkpoint position: what was recorded since
    if candidates is None:
        candidates = store.checkpoint_candidates(as_of, known_at)
    for checkpoint_id, day, position in candidates:
        if position not in horizons:
            horizons[position] = changed_from(store, position, known_at)
        if _valid(day, horizons[position]):
            yield checkpoint_id, day, position


def changed_from(store: EventStore, position: int, known_at: int) -> str | None:
    """The earliest effective date that the events recorded in (position, known_at] change:
    their own dates and those of the events they correct or retract (None: nothing recorded).

    A checkpoint at (day, position) is valid while this is after ``day``; one value serves
    every checkpoint at that position. Exact, not conservative: a withdrawal of an event dated
    after ``day`` leaves the checkpoint in use (a retraction names its target only in its
    payload, so the targets of the withdrawals recorded since are read, through their partial
    index, and looked up).
    """
    if known_at == position:
        return None
    dates = [store.earliest_recorded(position, known_at),
             store.earliest_of(sorted(store.withdrawals(upto=known_at, after=position)))]
    found = [d for d in dates if d is not None]
    return min(found) if found else None


def load(store: EventStore, checkpoint_id: int) -> Folder:
    return decode(store.checkpoint_blob(checkpoint_id))


def removals(store: EventStore, known_at: int) -> set[str]:
    """Every id withdrawn (corrected or retracted) as known at ``known_at``."""
    return set(store.withdrawals(upto=known_at))


def fold_in_order(
    store: EventStore, folder: Folder, after_day: str | None, as_of: str, known_at: int, min_certainty: str,
    types: tuple[str, ...] = (), exclude: bool = False,
) -> dict[str, list[dict[str, Any]]]:
    """Feed ``folder`` the events after ``after_day`` in fold order (of ``types`` only, or
    ``exclude``: of the others) and return the sections.

    The collector stays paused over the reads too, not only the folds: it would otherwise rescan
    the growing accumulator (measured at a million events, 0.3-0.7 s of a 9-10 s fold)."""
    with gc_paused():
        for _ in _feed(store, folder, after_day, as_of, known_at, min_certainty, types=types, exclude=exclude):
            pass
        return folder.result(as_of, consume=True)


def _feed(
    store: EventStore, folder: Folder, after_day: str | None, as_of: str, known_at: int,
    min_certainty: str = "rumored", pauses: Iterable[str] = (), chunk: int = 20_000,
    types: tuple[str, ...] = (), exclude: bool = False,
) -> Iterator[tuple[str, int]]:
    """Fold into ``folder`` the events dated in (after_day, as_of] and recorded up to
    ``known_at`` (of ``types``, as :meth:`EventStore.fold_tail` reads them), streamed in fold
    order a chunk at a time: memory holds the accumulator and one chunk, not the ledger (read
    whole, a million events took 3 GB).

    At each of ``pauses`` (ascending dates) yields (day, events folded so far) once every
    selected event dated <= day is in ``folder``.
    """
    removed = removals(store, known_at)
    pending = list(pauses)
    batch: list[dict[str, Any]] = []
    done = 0

    def flush() -> int:
        selected = select_ordered(batch, removed, min_certainty)  # fold_tail's order and bounds
        folder.apply(selected, in_fold_order=True)
        batch.clear()
        return len(selected)

    for events in store.fold_tail(after_day, as_of, known_at, types, exclude):
        start = 0
        if pending and date_sort_key(events[-1]["effective_date"]) > pending[0]:  # a pause falls in this chunk
            for i, event in enumerate(events):
                while pending and date_sort_key(event["effective_date"]) > pending[0]:
                    batch.extend(events[start:i])
                    start = i
                    done += flush()
                    yield pending.pop(0), done
        batch.extend(events[start:])
        if len(batch) >= chunk:
            done += flush()
    done += flush()
    for day in pending:
        yield day, done


class CheckpointCache:
    """Decoded checkpoints kept in memory by a Ledger (a few, most recent first).

    A kept checkpoint is handed out as a copy (the query folds on into it), so a whole-state query
    holds two accumulators; ``size`` 0 keeps none and hands out the decoded one itself, which is
    what a process that answers one query wants (the CLI: a million-event state, ~0.7 GB less).
    """

    def __init__(self, size: int = 2) -> None:
        self.size = size
        self.used = 0  # how many queries a checkpoint answered (tests and benchmarks read it)
        self._items: dict[int, Folder] = {}

    def get(self, store: EventStore, checkpoint_id: int) -> Folder:
        if self.size == 0:
            self.used += 1
            return load(store, checkpoint_id)
        folder = self._items.pop(checkpoint_id, None)
        if folder is None:
            folder = load(store, checkpoint_id)
        self._items[checkpoint_id] = folder
        while len(self._items) > self.size:
            self._items.pop(next(iter(self._items)))
        self.used += 1
        return folder.snapshot()

    def clear(self) -> None:
        self._items.clear()


def fold_from_checkpoint(
    store: EventStore, cache: CheckpointCache, as_of: str, known_at: int,
) -> dict[str, list[dict[str, Any]]] | None:
    """The sections from the best valid checkpoint, or None when none applies."""
    for checkpoint_id, day, _ in valid_candidates(store, as_of, known_at):
        try:
            folder = cache.get(store, checkpoint_id)
        except ValueError:  # unreadable derived data: answer without it (verify reports it)
            continue
        if folded_past(folder, day):
            continue
        return fold_in_order(store, folder, day, as_of, known_at, "rumored")
    return None


def verify(store: EventStore, limit: int = 20) -> list[dict[str, Any]]:
    """Re-fold every checkpoint from the events and compare: an edited one would change answers.

    Checkpoints sharing a position are rebuilt in one pass, in date order, as ``rebuild`` made them.
    """
    rows = store.checkpoints()
    problems: list[dict[str, Any]] = []
    by_position: dict[int, list[tuple[int, str]]] = {}
    for checkpoint_id, day, position in rows:
        by_position.setdefault(int(position), []).append((int(checkpoint_id), str(day)))
    for position, items in by_position.items():
        folds = _folds_at(store, position, [day for _, day in items])
        for (checkpoint_id, day), (_, folder, _) in zip(items, folds, strict=True):
            what = differs(store.checkpoint_blob(checkpoint_id), folder)
            if what and len(problems) < limit:
                problems.append({"position": position, "id": None, "problem":
                                 f"checkpoint {checkpoint_id} ({day}) {what}: run `alliance-ledger rebuild` "
                                 "(checkpoints are derived data)"})
    return problems

