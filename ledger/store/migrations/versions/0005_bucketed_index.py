"""Keep the write set of an append small on a large ledger: no index keyed at random positions.

Measured at 1,000,000 events (SQLite, batches of 10,000): the indexes keyed by party and by
(stream, stream_version) put each batch's rows on thousands of leaf pages spread over the
whole B-trees, so a commit wrote ~40 MB to the WAL, and storage cost 30 us/event against 14 us
with the layout below.

* ``event_parties`` gains a leading ``bucket`` = position // 65536: the primary key
  (bucket, party, position) keeps every new row inside the newest bucket's subtree. A lookup by
  party seeks once per bucket (16 seeks at 1,000,000 events). It now also holds
  ``stream:<name>`` for every event, which is how a stream is read.
* ``events`` loses the UNIQUE (stream, stream_version) index, which was that random-keyed
  write too. Stream versions are assigned under the writers' lock (as positions are) and
  ``verify`` checks them along the chain. SQLite cannot drop a table constraint, so the table
  is rebuilt, rows copied as they are (positions and hashes unchanged), and its indexes and
  append-only triggers recreated; the no-overwrite trigger now checks position and id.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BUCKET = 65536
POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_REFUSE = "SELECT RAISE(ABORT, 'alliance-ledger: {verb} on {table} is refused: the ledger is append-only')"


def _sqlite_triggers(table: str) -> None:
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} BEGIN "
                   f"{_REFUSE.format(verb=verb, table=table)}; END")


def _pg_triggers(table: str) -> None:
    op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
               "FOR EACH ROW EXECUTE FUNCTION alliance_ledger_refuse_change()")
    op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
               "FOR EACH STATEMENT EXECUTE FUNCTION alliance_ledger_refuse_change()")
    op.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_append_only")
    op.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_no_truncate")


def _rebuild_parties(columns: list[sa.Column], key: list[str], select_old: str) -> None:  # type: ignore[type-arg]
    """Replace ``event_parties`` by a table of ``columns`` filled by ``select_old``."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table("event_parties_new", *columns, sa.PrimaryKeyConstraint(*key, name="pk_event_parties"),
                    sqlite_with_rowid=False)
    op.execute(f"INSERT INTO event_parties_new {select_old}")
    op.execute("DROP TABLE event_parties")  # its triggers go with it; no row trigger fires on DROP
    op.execute("ALTER TABLE event_parties_new RENAME TO event_parties")
    (_sqlite_triggers if sqlite else _pg_triggers)("event_parties")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    _rebuild_parties(
        [sa.Column("bucket", sa.Integer(), nullable=False), sa.Column("party", sa.String(250), nullable=False),
         sa.Column("position", POSITION, nullable=False)],
        ["bucket", "party", "position"],
        f"SELECT position / {BUCKET}, party, position FROM event_parties "
        f"UNION ALL SELECT position / {BUCKET}, 'stream:' || stream, position FROM events",
    )
    if not sqlite:
        op.execute("ALTER TABLE events DROP CONSTRAINT uq_events_stream_version")
        return
    op.execute("ALTER TABLE events RENAME TO events_0004")
    op.create_table(
        "events",
        sa.Column("position", POSITION, primary_key=True, autoincrement=False),
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("stream", sa.String(200), nullable=False),
        sa.Column("stream_version", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("effective_date", sa.String(10), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("certainty", sa.String(10), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(2000), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("corrects", sa.String(200), nullable=True),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("id", name="uq_events_id"),
    )
    op.execute("INSERT INTO events SELECT * FROM events_0004")
    op.execute("DROP TABLE events_0004")  # with its indexes and triggers, recreated below
    op.create_index("ix_events_effective", "events", ["effective_on", "position"])
    op.create_index("ix_events_corrections", "events", ["position"],
                    sqlite_where=sa.text("corrects IS NOT NULL OR type = 'EventRetracted'"))
    _sqlite_triggers("events")
    op.execute(
        "CREATE TRIGGER events_no_overwrite BEFORE INSERT ON events WHEN "
        "EXISTS (SELECT 1 FROM events WHERE position = NEW.position) "
        "OR EXISTS (SELECT 1 FROM events WHERE id = NEW.id) "
        "BEGIN SELECT RAISE(ABORT, 'alliance-ledger: an INSERT over an existing event is refused: "
        "the ledger is append-only'); END"
    )


def downgrade() -> None:
    raise NotImplementedError("0005 is not reversible in place: export the ledger, and import it into a "
                              "database created by the older version")
