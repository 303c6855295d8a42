"""Schema safety from the command line (SPEC §8): a database that is not at this code's schema is
refused with the command to run, exit 2, no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from ledger import Ledger
from ledger.cli import app
from tests import dbkit
from tests.oldschema import seed_at_revision
from tests.procs import execute_raw, is_sqlite, raw_connection, run_cli
from tests.samples import basic, investment

READ_COMMANDS = [["state", "--as-of", "2025-01-01"], ["verify"], ["history"], ["export"]]


def _invoke(db_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--db", db_url, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stderr


def _version(db_url: str) -> str:
    with raw_connection(db_url) as conn:
        return conn.cursor().execute("SELECT version_num FROM alembic_version").fetchone()[0]


@pytest.fixture
def batch_file(tmp_path: Path) -> Path:
    path = tmp_path / "batch.json"
    path.write_bytes(orjson.dumps(basic()))
    return path


def test_cli_on_an_uninitialised_database_says_to_run_init(db_url: str, batch_file: Path) -> None:
    missing = "holds no alliance-ledger schema" if db_url.startswith("postgresql") else "the file does not exist"
    result = run_cli(db_url, "append", str(batch_file))
    assert result.returncode == 2, result.stderr
    assert missing in result.stderr
    assert "alliance-ledger --db" in result.stderr and " init" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    for args in READ_COMMANDS:
        code, err = _invoke(db_url, *args)
        assert code == 2 and missing in err and "init" in err, (args, err)
    if not db_url.startswith("postgresql"):  # a read command never creates the file
        assert not Path(db_url.removeprefix("sqlite:///")).exists()
    code, err = _invoke(db_url, "init")
    assert code == 0 and "schema created at revision" in err
    code, err = _invoke(db_url, "append", str(batch_file))
    assert code == 0, err
    with Ledger.open(db_url) as lg:
        assert lg.store.count() == 5 and lg.verify().ok


def test_cli_on_a_newer_schema_says_to_upgrade_alliance_ledger_and_touches_nothing(
    ledger: Ledger, db_url: str, batch_file: Path,
) -> None:
    ledger.append(basic())
    head = ledger.store.head()
    with dbkit.connect(db_url, begin=True) as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff0003'"))
    extra = batch_file.with_name("extra.json")
    extra.write_bytes(orjson.dumps([investment("inv-2024", "2024", "1")]))
    result = run_cli(db_url, "append", str(extra))
    assert result.returncode == 2
    assert "'ffff0003'" in result.stderr and "written by a newer version; upgrade alliance-ledger" in result.stderr
    assert "Traceback" not in result.stderr
    for args in [*READ_COMMANDS, ["init"], ["import", str(batch_file)]]:
        code, err = _invoke(db_url, *args)
        assert code == 2 and "upgrade alliance-ledger" in err, (args, err)
    assert _version(db_url) == "ffff0003"  # init did not "repair" it
    assert ledger.store.head() == head


def test_cli_on_an_older_schema_says_to_run_init_which_upgrades_without_losing_events(
    db_url: str, batch_file: Path, tmp_path: Path,
) -> None:
    head = seed_at_revision(db_url, "0001", basic(), tmp_path)
    code, err = _invoke(db_url, "append", str(batch_file))
    assert code == 2 and "at schema revision 0001" in err and "init` to upgrade it" in err
    result = run_cli(db_url, "init")
    assert result.returncode == 0 and "upgraded from 0001" in result.stderr
    with Ledger.open(db_url) as lg:
        assert lg.store.head()[:2] == head and lg.verify().ok
        lg.append([investment("inv-2024", "2024", "1")])
    # the tables that migration 0005 rebuilt are guarded again
    refused = ["DELETE FROM events", "DELETE FROM event_parties", "UPDATE event_parties SET party = 'x'"]
    if is_sqlite(db_url):
        refused.append("INSERT OR REPLACE INTO events SELECT * FROM events WHERE position = 1")
    for sql in refused:
        with pytest.raises(Exception, match="append-only"):
            execute_raw(db_url, sql)
    code, _ = _invoke(db_url, "init")
    assert code == 0  # idempotent


def test_cli_on_an_unreachable_database_exits_2_naming_it(db_url: str, tmp_path: Path) -> None:
    if is_sqlite(db_url):
        url = f"sqlite:///{tmp_path}/no/such/dir/ledger.db"
    else:
        url = make_url(db_url).set(port=1, password="s3cret-pw").render_as_string(hide_password=False)
    for args in (["state", "--as-of", "2025-01-01"], ["init"]):
        code, err = _invoke(url, *args)
        assert code == 2, err
        # a read command on SQLite sees there is no file (and creates none); init cannot create it
        expected = "the file does not exist" if is_sqlite(db_url) and args[0] != "init" else "cannot open the database"
        assert expected in err
        assert "s3cret-pw" not in err


def test_schema_messages_do_not_print_the_database_password(pg_url: str) -> None:
    url = make_url(pg_url)
    assert url.password
    code, err = _invoke(pg_url, "state", "--as-of", "2025-01-01")
    assert code == 2 and "init" in err
    assert f":{url.password}@" not in err
