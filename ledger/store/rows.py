"""Stored rows and envelopes: the columns written and read, and the mapping between a row and
the envelope that is hashed and exported (:mod:`ledger.core.envelope`).

``BUCKET`` lays out the party index: rows are keyed (bucket of 65,536 positions, key,
position), so an append only writes into the newest bucket's part of the index, however large
the ledger grows.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson

from events import date_sort_key
from events import upcast as upcasting
from ledger.core.envelope import BrokenText, format_ts, parse_ts
from ledger.errors import SchemaVersionError, StoredDataError

BUCKET = 65536
"""Positions per ``event_parties`` bucket: new rows land in the newest bucket's subtree only."""


def bucket(position: int) -> int:
    return position // BUCKET


INSERT_COLUMNS = (
    "position", "id", "stream", "stream_version", "type", "effective_date", "effective_on", "certainty",
    "recorded_at", "recorded_by", "source", "payload", "corrects", "schema_version", "prev_hash", "hash",
)
"""Column order of the bulk insert (the store binds these positionally, driver-level)."""


def row_values(envelope: Mapping[str, Any], recorded_at: Any, data: str, source: str | None) -> tuple[Any, ...]:
    """Column values for one stored envelope, in :data:`INSERT_COLUMNS` order.

    ``recorded_at`` comes in already converted for the database (one value per batch), because
    converting a timestamp per row is a measurable share of an append; ``data`` and ``source``
    come in as the canonical texts :func:`ledger.core.envelope.seal` made.
    """
    return (
        envelope["position"], envelope["id"], envelope["stream"], envelope["stream_version"], envelope["type"],
        envelope["effective_date"], date_sort_key(envelope["effective_date"]), envelope["certainty"],
        recorded_at, envelope["recorded_by"], source, data, envelope["corrects"], envelope["schema_version"],
        envelope["prev_hash"], envelope["hash"],
    )


ROW_COLUMNS = (
    "id", "type", "effective_date", "stream", "certainty", "source", "recorded_by", "corrects", "payload",
    "position", "recorded_at", "stream_version", "schema_version", "prev_hash", "hash",
)
"""Columns selected to rebuild an envelope, in :data:`ledger.core.envelope.ENVELOPE_FIELDS` order."""


@functools.lru_cache(maxsize=4096)
def _stored_ts(value: datetime | str) -> str:
    """A stored recorded_at (a datetime, or text from SQLite through a raw driver query) as
    exported; cached because a whole batch of events shares one."""
    return format_ts(parse_ts(value) if isinstance(value, str) else value)


def _recorded(value: Any, position: Any, tolerant: bool) -> str:
    try:
        return _stored_ts(value)
    except (ValueError, TypeError, OverflowError):
        if tolerant:
            return BrokenText(str(value))
        raise StoredDataError(f"integrity: the stored recorded_at of the event at position {position} is not a "
                              "timestamp: the row was edited outside alliance-ledger; run `alliance-ledger verify`") from None


def _json(text: str | None, position: Any, column: str, tolerant: bool) -> Any:
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        if tolerant:
            return BrokenText(text)
        raise StoredDataError(f"integrity: the stored {column} of the event at position {position} is not JSON: the "
                              "row was edited outside alliance-ledger; run `alliance-ledger verify`") from None


def upcast(document: dict[str, Any], version: Any, position: Any) -> dict[str, Any]:
    """``document`` (an envelope or a fold row) of stored ``schema_version`` in the current shape
    (:mod:`events.upcast`); a version this code does not read is a typed error."""
    if type(version) is not int:
        raise StoredDataError(f"integrity: the stored schema_version of the event at position {position} is "
                              f"{str(version)[:20]!r}, not a version number: the row was edited outside "
                              "alliance-ledger; run `alliance-ledger verify`")
    try:
        return upcasting.upcast(document, version)
    except upcasting.SchemaTooNew as exc:
        raise SchemaVersionError(str(exc)) from None
    except ValueError as exc:
        raise StoredDataError(f"integrity: {exc}: the row was edited outside alliance-ledger; run "
                              "`alliance-ledger verify`") from None


def envelope_from_row(row: tuple[Any, ...], tolerant: bool = False, raw: bool = False) -> dict[str, Any]:
    """Rebuild the stored envelope from a row selected as :data:`ROW_COLUMNS` (plus, for
    ``verify``, the derived ``effective_on`` column, kept under that key: hashing ignores it).

    An event stored with an older ``schema_version`` is upcast to the current shape, unless
    ``raw`` (export: the envelope exactly as stored, which its hash covers).
    ``tolerant`` (verify): a column that is not what the ledger writes is kept as found, for the
    chain check to report, rather than raising :class:`StoredDataError`; implies ``raw``.
    """
    (id_, type_, eff, stream, certainty, source, recorded_by, corrects, payload,
     position, recorded_at, stream_version, schema_version, prev_hash, hash_) = row[:15]
    env = {
        "id": id_, "type": type_, "effective_date": eff, "stream": stream, "certainty": certainty,
        "source": _json(source, position, "source", tolerant),
        "recorded_by": recorded_by, "corrects": corrects, "data": _json(payload, position, "data", tolerant),
        "position": position, "recorded_at": _recorded(recorded_at, position, tolerant),
        "stream_version": stream_version, "schema_version": schema_version, "prev_hash": prev_hash, "hash": hash_,
    }
    if len(row) > 15:
        env["effective_on"] = row[15]
    if schema_version != upcasting.CURRENT_SCHEMA_VERSION and not (raw or tolerant):
        return upcast(env, schema_version, position)
    return env
