"""A ledger written at an older schema revision, for the upgrade tests.

The current code writes the current shape only, so the old database is filled the way a ledger
of that revision was: the events appended by today's code into a scratch SQLite ledger, their
rows copied as they are (positions, timestamps and hashes unchanged), and the party index in the
shape of revisions 0001-0004: (party, position), parties and items only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

from ledger import Ledger
from ledger.store import migrate
from ledger.store.dialect import open_database
from ledger.store.tables import EVENTS
from tests import dbkit


def seed_at_revision(db_url: str, revision: str, events: list[dict[str, Any]], scratch: Path) -> tuple[int, str]:
    """Create ``db_url`` at ``revision`` holding ``events``; returns its (head, last hash)."""
    assert revision < "0005", "revisions from 0005 on are written by the current code"
    with Ledger.open(f"sqlite:///{scratch / 'seed.db'}", init=True) as seed:
        seed.append(events)
        head, last_hash, _ = seed.store.head()
        with dbkit.connect(seed.url) as conn:
            rows = [dict(r) for r in conn.execute(select(EVENTS).order_by(EVENTS.c.position)).mappings()]
            keys = [{"party": p, "position": pos} for p, pos in conn.execute(
                text("SELECT party, position FROM event_parties WHERE party NOT LIKE 'stream:%' ORDER BY position"))]
    migrate.upgrade_database(open_database(db_url), revision)
    engine = dbkit.engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(insert(EVENTS), rows)
            conn.execute(text("INSERT INTO event_parties (party, position) VALUES (:party, :position)"), keys)
    finally:
        engine.dispose()
    return head, last_hash
