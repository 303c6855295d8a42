"""The revision constants the store checks without Alembic (:mod:`ledger.store.revision`) name
exactly the migration scripts Alembic runs: a new migration that forgets them would make every
database it creates look "newer than this code"."""

from __future__ import annotations

from ledger.store import migrate, revision


def test_revisions_are_the_migration_scripts_in_order() -> None:
    assert list(revision.REVISIONS) == migrate.script_revisions()
    assert revision.HEAD == migrate.code_head() == revision.REVISIONS[-1]
