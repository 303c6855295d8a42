"""The hostile pass of issue 12, storage half: edited rows, derived columns, files written onto
the ledger, restores that verify would fail, concurrent ``init``, foreign databases, read-only
media and a locked writer. Each case had a traceback, a silent wrong answer or lost data."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from ledger import Ledger, LedgerError, SchemaVersionError, StorageError, ValidationError
from ledger.cli import app
from ledger.core.envelope import ENVELOPE_FIELDS, event_hash
from tests.integrity.test_integrity_tamper import sql
from tests.procs import ROOT, child_env, cli_command, is_sqlite, raw_connection, run_cli
from tests.samples import basic, investment


def _cli(db_url: str, *args: str) -> tuple[int, str]:
    """The CLI in this process (a real process each costs a second of start-up)."""
    result = CliRunner().invoke(app, ["--db", db_url, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stderr


def _demo(lg: Ledger) -> None:
    lg.append(basic())
    lg.append([investment("inv-2023", "2023-01-23", "10000000000")])  # position 6


def test_an_edited_effective_on_is_caught_by_verify_and_anchor(ledger: Ledger, db_url: str) -> None:
    _demo(ledger)
    anchor = f"{ledger.store.head()[0]}:{ledger.store.head()[1]}"
    before = ledger.state("2024-01-01", party="microsoft").stakes[0]["invested"]
    sql(db_url, "UPDATE events SET effective_on = '2099-01-01' WHERE position = 6")
    # the edit moves the investment out of every date query: the answer is silently different ...
    assert ledger.state("2024-01-01").stakes[0]["invested"] != before
    report = ledger.verify()  # ... which verify must say, even though the hash chain is intact
    assert not report.ok and report.first_problem["position"] == 6
    assert "effective_on" in report.first_problem["problem"]
    result = run_cli(db_url, "verify", "--anchor", anchor)
    assert result.returncode == 1 and "effective_on" in result.stderr, result.stderr


@pytest.mark.parametrize(("edit", "words"), [
    ("UPDATE events SET type = 'Bogus' WHERE position = 3", "unknown event type 'Bogus'"),
    ("UPDATE events SET type = 'StakeChanged' WHERE position = 3", "cannot be folded"),
    ("UPDATE events SET payload = '{not json' WHERE position = 3", "is not JSON"),
])
def test_an_edited_row_is_an_integrity_failure_never_a_traceback(ledger: Ledger, db_url: str, edit: str,
                                                                 words: str) -> None:
    _demo(ledger)
    sql(db_url, edit)
    # export copies rows as stored (forensics need it), unless a row cannot be written as JSON at all
    exports = [["export"]] if "payload" in edit else []
    for args in (["state", "--as-of", "2024-01-01"], ["state", "--party", "microsoft"],
                 ["explain", "stakes:microsoft/openai"], ["rebuild"], *exports):
        code, err = _cli(db_url, *args)
        assert code == 1, (args, err)
        assert "integrity" in err and words in err and "Traceback" not in err, args
    result = run_cli(db_url, "verify")
    assert result.returncode == 1 and "position 3" in result.stderr and "Traceback" not in result.stderr


def test_two_schema_revisions_are_an_integrity_failure(ledger: Ledger, db_url: str) -> None:
    _demo(ledger)
    with raw_connection(db_url) as conn:
        conn.execute("INSERT INTO alembic_version (version_num) VALUES ('0004')")
    result = run_cli(db_url, "state", "--as-of", "2024-01-01")
    assert result.returncode == 1 and "integrity" in result.stderr and "alembic_version" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_corrupt_or_forged_checkpoint_is_never_loaded(ledger: Ledger, db_url: str) -> None:
    import pickle
    import zlib

    _demo(ledger)
    ledger.rebuild(2)
    expected = Ledger.open(db_url).state("2024-01-01").to_json()
    forged = zlib.compress(pickle.dumps(({"parties": {}}, None)), 1)  # the old format: never unpickled now
    for blob in (b"\x01\x02\x03", forged, zlib.compress(b'{"format": 1}')):
        with raw_connection(db_url) as conn:
            conn.execute("UPDATE checkpoints SET state = " + ("?" if is_sqlite(db_url) else "%s"), (blob,))
        with Ledger.open(db_url) as lg:
            assert lg.state("2024-01-01").to_json() == expected  # answered without the checkpoint
            report = lg.verify()
        assert not report.ok and "is not readable" in report.first_problem["problem"]


def test_no_command_writes_onto_the_ledgers_own_file(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    url = f"sqlite:///{db}"
    with Ledger.open(url, init=True) as lg:
        _demo(lg)
    (tmp_path / "link.db").symlink_to(db)
    os.link(db, tmp_path / "hard.db")
    size = db.stat().st_size
    spellings = [str(db), f"{tmp_path}/./ledger.db", f"{tmp_path}/../{tmp_path.name}/ledger.db",
                 str(tmp_path / "link.db"), str(tmp_path / "hard.db"), f"{db}-wal"]
    for out in spellings:
        for args in (["export", "-o", out], ["report", "--out", out]):
            code, err = _cli(url, *args)
            assert code == 2 and "the ledger's own database file" in err, (args, err)
    assert db.stat().st_size == size
    assert run_cli(url, "verify").returncode == 0


def test_a_failed_export_leaves_the_old_file_whole(ledger: Ledger, db_url: str, tmp_path: Path) -> None:
    _demo(ledger)
    out = tmp_path / "old.jsonl"
    out.write_text("the previous export\n")
    with pytest.raises(RuntimeError), ledger.output_file(out) as fh:
        fh.write(b"half an export")
        raise RuntimeError("disk full")
    assert out.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []  # no temporary file left


def _rechained(lines: list[dict[str, Any]], change: Any) -> list[dict[str, Any]]:
    """Apply ``change`` to the envelopes and give them a valid chain again, as a forger would."""
    change(lines)
    prev = "0" * 64
    for env in lines:
        env["prev_hash"] = prev
        env["hash"] = prev = event_hash({k: env[k] for k in ENVELOPE_FIELDS})
    return lines


@pytest.mark.parametrize(("change", "field"), [
    (lambda ls: ls[2].update(recorded_at=ls[2]["recorded_at"].replace("Z", "+00:00")), "recorded_at"),
    (lambda ls: ls[5].update(recorded_at="2001-01-01T00:00:00.000000Z"), None),
])
def test_what_import_accepts_verify_passes(ledger: Ledger, tmp_path: Path, change: Any, field: str | None) -> None:
    _demo(ledger)
    buf = io.BytesIO()
    ledger.export(buf)
    lines = _rechained([orjson.loads(line) for line in buf.getvalue().splitlines()], change)
    with Ledger.open(f"sqlite:///{tmp_path}/copy.db", init=True) as copy:
        with pytest.raises(ValidationError) as info:
            copy.import_envelopes(lines)
        assert copy.store.count() == 0
    problem = info.value.problems[0]
    assert problem.field == field and ("form export writes" in problem.message or "back in time" in problem.message)


def test_six_concurrent_inits_all_succeed(db_url: str) -> None:
    for _ in range(2):  # before the fix, about one init in five failed: 12 runs would all but surely show it
        procs = [subprocess.Popen([*cli_command(), "--db", db_url, "init"], cwd=ROOT, env=child_env(),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(6)]
        results = [(p.wait(timeout=120), p.stderr.read().decode()) for p in procs if p.stderr]
        assert all(code == 0 for code, _ in results), results
        with Ledger.open(db_url) as lg:
            assert lg.store.count() == 0


def test_init_refuses_another_applications_database(db_url: str) -> None:
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)"))
    engine.dispose()
    with pytest.raises(SchemaVersionError, match=r"tables of another application \(users\)"):
        Ledger.init(db_url)
    result = run_cli(db_url, "init")
    assert result.returncode == 2 and "users" in result.stderr
    with raw_connection(db_url) as conn:
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'" if is_sqlite(db_url) else
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").fetchall()}
    assert tables == {"users"}


def test_a_ledger_on_a_read_only_mount_answers_reads(tmp_path: Path) -> None:
    src, mnt = tmp_path / "src", tmp_path / "mnt"
    src.mkdir()
    mnt.mkdir()
    url = f"sqlite:///{src}/ledger.db"
    with Ledger.open(url, init=True) as lg:
        _demo(lg)
        expected = lg.state("2024-01-01").to_json()
    mounted = subprocess.run(["mount", "--bind", str(src), str(mnt)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot bind-mount here (needs root): {mounted.stderr.decode().strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(mnt)], check=True, capture_output=True)
        ro = f"sqlite:///{mnt}/ledger.db"
        with Ledger.open(ro) as lg:
            assert lg.state("2024-01-01").to_json() == expected
            assert lg.verify().ok
            with pytest.raises(StorageError, match="read-only"):
                lg.append([investment("late", "2024", "1")])
        result = run_cli(ro, "state", "--party", "microsoft")
        assert result.returncode == 0, result.stderr
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


def test_a_locked_writer_says_another_process_is_writing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/ledger.db"
    with Ledger.open(url, init=True) as lg:
        _demo(lg)
    holder = sqlite3.connect(tmp_path / "ledger.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with Ledger.open(url + "?timeout=1") as lg, pytest.raises(StorageError) as info:
            lg.append([investment("late", "2024", "1")])
        assert time.monotonic() - started < 30
        assert "another process is writing to this ledger (waited 1 s)" in str(info.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_garbage_database_argument_is_a_message(tmp_path: Path) -> None:
    with pytest.raises(LedgerError):
        Ledger.open("postgresql://:::")
    result = run_cli("sqlite:///" + str(tmp_path / "none.db"), "state")
    assert result.returncode == 2 and "does not exist" in result.stderr
    assert not (tmp_path / "none.db").exists()
