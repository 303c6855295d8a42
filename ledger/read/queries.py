"""The read side of the Ledger: state, diff, explain and history, as folds over stored events.

The fold (``projections``) is pure; this module chooses which events to read, resolves
``known_at`` and ``as_of`` in the shell (the clock and the database live here) and wraps the
result in documents with a stable JSON form.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import orjson

from events import CERTAINTY_RANK, EVENT_TYPES, check_date, date_sort_key, period_end
from ledger.errors import NotFoundError, bad_argument
from ledger.read import checkpoints
from ledger.store.foldreads import read_for_fold, supersessions
from projections import SECTIONS, Folder, diff_states, explain_item, filter_active, filter_party, fold

if TYPE_CHECKING:
    from ledger.api import Ledger


class Document:
    """A JSON document with a stable serialization: same query, same ledger, same bytes."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc

    def to_dict(self) -> dict[str, Any]:
        return self.doc

    def to_json(self, indent: bool = True) -> str:
        option = orjson.OPT_INDENT_2 if indent else 0
        return orjson.dumps(self.doc, option=option).decode()

    def __getitem__(self, key: str) -> Any:
        return self.doc[key]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Document) and other.doc == self.doc

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_json(indent=False)[:200]}...)"


class State(Document):
    """The state document of SPEC §5; sections are also attributes (``state.rights``)."""

    def __getattr__(self, name: str) -> Any:
        if name in SECTIONS:
            return self.doc[name]
        raise AttributeError(name)


def parse_as_of(as_of: str | date | None) -> str:
    """A full ISO date; default today (UTC): the clock is read here, in the shell, never in a fold."""
    if isinstance(as_of, datetime):
        return as_of.astimezone(UTC).date().isoformat() if as_of.tzinfo else as_of.date().isoformat()
    if isinstance(as_of, date):
        return as_of.isoformat()
    if as_of is None:
        return datetime.now(UTC).date().isoformat()
    try:
        if len(as_of) == 10:
            return date.fromisoformat(as_of).isoformat()
    except ValueError:
        pass
    raise bad_argument("as_of", f"{as_of!r} is not a full date YYYY-MM-DD")


def check_certainty(value: str) -> str:
    if value not in CERTAINTY_RANK:
        raise bad_argument("min_certainty", f"{value!r} is not one of "
                                       + ", ".join(CERTAINTY_RANK))
    return value


def build_state(lg: Ledger, *, as_of: str | date | None, known_at: Any, min_certainty: str, party: str | None,
                active: bool) -> State:
    day = parse_as_of(as_of)
    check_certainty(min_certainty)
    position, recorded_at = lg.resolve_known_at(known_at)
    sections = None
    if party is not None:  # few events: read them by the party index, fold in memory
        sections = fold(read_for_fold(lg.store, position, party), as_of=day, known_at=position,
                        min_certainty=min_certainty)
    elif min_certainty == "rumored":
        sections = checkpoints.fold_from_checkpoint(lg.store, lg.checkpoint_cache, day, position)
    if sections is None:  # the whole ledger, streamed in fold order
        sections = checkpoints.fold_in_order(lg.store, Folder(), None, day, position, min_certainty)
    if party is not None:
        sections = filter_party(sections, party)
    if active:
        sections = filter_active(sections)
    header = {"as_of": day, "known_at": {"position": position, "recorded_at": recorded_at},
              "min_certainty": min_certainty, "party": party, "active": active}
    return State({**header, **{name: sections[name] for name in SECTIONS}})


def build_diff(before: State, after: State) -> Document:
    changes = diff_states(before.doc, after.doc)
    head = {k: before.doc[k] for k in ("as_of", "known_at")}
    tail = {k: after.doc[k] for k in ("as_of", "known_at")}
    return Document({"from": head, "to": tail, "min_certainty": after.doc["min_certainty"],
                     "party": after.doc["party"], "changes": changes})


