"""One measurement, run in a fresh process: ``python -m benchmarks.worker TASK PARAMS_JSON RESULT_FILE``.

The orchestrator (``python -m benchmarks``) starts each task in its own interpreter and reads its
wall time and peak RSS from ``os.wait4``; the task itself times only the section it measures
(input parsing, imports and setup are outside the timed section) and writes a JSON result.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from benchmarks.gen import hash_slug, read_batches, write_jsonl
from benchmarks.util import cpu, now, proc_status, rate, remove_sqlite, summary_ms

TASKS: dict[str, Any] = {}


def task(fn: Any) -> Any:
    TASKS[fn.__name__] = fn
    return fn


def _batch_rates(times: list[float], sizes: list[int], cpu: float | None = None) -> dict[str, Any]:
    """Overall events/s, the last 10% of events, the first 100,000 events, and per-decile rates.

    ``cpu`` is the process CPU time of the timed sections: events per CPU-second is less sensitive
    to other load on a shared machine and to I/O stalls than events per wall-second.
    """
    total = sum(sizes)
    out: dict[str, Any] = {"events": total, "batches": len(sizes), "timed_s": round(sum(times), 3),
                           "events_per_s": rate(total, sum(times))}
    if cpu is not None:
        out["timed_cpu_s"] = round(cpu, 3)
        out["events_per_cpu_s"] = rate(total, cpu)
    tail_events = tail_time = 0.0
    for t, n in zip(reversed(times), reversed(sizes), strict=True):
        if tail_events >= total * 0.1:
            break
        tail_events += n
        tail_time += t
    out["last_10pct_events_per_s"] = rate(int(tail_events), tail_time)
    head_events = head_time = 0.0
    for t, n in zip(times, sizes, strict=True):
        if head_events >= 100_000:
            break
        head_events += n
        head_time += t
    out["first_100k_s"] = round(head_time, 3)
    out["first_100k_events"] = int(head_events)
    deciles = []
    step = max(1, len(sizes) // 10)
    for start in range(0, len(sizes), step):
        deciles.append(rate(sum(sizes[start:start + step]), sum(times[start:start + step])))
    out["rate_by_decile"] = deciles
    return out


# -- data -----------------------------------------------------------------------------------------
@task
def generate(p: dict[str, Any]) -> dict[str, Any]:
    t = now()
    stats = write_jsonl(p["path"], p["events"], p["seed"], prefix=(p["prefix_path"], p["prefix_events"]))
    stats["generate_s"] = round(now() - t, 3)
    # Sidecar: the parties (for one-party queries) and the date range, read by later tasks.
    parties: dict[str, int] = {}
    first = last = None
    for batch in read_batches(p["path"], 50_000):
        for e in batch:
            d = e["data"]
            for key in ("party", "investor", "investee", "holder", "issuer", "person", "organization"):
                v = d.get(key)
                if v is not None:
                    parties[v] = parties.get(v, 0) + 1
            eff = e["effective_date"]
            if len(eff) == 10:
                first = eff if first is None or eff < first else first
                last = eff if last is None or eff > last else last
    hot = sorted(parties, key=lambda k: -parties[k])
    Path(p["sidecar"]).write_text(json.dumps({"parties": sorted(parties), "hot": hot[:20],
                                              "first_date": first, "last_date": last}))
    stats["hottest_party_mentions"] = parties[hot[0]] if hot else 0
    return stats


# -- our library ----------------------------------------------------------------------------------
@task
def ours_append(p: dict[str, Any]) -> dict[str, Any]:
    """Ledger.append in batches into a fresh database; parsing the JSONL batch is not timed."""
    from ledger import Ledger

    if p["url"].startswith("sqlite:///"):
        remove_sqlite(p["url"].removeprefix("sqlite:///"))
    t = now()
    lg = Ledger.open(p["url"], init=True)
    init_s = now() - t
    times: list[float] = []
    sizes: list[int] = []
    preload = p.get("preload", False)
    batches = list(read_batches(p["path"], p["batch"])) if preload else read_batches(p["path"], p["batch"])
    rss_before = proc_status("VmRSS")
    profiler = _profiler(p)
    cpu_s = 0.0
    for batch in batches:
        if profiler is not None:
            profiler.enable()
        c = cpu()
        t = now()
        result = lg.append(batch)
        times.append(now() - t)
        cpu_s += cpu() - c
        if profiler is not None:
            profiler.disable()
        if result.appended != len(batch):
            raise SystemExit(f"appended {result.appended} of {len(batch)}")
        sizes.append(len(batch))
        if p.get("limit") and sum(sizes) >= p["limit"]:
            break
    _dump_profile(profiler, p)
    head = lg.count()
    lg.close()
    out = _batch_rates(times, sizes, cpu_s)
    out.update(init_s=round(init_s, 3), stored_events=head, rss_before_mb=rss_before)
    return out


@task
def ours_rebuild(p: dict[str, Any]) -> dict[str, Any]:
    """A full rebuild: Ledger.state over the whole ledger (read + fold), cold in this process."""

    lg, _ = _open(p["url"])
    count = lg.count()
    runs: list[float] = []
    cpus: list[float] = []
    profiler = _profiler(p)
    for _ in range(p.get("repeat", 1)):
        if profiler is not None:
            profiler.enable()
        c = cpu()
        t = now()
        state = lg.state(as_of=p["as_of"])
        runs.append(now() - t)
        cpus.append(cpu() - c)
        if profiler is not None:
            profiler.disable()
    _dump_profile(profiler, p)
    t = now()
    text = state.to_json()
    to_json_s = now() - t
    items = sum(len(state.doc[k]) for k in state.doc if isinstance(state.doc[k], list))
    lg.close()
    best = min(runs)
    return {"events": count, "runs_s": [round(r, 3) for r in runs], "events_per_s": rate(count, runs[0]),
            "best_events_per_s": rate(count, best), "events_per_cpu_s": rate(count, cpus[0]), "items": items, "to_json_s": round(to_json_s, 3),
            "json_mb": round(len(text) / 1e6, 1)}


@task
def ours_fold(p: dict[str, Any]) -> dict[str, Any]:
    """The library read of all stored envelopes (Ledger.events), then projections.fold alone over them."""
    from projections import fold

    lg, _ = _open(p["url"])
    t = now()
    events = list(lg.events())
    read_s = now() - t
    lg.close()
    rss_loaded = proc_status("VmRSS")
    profiler = _profiler(p)
    runs: list[float] = []
    cpus: list[float] = []
    for _ in range(p.get("repeat", 1)):
        if profiler is not None:
            profiler.enable()
        c = cpu()
        t = now()
        sections = fold(events, as_of=p["as_of"])
        runs.append(now() - t)
        cpus.append(cpu() - c)
        if profiler is not None:
            profiler.disable()
        del sections
    _dump_profile(profiler, p)
    n = len(events)
    return {"events": n, "read_s": round(read_s, 3), "read_events_per_s": rate(n, read_s),
            "fold_runs_s": [round(r, 3) for r in runs], "fold_events_per_s": rate(n, runs[0]),
            "fold_best_events_per_s": rate(n, min(runs)),
            "fold_events_per_cpu_s": rate(n, min(cpus)), "rss_after_read_mb": rss_loaded}


@task
def raw_read(p: dict[str, Any]) -> dict[str, Any]:
    """The physical floor of a rebuild: scan all rows with sqlite3; then scan + orjson.loads of the JSON columns."""
    import sqlite3

    con = sqlite3.connect(p["path"])
    cols = [r[1] for r in con.execute("PRAGMA table_info(events)")]
    json_cols = [i for i, c in enumerate(cols) if c in ("payload", "source", "data")]
    t = now()
    n = 0
    for _row in con.execute("SELECT * FROM events ORDER BY position"):
        n += 1
    scan_s = now() - t
    loads = orjson.loads
    t = now()
    m = 0
    for row in con.execute("SELECT * FROM events ORDER BY position"):
        for i in json_cols:
            if row[i] is not None:
                loads(row[i])
        m += 1
    loads_s = now() - t
    con.close()
    return {"events": n, "scan_s": round(scan_s, 3), "scan_rows_per_s": rate(n, scan_s),
            "scan_loads_s": round(loads_s, 3), "scan_loads_rows_per_s": rate(m, loads_s), "json_columns":
            [cols[i] for i in json_cols]}


@task
def ours_queries(p: dict[str, Any]) -> dict[str, Any]:
    """state --as-of latency in-process after a warm-up: one party and the whole state at random dates."""

    rng = random.Random(p["seed"])
    side = json.loads(Path(p["sidecar"]).read_text())
    first = p.get("first_date") or side["first_date"]
    last = side["last_date"]
    from datetime import date

    lo, hi = date.fromisoformat(first).toordinal(), date.fromisoformat(last).toordinal()
    dates = [date.fromordinal(rng.randint(lo, hi)).isoformat() for _ in range(p["samples"])]
    parties = [rng.choice(side["parties"]) for _ in range(p["samples"])]
    lg, _ = _open(p["url"])
    t = now()
    lg.state(as_of=dates[0], party=parties[0])
    warm_party_s = now() - t
    t = now()
    if not p.get("series") or "whole" in p["series"]:
        lg.state(as_of=dates[0])
    warm_whole_s = now() - t
    rss_warm = proc_status("VmRSS")
    out: dict[str, Any] = {"warmup_party_s": round(warm_party_s, 3), "warmup_whole_s": round(warm_whole_s, 3),
                           "rss_after_warmup_mb": rss_warm}

    def series(name: str, calls: list[tuple[str, str | None]], budget: float) -> None:
        times: list[float] = []
        items: list[int] = []
        start = now()
        for as_of, party in calls:
            if len(times) >= p["min_samples"] and now() - start > budget:
                break
            t = now()
            s = lg.state(as_of=as_of, party=party)
            times.append(now() - t)
            items.append(sum(len(v) for v in s.doc.values() if isinstance(v, list)))
        out[name] = {**summary_ms(times), "planned": len(calls), "mean_items": round(sum(items) / len(items), 1)}

    wanted = p.get("series") or ["one_party", "hot_party", "whole", "latest_one_party"]
    if "one_party" in wanted:
        series("one_party", list(zip(dates, parties, strict=True)), p["budget_s"])
    if "hot_party" in wanted:
        series("hot_party", [(d, side["hot"][i % 3]) for i, d in enumerate(dates[:20])], p["budget_s"] / 2)
    if "whole" in wanted:
        series("whole", [(d, None) for d in dates], p["budget_s"])
    if "latest_one_party" in wanted:
        series("latest_one_party", [(last, pt) for pt in parties[:20]], p["budget_s"] / 4)
    lg.close()
    out["dates_range"] = [first, last]
    return out


@task
def ours_checkpoints(p: dict[str, Any]) -> dict[str, Any]:
    """``Ledger.rebuild()`` (what `alliance-ledger rebuild` runs): checkpoints for the as-of queries."""

    lg, _ = _open(p["url"])
    c = cpu()
    t = now()
    made = lg.rebuild()
    wall = now() - t
    cpu_s = cpu() - c
    listed = lg.store.checkpoints()
    stored_bytes = sum(len(lg.store.checkpoint_blob(cid)) for cid, _, _ in listed)
    out = {"checkpoints": len(made), "dates": [d for d, _ in made], "wall_s": round(wall, 3),
           "cpu_s": round(cpu_s, 3), "stored": len(listed), "stored_mb": round(stored_bytes / 1e6, 1),
           **_party_checkpoints(lg)}
    lg.close()
    return out


def _party_checkpoints(lg: Any) -> dict[str, Any]:
    listed = lg.store.party_checkpoints()
    stored = sum(len(blob) + len(text) for text, blob in (lg.store.party_checkpoint_blob(c) for c, *_ in listed))
    return {"party_checkpoints": len(listed), "busy_parties": len({p for _, p, _, _ in listed}),
            "party_stored_mb": round(stored / 1e6, 1)}


@task
def ours_party_checkpoints(p: dict[str, Any]) -> dict[str, Any]:
    """``Ledger.rebuild(parties=True)`` (`alliance-ledger rebuild --parties`): the busiest parties'
    checkpoints only (a ledger too large for the whole-state fold in memory still gets them)."""

    lg, _ = _open(p["url"])
    c = cpu()
    t = now()
    lg.rebuild(parties=True)
    wall = now() - t
    cpu_s = cpu() - c
    out = {"wall_s": round(wall, 3), "cpu_s": round(cpu_s, 3), **_party_checkpoints(lg)}
    lg.close()
    return out


@task
def ours_diff(p: dict[str, Any]) -> dict[str, Any]:

    lg, _ = _open(p["url"])
    times = []
    changes = None
    start = now()
    for _ in range(p.get("repeat", 3)):
        t = now()
        d = lg.diff(p["from"], p["to"])
        times.append(now() - t)
        changes = d.doc["changes"]
        if now() - start > p.get("budget_s", 120):
            break
    counts: dict[str, int] = {}
    if isinstance(changes, dict):
        for section, body in changes.items():
            if isinstance(body, dict):
                counts[section] = sum(len(v) for v in body.values() if isinstance(v, list))
    lg.close()
    return {"from": p["from"], "to": p["to"], **summary_ms(times), "changed_items": sum(counts.values()),
            "changes_by_section": counts}


@task
def ours_write_json(p: dict[str, Any]) -> dict[str, Any]:
    """The whole state at a date, then its JSON written to /dev/null by ``State.write_json`` (the
    CLI's --format json) and by ``orjson.dumps`` of the same document (best of 3 each)."""
    import os

    lg, _ = _open(p["url"])
    t = now()
    state = lg.state(as_of=p["as_of"])
    state_s = now() - t
    ours, peer = [], []
    with open(os.devnull, "wb") as out:
        for _ in range(3):
            t = now()
            state.write_json(out)
            ours.append(now() - t)
            t = now()
            text = orjson.dumps(state.doc, option=orjson.OPT_INDENT_2)
            out.write(text)
            out.write(b"\n")
            peer.append(now() - t)
    lg.close()
    del state, text
    streams = [_streamed_state(p["url"], p["as_of"]) for _ in range(3)]
    best = min(streams, key=lambda run: run["total_s"])
    return {"state_s": round(state_s, 3), "write_json_s": round(min(ours), 3), "orjson_s": round(min(peer), 3),
            "ratio": round(min(ours) / min(peer), 2), "json_mb": round(best["bytes"] / 1e6, 1), "stream": best,
            "stream_vs_orjson": round(best["total_s"] / min(peer), 2)}


def _streamed_state(url: str, as_of: str) -> dict[str, Any]:
    """``Ledger.stream_state(as_of).write_json`` to /dev/null in a Ledger that keeps no decoded
    checkpoint (as the CLI opens it): from the call to the first write, and to the end."""
    import io
    import os

    from ledger import Ledger

    class Timed(io.RawIOBase):
        def __init__(self, out: Any) -> None:
            self.out, self.first, self.bytes = out, None, 0

        def writable(self) -> bool:
            return True

        def write(self, data: Any) -> int:
            if self.first is None:
                self.first = now()
            self.bytes += len(data)
            return self.out.write(data)

    with Ledger.open(url) as lg, open(os.devnull, "wb") as sink:
        lg.checkpoint_cache.size = 0
        out = Timed(sink)
        t = now()
        stream = lg.stream_state(as_of=as_of)
        stream.write_json(out)
        total = now() - t
    return {"streamed": stream.streamed, "first_write_ms": round((out.first - t) * 1000, 1), "total_s": round(total, 3),
            "bytes": out.bytes}


@task
def ours_verify(p: dict[str, Any]) -> dict[str, Any]:

    lg, _ = _open(p["url"])
    t = now()
    report = lg.verify()
    s = now() - t
    lg.close()
    return {"ok": report.ok, "events": report.events, "verify_s": round(s, 3), "events_per_s": rate(report.events, s)}


def _open(url: str) -> tuple[Any, float]:
    """Open the ledger, upgrading its schema if the code moved on since it was written (untimed).

    The code under measurement may gain a migration between the append and the read-side
    measurements of one run (others work on it at the same time); the upgrade path is the product's.
    """
    from ledger import Ledger

    t = now()
    lg = Ledger.open(url, init=True)
    _OPENED.append(round(now() - t, 3))
    return lg, _OPENED[-1]


_OPENED: list[float] = []


# -- peers ----------------------------------------------------------------------------------------
def _peer_rows(batch: list[dict[str, Any]]) -> list[tuple[str, str, str, str, str]]:
    dumps = json.dumps
    return [(e["id"], e["stream"], e["type"], e["effective_date"], dumps(e)) for e in batch]


PEER_DDL = ("CREATE TABLE events (position INTEGER PRIMARY KEY, id TEXT NOT NULL, stream TEXT NOT NULL, "
            "type TEXT NOT NULL, effective_date TEXT NOT NULL, payload TEXT NOT NULL)",
            "CREATE UNIQUE INDEX ux_events_id ON events (id)")


@task
def raw_sqlite(p: dict[str, Any]) -> dict[str, Any]:
    """The physical floor: stdlib sqlite3 executemany, json.dumps per row, 1 unique index, WAL, one commit a batch."""
    import sqlite3

    remove_sqlite(p["db"])
    con = sqlite3.connect(p["db"], isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    for ddl in PEER_DDL:
        con.execute(ddl)
    sql = "INSERT INTO events (id, stream, type, effective_date, payload) VALUES (?, ?, ?, ?, ?)"
    times, sizes = [], []
    cpu_s = 0.0
    for batch in read_batches(p["path"], p["batch"]):
        c = cpu()
        t = now()
        rows = _peer_rows(batch)
        con.execute("BEGIN")
        con.executemany(sql, rows)
        con.execute("COMMIT")
        times.append(now() - t)
        cpu_s += cpu() - c
        sizes.append(len(batch))
    payload_bytes = con.execute("SELECT avg(length(payload)) FROM events").fetchone()[0]
    con.close()
    out = _batch_rates(times, sizes, cpu_s)
    out["mean_row_payload_bytes"] = round(payload_bytes or 0, 1)
    return out


@task
def sa_core(p: dict[str, Any]) -> dict[str, Any]:
    """SQLAlchemy Core insert() executemany of the same rows (same table, WAL, one transaction a batch)."""
    from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine, event, insert

    remove_sqlite(p["db"])
    engine = create_engine(f"sqlite:///{p['db']}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _rec: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    meta = MetaData()
    table = Table("events", meta, Column("position", Integer, primary_key=True), Column("id", Text, nullable=False),
                  Column("stream", Text, nullable=False), Column("type", Text, nullable=False),
                  Column("effective_date", Text, nullable=False), Column("payload", Text, nullable=False))
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE UNIQUE INDEX ux_events_id ON events (id)")
    stmt = insert(table)
    times, sizes = [], []
    dumps = json.dumps
    cpu_s = 0.0
    for batch in read_batches(p["path"], p["batch"]):
        c = cpu()
        t = now()
        rows = [{"id": e["id"], "stream": e["stream"], "type": e["type"], "effective_date": e["effective_date"],
                 "payload": dumps(e)} for e in batch]
        with engine.begin() as conn:
            conn.execute(stmt, rows)
        times.append(now() - t)
        cpu_s += cpu() - c
        sizes.append(len(batch))
    engine.dispose()
    return _batch_rates(times, sizes, cpu_s)


def _es_app(db: str) -> Any:
    from benchmarks.es_peer import Alliance, open_app

    return open_app(db), Alliance


@task
def es_append(p: dict[str, Any]) -> dict[str, Any]:
    """eventsourcing (SQLite): the same events on ~100 aggregates, Application.save of the touched aggregates a batch."""
    remove_sqlite(p["db"])
    app, alliance_cls = _es_app(p["db"])
    n_aggs = p.get("aggregates", 100)
    aggregates = [alliance_cls(name=f"alliance-group-{k:03d}") for k in range(n_aggs)]
    t = now()
    app.save(*aggregates)
    create_s = now() - t
    times, sizes = [], []
    cpu_s = 0.0
    for batch in read_batches(p["path"], p["batch"]):
        c = cpu()
        t = now()
        touched = {}
        for e in batch:
            k = hash_slug(e["stream"]) % n_aggs
            agg = aggregates[k]
            agg.record(event_id=e["id"], kind=e["type"], effective_date=e["effective_date"],
                       certainty=e["certainty"], source=e.get("source"), data=e["data"])
            touched[k] = agg
        app.save(*touched.values())
        times.append(now() - t)
        cpu_s += cpu() - c
        sizes.append(len(batch))
    Path(p["ids_file"]).write_text(json.dumps([str(a.id) for a in aggregates]))
    versions = sum(a.version for a in aggregates)
    app.close()
    out = _batch_rates(times, sizes, cpu_s)
    out.update(aggregates=n_aggs, create_s=round(create_s, 3), stored_aggregate_events=versions)
    return out


@task
def es_reconstruct(p: dict[str, Any]) -> dict[str, Any]:
    """eventsourcing: repository.get of every aggregate (replays all its events), cold in this process."""
    from uuid import UUID

    app, _ = _es_app(p["db"])
    ids = [UUID(x) for x in json.loads(Path(p["ids_file"]).read_text())]
    c = cpu()
    t = now()
    total = 0
    for agg_id in ids:
        agg = app.repository.get(agg_id)
        total += agg.version
    s = now() - t
    c = cpu() - c
    app.close()
    return {"aggregates": len(ids), "events": total, "reconstruct_s": round(s, 3), "events_per_s": rate(total, s),
            "events_per_cpu_s": rate(total, c)}


# -- profiling hooks (cProfile; py-spy is driven from the orchestrator) ---------------------------------
def _profiler(p: dict[str, Any]) -> Any:
    if p.get("cprofile"):
        import cProfile

        return cProfile.Profile()
    return None


def _dump_profile(profiler: Any, p: dict[str, Any]) -> None:
    if profiler is not None:
        profiler.dump_stats(p["cprofile"])


def main(argv: list[str]) -> int:
    name, params, result_file = argv[0], json.loads(argv[1]), argv[2]
    fn = TASKS[name]
    t = time.perf_counter()
    result = fn(params)
    result["task_wall_s"] = round(time.perf_counter() - t, 3)
    if _OPENED:
        result["open_s"] = _OPENED[0]
    result["vmhwm_mb"] = proc_status("VmHWM")
    Path(result_file).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
