"""Reads for the fold: the few columns it needs, at the driver level, streamed.

A whole-ledger fold reads every event; a one-party fold reads only the positions the party
index (``event_parties``) lists under the party and the items its events depend on.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import chain
from operator import itemgetter
from typing import Any

import orjson

from events import DEFINING_TYPES, defined_key, withdrawal
from events import upcast as upcasting
from ledger.errors import StoredDataError
from ledger.store.dialect import Database
from ledger.store.rows import bucket, upcast


def keyed_positions(db: Database, upto: int, keys: int = 1, after: int = 0) -> str:
    """SQL for "the position is listed under one of ``keys`` keys (``{m}`` each)": index seeks per
    bucket from ``after + 1``'s up to ``upto``'s (the bucket numbers are integers we generate,
    never input); how the positions meet the events is the dialect's (:meth:`Database.keyed`)."""
    buckets = ", ".join(str(b) for b in range(bucket(after + 1), bucket(upto) + 1))
    wanted = "= {m}" if keys == 1 else f"IN ({', '.join(['{m}'] * keys)})"
    return db.keyed(f"SELECT position FROM event_parties WHERE bucket IN ({buckets}) AND party {wanted}")


_WITHDRAWALS = ("SELECT id, type, corrects, payload, position, schema_version FROM events WHERE (corrects IS NOT NULL OR "
                "type = 'EventRetracted') AND position > {m} AND position <= {m} ORDER BY position")
"""Read through the partial index of corrections and retractions (migration 0001)."""


def supersessions(db: Database, upto: int | None = None, after: int = 0) -> dict[str, dict[str, Any]]:
    """Which events were corrected or retracted, by which event and at which position
    (withdrawals recorded at positions in (``after``, ``upto``])."""
    found: dict[str, dict[str, Any]] = {}
    with db.reading() as conn:
        rows = conn.execute(_WITHDRAWALS.replace("{m}", db.mark),
                            (after, upto if upto is not None else 2**62)).fetchall()
        current = upcasting.CURRENT_SCHEMA_VERSION
        for id_, type_, corrects, payload, position, version in rows:
            row = {"id": id_, "type": type_, "corrects": corrects, "data": orjson.loads(payload)}
            withdrawn = withdrawal(row if version == current else upcast(row, version, position))
            if withdrawn is not None:
                found[withdrawn.target] = {f"{withdrawn.action}_by": id_, "position": position}
    return found


PARTY_SECTION_TYPES = ("PartyRegistered", "PartyRestructured", "EventRetracted")
CONDITION_TYPES = ("ConditionDefined", "ConditionMet", "EventRetracted")
_KEYS_PER_QUERY = 500


