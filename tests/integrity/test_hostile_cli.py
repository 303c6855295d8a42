"""The second hostile pass (issue #18's surfaces): what an output path holds, ambiguous or internal
names, arguments that would filter silently, stored text that drives the terminal, a closed
stdout. Each case failed before its fix: it replaced a database, answered for the wrong party,
returned an empty answer with exit 0, or printed a traceback."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger import Ledger
from ledger.cli import app
from ledger.errors import ValidationError
from tests.procs import child_env
from tests.samples import SRC, basic

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo(demo_db: str) -> str:
    return demo_db


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_an_export_or_report_never_replaces_a_database(demo: str, tmp_path: Path) -> None:
    victim = tmp_path / "other.db"
    shutil.copy(demo, victim)
    before = victim.read_bytes()
    for args in (["export", "-o", str(victim)], ["report", "--out", str(victim)]):
        code, _, err = run(*args, "--db", demo)
        assert code == 2 and "is a SQLite database" in err, (args, err)
        assert victim.read_bytes() == before


def test_outputs_follow_links_write_devices_in_place_and_refuse_missing_folders(demo: str, tmp_path: Path) -> None:
    target = tmp_path / "target.jsonl"
    target.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    assert run("export", "-o", str(link), "--db", demo)[0] == 0
    assert link.is_symlink() and len(target.read_text().splitlines()) == 144
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got = tmp_path / "read-from-fifo.jsonl"
    with open(got, "wb") as sink:
        reader = subprocess.Popen(["cat", str(fifo)], stdout=sink)
        assert run("export", "-o", str(fifo), "--db", demo)[0] == 0
        reader.wait(timeout=30)
    assert len(got.read_bytes().splitlines()) == 144
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still a FIFO, not replaced by a file
    code, _, err = run("export", "-o", str(tmp_path / "missing" / "x.jsonl"), "--db", demo)
    assert code == 2 and "does not exist" in err and not (tmp_path / "missing").exists()


def test_history_since_is_after_that_position(demo: str) -> None:
    code, out, _ = run("history", "--since", "143", "--db", demo, "--format", "json")
    assert code == 0 and [e["position"] for e in json.loads(out)["events"]] == [144]
    assert json.loads(run("history", "--since", "144", "--db", demo, "--format", "json")[1])["events"] == []


def test_an_alias_of_two_parties_is_refused_naming_both(demo: str) -> None:
    code, _, err = run("state", "--party", "OpenAI, Inc.", "--db", demo)
    assert code == 2 and "openai, openai-foundation" in err


@pytest.mark.parametrize("key", ["stream:microsoft-openai", "right:msft-azure-exclusive-cloud", "case:musk-v-openai"])
def test_index_keys_are_not_parties(demo: str, key: str) -> None:
    for command in (["state"], ["history"]):
        code, out, err = run(*command, "--party", key, "--db", demo)
        assert code == 2 and "is not a party" in err, (command, out)


def test_bare_three_part_keys_find_their_one_section(demo: str) -> None:
    role = json.loads(run("explain", "sam-altman/openai/ceo", "--db", demo, "--format", "json")[1])
    metric = json.loads(run("explain", "microsoft/revenue/FY2025-Q3", "--db", demo, "--format", "json")[1])
    assert role["query"].startswith("roles:") and metric["query"].startswith("metrics:")


def test_dates_at_the_end_of_the_calendar_and_known_at_days(demo: str) -> None:
    code, out, _ = run("state", "--as-of", "9999-12", "--db", demo, "--format", "json")
    assert code == 0 and json.loads(out)["as_of"] == "9999-12-31"
    with Ledger.open(demo) as lg:
        recorded = lg.head()[2]
        assert recorded is not None
        day = recorded[:10]  # the demo was recorded today: known at today's end is everything
        assert lg.state(known_at=day).known_at["position"] == lg.count()


def test_library_arguments_that_would_filter_silently_are_refused(demo: str) -> None:
    with Ledger.open(demo) as lg:
        for bad in ("false", 0, None, "no"):
            with pytest.raises(ValidationError, match="active"):
                lg.state(active=bad)  # type: ignore[arg-type]
        as_dates = lg.history(date_from="2019-07-22", date_to="2019-07-22")
        as_datetimes = lg.history(date_from=datetime(2019, 7, 22, 15), date_to=datetime(2019, 7, 22, 9))
        assert as_datetimes.events == as_dates.events and len(as_dates.events) > 0
        assert as_datetimes["from"] == "2019-07-22"
    for bad_url in (None, ""):
        with pytest.raises(ValidationError, match="url"):
            Ledger.open(bad_url)  # type: ignore[arg-type]
    code, _, err = run("state", "--db", "")
    assert code == 2 and "--db is empty" in err


def test_stored_escape_sequences_are_shown_not_sent_to_the_terminal(tmp_path: Path) -> None:
    db = str(tmp_path / "esc.db")
    events = basic()
    events[0] = {**events[0], "data": {**events[0]["data"], "name": "Micro\x1b[2J\x1b]52;c;aGk=\x07soft"}}
    events[0]["source"] = {**SRC, "title": "\x1b[31mred\x9b"}
    with Ledger.open(db, init=True) as lg:
        lg.append(events)
    for command in (["state", "--format", "table"], ["history", "--format", "table"], ["explain", "microsoft", "--format", "table"]):
        result = runner.invoke(app, [*command, "--db", db], terminal_width=200)
        assert result.exit_code == 0, result.stderr
        assert "\x1b" not in result.stdout and "\x9b" not in result.stdout and "\x07" not in result.stdout, command
        assert "\\x1b" in result.stdout


def test_a_closed_stdout_is_exit_2_with_a_message(demo: str) -> None:
    done = subprocess.run(f"{sys.executable} -m ledger streams --db {demo} --format json >&-", shell=True,
                          capture_output=True, text=True, env=child_env(), executable="/bin/bash")
    assert done.returncode == 2 and "standard output is closed" in done.stderr and "Traceback" not in done.stderr


def test_the_events_schema_refuses_what_append_refuses() -> None:
    import jsonschema

    code, out, _ = run("schema", "events")
    validator = jsonschema.Draft202012Validator(json.loads(out))
    event = {"id": "x", "type": "InvestmentMade", "effective_date": "2020",
             "data": {"investor": "a", "investee": "b", "money": {"amount": "4.5", "currency": "USD"}}}
    assert code == 0 and not list(validator.iter_errors(event))
    event["data"]["money"]["amount"] = 4.5  # a binary float: append refuses it, so must the schema
    assert list(validator.iter_errors(event))


def test_a_value_that_fits_no_member_of_a_union_is_one_problem_in_our_words(tmp_path: Path) -> None:
    with Ledger.open(str(tmp_path / "u.db"), init=True) as lg:
        lg.append(basic()[:2])
        right = {"type": "RightGranted", "effective_date": "2020", "source": SRC,
                 "data": {"right": "r", "holder": "microsoft", "grantor": "openai", "kind": "ip_access",
                          "scope": "x", "terms": {"rate": 4.5}}}
        with pytest.raises(ValidationError) as info:
            lg.append([right])
    (problem,) = info.value.problems
    assert problem.field == "data.terms.rate" and "binary float" in problem.message
    assert "constrained" not in str(info.value) and "function-before" not in str(info.value)


def test_a_byte_order_mark_is_ignored_and_broken_json_is_placed_in_our_words(tmp_path: Path) -> None:
    db = str(tmp_path / "bom.db")
    assert run("init", "--db", db)[0] == 0
    batch = tmp_path / "bom.json"
    batch.write_bytes(b"\xef\xbb\xbf" + json.dumps(basic()).encode())
    code, out, err = run("append", str(batch), "--db", db, "--format", "json")
    assert code == 0 and json.loads(out)["appended"] == 5, err
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(basic()[0]) + "\n" + '{"id": "x", "type" "PartyRegistered"}\n')
    code, _, err = run("append", str(broken), "--db", db)
    assert code == 2 and "broken.jsonl line 2, column 20: not valid JSON: Expecting ':' delimiter" in err
    assert "(char" not in err and "line 1 column" not in err
