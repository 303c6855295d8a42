"""Whole-ledger fold reads stream: a fold holds one chunk of events, not the ledger."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import event

from ledger import Ledger, foldreads
from tests.test_checkpoints import build


def test_a_whole_ledger_read_streams_on_every_engine(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL reads through a server-side cursor (a client-side one would load all 10M events
    of a large ledger at once); chunks come in fold order and add up to the plain read."""
    build(ledger, random.Random(1))
    head = ledger.store.head()[0]
    cursors: list[Any] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("SELECT e.position"):
            cursors.append(cursor)

    event.listen(ledger.store.engine, "before_cursor_execute", seen)
    monkeypatch.setattr(foldreads, "_CHUNK", 7)
    chunks = list(foldreads.fold_chunks(ledger.store, "e.position <= {m}", (head,), "e.effective_on, e.position"))
    event.remove(ledger.store.engine, "before_cursor_execute", seen)

    assert [len(c) for c in chunks[:-1]] == [7] * (len(chunks) - 1) and 0 < len(chunks[-1]) <= 7
    flat = [e for c in chunks for e in c]
    assert sorted(e["position"] for e in flat) == list(range(1, head + 1))
    assert flat == list(foldreads.fold_rows(ledger.store, "e.position <= {m}", (head,), "e.effective_on, e.position"))
    if ledger.store.dialect == "postgresql":
        import psycopg

        assert cursors and all(isinstance(c, psycopg.ServerCursor) for c in cursors)
