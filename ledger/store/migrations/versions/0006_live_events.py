"""The ``live_events`` view (SPEC §11): the stored events minus the corrected and retracted ones.

Outside tools (Datasette, pandas, DuckDB, psql) see the raw ``events`` table, where a rumour
that was later corrected still sits next to its correction: a naive SQL sum of investments over
``events`` counts both. Over ``live_events`` the same sum agrees with the fold's ``invested``
for the whole ledger at the latest date, because an event withdrawn by any later event (its
``corrects`` names it, or an EventRetracted targets it) is left out, whatever the withdrawing
event's date or certainty: the fold's own rule as known at the head (projections.select).

``data`` (and ``source``) are the stored payloads as JSON: ``jsonb`` on PostgreSQL (``->``,
``->>`` work), ``json(...)`` text on SQLite (``->``, ``->>``, ``json_extract`` work). Money
amounts stay JSON strings: cast them (``::numeric`` on PostgreSQL is exact; SQLite has no
decimal type, so its ``CAST(... AS NUMERIC)`` is exact for whole amounts only).

The withdrawn ids come from the rows that the partial index ``ix_events_corrections`` covers,
so the view costs one pass over the withdrawals plus an anti-join, not a scan per event.
A view is derived data: no event is written, and the append-only triggers and ``verify`` are
untouched. A later migration that rebuilds ``events`` on SQLite (as 0005 did: rename, copy,
drop) must drop this view first and recreate it, since SQLite renames a view's references
along with the table.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_COLUMNS = ("e.position, e.id, e.stream, e.stream_version, e.type, e.effective_date, e.effective_on, "
            "e.certainty, e.recorded_at, e.recorded_by, {source} AS source, e.corrects, {data} AS data")
_WITHDRAWN = "corrects IS NOT NULL OR type = 'EventRetracted'"  # the partial index's predicate


def _view_sql(dialect: str) -> str:
    if dialect == "postgresql":
        target, source, data = "payload::jsonb ->> 'target'", "e.source::jsonb", "e.payload::jsonb"
    else:
        target, source, data = "json_extract(payload, '$.target')", "json(e.source)", "json(e.payload)"
    return (
        "CREATE VIEW live_events AS "
        "WITH withdrawn(id) AS ("
        f"SELECT corrects FROM events WHERE ({_WITHDRAWN}) AND corrects IS NOT NULL "
        f"UNION SELECT {target} FROM events WHERE ({_WITHDRAWN}) AND type = 'EventRetracted') "
        f"SELECT {_COLUMNS.format(source=source, data=data)} FROM events e "
        "WHERE NOT EXISTS (SELECT 1 FROM withdrawn w WHERE w.id = e.id)"
    )


def upgrade() -> None:
    op.execute(_view_sql(op.get_bind().dialect.name))


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS live_events")
