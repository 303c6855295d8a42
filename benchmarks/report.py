"""From raw measurements to figures, ratios to peers, and the SPEC §9 targets (met / gap); tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# SPEC §9 targets: (key, description, figure key, comparator, threshold, unit)
TARGETS: list[tuple[str, str, str, str, float, str]] = [
    ("append_rate", "library batch append >= 50,000 events/s on a 1,000,000-event ledger",
     "append_events_per_s", ">=", 50_000, "events/s"),
    ("append_vs_eventsourcing", "library append >= 1.4x the eventsourcing library's batched append",
     "ratio_append_vs_eventsourcing", ">=", 1.4, "x"),
    ("append_vs_raw", "library append within 1.5x of raw sqlite3 executemany (raw time / our time <= 1.5)",
     "slowdown_append_vs_raw", "<=", 1.5, "x slower"),
    ("cli_append_vs_raw", "CLI append of a 100,000-line JSONL end to end within 2.5x of raw",
     "slowdown_cli_append_vs_raw", "<=", 2.5, "x slower"),
    ("rebuild_rate", "full rebuild (fold) of the ledger >= 150,000 events/s",
     "rebuild_events_per_s", ">=", 150_000, "events/s"),
    ("rebuild_vs_eventsourcing", "full rebuild >= 3.5x the eventsourcing aggregate reconstruction",
     "ratio_rebuild_vs_eventsourcing", ">=", 3.5, "x"),
    ("state_one_party_p50", "state --as-of, one party: p50 < 10 ms",
     "query_one_party_p50_ms", "<", 10, "ms"),
    ("state_peak_rss", "state --as-of (one party) process peak RSS < 400 MB",
     "query_one_party_peak_rss_mb", "<", 400, "MB"),
    ("pg_one_party_p50", "PostgreSQL at 10,000,000 events: one-party p50 < 50 ms",
     "pg_query_one_party_p50_ms", "<", 50, "ms"),
    ("verify_rate", "verify >= 100,000 events/s", "verify_events_per_s", ">=", 100_000, "events/s"),
    ("cli_append_100k_rss", "CLI append of a 100,000-line JSONL: peak RSS < 250 MB",
     "cli_append_peak_rss_mb", "<", 250, "MB"),
    ("cli_append_file_rss", "CLI append of the whole file (1,000,000 events): peak RSS < 400 MB",
     "mem_append_peak_rss_mb", "<", 400, "MB"),
    ("cli_import_file_rss", "CLI import of its export (1,000,000 events): peak RSS < 400 MB",
     "mem_import_peak_rss_mb", "<", 400, "MB"),
    ("whole_state_rss", "CLI whole state (--format json) of the ledger: peak RSS < 400 MB",
     "mem_whole_state_peak_rss_mb", "<", 400, "MB"),
    ("whole_state_tail_rss", "CLI whole state with events dated after the latest checkpoint: peak RSS < 400 MB",
     "mem_whole_state_tail_peak_rss_mb", "<", 400, "MB"),
    ("whole_state_first_byte", "whole state streamed (Ledger.stream_state, with checkpoints): first byte < 100 ms",
     "stream_first_write_ms", "<", 100, "ms"),
    ("whole_state_write_vs_orjson", "whole state streamed: total time (read and write) within 1.5x of orjson.dumps "
     "writing the same document (our time / orjson's)", "stream_vs_orjson", "<=", 1.5, "x"),
    ("pg_append_rate", "PostgreSQL bulk append >= 50,000 events/s", "pg_append_events_per_s", ">=", 50_000,
     "events/s"),
    ("pg_hot_party_p50", "PostgreSQL at 10,000,000 events: one of the 3 busiest parties p50 <= 200 ms",
     "pg_query_hot_party_p50_ms", "<=", 200, "ms"),
]


def _get(d: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def _ratio(a: float | None, b: float | None, digits: int = 2) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return round(a / b, digits)


def compute(results: dict[str, Any]) -> None:
    """Fill ``figures``, ``ratios`` and ``targets`` of a results document from its ``runs``."""
    runs = results.get("runs", {})
    notes = results.setdefault("not_measured", [])
    if "pg_append" in runs or results.get("pg_10m"):  # measured here, or in the 10M run by hand
        notes[:] = [n for n in notes if not n.startswith("PostgreSQL (SPEC")]
    for key, run in runs.items():
        if isinstance(run, dict) and run.get("failed") and not any(n.startswith(f"{key}:") for n in notes):
            notes.append(f"{key}: failed (exit {run.get('exit')})")
    f: dict[str, Any] = {}
    f["append_events_per_s"] = _get(runs, "ours_append", "events_per_s")
    f["append_last_10pct_events_per_s"] = _get(runs, "ours_append", "last_10pct_events_per_s")
    f["append_peak_rss_mb"] = _get(runs, "ours_append", "peak_rss_mb")
    f["raw_sqlite_events_per_s"] = _get(runs, "raw_sqlite", "events_per_s")
    f["raw_sqlite_last_10pct_events_per_s"] = _get(runs, "raw_sqlite", "last_10pct_events_per_s")
    f["raw_sqlite_first_100k_s"] = _get(runs, "raw_sqlite", "first_100k_s")
    f["sa_core_events_per_s"] = _get(runs, "sa_core", "events_per_s")
    f["eventsourcing_append_events_per_s"] = _get(runs, "es_append", "events_per_s")
    f["eventsourcing_reconstruct_events_per_s"] = _get(runs, "es_reconstruct", "events_per_s")
    f["rebuild_events_per_s"] = _get(runs, "ours_rebuild", "events_per_s")
    f["rebuild_peak_rss_mb"] = _get(runs, "ours_rebuild", "peak_rss_mb")
    f["fold_events_per_s"] = _get(runs, "ours_fold", "fold_events_per_s")
    f["library_read_events_per_s"] = _get(runs, "ours_fold", "read_events_per_s")
    f["raw_scan_rows_per_s"] = _get(runs, "raw_read", "scan_rows_per_s")
    f["raw_scan_loads_rows_per_s"] = _get(runs, "raw_read", "scan_loads_rows_per_s")
    for series in ("one_party", "whole", "hot_party", "latest_one_party"):
        # the whole-state series runs in a process of its own (ours_queries_whole) since checkpoints came in
        run = "ours_queries_whole" if series == "whole" and "ours_queries_whole" in runs else "ours_queries"
        f[f"query_{series}_p50_ms"] = _get(runs, run, series, "p50_ms")
        f[f"query_{series}_p95_ms"] = _get(runs, run, series, "p95_ms")
        f[f"query_{series}_samples"] = _get(runs, run, series, "n")
        f[f"query_{series}_mean_items"] = _get(runs, run, series, "mean_items")
    f["query_one_party_peak_rss_mb"] = _get(runs, "ours_queries", "peak_rss_mb")
    f["query_whole_peak_rss_mb"] = _get(runs, "ours_queries_whole", "peak_rss_mb")
    rss = [v for v in (f["query_one_party_peak_rss_mb"], f["query_whole_peak_rss_mb"]) if v is not None]
    f["query_peak_rss_mb"] = max(rss) if rss else None
    f["checkpoints_rebuild_s"] = _get(runs, "ours_checkpoints", "wall_s")
    f["checkpoints_stored_mb"] = _get(runs, "ours_checkpoints", "stored_mb")
    f["party_checkpoints"] = _get(runs, "ours_checkpoints", "party_checkpoints")
    f["party_checkpoint_parties"] = _get(runs, "ours_checkpoints", "busy_parties")
    f["party_checkpoints_stored_mb"] = _get(runs, "ours_checkpoints", "party_stored_mb")
    f["pg_party_checkpoints_s"] = _get(runs, "pg_party_checkpoints", "wall_s")
    f["diff_p50_ms"] = _get(runs, "ours_diff", "p50_ms")
    f["verify_events_per_s"] = _get(runs, "ours_verify", "events_per_s")
    f["verify_s"] = _get(runs, "ours_verify", "verify_s")
    f["cli_append_100k_wall_s"] = _get(runs, "cli_append", "wall_s")
    f["cli_append_events"] = _get(runs, "cli_append", "events")
    f["cli_append_peak_rss_mb"] = _get(runs, "cli_append", "peak_rss_mb")
    f["cli_init_wall_s"] = _get(runs, "cli_append", "init_wall_s")
    f["cli_state_one_party_wall_p50_s"] = _get(runs, "cli_state", "p50_s")
    f["mem_append_peak_rss_mb"] = _get(runs, "cli_memory", "append", "peak_rss_mb")
    f["mem_append_wall_s"] = _get(runs, "cli_memory", "append", "wall_s")
    f["mem_import_peak_rss_mb"] = _get(runs, "cli_memory", "import", "peak_rss_mb")
    f["mem_import_wall_s"] = _get(runs, "cli_memory", "import", "wall_s")
    f["mem_whole_state_peak_rss_mb"] = _get(runs, "cli_memory", "whole_state", "peak_rss_mb")
    f["mem_whole_state_wall_s"] = _get(runs, "cli_memory", "whole_state", "wall_s")
    first = _get(runs, "cli_memory", "whole_state", "first_byte_s")
    f["mem_whole_state_first_byte_ms"] = round(first * 1000, 1) if first is not None else None
    f["mem_whole_state_output_mb"] = _get(runs, "cli_memory", "whole_state", "output_mb")
    f["mem_whole_state_tail_peak_rss_mb"] = _get(runs, "cli_memory", "whole_state_tail", "peak_rss_mb")
    f["mem_whole_state_tail_wall_s"] = _get(runs, "cli_memory", "whole_state_tail", "wall_s")
    f["write_json_vs_orjson"] = _get(runs, "ours_write_json", "ratio")
    f["write_json_s"] = _get(runs, "ours_write_json", "write_json_s")
    f["write_json_state_s"] = _get(runs, "ours_write_json", "state_s")
    f["stream_first_write_ms"] = _get(runs, "ours_write_json", "stream", "first_write_ms")
    f["stream_total_s"] = _get(runs, "ours_write_json", "stream", "total_s")
    f["stream_from_checkpoint"] = _get(runs, "ours_write_json", "stream", "streamed")
    f["stream_vs_orjson"] = _get(runs, "ours_write_json", "stream_vs_orjson")
    f["orjson_write_s"] = _get(runs, "ours_write_json", "orjson_s")
    f["append_events_per_cpu_s"] = _get(runs, "ours_append", "events_per_cpu_s")
    f["raw_sqlite_events_per_cpu_s"] = _get(runs, "raw_sqlite", "events_per_cpu_s")
    f["sa_core_events_per_cpu_s"] = _get(runs, "sa_core", "events_per_cpu_s")
    f["eventsourcing_append_events_per_cpu_s"] = _get(runs, "es_append", "events_per_cpu_s")
    f["rebuild_events_per_cpu_s"] = _get(runs, "ours_rebuild", "events_per_cpu_s")
    f["eventsourcing_reconstruct_events_per_cpu_s"] = _get(runs, "es_reconstruct", "events_per_cpu_s")
    f["pg_append_events_per_s"] = _get(runs, "pg_append", "events_per_s")
    f["pg_rebuild_events_per_s"] = _get(runs, "pg_rebuild", "events_per_s")
    f["pg_append_last_10pct_events_per_s"] = _get(runs, "pg_append", "last_10pct_events_per_s")
    f["pg_query_at_n_one_party_p50_ms"] = _get(runs, "pg_queries", "one_party", "p50_ms")
    f["pg_query_at_n_one_party_p95_ms"] = _get(runs, "pg_queries", "one_party", "p95_ms")
    f["pg_query_at_n_hot_party_p50_ms"] = _get(runs, "pg_queries", "hot_party", "p50_ms")
    f["pg_query_at_n_latest_one_party_p50_ms"] = _get(runs, "pg_queries", "latest_one_party", "p50_ms")
    f["pg_query_at_n_whole_p50_ms"] = _get(runs, "pg_queries", "whole", "p50_ms")
    f["pg_query_peak_rss_mb"] = _get(runs, "pg_queries", "peak_rss_mb")
    # The SPEC target is for 10,000,000 events on PostgreSQL: only a run of that size measures it.
    n = _get(results, "params", "events")
    f["pg_query_one_party_p50_ms"] = f["pg_query_at_n_one_party_p50_ms"] if (n or 0) >= 10_000_000 else None
    f["pg_query_hot_party_p50_ms"] = f["pg_query_at_n_hot_party_p50_ms"] if (n or 0) >= 10_000_000 else None
    pg_10m = results.get("pg_10m") if (n or 0) < 10_000_000 else None  # the run by hand, see attach_pg_10m
    if pg_10m:
        f["pg_query_one_party_p50_ms"] = pg_10m["one_party_p50_ms"]
        f["pg_query_hot_party_p50_ms"] = pg_10m.get("hot_party_p50_ms")
    cli_raw = f["raw_sqlite_first_100k_s"]
    cli_events = f["cli_append_events"] or 0
    raw_n = _get(runs, "raw_sqlite", "first_100k_events")
    if cli_raw and raw_n and cli_events and raw_n != cli_events:
        cli_raw = cli_raw * cli_events / raw_n  # same number of rows on both sides
    f["raw_sqlite_cli_rows_s"] = round(cli_raw, 3) if cli_raw else None
    results["figures"] = f

    r: dict[str, Any] = {}
    ours = f["append_events_per_s"]
    r["append_vs_raw_sqlite"] = _ratio(ours, f["raw_sqlite_events_per_s"])
    r["append_vs_sa_core"] = _ratio(ours, f["sa_core_events_per_s"])
    r["append_vs_eventsourcing"] = _ratio(ours, f["eventsourcing_append_events_per_s"])
    r["append_last_10pct_vs_raw_last_10pct"] = _ratio(f["append_last_10pct_events_per_s"],
                                                       f["raw_sqlite_last_10pct_events_per_s"])
    r["rebuild_vs_eventsourcing_reconstruct"] = _ratio(f["rebuild_events_per_s"],
                                                        f["eventsourcing_reconstruct_events_per_s"])
    r["fold_only_vs_eventsourcing_reconstruct"] = _ratio(f["fold_events_per_s"],
                                                          f["eventsourcing_reconstruct_events_per_s"])
    r["rebuild_vs_raw_scan_loads"] = _ratio(f["rebuild_events_per_s"], f["raw_scan_loads_rows_per_s"])
    r["rebuild_vs_raw_scan"] = _ratio(f["rebuild_events_per_s"], f["raw_scan_rows_per_s"])
    r["library_read_vs_raw_scan_loads"] = _ratio(f["library_read_events_per_s"], f["raw_scan_loads_rows_per_s"])
    r["raw_sqlite_vs_sa_core"] = _ratio(f["raw_sqlite_events_per_s"], f["sa_core_events_per_s"])
    r["raw_sqlite_vs_eventsourcing"] = _ratio(f["raw_sqlite_events_per_s"], f["eventsourcing_append_events_per_s"])
    r["cli_append_100k_vs_raw_same_rows"] = _ratio(f["cli_append_100k_wall_s"], f["raw_sqlite_cli_rows_s"])
    r["cpu_append_vs_raw_sqlite"] = _ratio(f["append_events_per_cpu_s"], f["raw_sqlite_events_per_cpu_s"])
    r["cpu_append_vs_sa_core"] = _ratio(f["append_events_per_cpu_s"], f["sa_core_events_per_cpu_s"])
    r["cpu_append_vs_eventsourcing"] = _ratio(f["append_events_per_cpu_s"], f["eventsourcing_append_events_per_cpu_s"])
    r["cpu_rebuild_vs_eventsourcing_reconstruct"] = _ratio(f["rebuild_events_per_cpu_s"],
                                                            f["eventsourcing_reconstruct_events_per_cpu_s"])
    results["ratios"] = r

    f["ratio_append_vs_eventsourcing"] = r["append_vs_eventsourcing"]
    f["slowdown_append_vs_raw"] = _ratio(f["raw_sqlite_events_per_s"], ours)
    f["slowdown_cli_append_vs_raw"] = r["cli_append_100k_vs_raw_same_rows"]
    f["ratio_rebuild_vs_eventsourcing"] = r["rebuild_vs_eventsourcing_reconstruct"]

    targets = []
    for key, text, fig, op, threshold, unit in TARGETS:
        value = f.get(fig)
        if value is None:
            status = "not measured"
        else:
            ok = {">=": value >= threshold, "<=": value <= threshold, "<": value < threshold}[op]
            status = "met" if ok else "gap"
        note = None
        if key in ("append_rate", "rebuild_rate", "state_one_party_p50", "state_peak_rss",
                   "verify_rate", "cli_append_file_rss", "cli_import_file_rss", "whole_state_rss", "whole_state_tail_rss",
                   "pg_append_rate") \
                and n is not None and n < 1_000_000 and value is not None:
            note = f"measured at {n:,} events; the target is for 1,000,000"
        if key in ("pg_one_party_p50", "pg_hot_party_p50") and pg_10m:
            note = (f"from the separate run by hand at 10,000,000 events: {pg_10m['file']} "
                    f"({pg_10m['date']}, commit {pg_10m['commit']})")
        elif key == "pg_one_party_p50" and value is None:
            pg = f.get("pg_query_at_n_one_party_p50_ms")
            note = ("10,000,000 events on PostgreSQL not run" +
                    (f"; at {n:,} events on PostgreSQL one-party p50 = {pg} ms" if pg is not None else ""))
        gap = None
        if status == "gap" and value:
            gap = round(value / threshold, 2) if op == ">=" else round(value / threshold, 2)
        targets.append({"target": key, "text": text, "figure": fig, "measured": value, "op": op,
                        "threshold": threshold, "unit": unit, "status": status,
                        "measured_over_target": gap, "note": note})
    results["targets"] = targets


def attach_pg_10m(results: dict[str, Any], path: Path) -> None:
    """Record the PostgreSQL 10,000,000-event run (made by hand, in its own file) in a smaller
    run's results, so its target shows measured; the note names that file, date and commit."""
    if not path.exists() or (_get(results, "params", "events") or 0) >= 10_000_000:
        return
    pg = json.loads(path.read_text())
    p50 = _get(pg, "runs", "pg_queries", "one_party", "p50_ms")
    if _get(pg, "params", "events") != 10_000_000 or p50 is None:
        return
    results["pg_10m"] = {"file": f"benchmarks/{path.name}", "date": _get(pg, "meta", "date"),
                         "commit": _get(pg, "meta", "commit"), "one_party_p50_ms": p50,
                         "hot_party_p50_ms": _get(pg, "runs", "pg_queries", "hot_party", "p50_ms")}


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        if abs(v) >= 10:
            return f"{v:,.1f}"
        return f"{v:.3g}" if v != int(v) else f"{v:.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


