"""A whole state streamed from a checkpoint that has a tail to fold, without decoding the checkpoint.

The fold of a tail (the events dated in (D, as_of] on top of a checkpoint at D) reads and changes
only the items its handlers look up, each by its key (``items.get(key)``), plus the condition
indexes the checkpoint's header holds whole. So the tail is folded on a *sparse* accumulator:
the header's indexes and, of the checkpoint's items, only the ones the tail looks up. Which those
are is found by folding, not predicted: a first round folds the tail on no items and records every
key looked up; those items are read from the checkpoint (a pass over its lines, keeping only
them) and the tail folded again, recording any key looked up that was not read (a handler that
found an item may go on to look up others: the rights a met condition ends). When a round looks
up nothing new, its items are the full fold's: everything the tail read was what the checkpoint
holds. A round that reads a section whole, fails, or a tail that keeps asking for more after
:data:`ROUNDS` rounds, gives up: the state is then folded whole, as before.

The answer is then written in a second pass over the checkpoint's lines: its items in key order,
each replaced by its folded version where the tail folded it, with the items the tail created put
in their place. Memory holds the tail, the items it folded and one line; a million-event state
with a day of events after its latest checkpoint took 1.2 GB folded whole.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from operator import itemgetter
from typing import Any, NamedTuple

from ledger.read.checkpoint_text import lines_of, packed, pieces
from ledger.store.port import EventStore
from projections import SECTIONS, Folder, finish_item, finish_stored, gc_paused, select_ordered
from projections.sections import accumulator_key, sort_form

ROUNDS = 4
"""Rounds of folding the tail before giving up (each one a pass over the checkpoint's lines)."""

Key = Any
Parts = Iterator[tuple[str, list[dict[str, Any]]]]
Queue = deque[tuple[str, dict[str, Any]]]


class _Whole(Exception):
    """The tail's fold read a whole section: the sparse accumulator cannot answer."""


class _Section(dict):  # type: ignore[type-arg]
    """One section of a sparse accumulator: the items read from the checkpoint (those ``asked``)
    and the ones the tail created. A key looked up that was not asked for is recorded in
    ``missed`` (the round is folded again with it); reading the section whole is refused."""

    def __init__(self, items: dict[Key, Any], asked: set[Key]) -> None:
        super().__init__(items)
        self.asked = asked
        self.missed: set[Key] = set()

    def _seen(self, key: Key) -> None:
        if key not in self.asked and not dict.__contains__(self, key):
            self.missed.add(key)

    def get(self, key: Key, default: Any = None) -> Any:
        self._seen(key)
        return dict.get(self, key, default)

    def __getitem__(self, key: Key) -> Any:
        self._seen(key)
        return dict.__getitem__(self, key)

    def __contains__(self, key: object) -> bool:
        self._seen(key)
        return dict.__contains__(self, key)

    def _whole(self, *args: Any, **kwargs: Any) -> Any:
        raise _Whole

    __iter__ = __len__ = keys = values = items = setdefault = pop = popitem = copy = _whole  # type: ignore[assignment]


class Tail(NamedTuple):
    """What the sparse fold of a tail gives: the items it folded per section (by their keys), the
    accumulator's other data after it (:meth:`Folder.header_data`), and how many events it folded."""

    items: dict[str, dict[Key, Any]]
    header: dict[str, Any]
    events: int


def folded_tail(store: EventStore, blob: bytes, day: str, as_of: str, known_at: int, removed: set[str],
                ) -> Tail | None:
    """The sparse fold of the tail after the checkpoint ``blob`` (at ``day``), ``removed`` every id
    withdrawn as known at ``known_at`` (:func:`ledger.read.checkpoints.removals`), or None when it
    cannot answer (see the module docstring)."""
    tail = [e for chunk in store.fold_tail(day, as_of, known_at) for e in select_ordered(chunk, removed)]
    asked: dict[str, set[Key]] = {name: set() for name in SECTIONS}
    for _ in range(ROUNDS):
        try:
            with gc_paused():
                folder, sections = _round(blob, asked, tail)
        except Exception:  # noqa: BLE001 - any doubt: fold whole (which reports a real error as it should)
            return None
        missed = {name: section.missed for name, section in sections.items() if section.missed}
        if not missed:
            return Tail({name: dict(dict.items(section)) for name, section in sections.items()},
                        folder.header_data(), len(tail))
        for name, keys in missed.items():
            asked[name] |= keys
    return None


def _round(blob: bytes, asked: dict[str, set[Key]], tail: Sequence[Mapping[str, Any]],
           ) -> tuple[Folder, dict[str, _Section]]:
    """Fold ``tail`` on the checkpoint's ``asked`` items (read in one pass over its lines)."""
    header, parts = _lines(blob)
    kept: dict[str, list[dict[str, Any]]] = {name: [] for name in SECTIONS}
    if any(asked.values()):
        for name, items in parts:
            wanted = asked[name]
            if wanted:
                key_of = accumulator_key(name)
                kept[name].extend(item for item in items if key_of(item) in wanted)
    folder = Folder.from_data({"format": header["format"], "last": header["last"], "met": header["met"],
                               "watch": header["watch"], "sections": kept})
    state, _ = folder.dump(copy=False)
    sections = {name: _Section(state[name], asked[name]) for name in SECTIONS}
    state.update(sections)
    folder.apply(tail, in_fold_order=True)
    return folder, sections


def _lines(blob: bytes) -> tuple[dict[str, Any], Parts]:
    """The checkpoint's header and lines (:func:`ledger.read.checkpoint_text.pieces`); ``ValueError``
    for one written as one document, which has no lines to read a piece at a time."""
    found = pieces(blob)
    if found is None:
        raise ValueError("a checkpoint in one document")
    return found


def merged(blob: bytes, folded: dict[str, dict[Key, Any]], as_of: str) -> Parts:
    """The checkpoint's lines finished for ``as_of``, each item the tail folded replaced by its
    folded version and the items it created put in key order (``ValueError``, or a JSON or zlib
    error, for a line that cannot be read)."""
    queues = {name: _queue(folded[name], partial(_shown, name, as_of)) for name in SECTIONS}
    return _walk(blob, folded, queues, lambda section, items: finish_stored(section, items, as_of))


def rewritten(blob: bytes, tail: Tail) -> bytes:
    """The checkpoint ``blob`` with the tail folded on, as a checkpoint row: the bytes
    :func:`ledger.read.checkpoint_text.encode` writes for the full fold (its lines are the stored
    ones with the folded items in their places, cut again into lines of the same size)."""
    queues = {name: _queue(tail.items[name], lambda item: item) for name in SECTIONS}
    return packed(lines_of(tail.header, _walk(blob, tail.items, queues, lambda section, items: items)))


def _shown(section: str, as_of: str, item: dict[str, Any]) -> dict[str, Any]:
    return finish_item(section, item, as_of)


def _queue(items: dict[Key, Any], shown: Callable[[dict[str, Any]], dict[str, Any]]) -> Queue:
    """The folded items of a section, in key order with their sort forms, each as ``shown``."""
    return deque(sorted(((sort_form(key), shown(item)) for key, item in items.items()), key=itemgetter(0)))


def _walk(blob: bytes, folded: dict[str, dict[Key, Any]], queues: dict[str, Queue],
          stored: Callable[[str, list[dict[str, Any]]], list[dict[str, Any]]]) -> Parts:
    """The checkpoint's lines, each section's folded items put in their places from its queue, the
    stored items of a line first passed through ``stored``."""
    at = 0  # the section being written
    for name, items in _lines(blob)[1]:  # in SECTIONS order (pieces checks the lines against the header)
        while SECTIONS[at] != name:
            yield SECTIONS[at], _rest(queues[SECTIONS[at]])
            at += 1
        yield name, _line(name, items, folded[name], queues[name], stored)
    for name in SECTIONS[at:]:
        yield name, _rest(queues[name])


def _rest(queue: Queue) -> list[dict[str, Any]]:
    rest = [item for _, item in queue]
    queue.clear()
    return rest


def _line(section: str, items: list[dict[str, Any]], folded: dict[Key, Any], queue: Queue,
          stored: Callable[[str, list[dict[str, Any]]], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One stored line, its folded items replaced, and the folded ones that sort up to its last
    item taken from ``queue`` into their places."""
    if not items:
        return []
    key_of = accumulator_key(section)
    last = sort_form(key_of(items[-1]))
    keep = stored(section, [item for item in items if key_of(item) not in folded] if folded else items)
    if not queue or queue[0][0] > last:
        return keep
    out = []
    for item in keep:
        order = sort_form(key_of(item))
        while queue and queue[0][0] < order:
            out.append(queue.popleft()[1])
        out.append(item)
    while queue and queue[0][0] <= last:
        out.append(queue.popleft()[1])
    return out
