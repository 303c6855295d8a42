"""Hostile and broken input: every batch ends in success or a typed LedgerError, and a rejected
batch changes nothing (SPEC §6 "Nothing is written when an append fails", §7 exit codes).

The library is fuzzed with hypothesis (derandomized: the same examples on every run) with valid
events mutated field by field into wrong types, huge and tricky strings, NaN/Infinity, invalid
dates, deep nesting, unknown references and fields, duplicate ids and non-objects; the CLI gets
broken JSON, binary garbage, empty and 100 MB files.
"""

from __future__ import annotations

import copy
import itertools
import os
import random
import subprocess
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ledger import ConflictError, Ledger, LedgerError, StorageError, ValidationError
from ledger.cli import app
from ledger.core.envelope import INPUT_FIELDS
from ledger.core.intake import prepare
from ledger.write import batch as write_batch
from tests.procs import ROOT, child_env, cli_command, run_cli
from tests.samples import SRC, basic, investment

_ids = itertools.count()


def _deep(depth: int) -> Any:
    """Lists and objects nested ``depth`` levels deep."""
    value: Any = "bottom"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


HOSTILE_STRINGS = [
    "", " ", "2025-02-30", "2025-13-01", "0000-01-01", "2025-1-1", "20250101", "2023-02-29", "2024-02-29",
    "9999-12-31", "1975", "2025-06", "'); DROP TABLE events; --", "<script>alert(1)</script>", "\x00", "a\x00b",
    "\u202eevil", "\ud800", "nobody", "microsoft", "openai", "gpt3-license", "agi-declared", "inv-2019", "NaN",
    "Infinity", "-Infinity", "-0", "1e400", "1" * 41, "0." + "1" * 41, "13000000000", "-5", "101", "USD", "usd",
    "confirmed", "rumoured", "main", "Main", "x" * 201, "A" * 100_000, "\U0001f600", "null", "{}", "[]",
]


TEXT_FIELDS = {"name", "summary", "title", "quote", "publisher", "scope", "reason", "unit", "period", "recorded_by",
               "gw"}
TRICKY_TEXT = st.one_of(
    st.sampled_from(["'); DROP TABLE events; --", "<script>alert(1)</script>", "\u202eevil", "\U0001f600",
                     "a\x00b", "\\u0000", "%s %(x)s ? :1 $1", "\r\n\t", "null", "x" * 2000, "\ufeffBOM"]),
    st.text(min_size=1, max_size=30),
)


def _floats() -> st.SearchStrategy[float]:
    return st.one_of(st.just(float("nan")), st.just(float("inf")), st.just(float("-inf")), st.floats())


HOSTILE = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    st.none(), st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 101, 10**40, 10**400]),
    _floats(),
    st.text(max_size=20),
    st.binary(max_size=16),
    st.recursive(st.none() | st.integers() | st.text(max_size=4) | _floats(),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                 max_leaves=8),
    st.sampled_from([_deep(50), _deep(5_000), [SRC] * 1000, {"amount": "1", "currency": "USD"}, SRC]),
)


