"""Checkpoints of one busy party's fold: derived, deletable data that makes its as-of queries fast.

A one-party state folds the events of the party's closure (its indexed events and what they link
to). For a party with tens of thousands of events that fold is most of a query's time, and it
grows with the ledger; a checkpoint of it at a date, with the keys the closure followed and the
events it holds dated up to the next checkpoint of the party, leaves
only the events dated after it to read and fold.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "party_checkpoints",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("party", sa.String(250), nullable=False),
        sa.Column("as_of_key", sa.String(10), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closure", sa.Text(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_party_checkpoints_key", "party_checkpoints", ["party", "as_of_key", "position"])


def downgrade() -> None:
    op.drop_table("party_checkpoints")
