"""Schema versioning through Alembic, run programmatically: ``init`` upgrades, ``open`` checks.

The store refuses a database that is not at this code's head revision, with the command to run,
rather than failing later on a missing column or, worse, writing into a newer schema.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

import ledger.store.migrations as migrations
from ledger.errors import IntegrityError, SchemaVersionError
from ledger.store.dialect import PG_LOCK_KEY as LOCK_KEY
from ledger.store.dialect import Database, PostgresDatabase, SqliteDatabase
from ledger.store.revision import REVISIONS, too_new

SCRIPT_LOCATION = str(Path(migrations.__file__).parent)


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    return cfg


def code_head() -> str:
    """The head revision of the migration scripts (what :data:`ledger.store.revision.HEAD` states)."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def script_revisions() -> list[str]:
    """Every revision of the migration scripts, oldest first."""
    return [rev.revision for rev in reversed(list(ScriptDirectory.from_config(_config()).walk_revisions()))]


def _revision(conn: Connection) -> str | None:
    heads = MigrationContext.configure(conn).get_current_heads()
    if len(heads) > 1:  # the migrations form one line: two rows mean someone edited the table
        raise IntegrityError(f"integrity: the database's alembic_version table names {len(heads)} schema revisions "
                             f"({', '.join(sorted(heads))}); alliance-ledger writes exactly one, so it was edited")
    return heads[0] if heads else None


_OWN_TABLES = frozenset({"events", "event_parties", "checkpoints", "party_checkpoints", "alembic_version", "sqlite_sequence"})


def upgrade_database(db: Database, revision: str = "head") -> tuple[str | None, str]:
    """Create or upgrade the schema of ``db`` through SQLAlchemy and Alembic (see :func:`upgrade`)."""
    if isinstance(db, PostgresDatabase):
        return upgrade(db.engine, revision)
    assert isinstance(db, SqliteDatabase)
    engine = _sqlite_engine(db)
    try:
        return upgrade(engine, revision)
    finally:
        # in memory the pool holds the database's one connection: closing it would drop the database
        engine.dispose(close=db.file is not None)


def _sqlite_engine(db: SqliteDatabase) -> Engine:
    """A SQLAlchemy engine on the store's own SQLite connections, for Alembic: WAL set once (it is
    persistent), and the migration's transaction is the writers' ``BEGIN IMMEDIATE``."""
    engine = create_engine("sqlite://", creator=db.raw_connection, poolclass=StaticPool if db.file is None else None)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # BEGIN is ours (below)
        if db.file is not None and dbapi_conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            dbapi_conn.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

    return engine


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Create or upgrade the schema; returns (revision before, revision after).

    Several ``init`` at once are safe: the migration runs in the writers' locked transaction
    (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL advisory lock), and reads the revision under that
    lock, so the second one finds the schema made and does nothing. A database holding another
    application's tables is refused, not extended with ours.
    """
    cfg = _config()
    with engine.connect().execution_options(write=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
        before = _revision(conn)
        if before is not None and before not in REVISIONS:
            raise too_new(before)
        if before is None:
            foreign = sorted(set(inspect(conn).get_table_names()) - _OWN_TABLES)
            if foreign:
                shown = ", ".join(foreign[:10]) + (" ..." if len(foreign) > 10 else "")
                raise SchemaVersionError(f"the database holds tables of another application ({shown}): "
                                         "alliance-ledger initialises only an empty database or one of its own; "
                                         "give it a new file (or a PostgreSQL schema of its own)")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        after = _revision(conn)
    return before, after or ""
