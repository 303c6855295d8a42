"""``python -m benchmarks``: run the suite, write the results JSON, print the table; or draw the chart.

    python -m benchmarks --events 100000 --out benchmarks/results.json     # a quick run (minutes)
    python -m benchmarks --events 1000000 --out benchmarks/results.json    # the SPEC §9 size
    python -m benchmarks --chart benchmarks/results.png                    # PNG of the latest results
    python -m benchmarks --profile-only --events 100000                    # py-spy profiles of append and fold

Each measurement runs in a fresh interpreter (``benchmarks.worker``); this process reads its wall
time and peak RSS with ``os.wait4``. Scratch data (JSONL, databases, logs) goes to ``--workdir``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import profiling, report
from benchmarks.util import ROOT, code_fingerprint, file_mb, machine_info, percentile, remove_sqlite, wait_for_idle

HERE = Path(__file__).resolve().parent
STEPS = ("generate", "ours_append", "raw_sqlite", "sa_core", "es_append", "es_reconstruct", "ours_rebuild",
         "ours_fold", "raw_read", "ours_checkpoints", "ours_queries", "ours_diff", "ours_verify", "cli_append",
         "cli_state", "cli_memory")
AS_OF_ALL = "2099-12-31"
QUERY_SERIES = ("one_party", "hot_party", "whole", "latest_one_party")
PG_WHOLE_MAX = 2_000_000  # above this, whole-state folds on PostgreSQL are skipped unless asked for


class Suite:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.n = args.events
        self.work = _workdir(args)
        self.work.mkdir(parents=True, exist_ok=True)
        self.log_path = self.work / "suite.log"
        self.log = open(self.log_path, "a")  # noqa: SIM115
        self.jsonl = self.work / "events.jsonl"
        self.cli_jsonl = self.work / f"events-first-{args.cli_events}.jsonl"
        self.sidecar = self.work / "sidecar.json"
        self.ours_db = self.work / "ours.sqlite"
        self.url = f"sqlite:///{self.ours_db}"
        self.results: dict[str, Any] = {
            "command": "python -m benchmarks " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
            "meta": machine_info(),
            "params": {"events": self.n, "seed": args.seed, "batch": args.batch, "samples": args.samples,
                       "repeat": args.repeat, "wait_idle": args.wait_idle,
                       "budget_s": args.budget, "cli_events": args.cli_events, "workdir": str(self.work)},
            "dataset": {}, "runs": {}, "not_measured": [],
        }

    # -- running one measurement ----------------------------------------------------------------
    def worker(self, name: str, params: dict[str, Any], *, key: str | None = None,
               wrap: list[str] | None = None, best: str | None = None) -> dict[str, Any] | None:
        """Run a task in a fresh process; with ``best`` (a figure, higher is better) run it
        ``--repeat`` times and keep the best run (the least disturbed by other load)."""
        key = key or name
        repeat = self.args.repeat if best else 1
        kept: dict[str, Any] | None = None
        seen: list[Any] = []
        for k in range(repeat):
            label = key if repeat == 1 else f"{key}[{k + 1}/{repeat}]"
            data = self._worker_once(name, params, key, label, wrap)
            if data is None:
                return None
            seen.append(data.get(best) if best else None)
            if kept is None or (best and (data.get(best) or 0) > (kept.get(best) or 0)):
                kept = data
        assert kept is not None
        if best and repeat > 1:
            kept["repeats"] = {"figure": best, "values": seen, "kept": "best"}
        self.results["runs"][key] = kept
        return kept

    def _worker_once(self, name: str, params: dict[str, Any], key: str, label: str,
                     wrap: list[str] | None) -> dict[str, Any] | None:
        result_file = self.work / f"{key}.result.json"
        result_file.unlink(missing_ok=True)
        cmd = [*(wrap or []), sys.executable, "-m", "benchmarks.worker", name, json.dumps(params), str(result_file)]
        load = _loadavg()
        idle = wait_for_idle(self.args.wait_idle) if self.args.wait_idle > 0 else {}
        wall, rss, code, cpu_s = self._spawn(cmd, label)
        if code != 0 or not result_file.exists():
            self._note(f"{key}: failed (exit {code}; see {self.log_path})")
            self.results["runs"][key] = {"failed": True, "exit": code, "wall_s": wall}
            return None
        data = json.loads(result_file.read_text())
        data.update(wall_s=wall, peak_rss_mb=rss, process_cpu_s=cpu_s, loadavg_1m_before=load, **idle)
        return data

    def _spawn(self, cmd: list[str], key: str, stdout: Any = None) -> tuple[float, float, int, float]:
        self.log.write(f"\n=== {key}: {' '.join(shlex.quote(c) for c in cmd)}\n")
        self.log.flush()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        print(f"  {key} …", end="", flush=True)
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=stdout or self.log, stderr=self.log, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = round(time.perf_counter() - t, 3)
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        rss = round(usage.ru_maxrss / 1024, 1)
        cpu_s = round(usage.ru_utime + usage.ru_stime, 3)
        print(f" {wall:.1f} s, peak RSS {rss:.0f} MB{'' if code == 0 else f', EXIT {code}'}", flush=True)
        return wall, rss, code, cpu_s

    def _note(self, text: str) -> None:
        self.results["not_measured"].append(text)

    def wanted(self, step: str) -> bool:
        a = self.args
        if a.only and step not in a.only:
            return False
        return not (a.skip and step in a.skip)

    # -- the steps ------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        start = time.perf_counter()
        self.results["meta"]["loadavg_start"] = _loadavg()
        a = self.args
        batch = a.batch
        n = self.n
        if self.wanted("generate") or not self.jsonl.exists() or not self.sidecar.exists():
            print(f"generating {n:,} events (seed {a.seed}) into {self.work}")
            data = self.worker("generate", {"events": n, "seed": a.seed, "path": str(self.jsonl),
                                            "prefix_path": str(self.cli_jsonl), "prefix_events": a.cli_events,
                                            "sidecar": str(self.sidecar)})
            if data is None:
                raise SystemExit("generation failed")
            (self.work / "dataset.json").write_text(json.dumps(data))
        self.results["dataset"] = json.loads((self.work / "dataset.json").read_text())
        print("measuring")
        if self.wanted("ours_append"):
            self.worker("ours_append", {"url": self.url, "path": str(self.jsonl), "batch": batch},
                        best="events_per_s")
            self.results["runs"]["ours_append"]["db_mb"] = file_mb(self.ours_db)
        if self.wanted("raw_sqlite"):
            self.worker("raw_sqlite", {"db": str(self.work / "raw.sqlite"), "path": str(self.jsonl), "batch": batch},
                        best="events_per_s")
        if self.wanted("sa_core"):
            self.worker("sa_core", {"db": str(self.work / "sa.sqlite"), "path": str(self.jsonl), "batch": batch},
                        best="events_per_s")
        es_ok = _has_module("eventsourcing")
        if not es_ok and (self.wanted("es_append") or self.wanted("es_reconstruct")):
            self._note("eventsourcing peer: the package is not installed (pip install -r benchmarks/requirements.txt)")
        es_db = str(self.work / "es.sqlite")
        es_ids = str(self.work / "es-ids.json")
        if es_ok and self.wanted("es_append"):
            self.worker("es_append", {"db": es_db, "path": str(self.jsonl), "batch": batch, "ids_file": es_ids},
                        best="events_per_s")
        if es_ok and self.wanted("es_reconstruct"):
            if Path(es_ids).exists():
                self.worker("es_reconstruct", {"db": es_db, "ids_file": es_ids}, best="events_per_s")
            else:
                self._note("eventsourcing reconstruction: no eventsourcing database (es_append not run)")
        have_db = self.ours_db.exists()
        if not have_db:
            self._note("library read-side figures: no ledger database (ours_append not run)")
        if have_db and self.wanted("ours_rebuild"):
            self.worker("ours_rebuild", {"url": self.url, "as_of": AS_OF_ALL, "repeat": 1}, best="events_per_s")
        if have_db and self.wanted("ours_fold"):
            self.worker("ours_fold", {"url": self.url, "as_of": AS_OF_ALL, "repeat": 1}, best="fold_events_per_s")
        if have_db and self.wanted("raw_read"):
            self.worker("raw_read", {"path": str(self.ours_db)}, best="scan_loads_rows_per_s")
        if have_db and self.wanted("ours_checkpoints"):
            # after the rebuild and fold figures (a full fold must not start from a checkpoint), before the
            # queries: SPEC §9 asks for the as-of latency "with checkpoints"
            self.worker("ours_checkpoints", {"url": self.url})
        if have_db and self.wanted("ours_queries"):
            # one process for the one-party series and one for the whole state, so each reports its own peak RSS
            query = {"url": self.url, "sidecar": str(self.sidecar), "seed": a.seed, "samples": a.samples,
                     "min_samples": 5, "budget_s": a.budget}
            self.worker("ours_queries", {**query, "series": [s for s in QUERY_SERIES if s != "whole"]})
            self.worker("ours_queries", {**query, "series": ["whole"]}, key="ours_queries_whole")
        if have_db and self.wanted("ours_diff"):
            side = json.loads(self.sidecar.read_text())
            self.worker("ours_diff", {"url": self.url, "from": _mid_date(side), "to": side["last_date"],
                                      "repeat": 3, "budget_s": a.budget / 2})
        if have_db and self.wanted("ours_verify"):
            self.worker("ours_verify", {"url": self.url}, best="events_per_s")
        if self.wanted("cli_append"):
            self.cli_append()
        if have_db and self.wanted("cli_state"):
            self.cli_state()
        if self.wanted("cli_memory"):
            from benchmarks.memory import cli_memory

            cli_memory(self)
        if a.pg_url:
            self.postgres(a.pg_url)
        else:
            self._note("PostgreSQL (SPEC §9: 10,000,000 events, one-party p50 < 50 ms): not run "
                       "(pass --pg-url to run the library figures on PostgreSQL at this size)")
        if a.profile:
            self.profiles()
        self.results["total_wall_s"] = round(time.perf_counter() - start, 1)
        self.results["meta"]["loadavg_end"] = _loadavg()
        self.results["meta"]["code_fingerprint_end"] = end = code_fingerprint()
        if end != self.results["meta"]["code_fingerprint_start"]:
            self.results["code_changed_during_run"] = True
            print("warning: the measured code changed during this run (fingerprints differ)")
        report.attach_pg_10m(self.results, HERE / "results-pg-10m.json")
        report.compute(self.results)
        return self.results

    def cli(self) -> list[str]:
        exe = Path(sys.executable).parent / "alliance-ledger"
        return [str(exe)] if exe.exists() else [sys.executable, "-m", "ledger"]

    def cli_append(self) -> None:
        """`alliance-ledger init` then `alliance-ledger append FILE` into a fresh database (best of --repeat)."""
        import sqlite3

        db = self.work / "cli.sqlite"
        url = f"sqlite:///{db}"
        with open(self.cli_jsonl, "rb") as fh:
            lines = sum(1 for _ in fh)
        walls = []
        kept: dict[str, Any] | None = None
        for k in range(self.args.repeat):
            remove_sqlite(db)
            init_wall, _, code, _ = self._spawn([*self.cli(), "--db", url, "init"], "cli_init")
            idle = wait_for_idle(self.args.wait_idle) if self.args.wait_idle > 0 else {}
            if code != 0:
                self._note("CLI append: init failed")
                return
            label = "cli_append" if self.args.repeat == 1 else f"cli_append[{k + 1}/{self.args.repeat}]"
            with open(os.devnull, "wb") as devnull:
                wall, rss, code, cpu_s = self._spawn(
                    [*self.cli(), "--db", url, "append", str(self.cli_jsonl), "--format", "json"], label, stdout=devnull)
            con = sqlite3.connect(db)
            stored = con.execute("SELECT count(*) FROM events").fetchone()[0]
            con.close()
            if code != 0 or stored != lines:
                self._note(f"CLI append: exit {code}, {stored} of {lines} events stored")
                return
            walls.append(wall)
            if kept is None or wall < kept["wall_s"]:
                kept = {"events": lines, "stored": stored, "wall_s": wall, "peak_rss_mb": rss, "exit": code,
                        "process_cpu_s": cpu_s, "events_per_s": round(lines / wall, 1) if wall else None, **idle,
                        "init_wall_s": init_wall, "file_mb": round(self.cli_jsonl.stat().st_size / 1e6, 1)}
        assert kept is not None
        kept["repeats"] = {"figure": "wall_s", "values": walls, "kept": "best"}
        self.results["runs"]["cli_append"] = kept

    def cli_state(self) -> None:
        side = json.loads(self.sidecar.read_text())
        rng = random.Random(self.args.seed + 1)
        lo, hi = _ordinal(side["first_date"]), _ordinal(side["last_date"])
        from datetime import date

        walls, rsss, sizes = [], [], []
        # The code may have gained a migration since the ledger was written: upgrade first (untimed).
        self._spawn([*self.cli(), "--db", self.url, "init"], "cli_state_init")
        for k in range(self.args.cli_state_runs):
            day = date.fromordinal(rng.randint(lo, hi)).isoformat()
            party = rng.choice(side["parties"])
            out = self.work / "cli-state.json"
            with open(out, "wb") as fh:
                wall, rss, code, _ = self._spawn([*self.cli(), "--db", self.url, "state", "--as-of", day, "--party",
                                                  party, "--format", "json"], f"cli_state[{k}]", stdout=fh)
            if code != 0:
                self._note(f"CLI state: exit {code}")
                return
            walls.append(wall)
            rsss.append(rss)
            sizes.append(out.stat().st_size)
        self.results["runs"]["cli_state"] = {
            "runs": len(walls), "walls_s": walls, "p50_s": round(percentile(walls, 50), 3),
            "peak_rss_mb": max(rsss), "mean_output_kb": round(sum(sizes) / len(sizes) / 1024, 1)}

    def postgres(self, url: str) -> None:
        """Library figures on PostgreSQL: a fresh database ``bench`` on the given server."""
        try:
            import psycopg
        except ImportError:
            self._note("PostgreSQL: psycopg not installed")
            return
        from sqlalchemy.engine import make_url

        base = make_url(url)
        pg = base.set(database="bench").render_as_string(hide_password=False)
        print("PostgreSQL")
        if self.args.pg_reuse:
            self._reuse_pg(pg)
        else:
            admin = base.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS bench")
                conn.execute("CREATE DATABASE bench")
            self.worker("ours_append", {"url": pg, "path": str(self.jsonl), "batch": self.args.batch},
                        key="pg_append")
            if self.results["runs"]["pg_append"].get("failed"):
                return
        # A whole-state fold holds every event in one process (~1.7-2.1 GB at 1,000,000 events, roughly
        # linear): above PG_WHOLE_MAX only the one-party series run unless --pg-series/--pg-rebuild say so.
        big = self.n > PG_WHOLE_MAX
        series = self.args.pg_series or [s for s in QUERY_SERIES if not (big and s == "whole")]
        rebuild = self.args.pg_rebuild if self.args.pg_rebuild is not None else not big
        why = (f"a whole-state fold of {self.n:,} events in one process needs more memory than this machine has, "
               "~2 GB per 1,000,000 events" if big else "not asked for")
        if "whole" not in series:
            self._note(f"PostgreSQL whole-state series: not run ({why}; --pg-series)")
        # the busiest parties' checkpoints (what `rebuild` also makes; --parties fits any size in memory)
        self.worker("ours_party_checkpoints", {"url": pg}, key="pg_party_checkpoints")
        self.worker("ours_queries", {"url": pg, "sidecar": str(self.sidecar), "seed": self.args.seed,
                                     "samples": self.args.samples, "min_samples": 5, "budget_s": self.args.budget,
                                     "series": series}, key="pg_queries")
        if rebuild:
            self.worker("ours_rebuild", {"url": pg, "as_of": AS_OF_ALL}, key="pg_rebuild")
        else:
            self._note(f"PostgreSQL rebuild (Ledger.state over the whole ledger): not run ({why}; --pg-rebuild)")

    def _reuse_pg(self, pg: str) -> None:
        """--pg-reuse: query the ``bench`` database an earlier run appended, if it holds this data
        set's events (an hour of appending at 10M events); the append figures are not re-measured."""
        import psycopg

        try:
            with psycopg.connect(pg.replace("postgresql+psycopg://", "postgresql://")) as conn:
                row = conn.execute("SELECT count(*), max(position) FROM events").fetchone()
        except psycopg.Error as exc:
            raise SystemExit(f"--pg-reuse: no ledger to reuse in database bench ({exc}): run without "
                             "--pg-reuse") from None
        if row is None or (row[0], row[1]) != (self.n, self.n):
            raise SystemExit(f"--pg-reuse: database bench holds {row[0] if row else 0:,} events, not this data "
                             f"set's {self.n:,}: run without --pg-reuse")
        self._note("PostgreSQL append: not re-measured (--pg-reuse); --merge keeps the earlier run's figures")

    def profiles(self) -> None:
        """Profiles of append, rebuild (Ledger.state) and fold at --profile-events (py-spy; cProfile fallback)."""
        k = self.args.profile_events
        source = self.cli_jsonl if k == self.args.cli_events else self.jsonl
        if k not in (self.args.cli_events, self.n):
            self._note(f"profiles: --profile-events must be {self.args.cli_events} or {self.n}")
            return
        print(f"profiling at {k:,} events")
        db = self.work / f"profile-{k}.sqlite"
        url = f"sqlite:///{db}"
        out_dir = HERE / "profiles"
        out_dir.mkdir(exist_ok=True)
        summaries = {}
        summary: dict[str, Any]
        use_pyspy = profiling.pyspy() is not None and not self.args.cprofile
        jobs = [("append", "ours_append", {"url": url, "path": str(source), "batch": self.args.batch,
                                           "preload": True}),
                ("rebuild", "ours_rebuild", {"url": url, "as_of": AS_OF_ALL, "repeat": 2}),
                ("fold", "ours_fold", {"url": url, "as_of": AS_OF_ALL, "repeat": 3}),
                # On the full ledger (its parties and dates), since that is where the target applies.
                ("state_one_party", "ours_queries", {"url": self.url, "sidecar": str(self.sidecar),
                                                     "seed": self.args.seed, "samples": 400, "min_samples": 5,
                                                     "budget_s": 60, "series": ["one_party"]})]
        if not self.ours_db.exists():
            jobs.pop()
        for label, task, params in jobs:
            raw = self.work / f"profile-{label}.txt"
            if use_pyspy:
                data = self.worker(task, params, key=f"profile_{label}", wrap=profiling.pyspy_command(raw))
                summary = profiling.summarize_raw(raw, profiling.MARKERS[label]) if data else {"samples": 0}
                if label == "append" and not summary.get("samples"):
                    use_pyspy = False  # py-spy could not attach (ptrace refused): fall back to cProfile
                    self._note("py-spy produced no samples; profiles use cProfile")
            if not use_pyspy:
                prof = self.work / f"profile-{label}.prof"
                data = self.worker(task, {**params, "cprofile": str(prof)}, key=f"profile_{label}")
                summary = profiling.summarize_cprofile(prof) if data else {}
            summary["events"] = self.n if label == "state_one_party" else k
            summary["measured_while_profiled"] = {key: data.get(key) for key in (
                "events_per_s", "fold_events_per_s", "runs_s", "fold_runs_s", "one_party")} if data else None
            summaries[label] = summary
            (out_dir / f"{label}.txt").write_text(profiling.render(f"{label} at {summary['events']:,} events", summary))
        self.results["profiles"] = summaries


