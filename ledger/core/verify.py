"""``verify``: recompute the hash chain and recording invariants of the stored ledger.

The triggers stop edits through SQL; the chain catches edits made around them (trigger dropped,
file edited). A chain cannot catch a rewrite of the whole chain or a cut tail: for that, publish
the head (``verify --print-head``) somewhere else and check against it (``verify --anchor``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from events import EVENT_TYPES, date_sort_key
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


class ChainWalk:
    """The chain check of :func:`verify_chain`, one envelope at a time (an import feeds it chunk
    by chunk); collects up to ``limit`` problems, first one first."""

    def __init__(self, anchor: tuple[int, str] | None = None, limit: int = 20) -> None:
        self.problems: list[dict[str, Any]] = []
        self.prev_hash, self.expected = GENESIS_HASH, 1
        self.last_ts: datetime | None = None
        self.streams: dict[str, int] = {}
        self.anchor, self.anchor_seen, self.limit = anchor, anchor is None, limit
        self.count = 0

    def bad(self, position: int, event_id: str | None, what: str) -> None:
        if len(self.problems) < self.limit:
            self.problems.append({"position": position, "id": event_id, "problem": what})

    def feed(self, env: dict[str, Any]) -> None:
        bad, anchor = self.bad, self.anchor
        self.count += 1
        pos, eid = env["position"], env["id"]
        if pos != self.expected:
            bad(pos, eid, f"position {pos} where {self.expected} was expected (a row was deleted, inserted or reordered)")
        if env["prev_hash"] != self.prev_hash:
            bad(pos, eid, "prev_hash does not match the hash of the previous event (chain broken)")
        if event_hash(env) != env["hash"]:
            bad(pos, eid, "hash does not match the event's content (the row was edited)")
        for problem in _stored_form(env):
            bad(pos, eid, problem)
        version = self.streams.get(env["stream"], 0) + 1
        if env["stream_version"] != version:
            bad(pos, eid, f"stream {env['stream']!r} version {env['stream_version']} where {version} was expected")
        self.streams[env["stream"]] = version
        ts = None if isinstance(env["recorded_at"], BrokenText) else parse_ts(env["recorded_at"])
        if ts is not None and self.last_ts is not None and ts < self.last_ts:
            bad(pos, eid, "recorded_at goes back in time along positions")
        if anchor is not None and pos == anchor[0]:
            self.anchor_seen = True
            if env["hash"] != anchor[1]:
                bad(pos, eid, f"hash differs from the published anchor {anchor[1]}")
        self.last_ts, self.prev_hash, self.expected = ts or self.last_ts, env["hash"], pos + 1

    def report(self) -> VerifyReport:
        if not self.anchor_seen and self.anchor is not None:
            self.bad(self.anchor[0], None, f"the anchored position {self.anchor[0]} is missing: the ledger was cut short")
        return VerifyReport(not self.problems, self.count, len(self.streams), self.expected - 1, self.prev_hash,
                            self.problems)


def verify_chain(
    envelopes: Iterable[dict[str, Any]], *, anchor: tuple[int, str] | None = None,
    progress: Callable[[int], None] | None = None, limit: int = 20,
) -> VerifyReport:
    """Walk the envelopes in position order; collect up to ``limit`` problems, first one first."""
    walk = ChainWalk(anchor, limit)
    for env in envelopes:
        walk.feed(env)
        if progress is not None and walk.count % 10_000 == 0:
            progress(walk.count)
    return walk.report()


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


_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z", re.ASCII)
_DIGEST = re.compile(r"[0-9a-f]{64}", re.ASCII)


def export_form(envelopes: list[dict[str, Any]], offset: int = 0) -> list[Problem]:
    """Recording fields not in the exact form the store writes (a ``recorded_at`` written
    ``+00:00`` hashes differently from the ``Z`` form read back); ``offset``: the first one's index."""
    problems: list[Problem] = []
    for n, env in enumerate(envelopes):
        i = offset + n
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
    return problems


def export_chain(walk: ChainWalk, envelopes: list[dict[str, Any]], offset: int = 0) -> list[Problem]:
    """Feed well-formed envelopes to ``walk`` (the same chain check as ``verify``, so a rechained
    file with a moved timestamp is refused); the problems it found in them, as import problems."""
    before = len(walk.problems)
    for env in envelopes:
        walk.feed(env)
    by_position = {env["position"]: n for n, env in enumerate(envelopes)}
    problems = []
    for found in walk.problems[before:]:
        n = by_position.get(found["position"])
        problems.append(Problem(offset + n if n is not None else None, found["id"], None,
                                f"{found['problem']}: the file was edited or is not a complete export"))
    return problems


def check_export(envelopes: list[dict[str, Any]]) -> list[Problem]:
    """Why a file of stored envelopes cannot be restored as it is: what ``import`` accepts,
    ``verify`` must pass afterwards (:func:`export_form`, then :func:`export_chain`)."""
    return export_form(envelopes) or export_chain(ChainWalk(limit=1_000), envelopes)
