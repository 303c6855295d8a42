"""Terminal tables of events (history, explain) and of the audit documents (explain's fields,
trails): when each event was recorded, what happened (the report's one-line summary), its
source, and what corrected or withdrew it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ledger.cli.common import visible
from ledger.cli.tables import items_table
from ledger.core.display import cell
from ledger.report.model import summarize

_EMPTY: tuple[Any, ...] = (None, [], {})


def _source(source: Mapping[str, Any] | None) -> str | Text:
    if not source:
        return Text("no source", "red")
    text = str(source.get("title") or source.get("url"))
    publisher = source.get("publisher")
    return f"{text} ({publisher})" if publisher and publisher not in text else text


def _marks(env: Mapping[str, Any]) -> str:
    marks = []
    if env.get("corrects"):
        marks.append(f"corrects {env['corrects']}")
    if env.get("corrected_by"):
        marks.append(f"corrected by {env['corrected_by']}")
    if env.get("retracted_by"):
        marks.append(f"retracted by {env['retracted_by']}")
    if env.get("superseded_by"):
        marks.append(str(env["superseded_by"]))
    return "\n".join(marks)


def events_table(title: str, events: Sequence[Mapping[str, Any]]) -> Table:
    """One row an event: position and recording time, effective date and type, what happened,
    its id and source, and its marks."""
    table = Table(title=title, title_justify="left", show_lines=True)
    table.add_column("pos · recorded", no_wrap=True)
    table.add_column("effective · type", no_wrap=True)
    table.add_column("what happened · id · source", ratio=1, overflow="fold")
    for env in events:
        recorded = str(env.get("recorded_at") or "")[:19].replace("T", " ")
        what = Text(visible(summarize(env)) + "\n")  # a Text is not passed through the console's render_str
        what.append(visible(str(env["id"])), "bold")
        what.append(visible(f" · {env.get('stream', '')} · {env.get('certainty', '')}\n"))
        source = _source(env.get("source"))
        what.append(visible(source) if isinstance(source, str) else source)
        marks = _marks(env)
        if marks:
            what.append("\n" + visible(marks), "yellow")
        table.add_row(f"{env['position']}\n{recorded}", f"{env['effective_date']}\n{env['type']}", what)
    return table


def history_tables(console: Console, doc: Mapping[str, Any]) -> None:
    console.print(events_table(f"history ({len(doc['events'])} events, in recording order)", doc["events"]))


def explain_tables(console: Console, doc: Mapping[str, Any]) -> None:
    """The item, which event set each field, the events behind it in fold order, and those withdrawn."""
    if doc["item"] is None:
        console.print(f"{doc['query']}: not in the state as of {doc['as_of']} (known at {doc['known_at']['position']})")
    else:
        console.print(items_table(doc["section"], [doc["item"]]))
    if doc.get("fields"):
        console.print(fields_table(doc))
    console.print(events_table("events behind it (fold order)", doc["events"]))
    if doc["superseded"]:
        withdrawn = [{**s["event"], "superseded_by": ", ".join(f"{b['action']} by {b['id']}" for b in s["by"])}
                     for s in doc["superseded"]]
        console.print(events_table("corrected or retracted events", withdrawn))


def _by(ref: Mapping[str, Any] | None, rule: str | None = None) -> str:
    if ref is None:
        return "(not set by any event)"
    text = f"{ref['id']}\n{ref['type']} · {ref['effective_date']} · {ref['certainty']}"
    return text + (f"\nrule: {rule}" if rule else "")


def fields_table(doc: Mapping[str, Any]) -> Table:
    """One row per field of the item: its value and the event that set it (explain's ``fields``)."""
    table = Table(title="fields: value and the event that set it", title_justify="left", show_lines=True)
    table.add_column("field", no_wrap=True)
    table.add_column("value · set by", ratio=1, overflow="fold")
    for name, entry in doc["fields"].items():
        if isinstance(entry["set_by"], list):  # invested: every contributing investment
            by = "\n".join(f"{ref['id']}: {cell(ref['money'])}" for ref in entry["set_by"]) or "(no investment)"
        else:
            by = _by(entry["set_by"], entry.get("rule"))
        table.add_row(name, f"{cell(entry['value']) or '∅'}\nset by: {by}")
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
        rows.append(f"{name}: {cell(before) or '∅'} → {cell(after) or '∅'}")
    return "\n".join(rows) or "(no field changed)"


def _event_text(change: Mapping[str, Any]) -> str:
    e = change["event"]
    if e is None:
        return "calendar: until passed"
    source = _source(e["source"])
    return f"{e['id']}\n{e['type']} · pos {e['position']} · {e['certainty']}\n{source}"


def trail_tables(console: Console, doc: Mapping[str, Any]) -> None:
    """The trail as one table, a change a row: date, fields before → after, event and source."""
    scope = f" field {doc['field']}" if doc["field"] else ""
    window = f" from {doc['from'] or 'the start'} to {doc['to'] or 'the end'}" if doc["from"] or doc["to"] else ""
    known = doc["known_at"]
    console.print(f"Trail of {doc['query']}{scope}{window}, as known at position {known['position']}"
                  f"; min certainty {doc['min_certainty']}")
    table = Table(title_justify="left", show_lines=True)
    table.add_column("date", no_wrap=True)
    table.add_column("change (before → after) · event and source", ratio=1, overflow="fold")
    for change in doc["changes"]:
        table.add_row(str(change["effective_date"]), f"{_change_text(change)}\n{_event_text(change)}")
    console.print(table if doc["changes"] else "no change in this window")
    if doc["field"]:
        console.print(f"value at the end: {cell(doc['value']) or '∅'}")
    elif doc["value"] is None:
        console.print("the item does not exist at the end of this window")


def verify_table(report: Mapping[str, Any]) -> Table:
    table = Table(title=f"integrity problems ({len(report['problems'])})", title_justify="left")
    table.add_column("position", justify="right", no_wrap=True)
    table.add_column("id", no_wrap=True, max_width=30)
    table.add_column("problem", ratio=1, overflow="fold")
    for p in report["problems"]:
        table.add_row(str(p["position"]), str(p["id"] or ""), p["problem"])
    return table