def _loadavg() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _ordinal(text: str) -> int:
    from datetime import date

    return date.fromisoformat(text).toordinal()


def _mid_date(side: dict[str, Any]) -> str:
    from datetime import date

    return date.fromordinal((_ordinal(side["first_date"]) + _ordinal(side["last_date"])) // 2).isoformat()


def update_readme(results: dict[str, Any], readme: Path) -> None:
    text = readme.read_text() if readme.exists() else ""
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    body = f"{start}\n{report.markdown(results)}\n{end}"
    if start in text and end in text:
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        text = head + body + tail
    else:
        text = text.rstrip() + "\n\n## Latest run\n\n" + body + "\n"
    readme.write_text(text)


def _workdir(args: argparse.Namespace) -> Path:
    return Path(args.workdir or f"/tmp/alliance-ledger-bench/{args.events or 100_000}").resolve()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=int, default=None, help="ledger size (default 100000)")
    p.add_argument("--out", default=None, help="results JSON to write (or to chart); default "
                   "benchmarks/results.json for a full run, the scratch directory for --only/--skip")
    p.add_argument("--chart", metavar="PNG", help="draw the figures of --out as a PNG (alone: no run)")
    p.add_argument("--seed", type=int, default=20251101)
    p.add_argument("--batch", type=int, default=10_000, help="events per append batch (all writers)")
    p.add_argument("--workdir", help="scratch directory (default /tmp/alliance-ledger-bench/N)")
    p.add_argument("--samples", type=int, default=50, help="random dates per state --as-of series")
    p.add_argument("--budget", type=float, default=180.0, help="seconds per query series (at least 5 samples)")
    p.add_argument("--cli-events", type=int, default=100_000, help="lines of the CLI append file")
    p.add_argument("--cli-state-runs", type=int, default=5)
    p.add_argument("--wait-idle", type=float, default=30.0, help="before each measurement, wait up to this many "
                   "seconds for other processes to use < 0.3 cores (the machine is shared); 0 = don't wait")
    p.add_argument("--repeat", type=int, default=None, help="runs of each throughput measurement, best kept "
                   "(default 3 up to 200,000 events, else 1)")
    p.add_argument("--only", type=lambda s: s.split(","), help=f"comma-separated steps: {', '.join(STEPS)}")
    p.add_argument("--skip", type=lambda s: s.split(","), help="comma-separated steps to skip")
    p.add_argument("--pg-url", help="also measure the library on this PostgreSQL server (database 'bench' "
                   "is dropped and recreated), e.g. postgresql://ledger:ledger@127.0.0.1:5432/ledger_test")
    p.add_argument("--pg-reuse", action="store_true", help="query the PostgreSQL database 'bench' an earlier "
                   "run left (same --events), instead of dropping it and appending again")
    p.add_argument("--pg-series", type=lambda s: s.split(","), help="comma-separated state --as-of series on "
                   f"PostgreSQL: {', '.join(QUERY_SERIES)} (default all; without whole above {PG_WHOLE_MAX:,} events)")
    p.add_argument("--pg-rebuild", action=argparse.BooleanOptionalAction, default=None, help="whole-ledger "
                   f"rebuild on PostgreSQL (default: only up to {PG_WHOLE_MAX:,} events)")
    p.add_argument("--profile", action="store_true", help="also profile append, rebuild and fold")
    p.add_argument("--profile-only", action="store_true", help="only the profiles (generates data if needed)")
    p.add_argument("--profile-events", type=int, default=None, help="profile size (default: --cli-events)")
    p.add_argument("--cprofile", action="store_true", help="profile with cProfile instead of py-spy")
    p.add_argument("--merge", action="store_true", help="keep the runs of --out (same --events) for steps "
                   "not run now: re-run one failed step without redoing the others")
    p.add_argument("--readme", action="store_true", help="rewrite the latest-run table in benchmarks/README.md")
    p.add_argument("--report-only", action="store_true", help="measure nothing: recompute the figures, ratios "
                   "and targets of --out from its runs (and the PostgreSQL 10M file), rewrite it (and --readme)")
    args = p.parse_args(argv)

    if args.report_only:
        out = Path(args.out or HERE / "results.json")
        results = json.loads(out.read_text())
        report.attach_pg_10m(results, HERE / "results-pg-10m.json")
        report.compute(results)
        out.write_text(json.dumps(results, indent=1))
        print(report.table(results))
        print(f"\nwrote {out}")
        if args.readme:
            update_readme(results, HERE / "README.md")
        return 0

    if args.out is None:  # a partial run must not replace the committed results of a full one
        partial = (args.only or args.skip) and not args.profile_only
        args.out = str(_workdir(args) / "results.json") if partial else str(HERE / "results.json")
    if args.chart and args.events is None and not args.profile_only:
        from benchmarks.chart import draw

        results = json.loads(Path(args.out).read_text())
        draw(results, Path(args.chart))
        print(f"wrote {args.chart}")
        return 0
    args.events = args.events or 100_000
    args.repeat = args.repeat or (3 if args.events <= 200_000 else 1)
    if args.cli_events > args.events:
        args.cli_events = args.events
    args.profile_events = args.profile_events or args.cli_events
    if args.profile_only:
        args.only = ["none"]
        args.profile = True
    suite = Suite(args)
    if args.merge and Path(args.out).exists():
        old = json.loads(Path(args.out).read_text())
        if old.get("params", {}).get("events") == args.events:
            suite.results["runs"].update(old.get("runs", {}))  # re-run steps replace their old entries
            suite.results["merged_from"] = old.get("meta", {}).get("date")
            suite.results["earlier_commands"] = [*old.get("earlier_commands", []), old.get("command")]
            if "profiles" in old:
                suite.results["profiles"] = old["profiles"]
    results = suite.run()
    if args.profile_only:
        old = json.loads(Path(args.out).read_text()) if Path(args.out).exists() else None
        if old is not None:  # keep the measurements of the last full run, replace the profiles
            old["profiles"] = results.get("profiles")
            results = old
    else:
        print()
        print(report.table(results))
    Path(args.out).write_text(json.dumps(results, indent=1))
    print(f"\nwrote {args.out}")
    if args.readme:
        update_readme(results, HERE / "README.md")
    if args.chart:
        from benchmarks.chart import draw

        draw(results, Path(args.chart))
        print(f"wrote {args.chart}")
    if "profiles" in results:
        for name, summary in (results.get("profiles") or {}).items():
            print(f"\nprofile {name}: top self time")
            for row in summary.get("top_self", [])[:12]:
                print(f"  {row['pct']:5.1f}%  {row['function']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
