"""Create the events table (the ledger) and the derived party index.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        # On SQLite an INTEGER primary key is the rowid itself: no second index to maintain.
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
        sa.UniqueConstraint("stream", "stream_version", name="uq_events_stream_version"),
    )
    # Every index costs each append; these are the ones the reads need. recorded_at needs none:
    # it never decreases along positions, so a timestamp is found by bisecting positions.
    op.create_index("ix_events_effective", "events", ["effective_on", "position"])
    op.create_index("ix_events_corrections", "events", ["position"],
                    sqlite_where=sa.text("corrects IS NOT NULL OR type = 'EventRetracted'"),
                    postgresql_where=sa.text("corrects IS NOT NULL OR type = 'EventRetracted'"))

    op.create_table(
        "event_parties",
        # a party slug, or "namespace:id" of another item (see ledger.core.rules.Definitions.index_keys)
        sa.Column("party", sa.String(250), primary_key=True),
        sa.Column("position", POSITION, primary_key=True),
        sqlite_with_rowid=False,  # the primary key is the table: one B-tree, not two
    )


def downgrade() -> None:
    op.drop_table("event_parties")
    op.drop_table("events")
