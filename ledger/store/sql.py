"""The store adapter (the port of :mod:`ledger.store.port`) over SQLite and PostgreSQL.

Writers serialize on one lock (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL advisory lock), so
positions are assigned as ``last + 1`` inside the transaction: gap-free and in commit order
even with several processes appending. Every statement is SQL text for both engines; where
they differ is :mod:`ledger.store.dialect`, which also turns driver errors into typed errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from operator import itemgetter
from typing import Any

from ledger.core.envelope import GENESIS_HASH, format_ts
from ledger.store import checkpoint_rows, foldreads
from ledger.store.dialect import Conn, Database, aware
from ledger.store.rows import BUCKET, INSERT_COLUMNS, ROW_COLUMNS, bucket, envelope_from_row

_SELECT = f"SELECT {', '.join(ROW_COLUMNS)} FROM events e"
_HEAD = "SELECT position, hash, recorded_at FROM events ORDER BY position DESC LIMIT 1"


def _head(conn: Conn) -> tuple[int, str, str | None]:
    row = conn.execute(_HEAD).fetchone()
    return (int(row[0]), str(row[1]), format_ts(aware(row[2]))) if row else (0, GENESIS_HASH, None)


def _marks(db: Database, count: int) -> str:
    return ", ".join([db.mark] * count)


class Transaction:
    """One locked write transaction: read the head, look events up, insert rows."""

    def __init__(self, db: Database, conn: Conn) -> None:
        self.db = db
        self.conn = conn

    def head(self) -> tuple[int, str, str | None]:
        return _head(self.conn)

    def by_ids(self, ids: Iterable[str]) -> Iterator[dict[str, Any]]:
        return _by_ids(self.db, self.conn, list(ids))

    def keyed(self, key: str) -> Iterator[dict[str, Any]]:
        """Events indexed under ``key`` (a party, ``namespace:id`` or ``stream:name``)."""
        upto = self.head()[0]
        sql = f"{_SELECT} WHERE {foldreads.keyed_positions(self.db, upto)} ORDER BY e.position"
        for row in self.conn.execute(sql.replace("{m}", self.db.mark), (key,)).fetchall():
            yield envelope_from_row(tuple(row))

    def after(self, position: int) -> Iterator[dict[str, Any]]:
        """Every event recorded after ``position``, in position order."""
        sql = f"{_SELECT} WHERE e.position > {self.db.mark} ORDER BY e.position"
        for row in self.conn.execute(sql, (position,)).fetchall():
            yield envelope_from_row(tuple(row))

    def db_timestamp(self, text: str) -> Any:
        """A recorded_at value as the bulk insert binds it for this engine."""
        return self.db.timestamp(text)

    def insert(self, rows: Sequence[tuple[Any, ...]], party_rows: Sequence[tuple[int, str, int]]) -> None:
        """Bulk insert at the driver level (the statements are fixed; per-row parameter
        processing by a toolkit was a fifth of an append's time): executemany on SQLite, COPY on
        PostgreSQL."""
        if rows:
            self.conn.bulk_insert("events", INSERT_COLUMNS, rows)
        if party_rows:  # in key order: each index page is visited once, not once per row
            self.conn.bulk_insert("event_parties", ("bucket", "party", "position"), _index_order(party_rows))


def _index_order(party_rows: Sequence[tuple[int, str, int]]) -> list[tuple[int, str, int]]:
    """``sorted(party_rows)``, in half the time: rows come in position order, so two stable
    sorts on single fields (key, then bucket) give (bucket, key, position) order without
    comparing tuples."""
    return sorted(sorted(party_rows, key=itemgetter(1)), key=itemgetter(0))


def _by_ids(db: Database, conn: Conn, ids: list[str], tolerant: bool = False, raw: bool = False,
            ) -> Iterator[dict[str, Any]]:
    for start in range(0, len(ids), 500):
        chunk = tuple(ids[start:start + 500])
        rows = conn.execute(f"{_SELECT} WHERE e.id IN ({_marks(db, len(chunk))}) ORDER BY e.position", chunk).fetchall()
        yield from (envelope_from_row(tuple(row), tolerant, raw) for row in rows)


class SqlStore:
    """Append and read stored envelopes (see the module docstring)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @property
    def dialect(self) -> str:
        return self.db.dialect

    @property
    def database_file(self) -> str | None:
        return self.db.file

    @property
    def address(self) -> str | None:
        """Where another process can open this store (None: nowhere, e.g. in memory)."""
        return self.db.address

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self.db.writing() as conn:
            yield Transaction(self.db, conn)

    # -- the head and recording times -----------------------------------------------------------
    def head(self) -> tuple[int, str, str | None]:
        """(last position, last hash, its recorded_at) — (0, genesis, None) when empty."""
        with self.db.reading() as conn:
            return _head(conn)

    def head_position(self) -> int:
        return self.head()[0]

    def count(self) -> int:
        with self.db.reading() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])

    def position_at(self, ts: datetime) -> int:
        """The last position recorded at or before ``ts`` (0 if none).

        ``recorded_at`` never decreases along positions (the writer makes sure), so bisecting
        positions by primary key finds it in ~log2(n) point reads, with no timestamp index.
        """
        sql = f"SELECT recorded_at FROM events WHERE position = {self.db.mark}"
        with self.db.reading() as conn:
            low, high = 0, _head(conn)[0]
            while low < high:
                mid = (low + high + 1) // 2
                if aware(conn.execute(sql, (mid,)).fetchone()[0]) <= ts:
                    low = mid
                else:
                    high = mid - 1
        return low

    def recorded_at(self, position: int) -> str | None:
        with self.db.reading() as conn:
            row = conn.execute(f"SELECT recorded_at FROM events WHERE position = {self.db.mark}", (position,)).fetchone()
        return format_ts(aware(row[0])) if row is not None else None

    # -- envelopes ------------------------------------------------------------------------------
    def read(
        self, *, after: int = 0, upto: int | None = None, stream: str | None = None,
        types: Iterable[str] | None = None, party: str | None = None, ids: Iterable[str] | None = None,
        batch: int = 20_000, tolerant: bool = False, raw: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Stored envelopes in position order, filtered; streamed in batches to bound memory
        (``tolerant``, for verify, and ``raw``, for export: see :func:`ledger.store.rows.envelope_from_row`)."""
        m = self.db.mark
        if ids is not None and (after, upto, stream, types, party) == (0, None, None, None, None):
            with self.db.reading() as conn:
                yield from list(_by_ids(self.db, conn, list(ids), tolerant, raw))
            return
        where: list[str] = ["e.position > {m}"]
        params: list[Any] = []
        keys = ([f"stream:{stream}"] if stream is not None else []) + ([party] if party is not None else [])
        last_known = upto if upto is not None else self.head_position()
        for key in keys:
            where.append(foldreads.keyed_positions(self.db, last_known))
            params.append(key)
        if stream is not None:
            where.append("e.stream = {m}")
            params.append(stream)
        if types is not None:
            names = list(types)
            where.append(f"e.type IN ({', '.join(['{m}'] * len(names))})" if names else "1 = 0")
            params.extend(names)
        if upto is not None:
            where.append("e.position <= {m}")
            params.append(upto)
        if ids is not None:
            id_list = list(ids)
            where.append("e.id IN ({ids})")
        sql = f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY e.position".replace("{m}", m)
        if ids is not None:
            with self.db.reading() as conn:
                for start in range(0, len(id_list), 500):
                    chunk = id_list[start:start + 500]
                    rows = conn.execute(sql.replace("{ids}", _marks(self.db, len(chunk))),
                                        (after, *params, *chunk)).fetchall()
                    yield from [envelope_from_row(tuple(r), tolerant, raw) for r in rows]
            return
        last = after
        while True:
            with self.db.reading() as conn:
                rows = conn.execute(f"{sql} LIMIT {int(batch)}", (last, *params)).fetchall()
            yield from [envelope_from_row(tuple(r), tolerant, raw) for r in rows]
            if len(rows) < batch:
                return
            last = int(rows[-1][9])

    def read_positions(self, positions: Sequence[int]) -> Iterator[dict[str, Any]]:
        """Stored envelopes at ``positions`` (ascending), by primary key, 500 a query."""
        with self.db.reading() as conn:
            for start in range(0, len(positions), 500):
                chunk = tuple(positions[start:start + 500])
                rows = conn.execute(f"{_SELECT} WHERE e.position IN ({_marks(self.db, len(chunk))}) "
                                    "ORDER BY e.position", chunk).fetchall()
                yield from [envelope_from_row(tuple(row)) for row in rows]

    def read_for_verify(self, upto: int, batch: int = 20_000) -> Iterator[dict[str, Any]]:
        """Every stored envelope up to ``upto`` in position order, read as stored (tolerant of
        edited columns), each with the derived ``effective_on`` column as text, for ``verify`` to
        recompute and compare."""
        m = self.db.mark
        sql = (f"SELECT {', '.join(ROW_COLUMNS)}, effective_on FROM events WHERE position > {m} "
               f"AND position <= {m} ORDER BY position LIMIT {int(batch)}")
        last = 0
        while True:
            with self.db.reading() as conn:
                rows = conn.execute(sql, (last, upto)).fetchall()
            for row in rows:
                values = tuple(row)
                on = values[15]
                yield envelope_from_row((*values[:15], on.isoformat() if hasattr(on, "isoformat") else on), True)
            if len(rows) < batch:
                return
            last = int(rows[-1][9])

    def party_index(self, upto: int, ordered: bool = True) -> Iterator[list[tuple[int, str]]]:
        """The stored party index as (position, key) rows up to ``upto``, a list per bucket, in
        (position, key) order (the database sorts one bucket at a time), or unless ``ordered`` in
        the order the database keeps them (no sort). Cast in SQL, so an edited row of another
        type compares as a wrong row, not as a crash."""
        m = self.db.mark
        sql = (f"SELECT CAST(position AS BIGINT), CAST(party AS TEXT) FROM event_parties WHERE bucket = {m} "
               f"AND position <= {m}{' ORDER BY position, party' if ordered else ''}")
        with self.db.reading() as conn:
            for number in range(bucket(upto) + 1):
                yield list(map(tuple, conn.execute(sql, (number, upto)).fetchall()))

    def misplaced_index_rows(self, upto: int) -> list[tuple[int, str]]:
        """Party index rows filed under a bucket that is not their position's (an edited index)."""
        with self.db.reading() as conn:
            return [(int(r[0]), str(r[1])) for r in conn.execute(
                f"SELECT position, party FROM event_parties WHERE bucket <> position / {BUCKET} AND position <= "
                f"{self.db.mark} ORDER BY position, party", (upto,)).fetchall()]

    def streams(self) -> list[tuple[str, int, int, int]]:
        """(stream, version, event count, last position) of every stream, by name: one grouped
        scan of ``events`` (there is no stream index, see ledger.store.tables)."""
        with self.db.reading() as conn:
            rows = conn.execute("SELECT stream, MAX(stream_version), COUNT(*), MAX(position) FROM events "
                                "GROUP BY stream ORDER BY stream").fetchall()
        return [(str(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in rows]

    # -- what folds read ------------------------------------------------------------------------
    def fold_events(self, upto: int, party: str | None = None, as_of: str | None = None) -> Iterator[dict[str, Any]]:
        """The fields a fold needs, in position order: every event up to ``upto``, or only what can
        shape the items of ``party`` (as of ``as_of``, if given: see
        :func:`ledger.store.foldreads.read_for_fold`)."""
        return foldreads.read_for_fold(self.db, upto, party, as_of)

    def fold_tail(self, after_day: str | None, as_of: str, known_at: int, types: Sequence[str] = (),
                  exclude: bool = False) -> Iterator[list[dict[str, Any]]]:
        """Events dated in (after_day, as_of], recorded up to ``known_at``, in fold order
        (effective date, position), streamed in chunks: the caller never holds the whole ledger.
        With ``types``, only the events of those types (``exclude``: of the others)."""
        where = "e.effective_on <= {m} AND e.position <= {m}"
        params: tuple[Any, ...] = (as_of, known_at)
        if after_day is not None:
            where, params = f"e.effective_on > {{m}} AND {where}", (after_day, *params)
        if types:
            where += f" AND e.type {'NOT IN' if exclude else 'IN'} ({', '.join(['{m}'] * len(types))})"
            params = (*params, *types)
        return foldreads.fold_chunks(self.db, where, params, order="e.effective_on, e.position", whole=True)

    def withdrawals(self, upto: int | None = None, after: int = 0) -> dict[str, dict[str, Any]]:
        """Which events were corrected or retracted, by which event and at which position."""
        return foldreads.supersessions(self.db, upto=upto, after=after)

    # -- checkpoints (derived data; see ledger.read.checkpoints) --------------------------------
    def checkpoint_days(self, upto: int) -> list[str]:
        return checkpoint_rows.day_keys(self.db, upto)

    def clear_checkpoints(self) -> None:
        checkpoint_rows.clear(self.db)

    def add_checkpoint(self, day: str, position: int, events: int, blob: bytes) -> None:
        checkpoint_rows.insert(self.db, day, position, events, blob)

    def checkpoint_candidates(self, as_of: str, known_at: int) -> list[tuple[int, str, int]]:
        return checkpoint_rows.candidates(self.db, as_of, known_at)

    def checkpoints(self) -> list[tuple[int, str, int]]:
        return checkpoint_rows.listing(self.db)

    def checkpoint_blob(self, checkpoint_id: int) -> bytes:
        return checkpoint_rows.blob(self.db, checkpoint_id)

    def clear_party_checkpoints(self) -> None:
        checkpoint_rows.clear_parties(self.db)

    def busy_parties(self, upto: int, least: int) -> list[str]:
        return checkpoint_rows.busy_parties(self.db, upto, least)

    def party_closure(self, upto: int, party: str, as_of: str | None = None,
                      ) -> tuple[list[dict[str, Any]], dict[str, tuple[str, ...]]]:
        return foldreads.party_closure(self.db, upto, party, as_of)

    def party_recent(self, upto: int, party: str, keys: dict[str, tuple[str, ...]], after_position: int,
                     after: str | None, as_of: str) -> list[dict[str, Any]] | None:
        return foldreads.party_recent(self.db, upto, party, keys, after_position, after, as_of)

    def rows_at(self, positions: list[int]) -> list[dict[str, Any]]:
        return foldreads.rows_at(self.db, positions)

    def add_party_checkpoint(self, party: str, day: str, position: int, events: int, closure: str, blob: bytes) -> None:
        checkpoint_rows.insert_party(self.db, party, day, position, events, closure, blob)

    def party_checkpoint_candidates(self, party: str, as_of: str, known_at: int) -> list[tuple[int, str, int]]:
        return checkpoint_rows.party_candidates(self.db, party, as_of, known_at)

    def party_checkpoints(self) -> list[tuple[int, str, str, int]]:
        return checkpoint_rows.party_listing(self.db)

    def party_checkpoint_blob(self, checkpoint_id: int) -> tuple[str, bytes]:
        return checkpoint_rows.party_blob(self.db, checkpoint_id)

    def earliest_recorded(self, after: int, upto: int) -> str | None:
        return checkpoint_rows.earliest_recorded(self.db, after, upto)

    def earliest_of(self, ids: Sequence[str]) -> str | None:
        return checkpoint_rows.earliest_of(self.db, ids)

    def any_dated(self, after_day: str, as_of: str, upto: int) -> bool:
        return checkpoint_rows.any_dated(self.db, after_day, as_of, upto)

    def dispose(self) -> None:
        self.db.dispose()
