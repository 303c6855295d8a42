"""Fixtures: every store test runs on SQLite (a file) and on PostgreSQL (a fresh schema per test).

PostgreSQL runs when ALLIANCE_LEDGER_TEST_PG names a server (``.ci/run`` starts one); otherwise
those tests skip with the reason. With ALLIANCE_LEDGER_REQUIRE_PG=1 (CI) a skip is a failure.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ledger import Ledger

PG_URL = os.environ.get("ALLIANCE_LEDGER_TEST_PG")
REQUIRE_PG = os.environ.get("ALLIANCE_LEDGER_REQUIRE_PG") == "1"


def _pg_or_skip() -> str:
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("ALLIANCE_LEDGER_REQUIRE_PG=1 but ALLIANCE_LEDGER_TEST_PG is not set")
        pytest.skip("PostgreSQL not configured: set ALLIANCE_LEDGER_TEST_PG=postgresql://user:pw@host/db "
                    "(bash -c '. .ci/postgres.sh; start_postgres; echo $PG_URL' starts one)")
    return PG_URL


@contextlib.contextmanager
def pg_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh, empty schema, dropped afterwards (any
    scope: the ``pg_url`` fixture, a module's server, one generated example)."""
    base = _pg_or_skip()
    schema = "t_" + uuid.uuid4().hex[:16]
    admin = create_engine(make_url(base).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).set(drivername="postgresql+psycopg").update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh, empty schema, dropped afterwards."""
    with pg_schema_url() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/ledger.db"
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
def ledger(db_url: str) -> Iterator[Ledger]:
    with Ledger.open(db_url, init=True) as lg:
        yield lg


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo ledger built by the CLI, as a plain path (what a new user types). Shared by the
    tests that only read it; one that writes must build its own."""
    from typer.testing import CliRunner

    from ledger.cli import app

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    result = CliRunner().invoke(app, ["demo", "--db", str(path)])
    assert result.exit_code == 0, result.stderr
    return str(path)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per skip reason, with its count (``-ra`` would print one line per skipped test
    location: 80 identical PostgreSQL lines in a quick run)."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"skipped {count} test(s): {reason}")
