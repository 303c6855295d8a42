"""Terminal tables of the state, a diff, the streams and the demo's overview (Rich; ``--format
table``). They read at 80 columns: keys and ids never break mid-word (their columns do not
wrap), money has thousands separators, long text wraps at spaces. Every value is printed
verbatim: the consoles have markup off (see ``ledger.cli.common``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from ledger.core.display import cell
from projections import KEY_FIELDS, SECTIONS, STATUSES, item_key

_PROVENANCE = {"evidence", "since", "updated", "certainty"}


def header(doc: Mapping[str, Any]) -> str:
    known = doc["known_at"]
    return (f"State as of {doc['as_of']}, as known at position {known['position']} "
            f"({known['recorded_at'] or 'empty ledger'}); min certainty {doc['min_certainty']}"
            + (f"; party {doc['party']}" if doc.get("party") else "") + ("; active only" if doc.get("active") else ""))


def state_tables(console: Console, doc: Mapping[str, Any]) -> None:
    console.print(header(doc))
    shown = [section for section in SECTIONS if doc[section]]
    for section in shown:
        console.print(items_table(section, doc[section]))
    if not shown:
        console.print("nothing is known as of this date")


def details(section: str, item: Mapping[str, Any]) -> str:
    """The item's set fields (not its key, status or provenance), one ``name: value`` a line."""
    keys = KEY_FIELDS[section]
    return "\n".join(f"{k}: {cell(v)}" for k, v in item.items()
                     if k not in keys and k not in _PROVENANCE and k != "status" and v not in (None, [], {}))


def items_table(section: str, items: Sequence[Mapping[str, Any]]) -> Table:
    """One row an item: its key with its status, dates and certainty; then what is set and the
    events behind it, one id a line (ids are long: the wide column holds them whole)."""
    table = Table(title=f"{section} ({len(items)})", title_justify="left", show_lines=True)
    table.add_column("/".join(KEY_FIELDS[section]), no_wrap=True)
    table.add_column("details · evidence", ratio=1, overflow="fold")
    for item in items:
        status = f"[{item['status']}]\n" if section in STATUSES else ""
        key = f"{item_key(section, item)}\n{status}since {item.get('since')}\nupdated {item.get('updated')}\n" \
              f"{item.get('certainty')}"
        evidence = "\n".join(item.get("evidence", []))
        body = details(section, item)
        table.add_row(key, f"{body}\nevidence:\n{evidence}" if body else f"evidence:\n{evidence}")
    return table


def diff_tables(console: Console, doc: Mapping[str, Any]) -> None:
    """Added and removed items with what they hold; changed ones field by field, before → after."""
    a, b = doc["from"], doc["to"]
    console.print(f"Changes from {a['as_of']} (known at {a['known_at']['position']}) "
                  f"to {b['as_of']} (known at {b['known_at']['position']})")
    any_change = False
    for section, change in doc["changes"].items():
        rows = [("+", item_key(section, i), "added", details(section, i) or "(no fields set)")
                for i in change.get("added", [])]
        rows += [("-", item_key(section, i), "removed", details(section, i)) for i in change.get("removed", [])]
        for ch in change.get("changed", []):
            key = "/".join(str(v) for v in ch["key"].values())
            by = ("\nby: " + ", ".join(ch["events"])) if ch["events"] else ""
            for n, (fld, val) in enumerate(ch["changes"].items(), 1):
                rows.append(("~", key, fld, f"{cell(val['before']) or '∅'} → {cell(val['after']) or '∅'}"
                             + (by if n == len(ch["changes"]) else "")))
            if not ch["changes"] and ch["events"]:
                rows.append(("~", key, "evidence", "new events: " + ", ".join(ch["events"])))
        if not rows:
            continue
        any_change = True
        table = Table(title=section, title_justify="left")
        table.add_column("", no_wrap=True)
        table.add_column("item · field", overflow="fold", min_width=min(36, max(len(r[1]) for r in rows)))
        table.add_column("what · before → after · by", ratio=1, overflow="fold")
        for sign, key, fld, what in rows:
            table.add_row(sign, f"{key}\n{fld}", what)
        console.print(table)
    if not any_change:
        console.print("no changes")


_SUMMARY_FIELDS = {
    "parties": ("kind", "controlled_by"), "stakes": ("stake", "invested"), "rights": ("kind", "scope"),
    "partnerships": ("kind", "parties", "money"), "agreements": ("title",), "conditions": ("description",),
    "negotiations": ("topic",), "roles": ("change",), "legal_actions": ("kind", "last_update"),
    "metrics": ("value", "unit"),
}


def overview_table(title: str, doc: Mapping[str, Any], sections: Sequence[str] = SECTIONS, width: int = 200) -> Table:
    """One compact table across sections, two columns that fit 80: the item (its key whole on a
    line, then its section, status, since-date and certainty) and a summary that wraps, cut at
    ``width`` characters (whole words; ``explain`` shows the rest)."""
    rows = []
    for section in sections:
        for item in doc[section]:
            summary = "; ".join(cell(item[f]) for f in _SUMMARY_FIELDS[section] if item.get(f) not in (None, [], {}))
            if len(summary) > width:
                summary = summary[:width].rsplit(" ", 1)[0] + " …"
            about = " · ".join(str(v) for v in (section, item.get("status"), item.get("since"), item.get("certainty"))
                               if v)
            rows.append((item_key(section, item), about, summary))
    table = Table(title=title, title_justify="left")
    table.add_column("item · section · status · since", overflow="fold",
                     min_width=min(40, max((len(key) for key, _, _ in rows), default=10)))
    table.add_column("summary", ratio=1, overflow="fold")
    for key, about, summary in rows:
        table.add_row(f"{key}\n{about}", summary)
    return table


def streams_table(streams: Sequence[Mapping[str, Any]]) -> Table:
    table = Table(title=f"streams ({len(streams)})", title_justify="left")
    table.add_column("stream", no_wrap=True)
    for name in ("version", "events", "last position"):
        table.add_column(name, justify="right", no_wrap=True)
    for s in streams:
        table.add_row(s["name"], str(s["version"]), str(s["events"]), str(s["last_position"]))
    return table