FIGURE_ROWS: list[tuple[str, str, str]] = [
    ("append_events_per_s", "append: Ledger.append, batches of 10,000 (all events)", "events/s"),
    ("append_last_10pct_events_per_s", "append: last 10% of events (ledger near full size)", "events/s"),
    ("raw_sqlite_events_per_s", "peer: raw sqlite3 executemany (physical floor)", "rows/s"),
    ("raw_sqlite_last_10pct_events_per_s", "peer: raw sqlite3, last 10%", "rows/s"),
    ("sa_core_events_per_s", "peer: SQLAlchemy Core insert() executemany", "rows/s"),
    ("eventsourcing_append_events_per_s", "peer: eventsourcing Application.save (100 aggregates)", "events/s"),
    ("rebuild_events_per_s", "rebuild: Ledger.state over the whole ledger (read + fold)", "events/s"),
    ("fold_events_per_s", "rebuild: projections.fold alone over pre-loaded dicts", "events/s"),
    ("library_read_events_per_s", "rebuild: library read of all stored envelopes", "events/s"),
    ("raw_scan_rows_per_s", "floor: raw sqlite3 scan of all rows", "rows/s"),
    ("raw_scan_loads_rows_per_s", "floor: raw scan + orjson.loads of JSON columns", "rows/s"),
    ("eventsourcing_reconstruct_events_per_s", "peer: eventsourcing repository.get of all aggregates", "events/s"),
    ("query_one_party_p50_ms", "state --as-of, one random party: p50", "ms"),
    ("query_one_party_p95_ms", "state --as-of, one random party: p95", "ms"),
    ("query_hot_party_p50_ms", "state --as-of, one of the 3 busiest parties: p50", "ms"),
    ("query_whole_p50_ms", "state --as-of, whole state: p50", "ms"),
    ("query_whole_p95_ms", "state --as-of, whole state: p95", "ms"),
    ("query_latest_one_party_p50_ms", "state at the latest date, one party: p50", "ms"),
    ("query_whole_mean_items", "whole state: mean items in the answer", "items"),
    ("query_one_party_peak_rss_mb", "peak RSS of the one-party query process", "MB"),
    ("query_whole_peak_rss_mb", "peak RSS of the whole-state query process", "MB"),
    ("checkpoints_rebuild_s", "Ledger.rebuild (8 checkpoints), before the queries", "s"),
    ("checkpoints_stored_mb", "checkpoints stored (compressed)", "MB"),
    ("party_checkpoints", "of which the busiest parties' checkpoints (in the rebuild's time)", "checkpoints"),
    ("party_checkpoint_parties", "parties with checkpoints (5,000 indexed events or more)", "parties"),
    ("party_checkpoints_stored_mb", "parties' checkpoints stored (compressed)", "MB"),
    ("diff_p50_ms", "diff between two dates: p50", "ms"),
    ("verify_events_per_s", "verify (hash chain, positions, versions)", "events/s"),
    ("cli_append_100k_wall_s", "CLI: alliance-ledger append 100,000-line JSONL, wall", "s"),
    ("raw_sqlite_cli_rows_s", "peer: raw sqlite3 time for the same rows", "s"),
    ("cli_init_wall_s", "CLI: alliance-ledger init (fresh db), wall", "s"),
    ("cli_state_one_party_wall_p50_s", "CLI: state --as-of D --party X --format json, wall p50", "s"),
    ("cli_append_peak_rss_mb", "CLI: peak RSS of the 100,000-line append", "MB"),
    ("mem_append_peak_rss_mb", "CLI: append of the whole file, peak RSS", "MB"),
    ("mem_append_wall_s", "CLI: append of the whole file, wall", "s"),
    ("mem_import_peak_rss_mb", "CLI: import of its export, peak RSS", "MB"),
    ("mem_import_wall_s", "CLI: import of its export, wall", "s"),
    ("mem_whole_state_peak_rss_mb", "CLI: whole state --format json at the last date, peak RSS", "MB"),
    ("mem_whole_state_first_byte_ms", "CLI: whole state, time to the first byte (process start included)", "ms"),
    ("mem_whole_state_wall_s", "CLI: whole state, wall", "s"),
    ("mem_whole_state_output_mb", "CLI: whole state, bytes written", "MB"),
    ("mem_whole_state_tail_peak_rss_mb", "CLI: whole state with 200 events after the latest checkpoint, peak RSS", "MB"),
    ("mem_whole_state_tail_wall_s", "CLI: whole state with 200 events after the latest checkpoint, wall", "s"),
    ("write_json_state_s", "whole state at the last date: Ledger.state, in one process", "s"),
    ("write_json_s", "whole state: State.write_json to /dev/null (best of 3)", "s"),
    ("write_json_vs_orjson", "whole state in memory: State.write_json time / orjson.dumps time", "x"),
    ("orjson_write_s", "peer: orjson.dumps of the same document, written to /dev/null (best of 3)", "s"),
    ("stream_first_write_ms", "whole state streamed: Ledger.stream_state(...).write_json, call to first write", "ms"),
    ("stream_total_s", "whole state streamed: call to last write (best of 3)", "s"),
    ("stream_from_checkpoint", "whole state streamed: read straight from a checkpoint", ""),
    ("append_events_per_cpu_s", "per CPU-second: Ledger.append", "events/cpu-s"),
    ("raw_sqlite_events_per_cpu_s", "per CPU-second: raw sqlite3", "rows/cpu-s"),
    ("sa_core_events_per_cpu_s", "per CPU-second: SQLAlchemy Core", "rows/cpu-s"),
    ("eventsourcing_append_events_per_cpu_s", "per CPU-second: eventsourcing append", "events/cpu-s"),
    ("rebuild_events_per_cpu_s", "per CPU-second: Ledger.state rebuild", "events/cpu-s"),
    ("eventsourcing_reconstruct_events_per_cpu_s", "per CPU-second: eventsourcing reconstruct", "events/cpu-s"),
    ("pg_append_events_per_s", "PostgreSQL: Ledger.append (same data)", "events/s"),
    ("pg_rebuild_events_per_s", "PostgreSQL: Ledger.state rebuild", "events/s"),
    ("pg_append_last_10pct_events_per_s", "PostgreSQL: Ledger.append, last 10% of events", "events/s"),
    ("pg_query_at_n_one_party_p50_ms", "PostgreSQL: state one party p50", "ms"),
    ("pg_query_at_n_one_party_p95_ms", "PostgreSQL: state one party p95", "ms"),
    ("pg_party_checkpoints_s", "PostgreSQL: Ledger.rebuild(parties=True) before the queries", "s"),
    ("pg_query_at_n_hot_party_p50_ms", "PostgreSQL: state one of the 3 busiest parties p50", "ms"),
    ("pg_query_at_n_latest_one_party_p50_ms", "PostgreSQL: state at the latest date, one party p50", "ms"),
    ("pg_query_at_n_whole_p50_ms", "PostgreSQL: whole state p50", "ms"),
    ("pg_query_peak_rss_mb", "PostgreSQL: peak RSS of the query process", "MB"),
]


