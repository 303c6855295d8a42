"""The ``live_events`` view (SPEC §11, migration 0006) on SQLite and PostgreSQL: plain SQL over it
agrees with the fold, where the same SQL over ``events`` counts corrected rumours."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rich.console import Console
from sqlalchemy import text

from ledger import Ledger, ValidationError
from ledger.cli.demo import dataset, load
from ledger.core.envelope import INPUT_FIELDS
from ledger.store import revision
from projections import removed_ids
from tests import dbkit
from tests.conftest import pg_schema_url
from tests.eventfactory import History, money
from tests.oldschema import seed_at_revision
from tests.procs import execute_raw, is_sqlite
from tests.samples import basic, investment
from tests.unit.test_fold_properties import CERTAINTIES, PARTIES, _dates, _keyed, _pair, _withdraw

LAST = "9999-12-31"


def _sum_sql(db_url: str, table: str) -> str:
    """The naive sum an analyst would write (exact on PostgreSQL; whole amounts on SQLite)."""
    data = "data" if table == "live_events" else ("payload::jsonb" if not is_sqlite(db_url) else "payload")
    amount = f"({data}->'money'->>'amount')::numeric" if not is_sqlite(db_url) \
        else f"CAST({data}->'money'->>'amount' AS NUMERIC)"
    return (f"SELECT {data}->>'investor', {data}->>'investee', {data}->'money'->>'currency', SUM({amount}) "
            f"FROM {table} WHERE type = 'InvestmentMade' GROUP BY 1, 2, 3")


def _sums(lg: Ledger, db_url: str, table: str) -> dict[tuple[str, str, str], Decimal]:
    with dbkit.connect(lg.url) as conn:
        return {(a, b, c): Decimal(str(total)) for a, b, c, total in conn.execute(text(_sum_sql(db_url, table)))}


def _invested(lg: Ledger) -> dict[tuple[str, str, str], Decimal]:
    return {(s["holder"], s["issuer"], m["currency"]): Decimal(m["amount"])
            for s in lg.state(as_of=LAST).stakes for m in s["invested"]}


def test_a_sum_over_live_events_is_the_folds_invested_and_over_events_it_is_not(ledger: Ledger, db_url: str) -> None:
    load(ledger, dataset(), Console(quiet=True))
    live = _sums(ledger, db_url, "live_events")
    assert live == _invested(ledger)
    assert live[("microsoft", "openai", "USD")] == Decimal("13000000000")  # SOURCES.md: Microsoft's ~$13B
    naive = _sums(ledger, db_url, "events")  # the corrected $10B rumour of January 2023 counted as well
    assert naive[("microsoft", "openai", "USD")] == Decimal("23000000000")
    assert naive != live


def test_live_events_are_the_stored_events_minus_the_withdrawn_with_data_as_json(ledger: Ledger, db_url: str) -> None:
    events = [*basic(), investment("rumour", "2023-01-09", "20", certainty="rumored"),
              {**investment("fix", "2023-01-23", "10"), "corrects": "rumour"},
              investment("typo", "2024", "999"),
              {"id": "oops", "type": "EventRetracted", "effective_date": "2024-02-01",
               "data": {"target": "typo", "reason": "wrong company"}, "source": {"title": "erratum"}}]
    ledger.append(events)
    stored = list(ledger.events())
    gone = removed_ids(stored)
    assert gone == {"rumour", "typo"}
    with dbkit.connect(db_url) as conn:
        rows = conn.execute(text("SELECT position, id, type, effective_date, certainty, corrects, data, source "
                                 "FROM live_events ORDER BY position")).all()
    assert [r[1] for r in rows] == [e["id"] for e in stored if e["id"] not in gone]
    by_id = {e["id"]: e for e in stored}
    for position, id_, type_, day, certainty, corrects, data, source in rows:
        e = by_id[id_]
        assert (position, type_, day, certainty, corrects) == (e["position"], e["type"], e["effective_date"],
                                                              e["certainty"], e["corrects"])
        as_json = orjson.loads(data) if isinstance(data, str) else data  # SQLite text, PostgreSQL jsonb
        assert as_json == e["data"]
        assert (orjson.loads(source) if isinstance(source, str) else source) == e["source"]
    assert _sums(ledger, db_url, "live_events") == _invested(ledger) == {("microsoft", "openai", "USD"): Decimal(
        "1000000010")}


def test_the_view_writes_nothing_and_leaves_verify_and_the_triggers_alone(ledger: Ledger, db_url: str) -> None:
    ledger.append(basic())
    count = ledger.store.count()
    for sql in ("DELETE FROM live_events", "UPDATE live_events SET id = 'x'", "DELETE FROM events"):
        with pytest.raises(Exception, match="view|append-only|cannot"):
            execute_raw(db_url, sql)
    assert ledger.store.count() == count and ledger.verify().ok


def test_upgrading_an_old_ledger_creates_the_view(db_url: str, tmp_path: Path) -> None:
    events = [*basic(), investment("rumour", "2023-01-09", "20", certainty="rumored"),
              {**investment("fix", "2023-01-23", "10"), "corrects": "rumour"}]
    head = seed_at_revision(db_url, "0001", events, tmp_path)
    before, after = Ledger.init(db_url)
    assert (before, after) == ("0001", revision.HEAD)
    with Ledger.open(db_url) as lg:
        assert lg.store.head()[:2] == head and lg.verify().ok
        assert _sums(lg, db_url, "live_events") == _invested(lg) == {("microsoft", "openai", "USD"): Decimal(
            "1000000010")}
        assert _sums(lg, db_url, "events") == {("microsoft", "openai", "USD"): Decimal("1000000030")}


@contextmanager
def _fresh(engine: str, tmp_path: Path) -> Iterator[str]:
    """A new empty database per generated example (the ``ledger`` fixture is per test)."""
    if engine == "sqlite":
        yield f"sqlite:///{tmp_path}/{uuid.uuid4().hex}.db"
        return
    with pg_schema_url() as url:  # skips, or fails when ALLIANCE_LEDGER_REQUIRE_PG=1
        yield url


@st.composite
def money_histories(draw: Any) -> list[dict[str, Any]]:
    """Ledgers heavy in investments, corrected (amount, date, certainty; chains) and retracted,
    among other keyed facts: the generator of test_fold_properties, weighted towards money."""
    h = History()
    dates = _dates(draw)
    for party in PARTIES:
        h.add("PartyRegistered", {"party": party, "name": party.upper(), "kind": "company"}, next(dates),
              event_id=f"reg-{party}")
    for _ in range(draw(st.integers(1, 25))):
        when, choice = next(dates), draw(st.sampled_from(("invest", "invest", "other", "withdraw", "withdraw")))
        if choice == "withdraw":
            _withdraw(draw, h, when)
            continue
        if choice == "invest":
            a, b = _pair(draw)
            amount = str(draw(st.decimals(min_value=0, max_value=10**9, places=draw(st.sampled_from((0, 2))))))
            type_, data = "InvestmentMade", {"investor": a, "investee": b,
                                             "money": money(amount, draw(st.sampled_from(("USD", "EUR"))))}
        else:
            type_, data = _keyed(draw)
        h.add(type_, data, when, certainty=draw(st.sampled_from(CERTAINTIES)))
    return h.events


def _inputs(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: e[k] for k in INPUT_FIELDS if e.get(k) is not None} for e in events]


@pytest.mark.parametrize(("engine", "examples"), [("sqlite", 40), ("postgresql", 12)])
def test_sql_over_live_events_agrees_with_the_fold_on_random_ledgers(engine: str, examples: int,
                                                                     tmp_path: Path) -> None:
    """Random ledgers with corrections (of amounts, dates, certainty; chains) and retractions:
    the amounts read through the view, summed exactly, are the fold's invested; on PostgreSQL the
    SQL SUM itself is (numeric is exact; SQLite's sum of decimal text is binary floating point)."""

    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(money_histories())
    def check(events: list[dict[str, Any]]) -> None:
        with _fresh(engine, tmp_path) as url, Ledger.open(url, init=True) as lg:
            try:
                lg.append(_inputs(events))
            except ValidationError:
                assume(False)  # a generated withdrawal the append rules refuse (a definition still in use)
            with dbkit.connect(lg.url) as conn:
                rows = conn.execute(text("SELECT data->>'investor', data->>'investee', data->'money'->>'currency', "
                                         "data->'money'->>'amount' FROM live_events WHERE type = 'InvestmentMade'"))
                totals: dict[tuple[str, str, str], Decimal] = {}
                for a, b, c, amount in rows:
                    totals[(a, b, c)] = totals.get((a, b, c), Decimal(0)) + Decimal(amount)
            assert totals == _invested(lg)
            if engine == "postgresql":
                assert _sums(lg, url, "live_events") == totals

    check()
