"""Profiles of the append and the rebuild: py-spy (sampling, low distortion) or cProfile as a fallback.

py-spy records the worker process in ``raw`` (collapsed stacks) format, aggregated by function;
only the samples under the measured call are kept (``Ledger.append``, ``Ledger.state``,
``projections.fold``), so JSON parsing and setup do not dilute the percentages.
"""

from __future__ import annotations

import pstats
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

MARKERS = {
    "append": "Ledger.append (ledger/api.py",
    "rebuild": "Ledger.state (ledger/api.py",
    "fold": "fold (projections/fold.py",
    "state_one_party": "Ledger.state (ledger/api.py",
}


def pyspy() -> str | None:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    return found if Path(found).exists() else None


def pyspy_command(out: Path, rate: int = 250) -> list[str]:
    exe = pyspy()
    assert exe is not None
    return [exe, "record", "--format", "raw", "--function", "--rate", str(rate), "--output", str(out), "--"]


def _short(frame: str) -> str:
    """'fn (path/to/module.py:12)' -> 'fn (module.py:12)' keeping the package for our code."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    parts = where.split("/")
    return f"{name} ({'/'.join(parts[-2:])})"


def summarize_raw(path: Path, marker: str, top: int = 25) -> dict[str, Any]:
    """Self and inclusive sample shares of the functions under ``marker`` in a py-spy raw file."""
    total = 0
    self_counts: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        frames = stack.split(";")
        k = next((i for i, frame in enumerate(frames) if frame.startswith(marker)), None)
        if k is None:
            continue
        count = int(count_text)
        total += count
        under = frames[k:]
        self_counts[_short(under[-1])] += count
        for frame in set(under):
            incl[_short(frame)] += count
    if total == 0:
        return {"samples": 0}

    def rows(counter: Counter[str]) -> list[dict[str, Any]]:
        return [{"function": f, "pct": round(100 * c / total, 1), "samples": c} for f, c in counter.most_common(top)]

    return {"tool": "py-spy", "samples": total, "top_self": rows(self_counts), "top_inclusive": rows(incl)}


def summarize_cprofile(path: Path, top: int = 25) -> dict[str, Any]:
    stats = pstats.Stats(str(path))
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in entries.values()) or 1.0

    def label(key: tuple[str, int, str]) -> str:
        filename, line, fn = key
        return f"{fn} ({'/'.join(Path(filename).parts[-2:])}:{line})"

    by_self = sorted(entries.items(), key=lambda kv: -kv[1][2])[:top]
    by_cum = sorted(entries.items(), key=lambda kv: -kv[1][3])[:top]
    return {
        "tool": "cProfile", "total_s": round(total, 3),
        "top_self": [{"function": label(k), "pct": round(100 * v[2] / total, 1), "calls": v[1]} for k, v in by_self],
        "top_inclusive": [{"function": label(k), "pct": round(100 * v[3] / total, 1), "calls": v[1]}
                          for k, v in by_cum],
    }


def render(name: str, summary: dict[str, Any]) -> str:
    lines = [f"# profile: {name} ({summary.get('tool')}, {summary.get('samples', summary.get('total_s'))} "
             f"{'samples' if summary.get('tool') == 'py-spy' else 's'})", "", "## self time", ""]
    for row in summary.get("top_self", []):
        lines.append(f"{row['pct']:6.1f}%  {row['function']}")
    lines += ["", "## inclusive time", ""]
    for row in summary.get("top_inclusive", []):
        lines.append(f"{row['pct']:6.1f}%  {row['function']}")
    return "\n".join(lines) + "\n"
