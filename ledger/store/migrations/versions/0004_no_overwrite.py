"""Close two ways around the append-only triggers.

SQLite: ``INSERT OR REPLACE`` / ``REPLACE INTO`` deletes a conflicting row without firing the
DELETE trigger (recursive triggers are off by default); a BEFORE INSERT trigger now refuses any
row whose position, id or (stream, stream_version) already exists.
PostgreSQL: ``session_replication_role = replica`` switches ordinary triggers off; the
append-only triggers now fire ALWAYS.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_PG_TRIGGERS = (("events", "events_append_only"), ("events", "events_no_truncate"),
                ("event_parties", "event_parties_append_only"), ("event_parties", "event_parties_no_truncate"))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, trigger in _PG_TRIGGERS:
            op.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {trigger}")
        return
    op.execute(
        "CREATE TRIGGER events_no_overwrite BEFORE INSERT ON events WHEN "
        "EXISTS (SELECT 1 FROM events WHERE position = NEW.position) "
        "OR EXISTS (SELECT 1 FROM events WHERE id = NEW.id) "
        "OR EXISTS (SELECT 1 FROM events WHERE stream = NEW.stream AND stream_version = NEW.stream_version) "
        "BEGIN SELECT RAISE(ABORT, 'alliance-ledger: an INSERT over an existing event is refused: "
        "the ledger is append-only'); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, trigger in _PG_TRIGGERS:
            op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        return
    op.execute("DROP TRIGGER IF EXISTS events_no_overwrite")
