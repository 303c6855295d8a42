"""Tamper evidence: edits made around the triggers are caught by ``verify`` (SPEC §7, §8).

Each scenario drops the append-only trigger(s) through the raw driver, as someone with the
database's credentials could, edits the table, and checks that :meth:`Ledger.verify` names the
first bad position, and that ``alliance-ledger verify`` (the console script, a separate process)
exits 1 naming it; an intact ledger exits 0 with a summary. A cut tail or a rewritten chain is
only caught against an anchor published earlier (``verify --print-head``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from ledger import Ledger
from ledger.cli import app
from ledger.core.envelope import ENVELOPE_FIELDS, canonical, event_hash
from tests import dbkit
from tests.procs import is_sqlite, raw_connection, run_cli, verify_child_answers
from tests.samples import SRC, basic, investment

HEAD = 8


def _fill(lg: Ledger) -> None:
    lg.append(basic())  # positions 1-5 (streams main and microsoft-openai)
    lg.append([investment("inv-2021", "2021-01-23", "2000000000"),
               {**investment("inv-2019-fix", "2019-07-22", "1000000001"), "corrects": "inv-2019"},
               {"id": "metric", "type": "MetricReported", "effective_date": "2024", "source": SRC,
                "data": {"party": "openai", "metric": "revenue", "value": "3700000000", "unit": "USD",
                         "period": "FY2024"}}])


def drop_triggers(conn: Any, db_url: str) -> None:
    if is_sqlite(db_url):
        for name in ("events_no_update", "events_no_delete", "event_parties_no_update", "event_parties_no_delete"):
            conn.execute(f"DROP TRIGGER {name}")
    else:
        conn.execute("DROP TRIGGER events_append_only ON events")
        conn.execute("DROP TRIGGER event_parties_append_only ON event_parties")


def sql(db_url: str, *statements: str | tuple[str, tuple[Any, ...]]) -> None:
    """Drop the triggers, then run the statements in one transaction through the raw driver."""
    with raw_connection(db_url) as conn:
        drop_triggers(conn, db_url)
        mark = "?" if is_sqlite(db_url) else "%s"
        if is_sqlite(db_url):
            conn.execute("BEGIN")
        for st in statements:
            query, params = (st, ()) if isinstance(st, str) else st
            conn.execute(query.replace("?", mark), params)
        if is_sqlite(db_url):
            conn.execute("COMMIT")


def swap(db_url: str, a: int, b: int) -> None:
    sql(db_url, f"UPDATE events SET position = -1 WHERE position = {a}",
        f"UPDATE events SET position = {a} WHERE position = {b}",
        f"UPDATE events SET position = {b} WHERE position = -1")


def rewrite(lg: Ledger, db_url: str, position: int, change: Callable[[dict[str, Any]], None], *, rechain: bool) -> None:
    """Edit the event at ``position`` and store a correct hash for it; with ``rechain``, also
    recompute every later link, producing a chain that is valid from end to end."""
    envs = list(lg.events())
    statements: list[tuple[str, tuple[Any, ...]]] = []
    prev = envs[position - 2]["hash"] if position > 1 else "0" * 64
    for env in envs[position - 1:] if rechain else [envs[position - 1]]:
        if env["position"] == position:
            change(env)
        env["prev_hash"] = prev
        env["hash"] = prev = event_hash({k: env[k] for k in ENVELOPE_FIELDS})
        statements.append(("UPDATE events SET payload = ?, prev_hash = ?, hash = ? WHERE position = ?",
                           (canonical(env["data"]).decode(), env["prev_hash"], env["hash"], env["position"])))
    sql(db_url, *statements)


CLI_SCENARIOS = {"payload edited", "effective_date edited", "middle row deleted", "two rows swapped"}
"""Also checked through the console script (a process each, so not all of them)."""


def _move_recorded_at(db_url: str) -> None:
    """Give position 2 the (later) recording time of the last batch."""
    with raw_connection(db_url) as conn:
        value = conn.cursor().execute(f"SELECT recorded_at FROM events WHERE position = {HEAD}").fetchone()[0]
    sql(db_url, ("UPDATE events SET recorded_at = ? WHERE position = 2", (value,)))


def _amount(env: dict[str, Any]) -> None:
    env["data"]["money"]["amount"] = "9000000000"


# scenario -> (tamper(ledger, db_url), first bad position, words in the problem)
SCENARIOS: dict[str, tuple[Callable[[Ledger, str], None], int, str]] = {
    "payload edited": (lambda lg, u: sql(u, "UPDATE events SET payload = replace(payload, '2000000000', "
                                            "'9000000000') WHERE position = 6"), 6, "edited"),
    "effective_date edited": (lambda lg, u: sql(u, "UPDATE events SET effective_date = '2018-07-22', "
                                                   "effective_on = '2018-07-22' WHERE position = 3"), 3, "edited"),
    "certainty raised": (lambda lg, u: sql(u, "UPDATE events SET certainty = 'confirmed' WHERE position = 4"),
                         4, "edited"),
    "recorded_at moved": (lambda lg, u: _move_recorded_at(u), 2, "edited"),
    "middle row deleted": (lambda lg, u: sql(u, "DELETE FROM events WHERE position = 4"), 5, "deleted"),
    "two rows swapped": (lambda lg, u: swap(u, 3, 4), 3, "chain broken"),
    "edited row given a matching hash": (lambda lg, u: rewrite(lg, u, 6, _amount, rechain=False), 7, "chain broken"),
    "stream version edited": (lambda lg, u: sql(u, "UPDATE events SET stream_version = 7 WHERE position = 7"),
                              7, "edited"),
}


def test_intact_ledger_verifies_in_the_library_and_the_cli(ledger: Ledger, db_url: str) -> None:
    _fill(ledger)
    report = ledger.verify()
    assert report.ok and report.problems == []
    assert (report.events, report.streams, report.head_position) == (HEAD, 2, HEAD)
    assert report.head_hash == ledger.store.head()[1]
    table = run_cli(db_url, "verify", "--format", "table")
    assert table.returncode == 0, table.stderr
    assert f"ok: {HEAD} events in 2 streams; head {HEAD} hash {report.head_hash}" in table.stdout
    piped = run_cli(db_url, "verify")  # stdout is a pipe: the JSON report
    assert piped.returncode == 0, piped.stderr
    doc = orjson.loads(piped.stdout)
    assert doc["ok"] is True and doc["events"] == HEAD and doc["problems"] == []
    head = run_cli(db_url, "verify", "--print-head")
    assert head.returncode == 0 and head.stdout.strip() == f"{HEAD}:{report.head_hash}"
    anchored = run_cli(db_url, "verify", "--anchor", head.stdout.strip(), "--format", "table")
    assert anchored.returncode == 0 and anchored.stdout.startswith("ok:")


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_tampering_is_named_at_the_first_bad_position(ledger: Ledger, db_url: str, scenario: str) -> None:
    _fill(ledger)
    tamper, position, words = SCENARIOS[scenario]
    tamper(ledger, db_url)
    report = ledger.verify()
    assert not report.ok
    first = report.first_problem
    assert first is not None
    assert first["position"] == position, report.problems
    assert words in first["problem"]
    assert all(p["position"] >= position for p in report.problems)
    if scenario not in CLI_SCENARIOS:
        return
    result = run_cli(db_url, "verify", "--format", "table")
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert f"integrity failure at position {position} " in result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr
    assert not result.stdout.startswith("ok")


def test_a_cut_tail_is_caught_only_against_a_published_anchor(ledger: Ledger, db_url: str) -> None:
    _fill(ledger)
    published = run_cli(db_url, "verify", "--print-head").stdout.strip()
    assert published.startswith(f"{HEAD}:")
    sql(db_url, f"DELETE FROM events WHERE position = {HEAD}", f"DELETE FROM event_parties WHERE position = {HEAD}")
    assert ledger.verify().ok  # the remaining chain is intact: without an anchor nothing can tell
    pos, digest = published.split(":")
    report = ledger.verify(anchor=(int(pos), digest))
    assert not report.ok and report.first_problem is not None
    assert report.first_problem["position"] == HEAD and "cut short" in report.first_problem["problem"]
    result = run_cli(db_url, "verify", "--anchor", published)
    assert result.returncode == 1
    assert f"integrity failure at position {HEAD} " in result.stderr and "cut short" in result.stderr
    # and when the cut is papered over with a new event at the same position, the anchor differs
    ledger.append([investment("inv-2022", "2022", "1")])
    report = ledger.verify(anchor=(int(pos), digest))
    assert not report.ok and report.first_problem is not None
    assert report.first_problem["position"] == HEAD and "anchor" in report.first_problem["problem"]


def test_a_rewritten_chain_is_caught_only_against_a_published_anchor(ledger: Ledger, db_url: str) -> None:
    _fill(ledger)
    published = (HEAD, ledger.verify().head_hash)
    rewrite(ledger, db_url, 3, _amount, rechain=True)
    assert next(ledger.events(ids=["inv-2019"]))["data"]["money"]["amount"] == "9000000000"
    assert ledger.verify().ok  # a consistent forgery of the whole tail
    report = ledger.verify(anchor=published)
    assert not report.ok and report.first_problem is not None
    assert report.first_problem["position"] == HEAD
    assert "differs from the published anchor" in report.first_problem["problem"]
    result = run_cli(db_url, "verify", "--anchor", f"{published[0]}:{published[1]}")
    assert result.returncode == 1 and f"position {HEAD} " in result.stderr


def test_malformed_anchor_is_a_usage_error(ledger: Ledger, db_url: str) -> None:
    _fill(ledger)
    runner = CliRunner()
    for bad in ("8", "x:abc", "8:" + "0" * 10, "-1:" + "0" * 64):
        result = runner.invoke(app, ["--db", db_url, "verify", "--anchor", bad])
        assert result.exit_code == 2, (bad, result.output, result.exception)
        assert "POSITION:HASH" in result.stderr


def test_tampering_with_the_party_index_is_detected(ledger: Ledger, db_url: str) -> None:
    _fill(ledger)
    before = ledger.history(party="openai")["events"]
    sql(db_url, "DELETE FROM event_parties WHERE party = 'openai' AND position = 6")
    assert ledger.history(party="openai")["events"] != before  # the answer changed...
    assert not ledger.verify().ok  # ...and verify should say so


def test_tampering_with_a_checkpoint_is_detected(ledger: Ledger, db_url: str) -> None:
    _fill(ledger)
    ledger.rebuild(3)
    assert ledger.verify().ok
    sql(db_url, "DELETE FROM checkpoints WHERE id = (SELECT MIN(id) FROM checkpoints)")
    assert ledger.verify().ok  # fewer checkpoints: slower, not wrong
    from ledger.read import checkpoints
    from projections import Folder

    forged = checkpoints.encode(Folder())
    with dbkit.connect(db_url, begin=True) as conn:
        conn.exec_driver_sql("UPDATE checkpoints SET state = " + ("?" if "sqlite" in db_url else "%s")
                             + " WHERE id = (SELECT MAX(id) FROM checkpoints)", (forged,))
    report = ledger.verify()
    assert not report.ok and "rebuild" in report.problems[0]["problem"]


def _rewrite_checkpoints(db_url: str, change: Callable[[bytes], bytes]) -> None:
    with dbkit.connect(db_url, begin=True) as conn:
        mark = "?" if "sqlite" in db_url else "%s"
        for checkpoint_id, state in conn.exec_driver_sql("SELECT id, state FROM checkpoints").fetchall():
            conn.exec_driver_sql(f"UPDATE checkpoints SET state = {mark} WHERE id = {mark}",
                                 (change(bytes(state)), checkpoint_id))


def _one_document(blob: bytes, edit: Callable[[dict[str, Any]], None] = lambda data: None) -> bytes:
    """A checkpoint in the one-document form written before checkpoints were lines, optionally edited."""
    import zlib

    from events.upcast import CURRENT_SCHEMA_VERSION
    from ledger.read.checkpoint_text import decode

    data = {**decode(blob).to_data(), "schema_version": CURRENT_SCHEMA_VERSION}
    edit(data)
    return zlib.compress(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS), 9)


def test_a_checkpoint_in_another_but_equal_form_passes_and_an_edited_one_fails(ledger: Ledger, db_url: str) -> None:
    """verify compares a checkpoint's text with the fold's first; text that differs (the older
    one-document form, another layout, another compression) is decoded and compared as data, so
    only a change of content fails; queries still use a checkpoint of the older form."""
    _fill(ledger)
    ledger.rebuild(3)
    expected = ledger.state(as_of="2099-12-31").doc
    _rewrite_checkpoints(db_url, _one_document)
    report = ledger.verify()
    assert report.ok, report.problems
    ledger.checkpoint_cache.clear()
    used = ledger.checkpoint_cache.used
    assert ledger.state(as_of="2099-12-31").doc == expected and ledger.checkpoint_cache.used == used + 1

    def edit(data: dict[str, Any]) -> None:
        for item in data["sections"]["parties"]:
            item["name"] = item["name"] + " (edited)"

    _rewrite_checkpoints(db_url, lambda blob: _one_document(blob, edit))
    report = ledger.verify()
    assert not report.ok and "differs from the fold" in report.problems[0]["problem"]


@pytest.mark.parametrize(("statement", "expected"), [
    ("INSERT INTO event_parties (bucket, party, position) VALUES (0, 'zz-extra', 6)", "party index lists"),
    ("UPDATE event_parties SET party = 'openai2' WHERE party = 'openai' AND position = 6", "party index lists"),
    ("UPDATE event_parties SET bucket = 7 WHERE party = 'openai' AND position = 6", "another position's bucket"),
    ("INSERT INTO event_parties (bucket, party, position) VALUES (0, 'openai', 0)", "for no such event"),
], ids=["extra-key", "changed-key", "moved-bucket", "no-such-event"])
def test_every_kind_of_party_index_edit_is_named(ledger: Ledger, db_url: str, statement: str, expected: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast check (sums of row hashes, beside the chain walk) finds each edit; the row-by-row
    check, run only then, names it; on the intact ledger the row-by-row check also finds nothing."""
    import ledger.read.verify as verifying

    exact: list[list[dict[str, Any]]] = []
    real = verifying.index_problems
    monkeypatch.setattr(verifying, "index_problems", lambda *args: exact.append(real(*args)) or exact[-1])
    _fill(ledger)
    assert ledger.verify().ok and exact == []  # the sums agreed: no second read
    assert real(ledger.store, ledger.store.head()[0]) == []
    sql(db_url, statement)
    report = ledger.verify()
    assert not report.ok and len(exact) == 1
    assert any(expected in p["problem"] for p in report.problems), report.problems