def build_explain(lg: Ledger, item: str, *, as_of: str | date | None, known_at: Any, min_certainty: str) -> Document:
    section, _, key = item.partition(":")
    if section not in SECTIONS or not key:
        raise bad_argument("item", f"{item!r}: name an item as SECTION:KEY, e.g. "
                                       "rights:msft-exclusive-gpt or stakes:microsoft/openai; sections: "
                                       + ", ".join(SECTIONS))
    day = parse_as_of(as_of)
    check_certainty(min_certainty)
    position, recorded_at = lg.resolve_known_at(known_at)
    from ledger.read.audit import item_events, split_item

    result = explain_item(item_events(lg, section, split_item(item)[2], position), section=section, key=key,
                          as_of=day, known_at=position, min_certainty=min_certainty)
    return Document({"query": item, "as_of": day, "known_at": {"position": position, "recorded_at": recorded_at},
                     **result})


def parse_bound(text: str | date | None, field: str, end: bool) -> str | None:
    """A history bound (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) as the full date it stands for:
    the first day of its period for ``from``, the last day for ``to`` (both inclusive)."""
    if text is None or isinstance(text, date):
        return text.isoformat() if isinstance(text, date) else None
    try:
        checked = check_date(text)
    except ValueError:
        raise bad_argument(field, f"{str(text)[:40]!r} is not a date YYYY, YYYY-MM or YYYY-MM-DD") from None
    return period_end(checked) if end else date_sort_key(checked)


def build_history(lg: Ledger, *, party: str | None, stream: str | None, event_type: str | Sequence[str] | None,
                  since: int, date_from: str | date | None = None, date_to: str | date | None = None,
                  limit: int | None = None) -> Document:
    types = [event_type] if isinstance(event_type, str) else list(event_type) if event_type else None
    for name in types or ():
        if name not in EVENT_TYPES:
            raise bad_argument("type", f"{name!r} is not an event type; valid types: " + ", ".join(EVENT_TYPES))
    for name, number, least in (("limit", limit, 1), ("since", since, 0)):
        if number is not None and (isinstance(number, bool) or not isinstance(number, int)
                                   or not least <= number <= 2**62):
            raise bad_argument(name, f"a {name} is a whole number from {least} to 2^62")
    low, high = parse_bound(date_from, "from", end=False), parse_bound(date_to, "to", end=True)
    marks = supersessions(lg.store)
    entries = []
    since = min(since, lg.store.head_position() + 1)  # past the head: nothing
    if party is not None:  # what can shape the party's items: the events its one-party state folds
        head = lg.store.head_position()
        positions = [e["position"] for e in read_for_fold(lg.store, head, party) if e["position"] >= since]
        chosen: Iterable[dict[str, Any]] = (
            env for env in lg.store.read_positions(positions)
            if (stream is None or env["stream"] == stream) and (types is None or env["type"] in types))
    else:
        chosen = lg.store.read(after=max(since - 1, 0), stream=stream, types=types)
    for env in chosen:
        if low is not None or high is not None:
            day = date_sort_key(env["effective_date"])  # a partial date stands at the start of its period
            if (low is not None and day < low) or (high is not None and day > high):
                continue
        mark = marks.get(env["id"], {})
        entries.append({**env, "corrected_by": mark.get("corrected_by"), "retracted_by": mark.get("retracted_by")})
        if limit is not None and len(entries) >= limit:
            break
    return Document({"party": party, "stream": stream, "type": types, "since": since, "from": low, "to": high,
                     "limit": limit, "events": entries})


def build_event(lg: Ledger, event_id: str) -> Document:
    """One stored envelope with the events that withdrew it (``corrected_by`` / ``retracted_by``)."""
    found = next(iter(lg.store.read(ids=[event_id])), None) if isinstance(event_id, str) else None
    if found is None:
        raise NotFoundError(f"no event with id {event_id!r} in this ledger")
    mark = supersessions(lg.store).get(event_id, {})
    return Document({**found, "corrected_by": mark.get("corrected_by"), "retracted_by": mark.get("retracted_by")})


def build_streams(lg: Ledger) -> Document:
    """Every stream with its version (what ``expected_version`` compares with), size and last position."""
    return Document({"streams": [{"name": name, "version": version, "events": count, "last_position": last}
                                 for name, version, count, last in lg.store.streams()]})
