"""Alembic environment. alliance-ledger runs migrations programmatically (``alliance-ledger init``),
handing the connection in through ``config.attributes['connection']``; a URL in the config
(``alembic -x url=...``) works too for operators who prefer the alembic command."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from ledger.store.tables import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("give the database with: alembic -x url=sqlite:///alliance-ledger.db upgrade head")
    engine = create_engine(url)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `alliance-ledger init`")
run_migrations_online()
