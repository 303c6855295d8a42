"""Which schema revision a database is at, checked without Alembic (a query command must not
pay for importing it): the store refuses a database that is not at this code's revision, with
the command to run, rather than failing later on a missing column or, worse, writing into a
newer schema. ``tests/unit/test_store_revision.py`` checks these constants against the migration
scripts."""

from __future__ import annotations

from ledger.errors import IntegrityError, SchemaVersionError
from ledger.store.dialect import Database

REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007")
"""The migration scripts' revisions, oldest first; the last is the head this code reads."""
HEAD = REVISIONS[-1]


def current(db: Database) -> str | None:
    """The revision recorded in ``alembic_version`` (None: not an alliance-ledger database yet)."""
    with db.reading() as conn:
        if db.dialect == "sqlite":
            present = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
                                   ).fetchone()
        else:
            present = conn.execute("SELECT to_regclass('alembic_version')").fetchone()[0]
        if not present:
            return None
        heads = [str(row[0]) for row in conn.execute("SELECT version_num FROM alembic_version").fetchall()]
    if len(heads) > 1:  # the migrations form one line: two rows mean someone edited the table
        raise IntegrityError(f"integrity: the database's alembic_version table names {len(heads)} schema revisions "
                             f"({', '.join(sorted(heads))}); alliance-ledger writes exactly one, so it was edited")
    return heads[0] if heads else None


def too_new(revision: str) -> SchemaVersionError:
    return SchemaVersionError(
        f"the database is at schema revision {revision!r}, which this alliance-ledger does not know "
        f"(it knows up to {HEAD}): it was written by a newer version; upgrade alliance-ledger"
    )


def check(db: Database) -> None:
    """Refuse a database that is not created, older, or newer than this code."""
    revision = current(db)
    if revision == HEAD:
        return
    shown = db.shown
    if revision is None:
        raise SchemaVersionError(f"{shown} holds no alliance-ledger schema: run `alliance-ledger --db {shown} init` "
                                 "to create it")
    if revision not in REVISIONS:
        raise too_new(revision)
    raise SchemaVersionError(f"{shown} is at schema revision {revision}, this code needs {HEAD}: run "
                             f"`alliance-ledger --db {shown} init` to upgrade it (no event is lost)")
