"""Small helpers shared by the orchestrator and the workers: timing, memory, machine facts."""

from __future__ import annotations

import contextlib
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
"""The project directory (benchmarks/..)."""


def now() -> float:
    return time.perf_counter()


def cpu() -> float:
    """CPU time (user + system, all threads) of this process and of the child processes it waited
    for: a whole fold's stakes and verify's checkpoint re-fold run in one (ledger.read.children),
    and a per-CPU-second figure must count their work too."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def proc_status(field: str) -> float | None:
    """A memory figure of this process from /proc/self/status (VmHWM, VmRSS) in MB, or None."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def summary_ms(seconds: list[float]) -> dict[str, Any]:
    """p50/p95/min/max/mean in milliseconds of a list of durations in seconds."""
    ms = [s * 1000 for s in seconds]
    if not ms:
        return {"n": 0}
    return {
        "n": len(ms), "p50_ms": round(percentile(ms, 50), 3), "p95_ms": round(percentile(ms, 95), 3),
        "min_ms": round(min(ms), 3), "max_ms": round(max(ms), 3), "mean_ms": round(statistics.fmean(ms), 3),
    }


def rate(count: int, seconds: float) -> float | None:
    return round(count / seconds, 1) if seconds > 0 else None


def package_version(name: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:
        return None


def git_head() -> str | None:
    """The checked-out commit (read-only git command), and whether the tree has local changes."""
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return f"{head}{'+local-changes' if dirty else ''}" if head else None
    except Exception:
        return None


def code_fingerprint() -> str:
    """A short hash of the measured code (ledger/, events/, projections/, migrations/): the suite
    records it at the start and the end of a run, since the code may change during a long run."""
    import hashlib

    h = hashlib.sha256()
    for package in ("ledger", "events", "projections", "migrations"):
        for path in sorted((ROOT / package).rglob("*.py")):
            h.update(str(path.relative_to(ROOT)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def machine_info() -> dict[str, Any]:
    mem = None
    try:
        with open("/proc/meminfo") as fh:
            mem = round(int(fh.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    cpu = None
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "nproc": os.cpu_count(), "cpu": cpu, "mem_gib": mem,
        "python": platform.python_version(), "implementation": platform.python_implementation(),
        "platform": platform.platform(), "sqlite": sqlite3.sqlite_version,
        "packages": {name: package_version(name) for name in (
            "alliance-ledger", "sqlalchemy", "pydantic", "orjson", "eventsourcing", "psycopg", "matplotlib")},
        "commit": git_head(), "code_fingerprint_start": code_fingerprint(), "executable": sys.executable,
    }


def remove_sqlite(path: str | Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{path}{suffix}")


def file_mb(path: str | Path) -> float | None:
    total = 0
    found = False
    for suffix in ("", "-wal"):
        try:
            total += os.path.getsize(f"{path}{suffix}")
            found = True
        except OSError:
            pass
    return round(total / 1e6, 1) if found else None


def _cpu_ticks() -> tuple[int, int] | None:
    try:
        with open("/proc/stat") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields), idle


def busy_cores(window: float = 1.0) -> float | None:
    """Cores busy over the next ``window`` seconds, machine-wide (this process idles meanwhile)."""
    a = _cpu_ticks()
    time.sleep(window)
    b = _cpu_ticks()
    if a is None or b is None or b[0] == a[0]:
        return None
    total, idle = b[0] - a[0], b[1] - a[1]
    return round((total - idle) / total * (os.cpu_count() or 1), 2)


def wait_for_idle(max_wait: float, threshold: float = 0.3) -> dict[str, Any]:
    """Wait (at most ``max_wait`` s) until other processes use less than ``threshold`` cores.

    The machine is shared: other sessions' test runs would otherwise be measured as our slowness.
    Returns what was seen, recorded with each measurement."""
    start = time.perf_counter()
    seen = busy_cores(0.5)
    while seen is not None and seen >= threshold and time.perf_counter() - start < max_wait:
        seen = busy_cores(1.0)
    return {"busy_cores_before": seen, "waited_s": round(time.perf_counter() - start, 1)}
