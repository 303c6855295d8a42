"""Events are never updated or deleted: the database itself refuses it, whoever connects (SPEC §8).

Not through our store: through the raw driver (``sqlite3`` / ``psycopg``) and through a fresh,
plain SQLAlchemy engine, with every statement form that changes or removes rows.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ledger import Ledger, ValidationError
from tests.procs import is_sqlite, raw_connection
from tests.samples import SRC, basic, investment

COMMON = [
    "UPDATE events SET payload = '{}' WHERE position = 3",
    "UPDATE events SET hash = hash",  # even a no-op update
    "UPDATE events SET effective_date = '2001-01-01', effective_on = '2001-01-01' WHERE id = 'inv-2019'",
    "UPDATE events SET position = position + 100",
    "DELETE FROM events WHERE position = 6",  # the last row
    "DELETE FROM events WHERE position = 3",  # a middle row
    "DELETE FROM events",
    "UPDATE event_parties SET party = 'mallory'",
    "DELETE FROM event_parties WHERE position = 1",
    "DELETE FROM event_parties",
    # upsert: the conflicting row would be updated
    "INSERT INTO events SELECT * FROM events WHERE position = 3 ON CONFLICT (position) DO UPDATE SET payload = '{}'",
    "INSERT INTO event_parties SELECT * FROM event_parties WHERE position = 1 "
    "ON CONFLICT (bucket, party, position) DO UPDATE SET party = 'mallory'",
]
SQLITE_ONLY = [
    "UPDATE OR REPLACE events SET position = 1 WHERE position = 2",
    "UPDATE OR IGNORE events SET certainty = 'rumored'",
    "DELETE FROM events WHERE position IN (SELECT max(position) FROM events)",
]
POSTGRES_ONLY = [
    "TRUNCATE events",
    "TRUNCATE event_parties",
    "TRUNCATE events, event_parties CASCADE",
    "MERGE INTO events e USING (SELECT 3 AS p) s ON e.position = s.p WHEN MATCHED THEN DELETE",
    "MERGE INTO events e USING (SELECT 3 AS p) s ON e.position = s.p WHEN MATCHED THEN UPDATE SET payload = '{}'",
    "WITH gone AS (DELETE FROM events RETURNING position) SELECT count(*) FROM gone",
    "UPDATE events SET payload = '{}' WHERE position = 3 RETURNING position",
]


def _fill(lg: Ledger) -> None:
    lg.append(basic())
    lg.append([{**investment("fix", "2019-07-22", "1000000001"), "corrects": "inv-2019"}])


def dump(conn: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    cur = conn.cursor()
    events = cur.execute("SELECT * FROM events ORDER BY position").fetchall()
    parties = cur.execute("SELECT * FROM event_parties ORDER BY position, party").fetchall()
    return events, parties


def test_raw_driver_connections_cannot_change_or_remove_events(ledger: Ledger, db_url: str) -> None:
    _fill(ledger)
    statements = COMMON + (SQLITE_ONLY if is_sqlite(db_url) else POSTGRES_ONLY)
    with raw_connection(db_url) as conn:
        before = dump(conn)
        assert len(before[0]) == 6 and before[1]
        for sql in statements:
            if is_sqlite(db_url):
                with pytest.raises(sqlite3.DatabaseError, match="append-only") as info:
                    conn.execute("BEGIN")
                    try:
                        conn.execute(sql)
                    finally:
                        conn.execute("ROLLBACK")
            else:
                with pytest.raises(psycopg.Error, match="append-only") as info, conn.transaction():
                    conn.execute(sql)
                assert info.value.sqlstate == "23001", sql  # restrict_violation
            assert "refused" in str(info.value), sql
        assert dump(conn) == before
    assert ledger.verify().ok


def test_recursive_triggers_do_not_open_a_way_around_sqlite(tmp_path) -> None:
    """With recursive triggers on, REPLACE fires the delete trigger: refused."""
    url = f"sqlite:///{tmp_path}/ledger.db"
    with Ledger.open(url, init=True) as lg:
        _fill(lg)
    with closing(sqlite3.connect(tmp_path / "ledger.db", isolation_level=None)) as conn:
        before = dump(conn)
        conn.execute("PRAGMA recursive_triggers = ON")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("REPLACE INTO events SELECT * FROM events WHERE position = 3")
        assert dump(conn) == before


def test_a_fresh_plain_sqlalchemy_engine_is_refused_too(ledger: Ledger, db_url: str) -> None:
    _fill(ledger)
    head = ledger.store.head()
    url = make_url(db_url)
    engine = create_engine(url.set(drivername="postgresql+psycopg") if not is_sqlite(db_url) else url)
    try:
        for sql in ("UPDATE events SET certainty = 'rumored'", "DELETE FROM events WHERE position > 1",
                    "DELETE FROM event_parties"):
            with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
                conn.execute(text(sql))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM events")).scalar_one() == 6
    finally:
        engine.dispose()
    assert ledger.store.head() == head
    assert ledger.verify().ok


def test_inserting_new_rows_is_still_allowed_and_verify_catches_forged_ones(ledger: Ledger, db_url: str) -> None:
    """The triggers keep the table append-only, not read-only: a forged INSERT gets in, but it
    cannot carry a valid chain link, so verify names it."""
    _fill(ledger)
    with raw_connection(db_url) as conn:
        cur = conn.cursor()
        row = list(cur.execute("SELECT * FROM events WHERE position = 6").fetchone())
        cols = [d[0] for d in cur.description]
        row[cols.index("position")] = 7
        row[cols.index("id")] = "forged"
        row[cols.index("stream_version")] = 99
        mark = "?" if is_sqlite(db_url) else "%s"
        cur.execute(f"INSERT INTO events ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})", row)
        if is_sqlite(db_url):
            conn.commit()
    report = ledger.verify()
    assert not report.ok
    assert report.first_problem is not None and report.first_problem["position"] == 7
    assert report.first_problem["id"] == "forged"


def test_sqlite_replace_into_cannot_overwrite_an_event(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/ledger.db"
    with Ledger.open(url, init=True) as lg:
        _fill(lg)
    with closing(sqlite3.connect(tmp_path / "ledger.db", isolation_level=None)) as conn:
        row = list(conn.execute("SELECT * FROM events WHERE position = 3").fetchone())
        cols = [d[0] for d in conn.execute("SELECT * FROM events LIMIT 0").description]
        row[cols.index("payload")] = '{"investor":"mallory"}'
        refused = 0
        for verb in ("REPLACE", "INSERT OR REPLACE"):
            try:
                conn.execute(f"{verb} INTO events VALUES ({', '.join('?' * len(cols))})", row)
            except sqlite3.DatabaseError as exc:
                refused += "append-only" in str(exc)
        payload = conn.execute("SELECT payload FROM events WHERE position = 3").fetchone()[0]
    assert refused == 2
    assert "mallory" not in payload


def test_postgres_replica_role_does_not_switch_the_refusal_off(pg_url: str) -> None:
    with Ledger.open(pg_url, init=True) as lg:
        _fill(lg)
    with raw_connection(pg_url) as conn:
        try:
            with conn.transaction():
                conn.execute("SET LOCAL session_replication_role = replica")
                conn.execute("DELETE FROM events WHERE position = 6")
                deleted = True
                raise psycopg.Rollback()  # keep the fixture's schema as it was either way
        except psycopg.Error as exc:
            deleted = "append-only" not in str(exc)
    assert not deleted


def test_sql_and_html_in_text_fields_are_stored_verbatim_and_harm_nothing(ledger: Ledger, db_url: str) -> None:
    sql = "'); DROP TABLE events; --"
    html = "<script>alert(1)</script>"
    nasty = f"{sql} {html} \" \\ ` $1 %s ? :name \u2028 \U0001f600 \u0000 end"
    ledger.append(basic())
    event = {"id": "nasty", "type": "PartyRegistered", "effective_date": "2020", "recorded_by": sql,
             "source": {"title": html, "url": f"https://example.org/?q={sql}", "quote": nasty, "publisher": sql},
             "data": {"party": "bobby-tables", "name": nasty, "kind": "other", "jurisdiction": html,
                      "aliases": [sql, html]}}
    ledger.append([event])
    terms = {"id": "nasty-2", "type": "InvestmentMade", "effective_date": "2021", "source": SRC,
             "data": {"investor": "bobby-tables", "investee": "openai", "money": {"amount": "1", "currency": "USD"},
                      "round": sql, "terms": {"note": html, "sql": sql}}}
    ledger.append([terms])
    stored = next(ledger.events(ids=["nasty"]))
    assert stored["recorded_by"] == sql
    assert stored["source"] == event["source"]
    assert stored["data"]["name"] == nasty and stored["data"]["aliases"] == [sql, html]
    assert next(ledger.events(ids=["nasty-2"]))["data"]["terms"] == {"note": html, "sql": sql}
    party = next(p for p in ledger.state(as_of="2025-01-01").parties if p["party"] == "bobby-tables")
    assert party["name"] == nasty
    # filters take the same strings as parameters, never as SQL
    assert list(ledger.events(party=sql)) == [] and list(ledger.events(stream=sql)) == []
    # an alias names its party (here the SQL text is one of bobby-tables' aliases), as a value
    assert {e["id"] for e in ledger.history(party=sql)["events"]} == {"nasty", "nasty-2"}
    with pytest.raises(ValidationError, match="is not a party of this ledger"):
        ledger.history(party=sql + " OR 1=1")
    with raw_connection(db_url) as conn:
        assert dump(conn)[0][-1][0] == 7  # the table is still there, all rows in it
    assert ledger.verify().ok