def table(results: dict[str, Any]) -> str:
    """A plain-text report: figures, ratios, targets."""
    f = results.get("figures", {})
    lines = []
    n = _get(results, "params", "events")
    meta = results.get("meta", {})
    lines.append(f"alliance-ledger benchmarks — {n:,} events, {meta.get('nproc')} cores, Python {meta.get('python')}, "
                 f"SQLite {meta.get('sqlite')}, {meta.get('date')}")
    lines.append("")
    w = max(len(label) for _, label, _ in FIGURE_ROWS)
    lines.append(f"{'figure'.ljust(w)}  {'value':>12}  unit")
    lines.append("-" * (w + 24))
    for key, label, unit in FIGURE_ROWS:
        if f.get(key) is None and key.startswith("pg_"):
            continue
        lines.append(f"{label.ljust(w)}  {_fmt(f.get(key)):>12}  {unit}")
    lines.append("")
    lines.append("ratios (ours / peer; >1 = ours faster, except the CLI slowdown; cpu_ = per CPU-second)")
    for key, value in results.get("ratios", {}).items():
        lines.append(f"  {key.ljust(44)} {_fmt(value):>8}")
    lines.append("")
    lines.append("SPEC §9 targets")
    for t in results.get("targets", []):
        measured = _fmt(t["measured"])
        lines.append(f"  [{t['status']:^12}] {t['text']}: measured {measured} {t['unit']} "
                     f"(target {t['op']} {_fmt(float(t['threshold']))})" + (f" — {t['note']}" if t.get("note") else ""))
    nm = results.get("not_measured") or []
    if nm:
        lines.append("")
        lines.append("not measured: " + "; ".join(nm))
    return "\n".join(lines)


