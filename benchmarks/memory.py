"""The ``cli_memory`` step: peak RSS of the CLI over the whole data set (SPEC §9: memory that does
not grow with the input), each command a process of its own, measured by ``os.wait4``.

* ``append`` of the whole generated file (N events) into a fresh SQLite file;
* ``export`` of that ledger, then ``import`` of the export into another fresh file;
* ``state --as-of LAST --format json`` (the whole state) on the suite's ledger (with its
  checkpoints), its output read through a pipe: time to the first byte, total wall time, bytes;
* the same on a copy of that ledger with :data:`TAIL` events appended, dated after its latest
  checkpoint (a day of appends before the next ``rebuild``).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

from benchmarks.util import remove_sqlite, wait_for_idle

TAIL = 200
"""Events appended after the latest checkpoint for the whole state with a tail."""


def _with_tail(suite: Any, cli: list[str], last_date: str) -> dict[str, Any]:
    """The whole state of a copy of the suite's ledger with :data:`TAIL` events dated after its
    latest checkpoint: keyed facts (investments, stakes, metrics, roles) of the generated file under
    new ids, each dated in the year after ``last_date``."""
    import shutil

    import orjson

    work = suite.work
    db, tail, out = work / "mem-tail.sqlite", work / "mem-tail.jsonl", work / "mem-tail-state.json"
    remove_sqlite(db)
    shutil.copyfile(suite.ours_db, db)
    year = int(last_date[:4]) + 1
    picked = []
    with open(suite.jsonl, "rb") as f:
        for line in f:
            e = orjson.loads(line)
            if e["type"] in ("InvestmentMade", "StakeChanged", "MetricReported", "RoleChanged") and not e.get("corrects"):
                n = len(picked)
                picked.append({**e, "id": f"tail-{n}", "effective_date": f"{year}-{1 + n % 12:02d}-{1 + n % 28:02d}"})
                if len(picked) == TAIL:
                    break
    tail.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in picked))
    subprocess.run([*cli, "--db", f"sqlite:///{db}", "append", str(tail)], check=True, capture_output=True)
    run = _measured(suite, [*cli, "--db", f"sqlite:///{db}", "state", "--format", "json"], "cli_memory_whole_state_tail",
                    out)
    run["tail_events"] = len(picked)
    for path in (tail, out):
        path.unlink(missing_ok=True)
    remove_sqlite(db)
    return run


def _measured(suite: Any, cmd: list[str], label: str, out: Path | None = None) -> dict[str, Any]:
    """Run ``cmd``; its stdout (to ``out`` or dropped) read through a pipe, timing the first byte."""
    suite.log.write(f"\n=== {label}: {' '.join(cmd)}\n")
    suite.log.flush()
    idle = wait_for_idle(suite.args.wait_idle) if suite.args.wait_idle > 0 else {}
    print(f"  {label} …", end="", flush=True)
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=suite.log)
    assert proc.stdout is not None
    first = None
    size = 0
    with open(out or os.devnull, "wb") as sink:
        while chunk := proc.stdout.read1(1 << 16):
            if first is None:
                first = time.perf_counter() - t
            size += len(chunk)
            sink.write(chunk)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    code = os.waitstatus_to_exitcode(status)
    rss = round(usage.ru_maxrss / 1024, 1)
    print(f" {wall:.1f} s, peak RSS {rss:.0f} MB{'' if code == 0 else f', EXIT {code}'}", flush=True)
    return {"wall_s": round(wall, 3), "peak_rss_mb": rss, "exit": code, "first_byte_s": round(first, 4) if first
            else None, "output_mb": round(size / 1e6, 1), "process_cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
            **idle}


def cli_memory(suite: Any) -> None:
    work, n = suite.work, suite.n
    cli = suite.cli()
    runs: dict[str, Any] = {"events": n, "file_mb": round(suite.jsonl.stat().st_size / 1e6, 1)}
    db, copy = work / "mem.sqlite", work / "mem-copy.sqlite"
    export = work / "mem-export.jsonl"
    for path in (db, copy):
        remove_sqlite(path)
    subprocess.run([*cli, "--db", f"sqlite:///{db}", "init"], check=True, capture_output=True)
    runs["append"] = _measured(suite, [*cli, "--db", f"sqlite:///{db}", "append", str(suite.jsonl), "--format",
                                       "json"], "cli_memory_append")
    if runs["append"]["exit"] == 0:
        runs["export"] = _measured(suite, [*cli, "--db", f"sqlite:///{db}", "export"], "cli_memory_export", export)
        runs["import"] = _measured(suite, [*cli, "--db", f"sqlite:///{copy}", "import", str(export)],
                                   "cli_memory_import")
        runs["events_per_s_append"] = round(n / runs["append"]["wall_s"], 1)
    export.unlink(missing_ok=True)
    for path in (db, copy):
        remove_sqlite(path)
    if suite.ours_db.exists():
        side = json.loads(suite.sidecar.read_text())
        out = work / "mem-state.json"
        runs["whole_state"] = _measured(suite, [*cli, "--db", suite.url, "state", "--as-of", side["last_date"],
                                                "--format", "json"], "cli_memory_whole_state", out)
        runs["whole_state"]["as_of"] = side["last_date"]
        out.unlink(missing_ok=True)
        runs["whole_state_tail"] = _with_tail(suite, cli, side["last_date"])
        suite.worker("ours_write_json", {"url": suite.url, "as_of": side["last_date"]})
    suite.results["runs"]["cli_memory"] = runs
