"""``python -m benchmarks --chart PNG``: the figures of a results JSON as one PNG (matplotlib)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _bars(ax: Any, rows: list[tuple[str, float | None, str]], title: str, unit: str,
          target: float | None = None, target_label: str = "") -> None:
    rows = [r for r in rows if r[1] is not None]
    if not rows:
        ax.set_title(title + " (not measured)")
        ax.axis("off")
        return
    labels = [r[0] for r in rows]
    values = [r[1] for r in rows if r[1] is not None]
    colors = [r[2] for r in rows]
    y = range(len(rows))
    ax.barh(list(y), values, color=colors)
    ax.set_yticks(list(y), labels, fontsize=8)
    ax.invert_yaxis()
    for k, v in enumerate(values):
        ax.text(v, k, f" {v:,.0f}", va="center", fontsize=7)
    if target is not None:
        ax.axvline(target, color="black", linestyle="--", linewidth=1)
        ax.text(target, len(rows) - 0.4, f" {target_label}", fontsize=7, va="bottom")
    ax.set_xlabel(unit, fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.set_xlim(0, max(values + ([target] if target else [])) * 1.25)
    ax.tick_params(axis="x", labelsize=7)


OURS, PEER, FLOOR = "#1f77b4", "#ff7f0e", "#7f7f7f"


def draw(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    f = results.get("figures", {})
    runs = results.get("runs", {})
    meta = results.get("meta", {})
    n = results.get("params", {}).get("events", 0)
    fig, axes = plt.subplots(3, 3, figsize=(17, 14))
    fig.suptitle(f"alliance-ledger benchmarks — {n:,} events, {meta.get('nproc')} cores, Python {meta.get('python')}, "
                 f"SQLite {meta.get('sqlite')}, {meta.get('date', '')[:10]}", fontsize=12)

    _bars(axes[0][0], [
        ("ours: Ledger.append", f.get("append_events_per_s"), OURS),
        ("ours: last 10%", f.get("append_last_10pct_events_per_s"), OURS),
        ("raw sqlite3 executemany", f.get("raw_sqlite_events_per_s"), FLOOR),
        ("SQLAlchemy Core insert", f.get("sa_core_events_per_s"), PEER),
        ("eventsourcing save", f.get("eventsourcing_append_events_per_s"), PEER),
    ], "batch append (SQLite, batches of 10,000)", "events/s", 50_000, "target 50k")

    _bars(axes[0][1], [
        ("ours: Ledger.state (rebuild)", f.get("rebuild_events_per_s"), OURS),
        ("ours: projections.fold alone", f.get("fold_events_per_s"), OURS),
        ("ours: library read", f.get("library_read_events_per_s"), OURS),
        ("raw scan", f.get("raw_scan_rows_per_s"), FLOOR),
        ("raw scan + orjson.loads", f.get("raw_scan_loads_rows_per_s"), FLOOR),
        ("eventsourcing repository.get", f.get("eventsourcing_reconstruct_events_per_s"), PEER),
    ], "full rebuild / read", "events/s", 150_000, "target 150k")

    ax = axes[0][2]
    series = [("one party", "one_party"), ("busiest party", "hot_party"), ("whole state\n(folded whole)", "whole"),
              ("latest, 1 party", "latest_one_party")]
    names, p50, p95 = [], [], []
    for label, key in series:
        v50, v95 = f.get(f"query_{key}_p50_ms"), f.get(f"query_{key}_p95_ms")
        if v50 is not None:
            names.append(label)
            p50.append(v50)
            p95.append(v95 or v50)
    if names:
        x = range(len(names))
        ax.bar([i - 0.2 for i in x], p50, width=0.4, label="p50", color=OURS)
        ax.bar([i + 0.2 for i in x], p95, width=0.4, label="p95", color="#aec7e8")
        ax.set_yscale("log")
        ax.set_ylim(min(p50 + [10]) / 2, max(p95 + [100]) * 2)
        ax.axhline(10, color="green", linestyle="--", linewidth=1, label="target one party 10 ms")
        ax.axhline(200, color="red", linestyle="--", linewidth=1, label="target busiest 200 ms (PostgreSQL, 10M)")
        ax.set_xticks(list(x), names, fontsize=8)
        ax.set_ylabel("ms (log)", fontsize=8)
        ax.legend(fontsize=7)
        rss = f.get("query_one_party_peak_rss_mb")
        ax.set_title(f"state --as-of latency (one-party process {rss:,.0f} MB)" if rss else "state --as-of latency",
                     fontsize=10)
    else:
        ax.set_title("state --as-of latency (not measured)")
        ax.axis("off")

    ax = axes[1][0]
    for key, label, color in (("ours_append", "ours: Ledger.append", OURS), ("raw_sqlite", "raw sqlite3", FLOOR),
                              ("sa_core", "SQLAlchemy Core", PEER), ("es_append", "eventsourcing", "#d62728")):
        deciles = (runs.get(key) or {}).get("rate_by_decile")
        if deciles:
            xs = [(i + 0.5) * 100 / len(deciles) for i in range(len(deciles))]
            ax.plot(xs, deciles, marker="o", label=label, color=color)
    ax.set_xlabel("% of the ledger appended", fontsize=8)
    ax.set_ylabel("events/s in that decile", fontsize=8)
    ax.set_ylim(bottom=0)
    ax.set_title("append rate as the ledger grows", fontsize=10)
    if ax.get_lines():
        ax.legend(fontsize=7)
    ax.tick_params(labelsize=7)

    _bars(axes[1][1], [
        ("verify", f.get("verify_events_per_s"), OURS),
        (f"CLI append {(runs.get('cli_append') or {}).get('events', 0):,} lines (end to end)",
         (runs.get("cli_append") or {}).get("events_per_s"), OURS),
        ("raw sqlite3, same rows", (f.get("cli_append_events") or 0) / f["raw_sqlite_cli_rows_s"]
         if f.get("raw_sqlite_cli_rows_s") else None, FLOOR),
    ], "verify and CLI append", "events/s")

    ax = axes[1][2]
    targets = [t for t in results.get("targets", []) if t.get("measured") is not None]
    if targets:
        labels, values, colors = [], [], []
        for t in targets:
            m, thr = t["measured"], t["threshold"]
            # Normalise so that > 1 always means "better than the target".
            score = m / thr if t["op"] == ">=" else thr / m if m else float("inf")
            labels.append(t["target"])
            values.append(score)
            colors.append("#2ca02c" if t["status"] == "met" else "#d62728")
        y = range(len(labels))
        ax.barh(list(y), values, color=colors)
        ax.set_xscale("log")
        from matplotlib.ticker import FuncFormatter, NullFormatter

        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}×"))
        ax.set_xlim(min(values + [1]) / 2, max(values + [1]) * 3)
        ax.axvline(1, color="black", linewidth=1)
        ax.set_yticks(list(y), labels, fontsize=8)
        ax.invert_yaxis()
        for k, v in enumerate(values):
            ax.text(v, k, f" {v:.2g}×", va="center", fontsize=7)
        ax.set_title("SPEC §9 targets: measured vs target (>1 = met)", fontsize=10)
        ax.tick_params(axis="x", labelsize=7)
    else:
        ax.axis("off")
    _bars(axes[2][0], [
        (f"CLI append {(runs.get('cli_append') or {}).get('events', 0):,} lines", f.get("cli_append_peak_rss_mb"), OURS),
        (f"CLI append of the whole file ({n:,})", f.get("mem_append_peak_rss_mb"), OURS),
        ("CLI import of its export", f.get("mem_import_peak_rss_mb"), OURS),
        ("CLI whole state --format json", f.get("mem_whole_state_peak_rss_mb"), OURS),
        ("whole-state query process", f.get("query_whole_peak_rss_mb"), OURS),
        ("one-party query process", f.get("query_one_party_peak_rss_mb"), OURS),
    ], "peak RSS (memory must not grow with the input)", "MB", 400, "target 400 MB")
    _bars(axes[2][1], [
        ("PostgreSQL: Ledger.append (COPY)", f.get("pg_append_events_per_s"), OURS),
        ("PostgreSQL: last 10%", f.get("pg_append_last_10pct_events_per_s"), OURS),
        ("SQLite: Ledger.append", f.get("append_events_per_s"), OURS),
    ], "PostgreSQL bulk append", "events/s", 50_000, "target 50k")
    axes[2][2].axis("off")
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    fig.savefig(path, dpi=110)
    plt.close(fig)
