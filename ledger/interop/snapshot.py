"""``snapshot``: the state as a new SQLite database, for tools that know SQL and not the ledger (SPEC §7, §11).

One table per section, one row per item, primary key on the item's key fields; nested objects
become ``a.b`` columns (``stake.exact``, ``stake.basis``, ``money.amount``, ``terms.<name>``),
lists (and ``evidence``) JSON text; a one-row ``meta`` table says which query it is (as_of,
known_at, min_certainty), which ledger it came from (URL without password, head position and
hash) and what wrote it. Every table exists, empty or not, so a script can rely on the schema.

Values keep their exact types: decimals (amounts, percentages) are TEXT, as in the JSON, never
REAL; booleans are INTEGER 0/1. Cast in the query where arithmetic is wanted.

Written with the standard library's ``sqlite3``, not sqlite-utils: the schema is known in advance
from :data:`projections.FIELDS`, so the writing is one CREATE TABLE and one executemany per
section, which sqlite-utils would only wrap (its value, type inference and schema evolution
from rows, is what a fixed documented schema must not have). It also keeps a runtime dependency
(and its imports) out of the command line; the tests read the files with sqlite-utils and pandas.
The file is written next to the target and moved into place, so a failure leaves no half file.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ledger.api import Document, safe_url
from ledger.core.outputs import refuse_database
from ledger.errors import LedgerError
from projections import FIELDS, KEY_FIELDS, SECTIONS

if TYPE_CHECKING:
    from ledger.api import Ledger

STRUCTS: dict[str, tuple[str, ...]] = {"stake": ("exact", "min", "max", "basis"),
                                       "money": ("amount", "currency", "approximate")}
"""Nested objects with a fixed shape: every sub-field is a column, set or not."""
OPEN_STRUCTS = ("terms",)
"""Nested objects with free keys: one column per key that some item of the section has."""
BOOLEANS = frozenset({"binding", "money.approximate"})


def columns(section: str, items: Sequence[Mapping[str, Any]]) -> list[str]:
    """The flattened column names of a section's table, in the section's field order."""
    out: list[str] = []
    for name in FIELDS[section]:
        if name in STRUCTS:
            out += [f"{name}.{sub}" for sub in STRUCTS[name]]
        elif name in OPEN_STRUCTS:
            out += [f"{name}.{sub}" for sub in sorted({k for it in items for k in (it[name] or {})})]
        else:
            out.append(name)
    return out


def flatten(item: Mapping[str, Any], cols: list[str]) -> tuple[Any, ...]:
    """One item as the row of ``cols``: sub-fields looked up, lists as JSON text, booleans 0/1."""
    row: list[Any] = []
    for col in cols:
        top, _, sub = col.partition(".")
        value = item[top]
        if sub:
            value = (value or {}).get(sub)
        if isinstance(value, list):
            value = orjson.dumps(value).decode()
        elif isinstance(value, bool):
            value = int(value)
        row.append(value)
    return tuple(row)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def check_target(lg: Ledger, out: Path, force: bool) -> None:
    """Refuse the ledger's own database (the rule of every output, :mod:`ledger.core.outputs`) and,
    unless ``force``, any existing file."""
    refuse_database(out, lg.database_file)
    if out.exists() and not force:
        raise LedgerError(f"{out} exists; choose another file or pass --force (force=True) to replace it")
    if not out.parent.is_dir():
        raise LedgerError(f"{out}: directory {out.parent} does not exist")


def _meta(lg: Ledger, doc: Mapping[str, Any]) -> dict[str, Any]:
    known = doc["known_at"]["position"]
    head, head_hash, _ = lg.head()
    at = next(lg.events(after=known - 1, upto=known), None) if known else None
    return {"as_of": doc["as_of"], "known_at_position": known, "known_at_recorded_at": doc["known_at"]["recorded_at"],
            "known_at_hash": at["hash"] if at else None, "min_certainty": doc["min_certainty"],
            "head_position": head, "head_hash": head_hash, "ledger": safe_url(lg.url),
            "generated_by": f"alliance-ledger {_version()}"}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("alliance-ledger")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "(source tree)"


def _write(path: str, doc: Mapping[str, Any], meta: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    with sqlite3.connect(path) as conn:
        for section in SECTIONS:
            items = doc[section]
            cols = columns(section, items)
            defs = [f"{_quote(c)} {'INTEGER' if c in BOOLEANS else 'TEXT'}" for c in cols]
            keys = ", ".join(_quote(k) for k in KEY_FIELDS[section])
            conn.execute(f"CREATE TABLE {section} ({', '.join(defs)}, PRIMARY KEY ({keys}))")
            marks = ", ".join("?" * len(cols))
            conn.executemany(f"INSERT INTO {section} VALUES ({marks})", [flatten(it, cols) for it in items])
            counts[section] = len(items)
        names = list(meta)
        conn.execute(f"CREATE TABLE meta ({', '.join(_quote(n) + (' INTEGER' if n.endswith('_position') else ' TEXT') for n in names)})")
        conn.execute(f"INSERT INTO meta VALUES ({', '.join('?' * len(names))})", [meta[n] for n in names])
    conn.close()
    return counts


def write_snapshot(
    lg: Ledger, out: str | os.PathLike[str], *, as_of: Any = None, known_at: Any = None, min_certainty: str = "rumored",
    force: bool = False,
) -> Document:
    """Write the state as of ``as_of`` (as known at ``known_at``) to the SQLite file ``out``."""
    path = Path(out)
    check_target(lg, path, force)
    doc = lg.state(as_of, known_at, min_certainty).to_dict()
    meta = _meta(lg, doc)
    fd, scratch = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        try:
            counts = _write(scratch, doc, meta)
        except sqlite3.Error as exc:  # a full disk, a read-only folder: the snapshot's own file, not the ledger
            raise LedgerError(f"{out}: could not write the snapshot ({exc}); nothing was written") from None
        check_target(lg, path, force)  # nothing appeared there meanwhile
        os.replace(scratch, path)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)
    return Document({"path": str(path), "meta": meta, "tables": counts})
