"""Build realistic stored events for tests: validated by the event catalog, stored like the store does.

Every event goes through ``events.EVENT_ADAPTER`` and ``events.to_document``, so tests fold the
exact dict shapes the store reads back (decimals as strings, amendment nulls kept), and gets
the recording fields (position, recorded_at, stream_version, schema_version, hash chain).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from events import CURRENT_SCHEMA_VERSION, EVENT_ADAPTER, to_document

_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
_GENESIS = "0" * 64


def stored_event(
    type_: str,
    data: dict[str, Any],
    date: str,
    *,
    event_id: str,
    position: int,
    certainty: str = "confirmed",
    corrects: str | None = None,
    stream: str = "main",
    stream_version: int = 1,
    prev_hash: str = _GENESIS,
    source: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One stored envelope, validated through the catalog like an append would."""
    model = EVENT_ADAPTER.validate_python({
        "id": event_id, "type": type_, "effective_date": date, "stream": stream, "certainty": certainty,
        "source": source if source is not None else {"title": f"test source for {event_id}"},
        "corrects": corrects, "data": data,
    })
    doc = to_document(model, event_id)
    recorded_at = (_EPOCH + timedelta(seconds=position)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    doc.update(position=position, recorded_at=recorded_at, stream_version=stream_version,
               schema_version=CURRENT_SCHEMA_VERSION, prev_hash=prev_hash)
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    doc["hash"] = hashlib.sha256(canonical.encode()).hexdigest()
    return doc


class History:
    """An in-memory ledger for tests: appends events with gap-free positions and default ids.

    ``add`` returns the stored event; ``history.events`` is the list in recording order.
    """

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._streams: dict[str, int] = {}

    def add(
        self,
        type_: str,
        data: dict[str, Any],
        date: str,
        *,
        event_id: str | None = None,
        certainty: str = "confirmed",
        corrects: str | None = None,
        stream: str = "main",
    ) -> dict[str, Any]:
        position = len(self.events) + 1
        version = self._streams.get(stream, 0) + 1
        self._streams[stream] = version
        event = stored_event(
            type_, data, date, event_id=event_id or f"e{position}", position=position, certainty=certainty,
            corrects=corrects, stream=stream, stream_version=version,
            prev_hash=self.events[-1]["hash"] if self.events else _GENESIS,
        )
        self.events.append(event)
        return event

    def get(self, event_id: str) -> dict[str, Any]:
        return next(e for e in self.events if e["id"] == event_id)

    def correct(
        self,
        target: str,
        *,
        date: str | None = None,
        data: dict[str, Any] | None = None,
        certainty: str | None = None,
        event_id: str | None = None,
    ) -> dict[str, Any]:
        """Append a correction restating ``target`` with the given changes (data keys merge)."""
        old = self.get(target)
        merged = {**old["data"], **(data or {})}
        return self.add(
            old["type"], merged, date or old["effective_date"], event_id=event_id,
            certainty=certainty or old["certainty"], corrects=target, stream=old["stream"],
        )

    def retract(self, target: str, date: str, *, reason: str = "wrong", event_id: str | None = None) -> dict[str, Any]:
        return self.add("EventRetracted", {"target": target, "reason": reason}, date, event_id=event_id)

    # Shortcuts for the events most tests need.

    def party(self, party: str, date: str = "2000", *, kind: str = "company", **extra: Any) -> dict[str, Any]:
        data = {"party": party, "name": extra.pop("name", party.title()), "kind": kind, **extra}
        return self.add("PartyRegistered", data, date, event_id=f"reg-{party}")

    def parties(self, *names: str, date: str = "2000") -> None:
        for name in names:
            self.party(name, date)

    def condition(self, condition: str, date: str, **extra: Any) -> dict[str, Any]:
        data = {"condition": condition, "description": f"{condition} happens", **extra}
        return self.add("ConditionDefined", data, date, event_id=f"def-{condition}")

    def grant(self, right: str, date: str, *, holder: str = "msft", grantor: str = "oai",
              event_id: str | None = None, **extra: Any) -> dict[str, Any]:
        data = {"right": right, "holder": holder, "grantor": grantor, "kind": extra.pop("kind", "license"),
                "scope": extra.pop("scope", "models"), **extra}
        return self.add("RightGranted", data, date, event_id=event_id or f"grant-{right}")

    def partnership(self, partnership: str, date: str, *, parties: tuple[str, ...] = ("msft", "oai"),
                    **extra: Any) -> dict[str, Any]:
        data = {"partnership": partnership, "parties": list(parties), "kind": extra.pop("kind", "cloud_compute"),
                "summary": extra.pop("summary", "compute deal"), **extra}
        return self.add("PartnershipFormed", data, date, event_id=f"form-{partnership}")


def money(amount: str, currency: str = "USD", *, approximate: bool | None = None) -> dict[str, Any]:
    value: dict[str, Any] = {"amount": amount, "currency": currency}
    if approximate is not None:
        value["approximate"] = approximate
    return value
