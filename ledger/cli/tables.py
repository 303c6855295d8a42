"""Readable terminal tables (Rich) for the documents the CLI prints with ``--format table``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from projections import KEY_FIELDS, SECTIONS, STATUSES, item_key

_HIDDEN = {"evidence", "since", "updated", "certainty"}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        if "amount" in value and "currency" in value:
            return f"{'~' if value.get('approximate') else ''}{value['amount']} {value['currency']}"
        if "exact" in value or "min" in value:
            pct = value.get("exact") or f"{value.get('min')}–{value.get('max')}"
            return f"{pct}% {value.get('basis', '')}".strip()
        return ", ".join(f"{k}={_cell(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def state_tables(console: Console, doc: Mapping[str, Any]) -> None:
    known = doc["known_at"]
    console.print(f"State as of {doc['as_of']}, as known at position {known['position']} "
                  f"({known['recorded_at'] or 'empty ledger'}); min certainty {doc['min_certainty']}"
                  + (f"; party {doc['party']}" if doc.get("party") else "") + ("; active only" if doc.get("active") else ""))
    shown = 0
    for section in SECTIONS:
        items = doc[section]
        if items:
            shown += 1
            console.print(items_table(section, items))
    if not shown:
        console.print("nothing is known as of this date")


def items_table(section: str, items: Sequence[Mapping[str, Any]]) -> Table:
    """One row an item: its key, its status, the other fields that are set, and its provenance."""
    keys = KEY_FIELDS[section]
    table = Table(title=f"{section} ({len(items)})", title_justify="left", show_lines=True)
    table.add_column("/".join(keys), overflow="fold", max_width=36)
    has_status = section in STATUSES
    if has_status:
        table.add_column("status")
    table.add_column("details", overflow="fold", ratio=3)
    table.add_column("since → updated", no_wrap=True)
    table.add_column("certainty")
    table.add_column("evidence", overflow="fold", max_width=36)
    for item in items:
        details = "\n".join(f"{k}: {_cell(v)}" for k, v in item.items()
                            if k not in keys and k not in _HIDDEN and k != "status" and v not in (None, [], {}))
        row = [item_key(section, item)] + ([str(item["status"])] if has_status else [])
        table.add_row(*row, details, f"{item.get('since')} → {item.get('updated')}",
                      str(item.get("certainty")), ", ".join(item.get("evidence", [])))
    return table


def events_table(title: str, events: Sequence[Mapping[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left")
    for col in ("pos", "effective", "type", "id", "stream", "certainty", "source", "marks"):
        table.add_column(col, overflow="fold", max_width=40 if col in ("id", "source") else None)
    for env in events:
        marks = []
        if env.get("corrects"):
            marks.append(f"corrects {env['corrects']}")
        if env.get("corrected_by"):
            marks.append(f"corrected by {env['corrected_by']}")
        if env.get("retracted_by"):
            marks.append(f"retracted by {env['retracted_by']}")
        if env.get("superseded_by"):
            marks.append(str(env["superseded_by"]))
        source = env.get("source") or {}
        table.add_row(str(env["position"]), env["effective_date"], env["type"], env["id"], env["stream"],
                      env["certainty"], source.get("title") or source.get("url") or Text("no source", "red"),
                      "; ".join(marks))
    return table


def explain_tables(console: Console, doc: Mapping[str, Any]) -> None:
    """The item, which event set each field, the events behind it in fold order, and those withdrawn."""
    if doc["item"] is None:
        console.print(f"{doc['query']}: not in the state as of {doc['as_of']} "
                      f"(known at {doc['known_at']['position']})")
    else:
        console.print(items_table(doc["section"], [doc["item"]]))
    if doc.get("fields"):
        from ledger.cli.trail_tables import fields_table

        console.print(fields_table(doc))
    console.print(events_table("events behind it (fold order)", doc["events"]))
    if doc["superseded"]:
        withdrawn = [{**s["event"], "superseded_by": ", ".join(f"{b['action']} by {b['id']}" for b in s["by"])}
                     for s in doc["superseded"]]
        console.print(events_table("corrected or retracted events", withdrawn))


def diff_tables(console: Console, doc: Mapping[str, Any]) -> None:
    a, b = doc["from"], doc["to"]
    console.print(f"Changes from {a['as_of']} (known at {a['known_at']['position']}) "
                  f"to {b['as_of']} (known at {b['known_at']['position']})")
    any_change = False
    for section, change in doc["changes"].items():
        rows = [("+", item_key(section, i), "added", "") for i in change.get("added", [])]
        rows += [("-", item_key(section, i), "removed", "") for i in change.get("removed", [])]
        for ch in change.get("changed", []):
            for fld, val in ch["changes"].items():
                rows.append(("~", "/".join(str(v) for v in ch["key"].values()), fld,
                             f"{_cell(val['before'])} → {_cell(val['after'])}"))
        if not rows:
            continue
        any_change = True
        table = Table(title=section, title_justify="left")
        for col in ("", "item", "field", "before → after"):
            table.add_column(col, overflow="fold")
        for row in rows:
            table.add_row(*row)
        console.print(table)
    if not any_change:
        console.print("no changes")


_SUMMARY_FIELDS = {
    "parties": ("kind", "controlled_by"), "stakes": ("stake", "invested"), "rights": ("kind", "scope"),
    "partnerships": ("kind", "parties", "money"), "agreements": ("title",), "conditions": ("description",),
    "negotiations": ("topic",), "roles": ("change",), "legal_actions": ("kind", "last_update"),
    "metrics": ("value", "unit"),
}


def overview_table(title: str, doc: Mapping[str, Any], sections: Sequence[str] = SECTIONS, width: int = 70) -> Table:
    """One compact table across sections: an item a row, its status and a one-line summary."""
    table = Table(title=title, title_justify="left")
    for col in ("section", "item", "status", "summary", "since", "certainty"):
        table.add_column(col, overflow="ellipsis" if col == "summary" else "fold", no_wrap=col == "summary",
                         max_width=width + 2 if col == "summary" else 40)
    for section in sections:
        for item in doc[section]:
            parts = [_cell(item[f]) for f in _SUMMARY_FIELDS[section] if item.get(f) not in (None, [], {})]
            summary = "; ".join(parts)
            if len(summary) > width:
                summary = summary[: width - 1] + "…"
            table.add_row(section, item_key(section, item), str(item.get("status", "")), summary,
                          str(item["since"]), str(item["certainty"]))
    return table


def streams_table(streams: Sequence[Mapping[str, Any]]) -> Table:
    table = Table(title=f"streams ({len(streams)})")
    for name in ("stream", "version", "events", "last position"):
        table.add_column(name, justify="left" if name == "stream" else "right")
    for s in streams:
        table.add_row(s["name"], str(s["version"]), str(s["events"]), str(s["last_position"]))
    return table
