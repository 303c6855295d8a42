"""Crash safety: a writer SIGKILLed in the middle of one large batch leaves all of it or none of it.

The worker (tests/procs.py ``crash``) announces its phases on stdout (built, insert-start,
statement k after each executed INSERT, insert-end, committed), so the kill lands where we want
it: in the middle of the events INSERT, in the middle of the party-index INSERT, or racing the
COMMIT (on SQLite the WAL commit of 50,000 rows takes a measurable time).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from ledger import Ledger
from ledger.store.tables import EVENT_PARTIES
from tests import dbkit
from tests.procs import investments, parties, spawn

N = 50_000
# (phase to wait for, extra delay before SIGKILL): the bulk INSERT of the events takes ~0.3 s
# (SQLite) to ~0.8 s (PostgreSQL) here, the party-index rows about as long; the last point kills
# the writer right after its COMMIT returned (the whole batch must then survive the crash).
KILL_POINTS = [("insert-start", 0.1), ("statement 1", 0.03), ("insert-end", 0.0), ("committed", 0.0)]


def _snapshot(lg: Ledger) -> tuple[int, int, int]:
    with dbkit.connect(lg.url) as conn:
        party_rows = conn.execute(select(func.count()).select_from(EVENT_PARTIES)).scalar_one()
    return lg.store.count(), party_rows, sum(1 for _ in lg.events(stream="crash"))


def _kill_at(db_url: str, phase: str, delay: float, prefix: str) -> list[str]:
    proc = spawn("crash", db_url, str(N), prefix)
    seen = []
    assert proc.stdout is not None
    while True:
        line = proc.stdout.readline()
        if not line:
            _, err = proc.communicate()
            pytest.fail(f"worker ended before {phase!r} (saw {seen[-3:]}): {err}")
        seen.append(line.split("\t")[0])
        if seen[-1] == phase:
            break
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    rest, _ = proc.communicate(timeout=60)
    seen += [line.split("\t")[0] for line in rest.splitlines()]
    assert proc.returncode == -signal.SIGKILL or "committed" in seen, proc.returncode
    return seen


def test_sigkill_during_a_large_append_leaves_all_or_nothing(db_url: str) -> None:
    with Ledger.open(db_url, init=True) as lg:
        lg.append([*parties(), *investments("before-", 3)])
        expected_events, expected_party_rows, _ = _snapshot(lg)
    assert expected_events == 5
    for k, (phase, delay) in enumerate(KILL_POINTS):
        seen = _kill_at(db_url, phase, delay, f"crash{k}-")
        assert "insert-start" in seen  # the kill came after the batch reached the database
        with Ledger.open(db_url) as lg:  # a fresh process-view of the ledger: recovery happens here
            count, party_rows, crash_events = _snapshot(lg)
            assert count in (expected_events, expected_events + N), f"{phase}: {count - expected_events} of {N} kept"
            whole = count == expected_events + N
            if "insert-end" not in seen:  # killed before the INSERTs returned: COMMIT never ran
                assert not whole, f"{phase}: a batch killed before its COMMIT is in the ledger"
            if "committed" in seen:
                assert whole, f"{phase}: a committed batch is missing"
            assert crash_events == (N if whole else 0)
            assert party_rows == expected_party_rows + (3 * N if whole else 0), (  # 2 parties + the stream
                f"{phase}: party index not atomic with events ({party_rows} rows, {expected_party_rows} before)")
            report = lg.verify()
            assert report.ok, report.problems
            assert report.events == count
            # the ledger takes new appends right after, at the next position
            after = lg.append(investments(f"after{k}-", 2))
            assert after.positions == [count + 1, count + 2]
            assert lg.verify().ok
            expected_events, expected_party_rows, _ = _snapshot(lg)
    if make_url(db_url).get_backend_name() == "sqlite":
        with sqlite3.connect(make_url(db_url).database) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