def markdown(results: dict[str, Any]) -> str:
    """The README section of the latest run."""
    f = results.get("figures", {})
    meta = results.get("meta", {})
    ds = results.get("dataset", {})
    n = _get(results, "params", "events")
    out = []
    out.append(f"Latest run: `{results.get('command')}` — {meta.get('date')}, `nproc` = {meta.get('nproc')} "
               f"({meta.get('cpu')}), Python {meta.get('python')}, SQLite {meta.get('sqlite')}, "
               f"commit {meta.get('commit')}, total {results.get('total_wall_s')} s.")
    if results.get("code_changed_during_run"):
        out.append("")
        out.append(f"**Note:** the measured code changed during this run (others were editing it): fingerprint "
                   f"{meta.get('code_fingerprint_start')} at the start, {meta.get('code_fingerprint_end')} at the end.")
    busy = [f"{k} ({v.get('busy_cores_before')} cores)" for k, v in results.get("runs", {}).items()
            if isinstance(v, dict) and (v.get("busy_cores_before") or 0) >= 0.3]
    if busy:
        out.append("")
        out.append("Other processes were still busy when these measurements started (after waiting "
                   f"{_get(results, 'params', 'wait_idle') or 30} s), so their figures may be understated: "
                   + ", ".join(busy) + ".")
    out.append("")
    out.append(f"Data set: {n:,} events, {ds.get('parties', 0):,} parties, {ds.get('streams', 0):,} streams, "
               f"{ds.get('event_types_present')} event types, {ds.get('corrections', 0):,} corrections, "
               f"{ds.get('retractions', 0):,} retractions, {ds.get('backdated_over_30_days', 0):,} backdated > 30 days; "
               f"mean data payload {ds.get('mean_data_bytes')} B, mean JSONL line {ds.get('mean_line_bytes')} B.")
    out.append("")
    out.append("| figure | value | unit | peak RSS of its process |")
    out.append("|---|---:|---|---:|")
    rss_of = {
        "append_events_per_s": ("ours_append",), "raw_sqlite_events_per_s": ("raw_sqlite",),
        "sa_core_events_per_s": ("sa_core",), "eventsourcing_append_events_per_s": ("es_append",),
        "rebuild_events_per_s": ("ours_rebuild",), "fold_events_per_s": ("ours_fold",),
        "raw_scan_rows_per_s": ("raw_read",), "eventsourcing_reconstruct_events_per_s": ("es_reconstruct",),
        "query_one_party_p50_ms": ("ours_queries",), "query_whole_p50_ms": ("ours_queries_whole",),
        "diff_p50_ms": ("ours_diff",),
        "verify_events_per_s": ("ours_verify",), "cli_append_100k_wall_s": ("cli_append",),
        "cli_state_one_party_wall_p50_s": ("cli_state",), "pg_append_events_per_s": ("pg_append",),
        "pg_rebuild_events_per_s": ("pg_rebuild",), "pg_query_at_n_one_party_p50_ms": ("pg_queries",),
    }
    runs = results.get("runs", {})
    for key, label, unit in FIGURE_ROWS:
        if f.get(key) is None and key.startswith("pg_"):
            continue
        rss = _get(runs, rss_of[key][0], "peak_rss_mb") if key in rss_of else None
        out.append(f"| {label} | {_fmt(f.get(key))} | {unit} | {_fmt(rss) + ' MB' if rss is not None else ''} |")
    out.append("")
    out.append("| ratio | value |")
    out.append("|---|---:|")
    for key, value in results.get("ratios", {}).items():
        out.append(f"| {key} | {_fmt(value)} |")
    out.append("")
    out.append("| SPEC §9 target | measured | status |")
    out.append("|---|---:|---|")
    for t in results.get("targets", []):
        note = f" ({t['note']})" if t.get("note") else ""
        out.append(f"| {t['text']} | {_fmt(t['measured'])} {t['unit'] if t['measured'] is not None else ''} | "
                   f"**{t['status']}**{note} |")
    nm = results.get("not_measured") or []
    if nm:
        out.append("")
        out.append("Not measured in this run: " + "; ".join(nm) + ".")
    return "\n".join(out)