def _templates(n: int) -> dict[str, dict[str, Any]]:
    """Valid events against the ledger holding basic() (a fresh id each time)."""
    return {
        "party": {"id": f"p-{n}", "type": "PartyRegistered", "effective_date": "2016-01-01", "source": SRC,
                  "data": {"party": f"party-{n}", "name": f"Party {n}", "kind": "fund", "aliases": ["P"]}},
        "investment": {**investment(f"inv-{n}", "2022-03-04", str(n + 1)), "recorded_by": "fuzz"},
        "stake": {"id": f"st-{n}", "type": "StakeChanged", "effective_date": "2023", "source": SRC,
                  "data": {"holder": "microsoft", "issuer": "openai", "stake": {"min": "20", "max": "30"}}},
        "amend": {"id": f"am-{n}", "type": "RightAmended", "effective_date": "2021-05", "source": SRC,
                  "data": {"right": "gpt3-license", "scope": f"GPT-3 v{n}", "until": None}},
        "metric": {"id": f"m-{n}", "type": "MetricReported", "effective_date": "2024", "source": SRC,
                   "certainty": "rumored",
                   "data": {"party": "openai", "metric": "revenue", "value": "3.7", "unit": "USD bn",
                            "period": "FY2024"}},
        "partnership": {"id": f"ps-{n}", "type": "PartnershipFormed", "effective_date": "2024-01-01",
                        "source": SRC, "data": {"partnership": f"ps-{n}", "parties": ["microsoft", "openai"],
                                                "kind": "cloud_compute", "summary": "Azure",
                                                "money": {"amount": "10", "currency": "USD"},
                                                "terms": {"gw": "1.5"}}},
        "retraction": {"id": f"r-{n}", "type": "EventRetracted", "effective_date": "2024", "source": SRC,
                       "data": {"target": f"m-{n}", "reason": "wrong"}},
    }


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Key paths inside nested dicts/lists of an event (down to the depth of a real event)."""
    found: list[tuple[Any, ...]] = []
    if len(prefix) >= 4:
        return found
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for k, v in itertools.islice(items, 20):
        found.append((*prefix, k))
        found.extend(_paths(v, (*prefix, k)))
    return found


def _parent(event: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        event = event[step]
    return event


def _mutate(data: st.DataObject, batch: list[Any]) -> None:
    i = data.draw(st.integers(0, len(batch) - 1))
    kind = data.draw(st.sampled_from(["set", "set", "set", "text", "text", "delete", "unknown", "replace", "dup-id",
                                      "ghost-ref"]))
    event = batch[i]
    if kind == "replace" or not isinstance(event, dict):
        batch[i] = data.draw(HOSTILE)
        return
    paths = _paths(event)
    if kind == "set":
        path = data.draw(st.sampled_from(paths))
        _parent(event, path)[path[-1]] = data.draw(HOSTILE)
    elif kind == "text":  # still a valid event: free text that looks like code, markup or trouble
        texts = [p for p in paths if p[-1] in TEXT_FIELDS]
        if texts:
            path = data.draw(st.sampled_from(texts))
            _parent(event, path)[path[-1]] = data.draw(TRICKY_TEXT)
    elif kind == "delete":
        path = data.draw(st.sampled_from(paths))
        parent = _parent(event, path)
        if isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.pop(path[-1])
    elif kind == "unknown":
        target = event["data"] if isinstance(event.get("data"), dict) and data.draw(st.booleans()) else event
        target[data.draw(st.sampled_from(["colour", "ID", "data ", "position", "hash", "recorded_at"]))] = \
            data.draw(HOSTILE)
    elif kind == "dup-id":
        event["id"] = data.draw(st.sampled_from(["reg-microsoft", "inv-2019", *(e.get("id") for e in batch
                                                                                  if isinstance(e, dict))]))
    else:
        refs = [p for p in paths if p[-1] in ("investor", "investee", "holder", "issuer", "party", "right",
                                               "target", "corrects")]
        path = data.draw(st.sampled_from(refs)) if refs else ("corrects",)
        _parent(event, path)[path[-1]] = data.draw(st.sampled_from(["ghost", "inv-9999", "openai ", "OpenAI"]))


def _snapshot(lg: Ledger) -> tuple[int, int, str]:
    head, last_hash, _ = lg.store.head()
    return lg.store.count(), head, last_hash


@settings(derandomize=True, database=None, max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(data=st.data())
def test_fuzzed_batches_end_in_success_or_a_typed_error_and_rejections_change_nothing(
    ledger: Ledger, data: st.DataObject,
) -> None:
    if ledger.store.count() == 0:
        ledger.append(basic())
    n = next(_ids)
    templates = _templates(n)
    names = data.draw(st.lists(st.sampled_from(sorted(templates)), min_size=1, max_size=4, unique=True))
    batch: list[Any] = [copy.deepcopy(templates[name]) for name in names]
    for _ in range(data.draw(st.integers(0, 2))):
        _mutate(data, batch)
    expected = data.draw(st.sampled_from([None] * 6 + [-1, 0, 1, 2, 10**20]))
    before = _snapshot(ledger)
    try:
        result = ledger.append(batch, expected_version=expected)
    except LedgerError as exc:
        event(f"rejected: {type(exc).__name__}")
        # input is refused by validation, the same on every engine; a StorageError means it reached the database
        assert not isinstance(exc, StorageError), exc
        assert str(exc).strip()
        if isinstance(exc, ValidationError):
            assert exc.problems
            assert all(p.index is None or 0 <= p.index < len(batch) for p in exc.problems)
        assert _snapshot(ledger) == before, f"a rejected batch ({type(exc).__name__}) changed the ledger"
    else:
        event("appended" if result.appended else "idempotent no-op")
        count, head, last_hash = _snapshot(ledger)
        assert count == head == before[0] + result.appended
        assert result.head == head and result.last_hash == last_hash
        stored = list(ledger.events(ids=result.ids))
        assert {e["id"] for e in stored} == set(result.ids)
        for env in stored:  # what is stored is canonical: it re-validates to itself (export/import works)
            given_ = {k: env[k] for k in INPUT_FIELDS}
            assert prepare([{k: v for k, v in given_.items() if v is not None}]) == [given_]
        report = ledger.verify()  # (a rejection left head and hash as they were: nothing to re-verify)
        assert report.ok, report.problems


def test_non_list_and_non_object_inputs_are_typed_errors(ledger: Ledger) -> None:
    ledger.append(basic())
    before = _snapshot(ledger)
    for given_ in (5, None, "events", b"\xff\xfe", {"id": "x"}, 3.5, [None], [1, "x", []], [b"\x00"],
                   [float("nan")], iter([]), [{}], [[{}]]):
        with pytest.raises(ValidationError):
            ledger.append(given_)  # type: ignore[arg-type]
        assert _snapshot(ledger) == before


def test_duplicate_ids_in_one_batch_and_a_cyclic_document_are_rejected(ledger: Ledger) -> None:
    ledger.append(basic())
    before = _snapshot(ledger)
    cyclic = investment("cyc", "2022", "1")
    cyclic["data"] = dict(cyclic["data"])
    cyclic["data"]["self"] = cyclic["data"]
    for batch in ([investment("d", "2022", "1"), investment("d", "2022", "2")], [cyclic],
                  [investment("d2", "2022", "1"), investment("d2", "2022", "1")]):
        with pytest.raises(ValidationError):
            ledger.append(batch)
        assert _snapshot(ledger) == before


def test_a_datetime_effective_date_is_a_validation_error(ledger: Ledger) -> None:
    from datetime import datetime

    ledger.append(basic())
    before = _snapshot(ledger)
    with pytest.raises(ValidationError, match="effective_date"):
        ledger.append([{**investment("dt", "2020", "1"), "effective_date": datetime(2020, 1, 1, 12)}])
    assert _snapshot(ledger) == before


# -- the command line -------------------------------------------------------------------------
BROKEN_INPUTS: dict[str, bytes] = {
    "empty": b"",
    "whitespace": b" \n\t\n  ",
    "empty array": b"[]",
    "unterminated array": b'[{"id": ',
    "trailing comma": b"[1, 2,]",
    "second line broken": orjson.dumps(investment("ok", "2022", "1")) + b'\n{"id": "x", "type":\n',
    "NaN literal": b'[{"id": "n", "value": NaN}]',
    "Infinity literal": b"[Infinity]",
    "number overflow": b"[1e999]",
    "lone surrogate escape": b'["\\ud800"]',
    "byte order mark": b"\xef\xbb\xbf[]",
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "deep nesting lines": b'{"a":' * 5000 + b"1" + b"}" * 5000,
    "not objects": b'[1, "two", null, [], true]',
    "empty object": b"{}",
    "latin-1 text": "[{\"id\": \"caf\xe9\"}]".encode("latin-1"),
    "NUL bytes": b"\x00" * 64,
    "html": b"<html><script>alert(1)</script></html>",
    "sql": b"'); DROP TABLE events; --",
}


def _garbage(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


def _invoke(db_url: str, args: list[str], data: bytes | None = None) -> Any:
    result = CliRunner().invoke(app, ["--db", db_url, *args], input=data)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def test_cli_broken_and_garbage_input_exits_2_and_changes_nothing(ledger: Ledger, db_url: str, tmp_path: Path) -> None:
    ledger.append(basic())
    before = _snapshot(ledger)
    cases = {**BROKEN_INPUTS, **{f"garbage {seed}": _garbage(seed, 4096) for seed in range(6)},
             "garbage starting [": b"[" + _garbage(99, 4096), "garbage starting {": b"{" + _garbage(98, 4096)}
    for name, body in cases.items():
        path = tmp_path / "input.bin"
        path.write_bytes(body)
        for args, stdin in ((["append", str(path)], None), (["append", "-"], body)):
            result = _invoke(db_url, args, stdin)
            assert result.exit_code == 2, (name, args, result.output)
            assert "error:" in result.stderr and "Traceback" not in result.stderr, name
        assert _snapshot(ledger) == before, name
    for missing in (str(tmp_path / "nope.json"), str(tmp_path)):
        result = _invoke(db_url, ["append", missing])
        assert result.exit_code == 2 and "no such file" in result.stderr


def test_cli_real_process_on_binary_garbage_exits_2_without_traceback(ledger: Ledger, db_url: str,
                                                                      tmp_path: Path) -> None:
    ledger.append(basic())
    before = _snapshot(ledger)
    path = tmp_path / "garbage.bin"
    path.write_bytes(_garbage(7, 1 << 20))
    for result in (run_cli(db_url, "append", str(path)),
                   run_cli(db_url, "append", "-", stdin=_garbage(8, 4096))):
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("error:") and "Traceback" not in result.stderr
        assert result.stdout == ""
    assert _snapshot(ledger) == before


def _run_measured(tmp_path: Path, db_url: str, *args: str) -> tuple[int, str, int]:
    """Run the console script; (exit code, stderr, peak RSS in MiB of that process alone)."""
    with open(tmp_path / "stderr.txt", "w+b") as err:
        proc = subprocess.Popen([*cli_command(), "--db", db_url, *args], cwd=ROOT, env=child_env(),
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # wait4: the resource usage of this one child
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return proc.returncode, err.read().decode(errors="replace"), usage.ru_maxrss // 1024


def test_cli_100_mb_of_invalid_events_exits_2_within_bounded_time_and_memory(
    ledger: Ledger, db_url: str, tmp_path: Path,
) -> None:
    ledger.append(basic())
    before = _snapshot(ledger)
    line = orjson.dumps({**investment("e-X", "2025-02-30", "1"), "source": {**SRC, "quote": "q" * 120}})
    count = (100 << 20) // (len(line) + 1) + 1
    path = tmp_path / "big.jsonl"
    with open(path, "wb") as fh:
        for i in range(count):
            fh.write(line.replace(b"e-X", b"e-%d" % i) + b"\n")
    assert path.stat().st_size >= 100 << 20
    started = time.monotonic()
    try:
        code, err, rss = _run_measured(tmp_path, db_url, "append", str(path))
    finally:
        path.unlink()  # pytest keeps the last runs' tmp_path: do not leave 100 MB behind
    elapsed = time.monotonic() - started  # ~5-10 s here; the bound only catches a pathological slowdown
    assert code == 2, err[-2000:]
    assert "Traceback" not in err
    # validation stops after the first chunk with MAX_PROBLEMS problems or more, not after all of them
    chunk = write_batch.CHUNK
    assert f"stopped after {chunk} problems in the first {chunk} events; nothing was written" in err
    assert "event 1 id 'e-0': effective_date: '2025-02-30' is not a calendar date" in err
    assert len(err) < 20_000  # the first problems and a count, not 300,000 lines
    # the file is read one chunk at a time (~70 MiB alone; it was 1.7 GiB parsed whole); a child's
    # ru_maxrss can also count the pytest process it was forked from, hence the margin
    assert rss < 1000, f"peak RSS {rss} MiB for a 100 MB input"
    assert elapsed < 120, f"{elapsed:.0f} s for a 100 MB input"
    assert _snapshot(ledger) == before


def test_cli_one_100_mb_string_exits_2(ledger: Ledger, db_url: str, tmp_path: Path) -> None:
    ledger.append(basic())
    before = _snapshot(ledger)
    path = tmp_path / "huge.json"
    with open(path, "wb") as fh:
        fh.write(b'[{"id": "huge", "type": "PartyRegistered", "effective_date": "2015", "source": {"title": "t"}, '
                 b'"data": {"party": "huge", "kind": "company", "name": "')
        fh.write(b"A" * (100 << 20))
        fh.write(b'"}}]')
    try:
        code, err, rss = _run_measured(tmp_path, db_url, "append", str(path))
    finally:
        path.unlink()
    assert code == 2 and "Traceback" not in err
    assert "data.name" in err and "2000 characters" in err
    assert len(err) < 5_000  # the 100 MB value is not echoed back
    assert rss < 1000, f"peak RSS {rss} MiB"
    assert _snapshot(ledger) == before


def test_cli_conflict_and_rule_violations_use_their_exit_codes(ledger: Ledger, db_url: str) -> None:
    ledger.append(basic())
    before = _snapshot(ledger)
    changed = orjson.dumps([investment("inv-2019", "2019-07-22", "5")])
    result = _invoke(db_url, ["append", "-"], changed)
    assert result.exit_code == 3 and "different content" in result.stderr
    unknown = orjson.dumps([investment("ghost-inv", "2022", "1", investor="ghost")])
    result = _invoke(db_url, ["append", "-"], unknown)
    assert result.exit_code == 2 and "'ghost' is not defined" in result.stderr
    result = _invoke(db_url, ["append", "-", "--expected-version", "7"], orjson.dumps([investment("x", "2022", "1")]))
    assert result.exit_code == 3
    assert _snapshot(ledger) == before
    with pytest.raises(ConflictError):
        ledger.append([investment("x", "2022", "1")], expected_version=7)


def test_cli_takes_a_pretty_printed_single_object(ledger: Ledger, db_url: str) -> None:
    ledger.append(basic())
    body = orjson.dumps(investment("pretty", "2022", "1"), option=orjson.OPT_INDENT_2)
    result = _invoke(db_url, ["append", "-", "--format", "json"], body)
    assert result.exit_code == 0, result.stderr
    assert orjson.loads(result.stdout)["last_position"] == 6


@pytest.mark.parametrize("where", ["recorded_by", "source.title", "source.quote", "data.name", "data.aliases"])
def test_nul_characters_get_the_same_answer_on_every_engine(ledger: Ledger, where: str) -> None:
    """Stored verbatim (inside JSON) or refused by validation; never a database error on one engine
    and a stored event on the other (an export of one could not be imported into the other)."""
    ledger.append(basic())
    before = _snapshot(ledger)
    event: dict[str, Any] = {"id": "nul", "type": "PartyRegistered", "effective_date": "2020", "source": dict(SRC),
                             "data": {"party": "nul", "name": "N", "kind": "other"}}
    section, _, key = where.rpartition(".")
    target = event[section] if section else event
    target[key] = ["a\x00b"] if key == "aliases" else "a\x00b"
    try:
        ledger.append([event])
    except ValidationError as exc:
        assert where == "recorded_by" and exc.problems[0].field == "recorded_by"
        assert _snapshot(ledger) == before
    else:
        assert where != "recorded_by"
        stored = next(ledger.events(ids=["nul"]))
        assert (stored[section] if section else stored)[key] == target[key]
        assert ledger.verify().ok
