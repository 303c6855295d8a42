"""Several OS processes on one ledger (SPEC §3 expected_version, §8 positions in commit order).

Every worker is its own interpreter with its own connections (tests/procs.py), released together
through a start barrier so they really contend for the writers' lock; each test runs on SQLite
(one file, WAL) and on PostgreSQL (advisory lock).
"""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from pathlib import Path

from ledger import Ledger
from ledger.core.envelope import parse_ts
from tests.procs import ROOT, child_env, cli_command, investments, parties, release, result_of, spawn

WORKERS, BATCHES, SIZE = 4, 25, 20


def test_parallel_writers_get_gap_free_positions_and_every_event_once(db_url: str, tmp_path: Path) -> None:
    with Ledger.open(db_url, init=True) as lg:
        lg.append(parties())
    go = tmp_path / "go"
    procs = [spawn("append", db_url, str(w), str(BATCHES), str(SIZE), str(go)) for w in range(WORKERS)]
    release(go, WORKERS)
    results = [result_of(p) for p in procs]
    for code, doc, err in results:
        assert code == 0 and doc is not None, err
        assert "Traceback" not in err

    with Ledger.open(db_url) as lg:
        envs = list(lg.events())
        report = lg.verify()
    total = 2 + WORKERS * BATCHES * SIZE
    assert report.ok, report.problems
    assert report.events == total and report.head_position == total
    assert [e["position"] for e in envs] == list(range(1, total + 1))
    race = [e for e in envs if e["stream"] == "race"]
    assert [e["stream_version"] for e in race] == list(range(1, len(race) + 1))
    stamps = [parse_ts(e["recorded_at"]) for e in envs]
    assert all(a <= b for a, b in zip(stamps, stamps[1:], strict=False)), "recorded_at went back along positions"
    # every appended id exactly once, where its writer was told it is
    counts = Counter(e["id"] for e in envs)
    assert max(counts.values()) == 1
    where = {e["id"]: e["position"] for e in envs}
    expected_ids = {f"w{w}-b{b}-{i}" for w in range(WORKERS) for b in range(BATCHES) for i in range(SIZE)}
    assert expected_ids == {e["id"] for e in race}
    for _, doc, _ in results:
        assert doc is not None
        for eid, pos in doc["placed"].items():
            assert where[eid] == pos
    # each batch is atomic: its events hold consecutive positions
    for w in range(WORKERS):
        for b in range(BATCHES):
            got = sorted(where[f"w{w}-b{b}-{i}"] for i in range(SIZE))
            assert got == list(range(got[0], got[0] + SIZE)), f"batch w{w}-b{b} was interleaved"


def test_same_expected_version_from_three_processes_exactly_one_wins(db_url: str, tmp_path: Path) -> None:
    with Ledger.open(db_url, init=True) as lg:
        lg.append(parties())
    rounds = {rnd: [spawn("expected", db_url, f"r{rnd}-p{k}", str(rnd * 3), str(tmp_path / f"go{rnd}"))
                    for k in range(3)] for rnd in range(2)}
    for rnd, procs in rounds.items():
        version = rnd * 3
        release(tmp_path / f"go{rnd}", 3)
        results = [result_of(p) for p in procs]
        codes = sorted(code for code, _, _ in results)
        assert codes == [0, 3, 3], [err for _, _, err in results]
        for code, doc, err in results:
            assert "Traceback" not in err and doc is not None
            if code == 3:
                assert f"not the expected {version}" in doc["conflict"]
            else:
                assert doc["streams"] == {"contested": version + 3}
        with Ledger.open(db_url) as lg:
            contested = list(lg.events(stream="contested"))
            assert lg.verify().ok
        assert [e["stream_version"] for e in contested] == list(range(1, version + 4))
        winner = next(k for k, (code, _, _) in enumerate(results) if code == 0)
        for k in range(3):
            ids = {f"r{rnd}-p{k}-{i}" for i in range(3)}
            present = ids & {e["id"] for e in contested}
            assert present == (ids if k == winner else set()), f"loser {k} left events behind"


def test_cli_expected_version_race_exit_codes_0_and_3(db_url: str, tmp_path: Path) -> None:
    import orjson

    with Ledger.open(db_url, init=True) as lg:
        lg.append(parties())
        lg.append(investments("seed-", 2, stream="contested"))
    files = []
    for k in range(2):
        path = tmp_path / f"batch{k}.json"
        path.write_bytes(orjson.dumps(investments(f"cli{k}-", 5, stream="contested")))
        files.append(path)
    procs = [subprocess.Popen([*cli_command(), "--db", db_url, "append", str(f), "--expected-version", "2"],
                              cwd=ROOT, env=child_env(), text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for f in files]
    outs = [p.communicate(timeout=120) for p in procs]
    codes = [p.returncode for p in procs]
    assert sorted(codes) == [0, 3], outs
    loser = codes.index(3)
    assert "not the expected 2" in outs[loser][1] and "nothing was written" in outs[loser][1]
    assert all("Traceback" not in err for _, err in outs)
    assert orjson.loads(outs[1 - loser][0])["streams"] == {"contested": 7}
    with Ledger.open(db_url) as lg:
        ids = {e["id"] for e in lg.events(stream="contested")}
        assert lg.verify().ok
    assert not any(i.startswith(f"cli{loser}-") for i in ids)
    assert {f"cli{1 - loser}-{i}" for i in range(5)} <= ids and len(ids) == 7


def test_reader_process_never_errors_and_sees_consistent_prefixes_while_writers_append(
    db_url: str, tmp_path: Path,
) -> None:
    with Ledger.open(db_url, init=True) as lg:
        lg.append(parties())
    go, stop, ready = tmp_path / "go", tmp_path / "stop", tmp_path / "reader-ready"
    reader = spawn("reader", db_url, str(stop), str(ready))
    writers = [spawn("append", db_url, str(w), "30", "10", str(go)) for w in range(2)]
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    release(go, 2)
    for p in writers:
        code, _, err = result_of(p)
        assert code == 0, err
    stop.touch()
    code, doc, err = result_of(reader)
    assert code == 0 and doc is not None, err
    assert "Traceback" not in err
    heads, total = doc["heads"], 2 + 2 * 30 * 10
    assert doc["rounds"] >= 3
    assert heads == sorted(heads)
    assert heads[-1] == total
    assert any(2 < h < total for h in heads), "the reader never ran while the writers were appending"
