"""The four output formats of every read command (SPEC §7).

- ``json``: the documented document, byte-identical for the same query on the same ledger;
- ``jsonl``: one record a line (a state's items, history's events, a trail's changes...), each
  with the name of its section where a document has several;
- ``csv``: one section's records, nested fields flattened as ``a.b`` columns, lists as JSON;
- ``table``: readable terminal tables (the default on a terminal; json in a pipe).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ledger.errors import bad_argument

FORMATS = ("table", "json", "jsonl", "csv")


def choose(fmt: str | None, allowed: tuple[str, ...] = FORMATS) -> str:
    """The format asked for (any case), or table on a terminal and json in a pipe."""
    if fmt is None:
        return "table" if sys.stdout.isatty() and "table" in allowed else "json"
    word = fmt.lower()
    if word not in allowed:
        raise bad_argument("format", f"{fmt[:40]!r} is not a format this command writes; choose "
                           f"{', '.join(allowed)}")
    return word


def flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects as ``a.b`` keys; lists as JSON text (a csv cell holds one value)."""
    import orjson

    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = orjson.dumps(value).decode()
        elif isinstance(value, bool):
            flat[name] = "true" if value else "false"
        else:
            flat[name] = value
    return flat


Records = Callable[[str | None], tuple[str | None, Iterable[Mapping[str, Any]]]]
"""section -> (the section chosen, its records); None: every section, each record naming its own."""


def emit(doc: Any, fmt: str | None, *, table: Callable[[Any], None], records: Records,
         sections: tuple[str, ...] = (), section: str | None = None, csv_records: Records | None = None) -> None:
    """Write ``doc`` in the chosen format. ``sections`` are the record sections the document has
    (``--section`` must be one of them); csv needs exactly one section, unless ``csv_records``
    gives rows whose columns every section shares (a diff in long form)."""
    word = choose(fmt)
    if section is not None and sections:
        check_section(section, sections)
    chosen = section.lower() if section else None
    if word == "json":
        sys.stdout.flush()
        doc.write_json(sys.stdout.buffer)
        sys.stdout.buffer.flush()
    elif word == "table":
        table(doc.to_dict())
    elif word == "jsonl":
        _jsonl(records(chosen)[1])
    elif csv_records is not None:
        _csv(csv_records(chosen)[1])
    else:
        if chosen is None and len(sections) > 1:
            raise bad_argument("section", f"csv writes one section's records: add --section, one of {', '.join(sections)}")
        _csv(records(chosen or (sections[0] if sections else None))[1])


def check_section(section: str, sections: tuple[str, ...]) -> None:
    """Refuse a ``--section`` the answer does not have (before any work is done for it)."""
    if section.lower() not in sections:
        raise bad_argument("section", f"{section[:40]!r} is not a section of this answer; choose {', '.join(sections)}")


def _jsonl(rows: Iterable[Mapping[str, Any]]) -> None:
    import orjson

    buffer = sys.stdout.buffer
    sys.stdout.flush()
    for row in rows:
        buffer.write(orjson.dumps(row) + b"\n")
    buffer.flush()


def _csv(rows: Iterable[Mapping[str, Any]]) -> None:
    flat = [flatten(row) for row in rows]
    columns: dict[str, None] = {}
    for row in flat:
        columns.update(dict.fromkeys(row))
    for name in list(columns):  # a null object ("stake": null) where other rows have stake.exact...
        if any(other.startswith(name + ".") for other in columns) and all(row.get(name) is None for row in flat):
            del columns[name]    # ... is those columns left empty, not a column of its own
    writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(flat)
    sys.stdout.flush()


def section_records(doc: Mapping[str, Any], names: tuple[str, ...]) -> Records:
    """Records of a document whose sections are lists (a state: its items)."""

    def records(section: str | None) -> tuple[str | None, Iterable[Mapping[str, Any]]]:
        if section is not None:
            return section, doc[section]
        return None, ({"section": name, **item} for name in names for item in doc[name])

    return records


def list_records(doc: Mapping[str, Any], name: str) -> Records:
    """Records of a document with one list (history's events, a trail's changes, the streams)."""

    def records(section: str | None) -> tuple[str | None, Iterable[Mapping[str, Any]]]:
        return name, doc[name]

    return records


def change_rows(changes: Mapping[str, Any], key_fields: Mapping[str, tuple[str, ...]]) -> Records:
    """A diff in long form, one row per changed field (an added or removed item is one row):
    section, item (its key joined by ``/``), change, field, before, after, events. Values that
    are not text or numbers are compact JSON, so a spreadsheet gets one column per meaning."""
    import orjson

    def cell(value: Any) -> Any:
        return value if value is None or isinstance(value, (str, int, float)) else orjson.dumps(value).decode()

    def item_key(section: str, item: Mapping[str, Any]) -> str:
        return "/".join(str(item[name]) for name in key_fields[section])

    def records(section: str | None) -> tuple[str | None, Iterable[Mapping[str, Any]]]:
        rows: list[dict[str, Any]] = []
        for name, change in changes.items():
            if section is not None and name != section:
                continue
            for kind, side in (("added", "after"), ("removed", "before")):
                for item in change[kind]:
                    body = {k: v for k, v in item.items() if k not in key_fields[name]}
                    rows.append({"section": name, "item": item_key(name, item), "change": kind, "field": None,
                                 "before": cell(body) if side == "before" else None,
                                 "after": cell(body) if side == "after" else None,
                                 "events": " ".join(item.get("evidence") or ())})
            for item in change["changed"]:
                for field, values in item["changes"].items():
                    rows.append({"section": name, "item": item_key(name, item["key"]), "change": "changed",
                                 "field": field, "before": cell(values["before"]), "after": cell(values["after"]),
                                 "events": " ".join(item.get("events") or ())})
        return section, rows

    return records
