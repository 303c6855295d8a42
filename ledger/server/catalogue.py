"""What the explorer needs besides the documents: the time range, the recordings, and search.

Built from the public Ledger API (``events`` and ``state``) and kept per process, brought up to
date incrementally: a new head reads only the events recorded since the last one. The event
search text is bounded per event, and at most :data:`MAX_INDEXED` events are searchable (the
newest win), so memory stays bounded on a very large ledger.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from events import date_sort_key, period_end
from ledger.api import Ledger
from projections import KEY_FIELDS, SECTIONS, item_key

MAX_INDEXED = 200_000
MAX_RECORDINGS = 400
MAX_RESULTS = 50
FAR_FUTURE = "9999-12-31"
_LABEL_FIELDS = ("name", "title", "topic", "description", "claim", "scope", "summary")


def _texts(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for v in value.values():
            _texts(v, out)
    elif isinstance(value, list):
        for v in value:
            _texts(v, out)


def _label(section: str, item: dict[str, Any]) -> str:
    for name in _LABEL_FIELDS:
        value = item.get(name)
        if isinstance(value, str) and value:
            return value if len(value) <= 120 else value[:117] + "…"
    return item_key(section, item)


@dataclass
class Catalogue:
    """The explorer's index of one ledger, valid at ``head``."""

    head: int = 0
    head_recorded_at: str | None = None
    first_date: str | None = None
    last_date: str | None = None
    recordings: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=MAX_RECORDINGS))
    events: deque[tuple[str, dict[str, Any]]] = field(default_factory=lambda: deque(maxlen=MAX_INDEXED))
    items: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self, lg: Ledger) -> None:
        """Catch up with the ledger's head (a no-op when nothing was recorded since)."""
        with self.lock:
            head, recorded_at = lg.resolve_known_at(None)
            if head == self.head:
                return
            if head < self.head:  # the database was replaced: start over
                self._reset()
            for env in lg.events(after=self.head, upto=head):
                self._add(env)
            self.head, self.head_recorded_at = head, recorded_at
            self.items = self._items(lg)

    def _reset(self) -> None:
        self.head, self.head_recorded_at, self.first_date, self.last_date = 0, None, None, None
        self.recordings.clear()
        self.events.clear()
        self.items = []

    def _add(self, env: dict[str, Any]) -> None:
        start, end = date_sort_key(env["effective_date"]), period_end(env["effective_date"])
        self.first_date = start if self.first_date is None else min(self.first_date, start)
        self.last_date = end if self.last_date is None else max(self.last_date, end)
        last = self.recordings[-1] if self.recordings else None
        if last is not None and last["recorded_at"] == env["recorded_at"]:
            last["position"], last["count"] = env["position"], last["count"] + 1
        else:
            self.recordings.append({"position": env["position"], "recorded_at": env["recorded_at"], "count": 1})
        source = env.get("source") or {}
        words = [env["id"], env["type"], env["stream"]]
        _texts(source, words)
        _texts(env["data"], words)
        summary = {"id": env["id"], "type": env["type"], "effective_date": env["effective_date"],
                   "position": env["position"], "certainty": env["certainty"],
                   "title": source.get("title") or source.get("publisher")}
        self.events.append((" ".join(words).lower()[:4000], summary))

    @staticmethod
    def _items(lg: Ledger) -> list[tuple[str, dict[str, Any]]]:
        """Every item the ledger ever held (ended ones stay in the state), with its search text."""
        doc = lg.state(FAR_FUTURE).to_dict()
        found = []
        for section in SECTIONS:
            for item in doc[section]:
                words = [section]
                _texts({k: v for k, v in item.items() if k != "evidence"}, words)
                summary = {"section": section, "key": item_key(section, item), "label": _label(section, item),
                           "status": item.get("status"), "certainty": item.get("certainty")}
                found.append((" ".join(words).lower(), summary))
        return found

    def meta(self) -> dict[str, Any]:
        today = datetime.now(UTC).date().isoformat()
        return {"head": {"position": self.head, "recorded_at": self.head_recorded_at},
                "first_date": self.first_date, "last_date": max(self.last_date or today, today),
                "recordings": list(self.recordings), "key_fields": {s: list(KEY_FIELDS[s]) for s in SECTIONS}}

    def search(self, query: str) -> dict[str, Any]:
        """Items and events whose text holds every word of ``query`` (case-insensitive); items
        whose key or label holds the words come first, so "stargate" leads with the Stargate deal."""
        words = query.lower().split()
        if not words:
            return {"query": query, "parties": [], "items": [], "events": [], "more": 0}

        def rank(summary: dict[str, Any]) -> tuple[int, int]:
            key, label = summary["key"].lower(), summary["label"].lower()
            place = (0 if key == " ".join(words) else 1 if all(w in key for w in words)
                     else 2 if all(w in label for w in words) else 3)
            return place, len(key)

        items = sorted((s for text, s in self.items if all(w in text for w in words)), key=rank)
        parties = [s for s in items if s["section"] == "parties"]
        others = [s for s in items if s["section"] != "parties"]
        events = [s for text, s in reversed(self.events) if all(w in text for w in words)]
        return {"query": query, "parties": parties[:MAX_RESULTS], "items": others[:MAX_RESULTS],
                "events": events[:MAX_RESULTS], "more": max(0, len(events) - MAX_RESULTS)}
