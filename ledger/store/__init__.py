"""Storage: the only code that speaks SQL, names a dialect or imports SQLAlchemy and Alembic.

- ``port.py``: the Protocol the read and write sides use;
- ``sql.py``: its adapter; ``foldreads.py`` and ``checkpoint_rows.py``: the reads of folds and
  the rows of checkpoints; ``rows.py``: columns and the row <-> envelope mapping (upcasting older events);
- ``dialect.py``: every difference between SQLite and PostgreSQL, and the error boundary;
- ``revision.py`` (the schema revision check), ``migrate.py`` and ``migrations/`` (Alembic), ``tables.py``
  (the typed table definitions the migrations describe).
"""

from __future__ import annotations

from ledger.store.dialect import open_database, safe_url, sqlite_file
from ledger.store.port import EventStore, WriteTransaction
from ledger.store.sql import SqlStore


def open_store(url: str, *, init: bool = False) -> SqlStore:
    """The store at ``url`` (a SQLAlchemy-style URL or a SQLite file path), its schema checked;
    ``init`` creates or upgrades the schema first (on the same database: in memory, the only one)."""
    from ledger.store import revision

    store = SqlStore(open_database(url))
    try:
        if init:
            from ledger.store import migrate

            migrate.upgrade_database(store.db)
        revision.check(store.db)
    except BaseException:
        store.dispose()
        raise
    return store


def init_store(url: str) -> tuple[str | None, str]:
    """Create or upgrade the schema at ``url``; returns (revision before, revision after)."""
    from ledger.store import migrate

    db = open_database(url)
    try:
        return migrate.upgrade_database(db)
    finally:
        db.dispose()


__all__ = ["EventStore", "SqlStore", "WriteTransaction", "init_store", "open_store", "safe_url", "sqlite_file"]
