"""``verify``: recompute the hash chain and recording invariants of the stored ledger.

The triggers stop edits through SQL; the chain catches edits made around them (trigger dropped,
file edited). A chain cannot catch a rewrite of the whole chain or a cut tail: for that, publish
the head (``verify --print-head``) somewhere else and check against it (``verify --anchor``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from events import DEFINING_TYPES, EVENT_TYPES, date_sort_key
from ledger.core.envelope import GENESIS_HASH, BrokenText, event_hash, parse_ts
from ledger.errors import Problem


@dataclass
class VerifyReport:
    ok: bool
    events: int
    streams: int
    head_position: int
    head_hash: str
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def first_problem(self) -> dict[str, Any] | None:
        return self.problems[0] if self.problems else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def verify_chain(
    envelopes: Iterable[dict[str, Any]], *, anchor: tuple[int, str] | None = None,
    progress: Callable[[int], None] | None = None, limit: int = 20,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> VerifyReport:
    """Walk the envelopes in position order; collect up to ``limit`` problems, first one first."""
    problems: list[dict[str, Any]] = []
    prev_hash, expected, last_ts = GENESIS_HASH, 1, None
    streams: dict[str, int] = {}
    anchor_seen = anchor is None

    def bad(position: int, event_id: str | None, what: str) -> None:
        if len(problems) < limit:
            problems.append({"position": position, "id": event_id, "problem": what})

    count = 0
    for env in envelopes:
        count += 1
        pos, eid = env["position"], env["id"]
        if pos != expected:
            bad(pos, eid, f"position {pos} where {expected} was expected (a row was deleted, inserted or reordered)")
        if env["prev_hash"] != prev_hash:
            bad(pos, eid, "prev_hash does not match the hash of the previous event (chain broken)")
        if event_hash(env) != env["hash"]:
            bad(pos, eid, "hash does not match the event's content (the row was edited)")
        for problem in _stored_form(env):
            bad(pos, eid, problem)
        version = streams.get(env["stream"], 0) + 1
        if env["stream_version"] != version:
            bad(pos, eid, f"stream {env['stream']!r} version {env['stream_version']} where {version} was expected")
        streams[env["stream"]] = version
        ts = None if isinstance(env["recorded_at"], BrokenText) else parse_ts(env["recorded_at"])
        if ts is not None and last_ts is not None and ts < last_ts:
            bad(pos, eid, "recorded_at goes back in time along positions")
        if anchor is not None and pos == anchor[0]:
            anchor_seen = True
            if env["hash"] != anchor[1]:
                bad(pos, eid, f"hash differs from the published anchor {anchor[1]}")
        last_ts, prev_hash, expected = ts or last_ts, env["hash"], pos + 1
        if on_event is not None:
            on_event(env)
        if progress is not None and count % 10_000 == 0:
            progress(count)
    if not anchor_seen and anchor is not None:
        bad(anchor[0], None, f"the anchored position {anchor[0]} is missing: the ledger was cut short")
    return VerifyReport(not problems, count, len(streams), expected - 1, prev_hash, problems)


def _stored_form(env: dict[str, Any]) -> list[str]:
    """What a row holds that the ledger never writes, beyond what the hash covers: columns that
    do not parse, a type the catalog does not know, and a derived column (``effective_on``, which
    date queries filter and order by) that differs from the ``effective_date`` it is derived from."""
    found = []
    for column in ("data", "source", "recorded_at"):
        if isinstance(env[column], BrokenText):
            found.append(f"the stored {column} does not parse (the row was edited)")
    if env["type"] not in EVENT_TYPES:
        found.append(f"type {str(env['type'])[:40]!r} is not an event type (the row was edited)")
    if "effective_on" in env:
        try:
            expected = date_sort_key(env["effective_date"])
        except TypeError:
            expected = None
        if env["effective_on"] != expected:
            found.append(f"the derived column effective_on is {str(env['effective_on'])[:40]!r} where effective_date "
                         f"{str(env['effective_date'])[:20]!r} gives {expected!r} (the row was edited: date queries "
                         "would place the event wrongly)")
    return found


def well_formed(env: dict[str, Any]) -> bool:
    """Whether the derived-data checks can read this event (the chain check reports the rest)."""
    return env["type"] in EVENT_TYPES and isinstance(env["data"], dict) and not isinstance(env["data"], BrokenText)


class PartyIndexCheck:
    """Rebuild the party index from the events, one event at a time, and compare it with the
    stored one (fed alongside the chain check, so the ledger is read once).

    The index is derived (not in the hash chain), and one-party queries read only it, so an
    edited index would change answers silently; this is what catches that. ``index_rows`` are
    (position, key) in position order; ``fetch`` returns older events by id (the targets of
    corrections and retractions that are not definitions kept here).
    """

    def __init__(self, index_rows: Iterable[tuple[int, str]],
                 fetch: Callable[[set[str]], dict[str, dict[str, Any]]], limit: int = 20) -> None:
        from ledger.core.rules import Definitions

        self.catalog = Definitions()
        self.problems: list[dict[str, Any]] = []
        self.limit = limit
        self._rows = iter(index_rows)
        self._pending = next(self._rows, None)
        self._fetch = fetch
        self._seen: dict[str, dict[str, Any]] = {}

    def _bad(self, position: int, event_id: str | None, what: str) -> None:
        if len(self.problems) < self.limit:
            self.problems.append({"position": position, "id": event_id, "problem": what})

    def __call__(self, env: dict[str, Any]) -> None:
        from events import withdrawn_id

        if not well_formed(env):
            return
        position = env["position"]
        tid = withdrawn_id(env)
        target = (self._seen.get(tid) or self._fetch({tid}).get(tid)) if tid is not None else None
        if target is not None and not well_formed(target):
            target = None
        want = sorted(self.catalog.index_keys(env, target))
        self.catalog.apply(env, target)
        have = []
        while self._pending is not None and self._pending[0] <= position:
            if self._pending[0] == position:
                have.append(self._pending[1])
            else:
                self._bad(self._pending[0], None, f"party index row ({self._pending[1]!r}) for no such event")
            self._pending = next(self._rows, None)
        if sorted(have) != want:
            self._bad(position, env["id"], f"party index lists {sorted(have)} where the events give {want} "
                      "(the derived index was edited)")
        if env["type"] in DEFINING_TYPES:
            self._seen[env["id"]] = env

    def finish(self) -> list[dict[str, Any]]:
        if self._pending is not None:
            self._bad(self._pending[0], None, "party index rows past the last event")
        return self.problems


_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z", re.ASCII)
_DIGEST = re.compile(r"[0-9a-f]{64}", re.ASCII)


def check_export(envelopes: list[dict[str, Any]]) -> list[Problem]:
    """Why a file of stored envelopes cannot be restored as it is: what ``import`` accepts,
    ``verify`` must pass afterwards. Recording fields must have the exact form the store writes
    (a ``recorded_at`` written ``+00:00`` hashes differently from the ``Z`` form read back), and
    the file must pass the same chain check as ``verify`` (positions, hashes, stream versions,
    time never going back), so a rechained file with a moved timestamp is refused here."""
    problems: list[Problem] = []
    for i, env in enumerate(envelopes):
        recorded = env["recorded_at"]
        if not isinstance(recorded, str) or not _TIMESTAMP.fullmatch(recorded):
            problems.append(Problem(i, env["id"], "recorded_at", "not a UTC timestamp in the form export writes "
                                    "(YYYY-MM-DDTHH:MM:SS.ffffffZ)"))
        else:
            try:
                parse_ts(recorded)
            except ValueError:
                problems.append(Problem(i, env["id"], "recorded_at", f"{recorded!r} is not a real time"))
        for name in ("position", "stream_version", "schema_version"):
            if isinstance(env[name], bool) or not isinstance(env[name], int):
                problems.append(Problem(i, env["id"], name, "must be a whole number"))
        for name in ("prev_hash", "hash"):
            if not isinstance(env[name], str) or not _DIGEST.fullmatch(env[name]):
                problems.append(Problem(i, env["id"], name, "must be 64 lowercase hexadecimal digits"))
    if problems:
        return problems
    report = verify_chain(envelopes, limit=1_000)
    index = {id(env): i for i, env in enumerate(envelopes)}
    by_position = {env["position"]: env for env in envelopes}
    for found in report.problems:
        match = by_position.get(found["position"])
        problems.append(Problem(index.get(id(match)) if match is not None else None, found["id"], None,
                                f"{found['problem']}: the file was edited or is not a complete export"))
    return problems
