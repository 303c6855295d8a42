"""The ``eventsourcing`` peer's domain model (a module of its own: event topics name importable classes).

Each ledger event becomes one domain event ``FactRecorded`` of one of ~100 ``Alliance`` aggregates
(chosen by the event's stream), carrying the same id, type, date, certainty, source and data.
Persistence is eventsourcing's SQLite module (``PERSISTENCE_MODULE=eventsourcing.sqlite``).
"""

from __future__ import annotations

import os
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


class Alliance(Aggregate):
    @event("Created")
    def __init__(self, name: str) -> None:
        self.name = name
        self.facts = 0
        self.last_date: str | None = None

    @event("FactRecorded")
    def record(self, event_id: str, kind: str, effective_date: str, certainty: str,
               source: dict[str, Any] | None, data: dict[str, Any]) -> None:
        self.facts += 1
        self.last_date = effective_date


class AllianceLedger(Application):
    name = "AllianceLedger"


def open_app(db: str) -> AllianceLedger:
    os.environ["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
    os.environ["SQLITE_DBNAME"] = db
    return AllianceLedger()
