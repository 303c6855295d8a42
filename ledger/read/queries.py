"""The read side: state, diff, explain, history, one event and the streams, as folds over stored
events read through the store port.

The fold (``projections``) is pure; this module chooses which events to read and wraps the
answer in documents. Arguments come in checked and exact (:mod:`ledger.read.args`: dates,
positions, certainty, party); ``Ledger`` (the facade) does that and calls these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ledger.errors import NotFoundError
from ledger.read import checkpoints, party_checkpoints, split
from ledger.read.documents import Diff, Document, History, State, Streams
from ledger.store.port import EventStore
from projections import SECTIONS, diff_states, explain_item, filter_active, filter_party, fold


def state(store: EventStore, cache: checkpoints.CheckpointCache, *, day: str, position: int,
          recorded_at: str | None, min_certainty: str, party: str | None, active: bool) -> State:
    """The state as of ``day`` as known at ``position`` (SPEC §5)."""
    sections = None
    if party is not None:
        if min_certainty == "rumored":  # a busy party: from its checkpoint, if one applies
            sections = party_checkpoints.fold_from_checkpoint(store, party, day, position)
        if sections is None:  # few events: read them by the party index, fold in memory
            sections = fold(store.fold_events(position, party, day), as_of=day, known_at=position,
                            min_certainty=min_certainty)
    elif min_certainty == "rumored":
        sections = checkpoints.fold_from_checkpoint(store, cache, day, position)
    if sections is None:  # the whole ledger, streamed in fold order
        sections = split.fold_whole(store, day, position, min_certainty)
    if party is not None:
        sections = filter_party(sections, party)
    if active:
        sections = filter_active(sections)
    header = {"as_of": day, "known_at": {"position": position, "recorded_at": recorded_at},
              "min_certainty": min_certainty, "party": party, "active": active}
    return State({**header, **{name: sections[name] for name in SECTIONS}})


def diff(before: State, after: State) -> Diff:
    changes = diff_states(before.doc, after.doc)
    head = {k: before.doc[k] for k in ("as_of", "known_at")}
    tail = {k: after.doc[k] for k in ("as_of", "known_at")}
    return Diff({"from": head, "to": tail, "min_certainty": after.doc["min_certainty"],
                 "party": after.doc["party"], "changes": changes})


def item_events(store: EventStore, index_key: str, position: int) -> list[Mapping[str, Any]]:
    """The stored envelopes that can shape one item, up to ``position``, in position order: read
    through the party index as ``state --party`` reads a party (the events indexed under the
    item, or its party, with their corrections and retractions and the conditions and cases
    they name), so one item never reads the whole ledger. Full envelopes, since blame and
    trails show sources and recording times."""
    positions = [e["position"] for e in store.fold_events(position, index_key)]
    return list(store.read_positions(positions)) if positions else []


def explain(store: EventStore, query: str, section: str, key: str, index_key: str, *, day: str, position: int,
            recorded_at: str | None, min_certainty: str) -> Document:
    """The events behind one item, its withdrawn events, and each field's provenance (SPEC §12)."""
    result = explain_item(item_events(store, index_key, position), section=section, key=key, as_of=day,
                          known_at=position, min_certainty=min_certainty)
    return Document({"query": query, "as_of": day, "known_at": {"position": position, "recorded_at": recorded_at},
                     **result})


def history(store: EventStore, *, party: str | None, stream: str | None, types: list[str] | None, since: int,
            low: str | None, high: str | None, limit: int | None) -> History:
    """Events in recording order, each marked with what withdrew it; with ``party``, the events
    its one-party state folds (what can shape its items), so the two always agree."""
    from events import date_sort_key

    marks = store.withdrawals()
    entries = []
    head = store.head_position()
    since = min(since, head)  # positions after ``since`` (SPEC §7): the last one a poller saw
    if party is not None:
        positions = [e["position"] for e in store.fold_events(head, party) if e["position"] > since]
        chosen: Iterable[dict[str, Any]] = (
            env for env in store.read_positions(positions)
            if (stream is None or env["stream"] == stream) and (types is None or env["type"] in types))
    else:
        chosen = store.read(after=since, stream=stream, types=types)
    for env in chosen:
        if low is not None or high is not None:
            day = date_sort_key(env["effective_date"])  # a partial date stands at the start of its period
            if (low is not None and day < low) or (high is not None and day > high):
                continue
        mark = marks.get(env["id"], {})
        entries.append({**env, "corrected_by": mark.get("corrected_by"), "retracted_by": mark.get("retracted_by")})
        if limit is not None and len(entries) >= limit:
            break
    return History({"party": party, "stream": stream, "type": types, "since": since, "from": low, "to": high,
                    "limit": limit, "events": entries})


def event(store: EventStore, event_id: str) -> Document:
    """One stored envelope with the events that withdrew it (``corrected_by`` / ``retracted_by``)."""
    found = next(iter(store.read(ids=[event_id])), None) if isinstance(event_id, str) else None
    if found is None:
        raise NotFoundError(f"no event with id {str(event_id)[:200]!r} in this ledger")
    mark = store.withdrawals().get(event_id, {})
    return Document({**found, "corrected_by": mark.get("corrected_by"), "retracted_by": mark.get("retracted_by")})


def streams(store: EventStore) -> Streams:
    """Every stream with its version (what ``expected_version`` compares with), size and last position."""
    return Streams({"streams": [{"name": name, "version": version, "events": count, "last_position": last}
                                for name, version, count, last in store.streams()]})
