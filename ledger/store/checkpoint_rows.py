"""The SQL of fold checkpoints (derived data): which dates to cut at, the stored rows, and what
was recorded since a checkpoint. When a checkpoint may be used is the read side's policy
(:mod:`ledger.read.checkpoints`); this module only reads and writes rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ledger.store.dialect import Database


def day_keys(db: Database, upto: int) -> list[str]:
    """The distinct effective dates (sort keys) of the events up to position ``upto``, ascending."""
    with db.reading() as conn:
        rows = conn.execute(f"SELECT DISTINCT effective_on FROM events WHERE position <= {db.mark} "
                            "ORDER BY effective_on", (upto,)).fetchall()
    return [str(row[0])[:10] for row in rows]  # a date on PostgreSQL, text on SQLite


def clear(db: Database) -> None:
    with db.writing() as conn:
        conn.execute("DELETE FROM checkpoints")
        conn.execute("DELETE FROM party_checkpoints")


def insert(db: Database, day: str, position: int, events: int, blob: bytes) -> None:
    m = db.mark
    with db.writing() as conn:
        conn.execute(f"INSERT INTO checkpoints (as_of_key, position, events, created_at, state) "
                     f"VALUES ({m}, {m}, {m}, {m}, {m})",
                     (day, position, events, db.timestamp(datetime.now(UTC).isoformat()), blob))


def candidates(db: Database, as_of: str, known_at: int) -> list[tuple[int, str, int]]:
    """Checkpoints dated on or before ``as_of`` and made at or before ``known_at``, latest date
    first: (id, date, position)."""
    m = db.mark
    with db.reading() as conn:
        rows = conn.execute(f"SELECT id, as_of_key, position FROM checkpoints WHERE as_of_key <= {m} AND "
                            f"position <= {m} ORDER BY as_of_key DESC, position DESC", (as_of, known_at)).fetchall()
    return [(int(r[0]), str(r[1]), int(r[2])) for r in rows]


def listing(db: Database) -> list[tuple[int, str, int]]:
    """Every checkpoint as (id, date, position), by position then date."""
    with db.reading() as conn:
        rows = conn.execute("SELECT id, as_of_key, position FROM checkpoints ORDER BY position, as_of_key").fetchall()
    return [(int(r[0]), str(r[1]), int(r[2])) for r in rows]


def blob(db: Database, checkpoint_id: int) -> bytes:
    with db.reading() as conn:
        row = conn.execute(f"SELECT state FROM checkpoints WHERE id = {db.mark}", (checkpoint_id,)).fetchone()
    if row is None:
        raise ValueError(f"no checkpoint {checkpoint_id}")
    return bytes(row[0])


def earliest_recorded(db: Database, after: int, upto: int) -> str | None:
    """The earliest effective date (sort key) of the events recorded in (``after``, ``upto``]."""
    with db.reading() as conn:
        value = conn.execute(f"SELECT MIN(effective_on) FROM events WHERE position > {db.mark} AND "
                             f"position <= {db.mark}", (after, upto)).fetchone()[0]
    return str(value)[:10] if value is not None else None


def earliest_of(db: Database, ids: Sequence[str], chunk: int = 500) -> str | None:
    """The earliest effective date (sort key) of the events ``ids`` (None for none)."""
    found: list[Any] = []
    with db.reading() as conn:
        for start in range(0, len(ids), chunk):
            part = tuple(ids[start:start + chunk])
            found.append(conn.execute(f"SELECT MIN(effective_on) FROM events WHERE id IN "
                                      f"({', '.join([db.mark] * len(part))})", part).fetchone()[0])
    return min((str(d)[:10] for d in found if d is not None), default=None)


def any_dated(db: Database, after_day: str, as_of: str, upto: int) -> bool:
    """Whether an event dated in (``after_day``, ``as_of``] is recorded up to position ``upto``
    (a fold from a checkpoint at ``after_day`` has a tail to fold), through the date index."""
    m = db.mark
    with db.reading() as conn:
        return conn.execute(f"SELECT 1 FROM events WHERE effective_on > {m} AND effective_on <= {m} AND "
                            f"position <= {m} LIMIT 1", (after_day, as_of, upto)).fetchone() is not None


def clear_parties(db: Database) -> None:
    with db.writing() as conn:
        conn.execute("DELETE FROM party_checkpoints")


def busy_parties(db: Database, upto: int, least: int) -> list[str]:
    """The parties (index keys without a namespace) with ``least`` index rows or more up to
    position ``upto``, busiest first."""
    m = db.mark
    with db.reading() as conn:
        rows = conn.execute(f"SELECT party, COUNT(*) FROM event_parties WHERE position <= {m} GROUP BY party "
                            f"HAVING COUNT(*) >= {m} ORDER BY COUNT(*) DESC, party", (upto, least)).fetchall()
    return [str(row[0]) for row in rows if ":" not in str(row[0])]


def insert_party(db: Database, party: str, day: str, position: int, events: int, closure: str, blob: bytes,
                 ) -> None:
    m = db.mark
    with db.writing() as conn:
        conn.execute(f"INSERT INTO party_checkpoints (party, as_of_key, position, events, created_at, closure, state) "
                     f"VALUES ({m}, {m}, {m}, {m}, {m}, {m}, {m})",
                     (party, day, position, events, db.timestamp(datetime.now(UTC).isoformat()), closure, blob))


def party_candidates(db: Database, party: str, as_of: str, known_at: int) -> list[tuple[int, str, int]]:
    """``party``'s checkpoints dated on or before ``as_of`` and made at or before ``known_at``,
    latest date first: (id, date, position)."""
    m = db.mark
    with db.reading() as conn:
        rows = conn.execute(f"SELECT id, as_of_key, position FROM party_checkpoints WHERE party = {m} AND "
                            f"as_of_key <= {m} AND position <= {m} ORDER BY as_of_key DESC, position DESC",
                            (party, as_of, known_at)).fetchall()
    return [(int(r[0]), str(r[1]), int(r[2])) for r in rows]


def party_listing(db: Database) -> list[tuple[int, str, str, int]]:
    """Every party checkpoint as (id, party, date, position), by party, position, then date."""
    with db.reading() as conn:
        rows = conn.execute("SELECT id, party, as_of_key, position FROM party_checkpoints "
                            "ORDER BY party, position, as_of_key").fetchall()
    return [(int(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows]


def party_blob(db: Database, checkpoint_id: int) -> tuple[str, bytes]:
    """(closure, state) of a party checkpoint."""
    with db.reading() as conn:
        row = conn.execute(f"SELECT closure, state FROM party_checkpoints WHERE id = {db.mark}",
                           (checkpoint_id,)).fetchone()
    if row is None:
        raise ValueError(f"no party checkpoint {checkpoint_id}")
    return str(row[0]), bytes(row[1])