def _forge_last_checkpoint(db_url: str) -> None:
    from ledger.read import checkpoints
    from projections import Folder

    with dbkit.connect(db_url, begin=True) as conn:
        conn.exec_driver_sql("UPDATE checkpoints SET state = " + ("?" if "sqlite" in db_url else "%s")
                             + " WHERE id = (SELECT MAX(id) FROM checkpoints)", (checkpoints.encode(Folder()),))


def test_checkpoints_refolded_in_a_child_process_give_the_same_verdict(
    ledger: Ledger, db_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a large ledger the checkpoints are re-folded by a child process while this one walks the
    chain (forced here for a small one): a clean ledger passes, a forged checkpoint is named."""
    answers = verify_child_answers(monkeypatch)
    _fill(ledger)
    ledger.rebuild(3)
    assert ledger.verify().ok
    _forge_last_checkpoint(db_url)
    report = ledger.verify()
    assert not report.ok and "differs from the fold" in report.problems[0]["problem"]
    assert answers[0] == [] and answers[1] == report.problems  # both verdicts came from the child


def test_a_child_process_that_fails_leaves_the_check_to_this_one(
    ledger: Ledger, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    import ledger.read.verify as verifying

    answers = verify_child_answers(monkeypatch)
    start = verifying.Child.start

    def unopenable(module: str, request: bytes) -> Any:
        """The real child, given a store that is not there: it reads the address, fails, exits 1
        (a child that exits before its request is written would not be started at all)."""
        return start(module, str(tmp_path / "none" / "x.db").encode())

    monkeypatch.setattr(verifying.Child, "start", staticmethod(unopenable))
    _fill(ledger)
    ledger.rebuild(3)
    _forge_last_checkpoint(db_url)
    report = ledger.verify()
    assert not report.ok and "differs from the fold" in report.problems[0]["problem"]
    assert answers == [None]  # the child ran and failed; this process found the forged checkpoint
