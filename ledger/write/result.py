"""What an append or an import answers (:class:`AppendResult`) and where it stands in the hash
chain while it runs (:class:`Chain`): plain data shared by the appender and the batch, in a
module of their own so that neither imports the other."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AppendResult:
    """Where the batch's events now stand.

    ``positions`` and ``ids`` follow the batch (a no-op retry reports the existing positions);
    ``first_position``/``last_position`` are the batch's own (None for a dry run of new events);
    ``head`` and ``last_hash`` are the ledger's after the append; ``appended`` new events and
    ``existing`` idempotent no-ops; ``streams`` the versions of the streams written to.
    """

    positions: Sequence[int | None]
    ids: Sequence[str]
    appended: int
    existing: int
    head: int
    last_hash: str
    dry_run: bool = False
    streams: dict[str, int] = field(default_factory=dict)

    @property
    def first_position(self) -> int | None:
        return min((p for p in self.positions if p is not None), default=None)

    @property
    def last_position(self) -> int | None:
        return max((p for p in self.positions if p is not None), default=None)

    def to_dict(self, positions: bool = False) -> dict[str, Any]:
        """Counts, the batch's first and last positions, the head and stream versions; each
        event's id and position too with ``positions`` (a 200,000-event append printed 5 MB)."""
        doc: dict[str, Any] = {"appended": self.appended, "existing": self.existing, "dry_run": self.dry_run,
                               "first_position": self.first_position, "last_position": self.last_position,
                               "head": self.head, "last_hash": self.last_hash, "streams": self.streams}
        if positions:
            doc["ids"], doc["positions"] = list(self.ids), list(self.positions)
        return doc


@dataclass
class Chain:
    """Where an append stands in the chain: the last position built, its hash, and the batch's
    ``recorded_at`` with its database form (one per batch; an import keeps each event's own)."""

    head: int
    prev: str
    recorded_at: str
    stamps: dict[str, Any]
