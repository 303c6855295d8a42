"""Whole-ledger fold reads stream: a fold holds one chunk of events, not the ledger."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import event

from events import date_sort_key
from ledger import Ledger
from ledger.store import foldreads
from tests.contract.test_checkpoints import build


def test_whole_ledger_reads_stream_and_party_reads_do_not(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL a whole-ledger read goes through a server-side cursor (a client-side one
    would load all 10M events of a large ledger at once), a one-party read does not; chunks come
    in fold order and add up to the plain read."""
    build(ledger, random.Random(1))
    head = ledger.store.head()[0]
    cursors: list[Any] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("SELECT e.position"):
            cursors.append(cursor)

    db = ledger.store.db  # type: ignore[attr-defined]
    engine = getattr(db, "engine", None)  # PostgreSQL's is SQLAlchemy's; SQLite's cursor streams anyway
    if engine is not None:
        event.listen(engine, "before_cursor_execute", seen)
    monkeypatch.setattr(foldreads, "_CHUNK", 7)
    chunks = list(foldreads.fold_chunks(db, "e.position <= {m}", (head,), "e.effective_on, e.position", whole=True))
    whole_cursors = cursors[:]
    party = list(ledger.store.fold_events(head, "alpha"))
    if engine is not None:
        event.remove(engine, "before_cursor_execute", seen)

    assert [len(c) for c in chunks[:-1]] == [7] * (len(chunks) - 1) and 0 < len(chunks[-1]) <= 7
    flat = [e for c in chunks for e in c]
    assert sorted(e["position"] for e in flat) == list(range(1, head + 1))
    order = [(date_sort_key(e["effective_date"]), e["position"]) for e in flat]
    assert order == sorted(order)  # fold order: effective date, then position
    assert flat == list(foldreads.fold_rows(db, "e.position <= {m}", (head,), "e.effective_on, e.position"))
    assert 0 < len(party) < head  # what it reads is test_party_index's business
    if ledger.store.dialect == "postgresql":
        import psycopg

        assert whole_cursors and all(isinstance(c, psycopg.ServerCursor) for c in whole_cursors)
        # a party's few events: a plain query (PostgreSQL plans a cursor for its first rows, slower here)
        party_cursors = cursors[len(whole_cursors):]
        assert party_cursors and not any(isinstance(c, psycopg.ServerCursor) for c in party_cursors)
