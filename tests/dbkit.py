"""Direct database access for tests, as another program with the ledger's credentials would
have it: a SQLAlchemy engine on the ledger's URL (for ``text()`` statements and the typed
tables), independent of the ledger's own store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.engine import make_url


def engine(db_url: str) -> Engine:
    url = make_url(db_url)
    if url.get_backend_name() == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(url)


@contextmanager
def connect(db_url: str, *, begin: bool = False) -> Iterator[Connection]:
    """A SQLAlchemy connection to the ledger's database (``begin``: in a transaction committed at the end)."""
    eng = engine(db_url)
    try:
        with eng.begin() if begin else eng.connect() as conn:  # type: ignore[attr-defined]
            yield conn
    finally:
        eng.dispose()


def scalar(db_url: str, sql: str, params: dict[str, Any] | None = None) -> Any:
    from sqlalchemy import text

    with connect(db_url) as conn:
        return conn.execute(text(sql), params or {}).scalar()
