"""Canonical JSON, the hash chain, and the mapping between stored rows and envelope documents.

The stored envelope is the unit of export and of hashing: ``hash = sha256(canonical JSON of the
envelope without ``hash``, ``prev_hash`` included)``. Canonical = orjson with sorted keys, so the
same envelope always hashes the same on every engine and every run.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

GENESIS_HASH = "0" * 64


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


class BrokenText(str):
    """A stored column that does not parse, kept as its text so ``verify`` can report the row
    (its hash cannot match) instead of stopping at it."""
