"""Database tables (SQLAlchemy 2 typed mappings). Migrations in ``migrations/`` create them.

``events`` is the ledger itself: append-only, guarded by triggers. ``event_parties`` is derived
(written in the same transaction): the parties an event involves, the other items it names
(``right:x``, ``condition:y``...) and its stream (``stream:s``), so one-party queries,
``history --party`` and stream reads read only the events that can matter.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, Index, Integer, LargeBinary, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

POSITION = BigInteger().with_variant(Integer(), "sqlite")
"""On SQLite an INTEGER primary key is the rowid itself: no second index to maintain."""


class Base(DeclarativeBase):
    pass


class EventRow(Base):
    __tablename__ = "events"

    position: Mapped[int] = mapped_column(POSITION, primary_key=True, autoincrement=False)
    id: Mapped[str] = mapped_column(String(200))
    stream: Mapped[str] = mapped_column(String(200))
    stream_version: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    effective_date: Mapped[str] = mapped_column(String(10))
    effective_on: Mapped[date] = mapped_column(Date)
    certainty: Mapped[str] = mapped_column(String(10))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str | None] = mapped_column(String(2000))
    source: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)
    corrects: Mapped[str | None] = mapped_column(String(200))
    schema_version: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("id", name="uq_events_id"),
        Index("ix_events_effective", "effective_on", "position"),
    )
    # The partial index of corrections and retractions is created by migration 0001. There is no
    # index by stream: a stream is read through event_parties (see migration 0005 for why).


BUCKET = 65536
"""Positions per ``event_parties`` bucket: new rows land in the newest bucket's subtree only."""


def bucket(position: int) -> int:
    return position // BUCKET


class EventPartyRow(Base):
    """(bucket, key, position): the events that concern a party, an item or a stream."""

    __tablename__ = "event_parties"

    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    party: Mapped[str] = mapped_column(String(250), primary_key=True)
    position: Mapped[int] = mapped_column(POSITION, primary_key=True)


EVENTS: Table = EventRow.__table__  # type: ignore[assignment]
EVENT_PARTIES: Table = EventPartyRow.__table__  # type: ignore[assignment]


class CheckpointRow(Base):
    """A snapshot of the fold accumulator: every event with effective date <= ``as_of_key`` and
    position <= ``position`` folded (none withdrawn as known at ``position``). Derived data."""

    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    as_of_key: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(BigInteger)
    events: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (Index("ix_checkpoints_key", "as_of_key", "position"),)


CHECKPOINTS: Table = CheckpointRow.__table__  # type: ignore[assignment]


class PartyCheckpointRow(Base):
    """A snapshot of one party's fold: the events of its closure with effective date <=
    ``as_of_key`` and position <= ``position``; ``closure`` (JSON) lists the index keys the closure
    followed and the (date, position) of its events dated up to the party's next checkpoint.
    Derived data (:mod:`ledger.read.party_checkpoints`)."""

    __tablename__ = "party_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    party: Mapped[str] = mapped_column(String(250))
    as_of_key: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(BigInteger)
    events: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closure: Mapped[str] = mapped_column(Text)
    state: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (Index("ix_party_checkpoints_key", "party", "as_of_key", "position"),)
