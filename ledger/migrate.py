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
from sqlalchemy.engine import Engine

import migrations
from ledger.errors import IntegrityError, SchemaVersionError

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
        heads = MigrationContext.configure(conn).get_current_heads()
    if len(heads) > 1:  # the migrations form one line: two rows mean someone edited the table
        raise IntegrityError(f"integrity: the database's alembic_version table names {len(heads)} schema revisions "
                             f"({', '.join(sorted(heads))}); alliance-ledger writes exactly one, so it was edited")
    return heads[0] if heads else None


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Create or upgrade the schema; returns (revision before, revision after)."""
    before = current_revision(engine)
    if before is not None and before not in known_revisions():
        raise _too_new(before)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return before, current_revision(engine) or ""


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