def _links(e: dict[str, Any], party: str) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(index key, event types to read under it, () = all) of what event ``e`` makes a one-party
    fold depend on beyond the events indexed under the party itself:

    - the conditions a right names (a condition met ends or restricts it), their own events only
      (a condition shared by thousands of rights must not pull in all their events);
    - a legal action's case (its parties grow with later updates);
    - an item whose definition this event corrects: events recorded before the correction were
      indexed under the parties the item had then, so a correction that moves a right to this
      party (or a partnership's, agreement's... parties) needs them all;
    - a party this party controls (``controlled_by`` makes it one of its items): its party events.
    """
    data = e["data"]
    for name in ("ends_when", "restricted_when"):
        if data.get(name):
            yield f"condition:{data[name]}", CONDITION_TYPES
    kind = e["type"]
    if kind.startswith("LegalAction"):
        yield f"case:{data['case']}", ()
    if e["corrects"] is not None and kind in DEFINING_TYPES:
        defined = defined_key(kind, data)
        if defined is not None and defined[0] != "party":
            yield f"{defined[0]}:{defined[1]}", ()
    if kind == "PartyRestructured" and data.get("controlled_by") == party and data["party"] != party:
        yield data["party"], PARTY_SECTION_TYPES


_WITHDRAWING = "e.corrects IS NOT NULL OR e.type = 'EventRetracted'"


def _window(after: str | None, as_of: str | None) -> tuple[str, tuple[str, ...]]:
    """SQL (and its parameters) for "dated in (``after``, ``as_of``], or a withdrawal whatever its
    date": what a fold as of ``as_of`` on top of a fold up to ``after`` reads of an event set (a
    correction dated later still withdraws its target, :mod:`projections.select`)."""
    if as_of is None:
        return "", ()
    if after is None:
        return f"(e.effective_on <= {{m}} OR {_WITHDRAWING}) AND ", (as_of,)
    return f"((e.effective_on > {{m}} AND e.effective_on <= {{m}}) OR {_WITHDRAWING}) AND ", (after, as_of)


Keys = dict[str, tuple[str, ...]]
"""Index keys a one-party read follows, each with the event types read under it (() = all)."""


def read_for_fold(db: Database, upto: int, party: str | None = None, as_of: str | None = None,
                  ) -> Iterator[dict[str, Any]]:
    """The fields a fold needs, read at the driver level, in position order.

    With ``party``, only the events that can shape an item involving it (:func:`party_closure`).
    """
    if party is None:
        return fold_rows(db, "e.position <= {m}", (upto,), whole=True)
    found, _ = party_closure(db, upto, party, as_of)
    return iter(found)


def party_closure(db: Database, upto: int, party: str, as_of: str | None = None,
                  ) -> tuple[list[dict[str, Any]], Keys]:
    """The events that can shape an item involving ``party``, in position order, and the keys
    followed to find them: those indexed under the party, then, round after round until nothing
    new turns up, those indexed under what they link to (:func:`_links`), so the one-party answer
    is the whole state filtered to the party.

    With ``as_of``, events dated after it are left unread (withdrawals are read whatever their
    date), and so are the links only they make: the fold as of that date selects none of them, and
    what they link to shapes no item as of then. A busy party's early dates then read a part of
    its story, not all of it (the party index has no dates; the rows are met by position).
    """
    found = _closure(db, upto, party, {party: ()}, _window(None, as_of), grow=True)
    assert found is not None
    return found


def party_recent(db: Database, upto: int, party: str, keys: Keys, after_position: int, after: str | None,
                 as_of: str) -> list[dict[str, Any]] | None:
    """The events recorded in (``after_position``, ``upto``] of ``party``'s closure dated in
    (``after``, ``as_of``], and every withdrawal among them, read under ``keys`` (the closure's
    keys when a checkpoint was folded up to ``after`` as known at ``after_position``), in position
    order; None when one of them links to a key not in ``keys``: events under it are then missing
    from that checkpoint, which cannot be used."""
    found = _closure(db, upto, party, dict(keys), _window(after, as_of), grow=False, after_position=after_position)
    return found[0] if found is not None else None


def rows_at(db: Database, positions: list[int]) -> list[dict[str, Any]]:
    """The fold rows of the events at ``positions``, in position order (by primary key, 500 a query)."""
    out: list[dict[str, Any]] = []
    for start in range(0, len(positions), _KEYS_PER_QUERY):
        chunk = positions[start:start + _KEYS_PER_QUERY]
        out.extend(fold_rows(db, f"e.position IN ({', '.join(['{m}'] * len(chunk))})", tuple(chunk)))
    return out


def _closure(db: Database, upto: int, party: str, keys: Keys, window: tuple[str, tuple[str, ...]], grow: bool,
             after_position: int = 0) -> tuple[list[dict[str, Any]], Keys] | None:
    """Read the events under ``keys`` (in ``window``, recorded in (``after_position``, ``upto``]),
    then under the keys they link to, round after round; ``grow`` False: None at the first link
    to a key not given (the caller's checkpoint lacks what is under it)."""
    found: dict[int, dict[str, Any]] = {}
    wanted: dict[tuple[str, ...], list[str]] = {}
    for key, only in keys.items():
        wanted.setdefault(only, []).append(key)
    while wanted:
        fresh = []
        for only, listed in wanted.items():
            for e in _keyed_rows(db, upto, sorted(listed), only, window, after_position):
                if e["position"] not in found:
                    found[e["position"]] = e
                    fresh.append(e)
        wanted = {}
        for e in fresh:
            for key, only in _links(e, party):
                if key not in keys:
                    if not grow:
                        return None
                    keys[key] = only
                    wanted.setdefault(only, []).append(key)
    return [found[p] for p in sorted(found)], keys


def _keyed_rows(db: Database, upto: int, keys: list[str], only: tuple[str, ...], window: tuple[str, tuple[str, ...]],
                after_position: int = 0) -> Iterator[dict[str, Any]]:
    """Fold rows of the events indexed under any of ``keys`` (of the types ``only``, () = all;
    in the date ``window``; recorded after ``after_position``), one query per 500 keys, not per
    key (a busy party names hundreds)."""
    if after_position >= upto:
        return
    types = ", ".join(["{m}"] * len(only))
    dated, bounds = window
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        chunk = keys[start:start + _KEYS_PER_QUERY]
        where = (f"{dated}e.position > {{m}} AND e.position <= {{m}} AND "
                 f"{keyed_positions(db, upto, len(chunk), after_position)}")
        if only:
            where = f"e.type IN ({types}) AND {where}"
        yield from fold_rows(db, where, (*only, *bounds, after_position, upto, *chunk))


_CHUNK = 10_000
_VERSION = itemgetter(7)


def _broken(rows: Sequence[Any]) -> None:
    """Name the row whose payload is not JSON (the slow path of a chunk that did not decode)."""
    for row in rows:
        try:
            orjson.loads(row[6])
        except orjson.JSONDecodeError:
            raise StoredDataError(f"integrity: the stored data of the event at position {row[0]} is not JSON: the "
                                  "row was edited outside alliance-ledger; run `alliance-ledger verify`") from None


def fold_rows(
    db: Database, where: str, params: tuple[Any, ...], order: str = "e.position", *, whole: bool = False,
) -> Iterator[dict[str, Any]]:
    """The fields a fold needs of the events matching ``where`` (``{m}`` marks a parameter),
    read at the driver level and streamed in ``order`` (``whole``: see :func:`fold_chunks`)."""
    return chain.from_iterable(fold_chunks(db, where, params, order, whole=whole))


def fold_chunks(
    db: Database, where: str, params: tuple[Any, ...], order: str = "e.position", *, whole: bool = False,
) -> Iterator[list[dict[str, Any]]]:
    """:func:`fold_rows` a list of up to :data:`_CHUNK` events at a time (a whole-ledger fold
    takes them so, without a generator step per event).

    ``whole`` (a read of the whole ledger, or a date range of it) streams on a server-side
    cursor where the dialect needs one (:meth:`Database.reading`).
    """
    sql = ("SELECT e.position, e.id, e.type, e.effective_date, e.certainty, e.corrects, e.payload, e.schema_version "
           f"FROM events e WHERE {where.replace('{m}', db.mark)} ORDER BY {order}")
    loads = orjson.loads
    current = upcasting.CURRENT_SCHEMA_VERSION
    with db.reading(stream=whole) as conn:
        result = conn.execute(sql, params)
        while rows := result.fetchmany(_CHUNK):
            try:
                chunk = [{"position": position, "id": id_, "type": type_, "effective_date": eff,
                          "certainty": certainty, "corrects": corrects, "data": loads(payload)}
                         for position, id_, type_, eff, certainty, corrects, payload, _ in rows]
            except orjson.JSONDecodeError:
                _broken(rows)
                raise
            versions = set(map(_VERSION, rows))  # at C speed: a chunk of current events costs one set
            if versions != {current}:
                chunk = [e if row[7] == current else upcast(e, row[7], row[0]) for e, row in zip(chunk, rows, strict=True)]
            yield chunk
