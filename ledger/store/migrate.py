"""Schema versioning through Alembic, run programmatically: ``init`` upgrades, ``open`` checks.

The store refuses a database that is not at this code's head revision, with the command to run,
rather than failing later on a missing column or, worse, writing into a newer schema.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect
from sqlalchemy.engine import Engine

import ledger.store.migrations as migrations
from ledger.errors import IntegrityError, SchemaVersionError
from ledger.store.sql import PG_LOCK_KEY as LOCK_KEY

SCRIPT_LOCATION = str(Path(migrations.__file__).parent)


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    return cfg


def code_head() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return _revision(conn)


def _revision(conn: Connection) -> str | None:
    heads = MigrationContext.configure(conn).get_current_heads()
    if len(heads) > 1:  # the migrations form one line: two rows mean someone edited the table
        raise IntegrityError(f"integrity: the database's alembic_version table names {len(heads)} schema revisions "
                             f"({', '.join(sorted(heads))}); alliance-ledger writes exactly one, so it was edited")
    return heads[0] if heads else None


_OWN_TABLES = frozenset({"events", "event_parties", "checkpoints", "alembic_version", "sqlite_sequence"})


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
        if before is not None and before not in known_revisions():
            raise _too_new(before)
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


def check(engine: Engine, url_hint: str) -> None:
    """Refuse a database that is not created, older, or newer than this code."""
    rev = current_revision(engine)
    head = code_head()
    if rev == head:
        return
    if rev is None:
        raise SchemaVersionError(
            f"{url_hint} holds no alliance-ledger schema: run `alliance-ledger --db {url_hint} init` to create it"
        )
    if rev not in known_revisions():
        raise _too_new(rev)
    raise SchemaVersionError(
        f"{url_hint} is at schema revision {rev}, this code needs {head}: "
        f"run `alliance-ledger --db {url_hint} init` to upgrade it (no event is lost)"
    )


def _too_new(rev: str) -> SchemaVersionError:
    return SchemaVersionError(
        f"the database is at schema revision {rev!r}, which this alliance-ledger does not know "
        f"(it knows up to {code_head()}): it was written by a newer version; upgrade alliance-ledger"
    )
