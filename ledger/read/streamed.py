"""A whole state written a piece at a time, straight from a checkpoint.

A checkpoint at (D, P) stores the accumulator's items in key order (:mod:`ledger.read.checkpoint_text`).
When it is valid for the query (nothing recorded after P changes what is dated up to D) and no
event dated in (D, as_of] is recorded up to known_at, there is nothing to fold after it: the
answer is its items, each finished for as_of (:func:`projections.finish_stored`), in the order
stored. They are then read, finished and written a line (2,000 items) at a time, so memory holds
one line, not the million-item state, and the first byte leaves before the last line is read.
``rebuild`` puts its last checkpoint at the latest date, so the current state is such a query
until events dated after it arrive. Then those events are folded on the few items of the
checkpoint they touch (:mod:`ledger.read.tailed`), and the lines are written with those items
replaced: memory holds the tail and its items, not the state.

Any other query (no valid checkpoint, a certainty filter, an unreadable or older-form
checkpoint, a tail the sparse fold cannot answer) is answered whole by
:func:`ledger.read.queries.state` and written the same way: the bytes are the same either way
(a property the tests check).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import IO, Any

from ledger.errors import IntegrityError
from ledger.read import checkpoint_text, checkpoints, queries, tailed
from ledger.read.documents import PIECE, Pieces, State, indented, write_indented
from ledger.store.port import EventStore
from projections import SECTIONS, filter_active, finish_stored, gc_paused

Parts = Iterator[tuple[str, list[dict[str, Any]]]]


class StateStream:
    """A whole state to write once, as JSON (:meth:`write_json`, the bytes of
    :meth:`State.write_json`) or as records (:meth:`records`); ``streamed`` says whether it is read
    from a checkpoint as it is written. ``doc`` holds the header fields (as_of, known_at, ...)."""

    def __init__(self, header: dict[str, Any], parts: Parts | None = None, state: State | None = None) -> None:
        self.doc = header
        self.streamed = parts is not None
        self._parts, self._state = parts, state
        self._spent = False

    def __getitem__(self, key: str) -> Any:
        return self.doc[key]

    @property
    def whole(self) -> State | None:
        """The state folded whole, when it is not streamed from a checkpoint."""
        return self._state

    def _sections(self) -> Iterator[tuple[str, Iterator[list[dict[str, Any]]]]]:
        """(section, its pieces) for every section in order, each read as the writer reaches it."""
        if self._spent:
            raise RuntimeError("a StateStream is written once; ask for the state again")
        self._spent = True
        if self._state is not None:
            for name in SECTIONS:
                yield name, _pieces(self._state.doc[name])
            return
        parts = self._parts
        assert parts is not None
        pending = next(parts, None)

        def section(name: str) -> Iterator[list[dict[str, Any]]]:
            nonlocal pending
            while pending is not None and pending[0] == name:
                yield pending[1]
                pending = next(parts, None)  # type: ignore[arg-type]

        for name in SECTIONS:  # the lines come in this order (checkpoint_text.pieces checks it)
            yield name, section(name)

    def write_json(self, out: IO[bytes]) -> None:
        """Write the state's JSON and a newline to ``out``, a piece at a time (no cycle hunts
        meanwhile: each piece is garbage at once, and a collection would scan what else is alive)."""
        with gc_paused():
            write_indented(self._document(), out)
            out.write(b"\n")

    def chunks(self) -> Iterator[bytes]:
        """The bytes :meth:`write_json` writes, a piece at a time (an HTTP response's body)."""
        for chunk in indented(self._document()):
            yield chunk if type(chunk) is bytes else bytes(chunk)
        yield b"\n"

    def _document(self) -> dict[str, Any]:
        """The header fields and every section as :class:`Pieces`, read as the writer reaches them."""
        return {**self.doc, **{name: Pieces(pieces) for name, pieces in self._sections()}}

    def records(self, section: str | None) -> tuple[str | None, Iterator[dict[str, Any]]]:
        """The items of ``section``, or of every section each with its ``section`` (the CLI's jsonl)."""
        def rows() -> Iterator[dict[str, Any]]:
            for name, pieces in self._sections():
                for piece in pieces:
                    if section is None:
                        yield from ({"section": name, **item} for item in piece)
                    elif name == section:
                        yield from piece
        return section, rows()


def _pieces(items: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(items), PIECE):
        yield items[start:start + PIECE]


def stream_state(store: EventStore, cache: checkpoints.CheckpointCache, *, day: str, position: int,
                 recorded_at: str | None, min_certainty: str, active: bool) -> StateStream:
    """The whole state as of ``day`` as known at ``position``, streamed from a checkpoint when one is
    the answer (see the module docstring), else folded whole."""
    header = {"as_of": day, "known_at": {"position": position, "recorded_at": recorded_at},
              "min_certainty": min_certainty, "party": None, "active": active}
    parts = _from_checkpoint(store, day, position, active) if min_certainty == "rumored" else None
    if parts is None:
        return StateStream(header, state=queries.state(store, cache, day=day, position=position, recorded_at=recorded_at,
                                                       min_certainty=min_certainty, party=None, active=active))
    return StateStream(header, parts=parts)


def _from_checkpoint(store: EventStore, as_of: str, known_at: int, active: bool) -> Parts | None:
    """The pieces of the answer read from the latest valid checkpoint (with its tail folded on, if
    events are dated after it: :mod:`ledger.read.tailed`), or None when none can give it."""
    for checkpoint_id, day, _ in checkpoints.valid_candidates(store, as_of, known_at):
        blob = store.checkpoint_blob(checkpoint_id)
        try:
            found = checkpoint_text.pieces(blob)
        except (ValueError, zlib.error):
            continue  # unreadable derived data: answer without it (verify reports it)
        if found is None:
            return None  # the one-document form: decoded whole by the fold
        header, parts = found
        if not checkpoint_text.usable(header, day):
            continue
        if store.any_dated(day, as_of, known_at):
            tail = tailed.folded_tail(store, blob, day, as_of, known_at, checkpoints.removals(store, known_at))
            if tail is None:
                return None  # the tail reads more than the sparse fold can give: folded whole
            return _guarded(tailed.merged(blob, tail.items, as_of), checkpoint_id, active)
        return _guarded(((name, finish_stored(name, items, as_of)) for name, items in parts), checkpoint_id, active)
    return None


def _guarded(parts: Parts, checkpoint_id: int, active: bool) -> Parts:
    """The pieces, only the active items with ``active``; a line that cannot be read (an edited
    checkpoint) is an integrity error."""
    try:
        for name, finished in parts:
            yield name, filter_active({name: finished})[name] if active else finished
    except (ValueError, TypeError, zlib.error) as exc:
        raise IntegrityError(f"integrity: checkpoint {checkpoint_id} is not readable ({exc}): run "
                             "`alliance-ledger rebuild` (checkpoints are derived data)") from None
