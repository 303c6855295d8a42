"""``python -m benchmarks.startup``: CLI start-up against ``sqlite-utils``, side by side (SPEC §9).

Two pairs, each run alternately (A B A B ...) so that drift in the machine's speed hits both
commands alike, and the ratio taken pair by pair; the medians are reported:

* ``state --as-of D --party X --format json`` on the demo ledger against
  ``sqlite-utils DEMO "select count(*) from events"`` (target: within 2.5x);
* ``alliance-ledger --help`` against ``sqlite-utils --help`` (target: within 1.5x).

Wall time is read around each child process (``time.perf_counter``); both commands are the
installed console scripts beside this interpreter, so both pay their interpreter's start-up.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.util import code_fingerprint, machine_info

BIN = Path(sys.executable).parent
TARGETS = {"state_one_party_json": 2.5, "help": 1.5}


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def paired(ours: list[str], peer: list[str], cwd: Path, runs: int, warmup: int = 1) -> dict[str, Any]:
    for _ in range(warmup):
        timed(ours, cwd), timed(peer, cwd)
    a, b = [], []
    for _ in range(runs):
        a.append(timed(ours, cwd))
        b.append(timed(peer, cwd))
    ratios = [x / y for x, y in zip(a, b, strict=True)]
    def shown(command: list[str]) -> str:
        return " ".join([Path(command[0]).name, *command[1:]])

    return {"ours": shown(ours), "peer": shown(peer), "runs": runs,
            "ours_median_s": round(statistics.median(a), 4), "peer_median_s": round(statistics.median(b), 4),
            "ratio_median": round(statistics.median(ratios), 3), "ratio_min": round(min(ratios), 3),
            "ratio_max": round(max(ratios), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", default=None, help="write the results JSON here")
    args = parser.parse_args(argv)
    ours, peer = BIN / "alliance-ledger", shutil.which("sqlite-utils", path=str(BIN)) or shutil.which("sqlite-utils")
    if not ours.exists() or peer is None:
        print("needs the alliance-ledger and sqlite-utils console scripts (pip install sqlite-utils)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        here = Path(tmp)
        subprocess.run([str(ours), "demo"], cwd=here, check=True, capture_output=True)
        demo = "alliance-ledger-demo.db"
        results = {
            "state_one_party_json": paired(
                [str(ours), "state", "--db", demo, "--as-of", "2024-06-01", "--party", "microsoft", "--format", "json"],
                [peer, demo, "select count(*) from events"], here, args.runs),
            "help": paired([str(ours), "--help"], [peer, "--help"], here, args.runs),
        }
    for name, target in TARGETS.items():
        results[name]["target_ratio"] = target
        results[name]["met"] = results[name]["ratio_median"] <= target
    doc = {"machine": machine_info(), "code": code_fingerprint(), "startup": results}
    text = json.dumps(doc, indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
