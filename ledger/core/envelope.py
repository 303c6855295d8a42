"""Canonical JSON, the hash chain, and the mapping between stored rows and envelope documents.

The stored envelope is the unit of export and of hashing: ``hash = sha256(canonical JSON of the
envelope without ``hash``, ``prev_hash`` included)``. Canonical = orjson with sorted keys, so the
same envelope always hashes the same on every engine and every run.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import orjson

from events import date_sort_key

GENESIS_HASH = "0" * 64


class StoredDataError(ValueError):
    """A stored row that the ledger cannot have written (raised as an integrity failure)."""
ENVELOPE_FIELDS = (
    "id", "type", "effective_date", "stream", "certainty", "source", "recorded_by", "corrects", "data",
    "position", "recorded_at", "stream_version", "schema_version", "prev_hash", "hash",
)
INPUT_FIELDS = ENVELOPE_FIELDS[:9]
RECORDING_FIELDS = ENVELOPE_FIELDS[9:]


def canonical(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def event_hash(envelope: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical envelope minus its own ``hash`` (``prev_hash`` chains it)."""
    body = {k: envelope[k] for k in ENVELOPE_FIELDS[:-1]}
    return hashlib.sha256(canonical(body)).hexdigest()


def seal(body: dict[str, Any]) -> tuple[str, str, str | None]:
    """Hash a new envelope (every field but ``hash``); also return its canonical ``data`` and
    ``source`` texts, which are what the row stores.

    Same hash as :func:`event_hash`: the payloads are serialized once, canonically, and spliced
    into the envelope's canonical JSON as fragments, instead of once for the hash and again
    for the row (this is on the append path of every event).
    """
    data = canonical(body["data"])
    source = body["source"]
    source_text = canonical(source) if source is not None else None
    spliced = {**body, "data": orjson.Fragment(data)}
    if source_text is not None:
        spliced["source"] = orjson.Fragment(source_text)
    return hashlib.sha256(canonical(spliced)).hexdigest(), data.decode(), (
        source_text.decode() if source_text is not None else None)


def format_ts(ts: datetime) -> str:
    """UTC timestamp text with microseconds: the form that is hashed and exported."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@functools.lru_cache(maxsize=4096)
def parse_ts(text: str) -> datetime:
    """Inverse of :func:`format_ts`; also accepts any ISO-8601 time with an offset (or naive = UTC).

    Cached: a batch of events shares one ``recorded_at``, and reads convert it per row.
    """
    ts = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def effective_on(text: str) -> date:
    return date.fromisoformat(date_sort_key(text))


INSERT_COLUMNS = (
    "position", "id", "stream", "stream_version", "type", "effective_date", "effective_on", "certainty",
    "recorded_at", "recorded_by", "source", "payload", "corrects", "schema_version", "prev_hash", "hash",
)
"""Column order of the bulk insert (the store binds these positionally, driver-level)."""


def row_values(envelope: Mapping[str, Any], recorded_at: Any, data: str, source: str | None) -> tuple[Any, ...]:
    """Column values for one stored envelope, in :data:`INSERT_COLUMNS` order.

    ``recorded_at`` comes in already converted for the database (one value per batch), because
    converting a timestamp per row is a measurable share of an append; ``data`` and ``source``
    come in as the canonical texts :func:`seal` made.
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
"""Columns selected to rebuild an envelope, in :data:`ENVELOPE_FIELDS` order."""


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


class BrokenText(str):
    """A stored JSON column that does not parse, kept as its text so ``verify`` can report the
    row (its hash cannot match) instead of stopping at it."""


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


def envelope_from_row(row: tuple[Any, ...], tolerant: bool = False) -> dict[str, Any]:
    """Rebuild the stored envelope from a row selected as :data:`ROW_COLUMNS` (plus, for
    ``verify``, the derived ``effective_on`` column, kept under that key: hashing ignores it).

    ``tolerant`` (verify): a column that is not what the ledger writes is kept as found, for the
    chain check to report, rather than raising :class:`StoredDataError`.
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
    return env
