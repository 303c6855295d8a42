"""Terminal tables for the audit documents: explain's per-field provenance and trails (SPEC §12).

Both stay readable at 80 columns: three columns, long values folded onto more lines rather
than cut, and sources shown by title (or URL) only; ``--format json`` has everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table

from ledger.cli.tables import _cell

_EMPTY: tuple[Any, ...] = (None, [], {})


def _source(source: Mapping[str, Any] | None) -> str:
    if not source:
        return "no source"
    return str(source.get("title") or source.get("url"))


def _by(ref: Mapping[str, Any] | None, rule: str | None = None) -> str:
    if ref is None:
        return "(not set by any event)"
    text = f"{ref['id']}\n{ref['type']} · {ref['effective_date']} · {ref['certainty']}"
    if rule:
        text += f"\nrule: {rule}"
    return text


def fields_table(doc: Mapping[str, Any]) -> Table:
    """One row per field of the item: its value and the event that set it (explain's ``fields``)."""
    table = Table(title="fields: value and the event that set it", title_justify="left", show_lines=True)
    table.add_column("field", no_wrap=True)
    table.add_column("value", overflow="fold", ratio=1)
    table.add_column("set by", overflow="fold", ratio=1)
    for name, entry in doc["fields"].items():
        if isinstance(entry["set_by"], list):  # invested: every contributing investment
            by = "\n".join(f"{ref['id']}: {_cell(ref['money'])}" for ref in entry["set_by"]) or "(no investment)"
        else:
            by = _by(entry["set_by"], entry.get("rule"))
        table.add_row(name, _cell(entry["value"]), by)
    return table


def _change_text(change: Mapping[str, Any]) -> str:
    if change["withdrawn"] is not None:
        w = change["withdrawn"]
        return f"withdrawn: {w['action']} by {w['by']} (not folded)"
    rows = []
    for name, values in change["fields"].items():
        before, after = values["before"], values["after"]
        if before is None and after in _EMPTY:
            continue  # an item starting with an empty list or object
        rows.append(f"{name}: {_cell(before) or '∅'} → {_cell(after) or '∅'}")
    return "\n".join(rows) or "(no field changed)"


def _event_text(change: Mapping[str, Any]) -> str:
    e = change["event"]
    if e is None:
        return "calendar: until passed"
    return f"{e['id']}\n{e['type']} · pos {e['position']} · {e['certainty']}\n{_source(e['source'])}"


def trail_tables(console: Console, doc: Mapping[str, Any]) -> None:
    """The trail as one table, a change a row: date, fields before → after, event and source."""
    scope = f" field {doc['field']}" if doc["field"] else ""
    window = ""
    if doc["from"] or doc["to"]:
        window = f" from {doc['from'] or 'the start'} to {doc['to'] or 'the end'}"
    known = doc["known_at"]
    console.print(f"Trail of {doc['query']}{scope}{window}, as known at position {known['position']}"
                  f"; min certainty {doc['min_certainty']}")
    table = Table(title_justify="left", show_lines=True)
    table.add_column("date", no_wrap=True)
    table.add_column("change (before → after)", overflow="fold", ratio=1)
    table.add_column("event and source", overflow="fold", ratio=1)
    for change in doc["changes"]:
        table.add_row(str(change["effective_date"]), _change_text(change), _event_text(change))
    if doc["changes"]:
        console.print(table)
    else:
        console.print("no change in this window")
    value = doc["value"]
    if doc["field"]:
        console.print(f"value at the end: {_cell(value) or '∅'}")
    elif value is None:
        console.print("the item does not exist at the end of this window")
