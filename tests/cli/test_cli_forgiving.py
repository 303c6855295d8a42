"""The CLI as a new user meets it (SPEC §7, issue #18): ``--db`` anywhere and plain paths,
forgiving but checked input (partial dates, any case, aliases, "did you mean"), every output
format, quiet pipes, and no traceback for anything a user can do."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.cli import app
from tests.procs import child_env

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def demo(demo_db: str) -> str:
    return demo_db


def test_db_goes_before_or_after_the_command_and_a_plain_path_is_sqlite(demo: str) -> None:
    before = run("--db", demo, "state", "--as-of", "2024-06-01", "--format", "json")
    after = run("state", "--as-of", "2024-06-01", "--format", "json", "--db", demo)
    url = run("state", "--as-of", "2024-06-01", "--format", "json", "--db", f"sqlite:///{demo}")
    assert before[0] == after[0] == url[0] == 0
    assert before[1] == after[1] == url[1] and json.loads(before[1])["as_of"] == "2024-06-01"


def test_version_and_a_malformed_url_is_exit_2_not_a_traceback(tmp_path: Path) -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("alliance-ledger ")
    code, out, err = run("state", "--db", "postgresql://ledger@[::1")
    assert code == 2 and "Traceback" not in out + err and err.startswith("error:")


def test_a_read_on_a_missing_ledger_is_exit_2_and_leaves_no_file(tmp_path: Path) -> None:
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for command in (["state"], ["history"], ["streams"], ["verify"], ["state", "--db", "other.db"]):
            code, _, err = run(*command)
            assert code == 2 and "init" in err, (command, err)
        assert sorted(os.listdir(tmp_path)) == []
    finally:
        os.chdir(cwd)


def test_partial_dates_are_the_end_of_their_period_and_echoed_in_full(demo: str) -> None:
    for given, full in (("2024", "2024-12-31"), ("2024-06", "2024-06-30"), ("2024-02", "2024-02-29")):
        code, out, _ = run("state", "--db", demo, "--as-of", given, "--format", "json")
        assert code == 0 and json.loads(out)["as_of"] == full


def test_word_values_in_any_case_and_parties_by_alias(demo: str) -> None:
    plain = run("state", "--db", demo, "--as-of", "2024-06", "--party", "microsoft", "--min-certainty", "confirmed",
                "--format", "json")
    loud = run("state", "--db", demo, "--as-of", "2024-06", "--party", "MSFT", "--min-certainty", "Confirmed",
               "--format", "JSON")
    assert plain[0] == loud[0] == 0 and plain[1] == loud[1]
    assert json.loads(plain[1])["party"] == "microsoft"


@pytest.mark.parametrize(("args", "field", "hint"), [
    (["state", "--party", "microsfot"], "party", "did you mean 'microsoft'"),
    (["history", "--stream", "microsoft-opena"], "stream", "did you mean 'microsoft-openai'"),
    (["history", "--type", "InvestmentMode"], "type", "did you mean 'InvestmentMade'"),
    (["explain", "stakes:microsoft/opena"], None, "did you mean stakes:microsoft/openai"),
    (["state", "--format", "xml"], "format", "choose table, json, jsonl, csv"),
    (["state", "--min-certainty", "sure"], "min_certainty", "rumored"),
    (["state", "--known-at", "100000"], "known_at", "past the ledger's head (144)"),
    (["rebuild", "--count", "0"], "count", "a whole number from 1 to 1000"),
])
def test_unknown_names_are_exit_2_with_a_hint_never_an_empty_answer(demo: str, args: list[str], field: str | None,
                                                                     hint: str) -> None:
    code, out, err = run(*args, "--db", demo)
    assert code == 2, (args, out, err)
    assert hint in err and "Traceback" not in err, err
    if field:
        assert field in err


def test_explain_takes_a_bare_key_when_one_section_has_it(demo: str) -> None:
    bare = run("explain", "microsoft/openai", "--db", demo, "--as-of", "2026-01", "--format", "json")
    full = run("explain", "stakes:microsoft/openai", "--db", demo, "--as-of", "2026-01", "--format", "json")
    assert bare[0] == full[0] == 0 and bare[1] == full[1]
    right = run("explain", "msft-azure-exclusive-cloud", "--db", demo, "--format", "json")
    assert right[0] == 0 and json.loads(right[1])["section"] == "rights"
    code, _, err = run("explain", "a/b/c", "--db", demo)
    assert code == 2 and "roles, metrics" in err


def test_jsonl_and_csv_give_one_record_per_item(demo: str) -> None:
    code, out, _ = run("state", "--db", demo, "--as-of", "2025-11-01", "--format", "json")
    state = json.loads(out)
    code, lines, _ = run("state", "--db", demo, "--as-of", "2025-11-01", "--format", "jsonl")
    records = [json.loads(line) for line in lines.splitlines()]
    assert code == 0 and len(records) == sum(len(state[s]) for s in ("parties", "stakes", "rights", "partnerships",
                                                                      "agreements", "conditions", "negotiations",
                                                                      "roles", "legal_actions", "metrics"))
    code, text, _ = run("state", "--db", demo, "--as-of", "2025-11-01", "--format", "csv", "--section", "stakes")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert code == 0 and [(r["holder"], r["issuer"]) for r in rows] == [(s["holder"], s["issuer"])
                                                                        for s in state["stakes"]]
    assert run("state", "--db", demo, "--format", "csv")[0] == 2  # several sections: say which


def test_diff_csv_is_one_row_per_changed_field(demo: str) -> None:
    code, out, _ = run("diff", "2023-01-01", "2025-11-01", "--party", "microsoft", "--db", demo, "--format", "json")
    changes = json.loads(out)["changes"]
    code, text, _ = run("diff", "2023-01-01", "2025-11-01", "--party", "microsoft", "--db", demo, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert code == 0 and list(rows[0]) == ["section", "item", "change", "field", "before", "after", "events"]
    expected = sum(len(c["added"]) + len(c["removed"]) + sum(len(i["changes"]) for i in c["changed"])
                   for c in changes.values())
    assert len(rows) == expected > 0
    stake = next(r for r in rows if r["section"] == "stakes" and r["field"] == "stake")
    assert stake["item"] == "microsoft/openai" and json.loads(stake["after"])["exact"] == "27"


def test_history_filters_by_dates_limit_and_repeated_types(demo: str) -> None:
    code, out, _ = run("history", "--db", demo, "--from", "2023-11", "--to", "2023-11", "--type", "RoleChanged",
                       "--type", "partyrestructured", "--limit", "3", "--format", "json")
    events = json.loads(out)["events"]
    assert code == 0 and 0 < len(events) <= 3
    assert all(e["type"] in ("RoleChanged", "PartyRestructured") and e["effective_date"].startswith("2023-11")
               for e in events)


def test_streams_lists_versions_for_expected_version(demo: str) -> None:
    code, out, _ = run("streams", "--db", demo, "--format", "json")
    streams = {s["name"]: s for s in json.loads(out)["streams"]}
    assert code == 0 and streams["microsoft-openai"]["version"] == streams["microsoft-openai"]["events"] > 0


def test_an_unexpected_failure_is_exit_4_with_one_line(demo: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.api import Ledger

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(Ledger, "streams", broken)
    code, out, err = run("streams", "--db", demo)
    assert code == 4 and "simulated bug" in err and "report" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_reader_that_stops_early_is_not_an_error(demo: str) -> None:
    done = subprocess.run(f"{sys.executable} -m ledger history --db {demo} --format jsonl | head -n 1",
                          shell=True, capture_output=True, text=True, env=child_env(), executable="/bin/bash")
    assert done.returncode == 0 and done.stderr == "" and done.stdout.count("\n") == 1
    piped = subprocess.run(["bash", "-o", "pipefail", "-c",
                            f"{sys.executable} -m ledger state --db {demo} --format json | head -c 10"],
                           capture_output=True, text=True, env=child_env())
    assert piped.returncode == 0 and piped.stderr == ""
    table = subprocess.run(["bash", "-o", "pipefail", "-c",
                            f"{sys.executable} -m ledger history --db {demo} --format table | head -n 2"],
                           capture_output=True, text=True, env=child_env())
    assert table.returncode == 0 and table.stderr == ""


def test_a_read_on_sqlite_loads_no_heavy_module(demo: str) -> None:
    """Start-up (SPEC §9): a read imports neither the SQL toolkit, the migrations, the event
    validation models, the charts nor the PostgreSQL driver."""
    code = ("import runpy, sys\n"
            f"sys.argv = ['alliance-ledger', 'state', '--db', {demo!r}, '--as-of', '2024-06-01', '--party', "
            "'microsoft', '--format', 'json']\n"
            "try:\n    runpy.run_module('ledger', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "heavy = {'sqlalchemy', 'alembic', 'plotly', 'psycopg', 'events.catalog', 'events.entities', "
            "'events.deals', 'rich.table'}\n"
            "print(','.join(sorted(m for m in sys.modules if m in heavy or m.split('.')[0] in heavy - {'events'})),"
            " file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=child_env(), check=True)
    assert json.loads(done.stdout)["party"] == "microsoft"
    assert done.stderr.strip() == ""


def test_known_at_before_the_first_recording_is_answered_with_a_note(demo: str) -> None:
    code, out, err = run("state", "--db", demo, "--known-at", "2024-06-01", "--format", "json")
    assert code == 0 and json.loads(out)["known_at"]["position"] == 0
    assert "recorded nothing by --known-at 2024-06-01" in err and "--as-of" in err
    code, _, err = run("state", "--db", demo, "--known-at", "2024")
    assert code == 2 and "e.g. 2024-06-01" in err


def test_a_missing_default_ledger_beside_the_demo_names_it(demo: str, tmp_path: Path) -> None:
    import shutil

    shutil.copy(demo, tmp_path / "alliance-ledger-demo.db")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        code, _, err = run("state")
        assert code == 2 and "add --db alliance-ledger-demo.db" in err
        assert not (tmp_path / "alliance-ledger.db").exists()
    finally:
        os.chdir(cwd)


def test_tables_fit_80_columns_and_keep_ids_whole(demo: str) -> None:
    """The demo's and diff's tables at 80 columns: no line wider, no item id cut with an ellipsis."""
    for args in (["demo", "--db", demo], ["diff", "2023-01-01", "2025-11-01", "--db", demo, "--format", "table"],
                 ["state", "--db", demo, "--as-of", "2025-11-01", "--format", "table"]):
        result = runner.invoke(app, args, terminal_width=80)
        assert result.exit_code == 0, result.stderr
        lines = result.stdout.splitlines()
        assert max(len(line) for line in lines) <= 80, args
        for key in ("msft-azure-exclusive-cloud", "msft-openai-2019-partnership", "microsoft/openai"):
            if args[0] != "diff" or key == "microsoft/openai":
                assert any(key in line for line in lines), (args, key)
