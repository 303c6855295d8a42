"""Typed errors: what the library raises and the CLI turns into messages and exit codes."""

from __future__ import annotations

from dataclasses import dataclass


class LedgerError(Exception):
    """Base of every error alliance-ledger raises on purpose."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one event of a batch: where (index, id, field) and what.

    ``index`` is the event's place in the batch as a Python index (from 0); messages count events
    from 1, as they count lines: "event 1" is the first event (the first line of JSON Lines)."""

    index: int | None
    event_id: str | None
    field: str | None
    message: str

    def to_dict(self) -> dict[str, object]:
        """The problem as JSON: ``index`` from 0 (a Python index), ``event`` from 1 (as messages count)."""
        return {"index": self.index, "event": None if self.index is None else self.index + 1,
                "id": self.event_id, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        where = []
        if self.index is not None:
            where.append(f"event {self.index + 1}")
        if self.event_id:
            where.append(f"id {self.event_id!r}")
        if not where:
            return f"{self.field}: {self.message}" if self.field else self.message
        head = " ".join(where)
        return f"{head}: {self.field}: {self.message}" if self.field else f"{head}: {self.message}"


class ValidationError(LedgerError):
    """The batch (or input file) is invalid; nothing was written. ``problems`` says where."""

    exit_code = 2

    def __init__(self, problems: list[Problem], summary: str | None = None) -> None:
        self.problems = problems
        lines = [str(p) for p in problems[:20]]
        if len(problems) > 20:
            lines.append(f"... and {len(problems) - 20} more problems")
        head = summary or f"{len(problems)} problem(s); nothing was written"
        self.summary = head
        super().__init__(head + ":\n  " + "\n  ".join(lines) if lines else head)


def bad_argument(field: str, message: str) -> ValidationError:
    """A query or option value that cannot be used (a read wrote nothing, so it does not say so)."""
    return ValidationError([Problem(None, None, field, message)], "invalid argument")


class ConflictError(LedgerError):
    """Optimistic concurrency or id conflict; nothing was written. Retry after re-reading.

    What conflicted, as fields: ``event_id`` and ``position`` (an id already recorded with other
    content, at that position), ``stream`` with ``expected`` and ``actual`` (a stream not at the
    version the batch expected). Fields that do not apply are None."""

    exit_code = 3

    def __init__(self, message: str, *, event_id: str | None = None, position: int | None = None,
                 stream: str | None = None, expected: int | None = None, actual: int | None = None) -> None:
        super().__init__(message)
        self.event_id, self.position = event_id, position
        self.stream, self.expected, self.actual = stream, expected, actual


class IntegrityError(LedgerError):
    """The stored ledger is not what was recorded (broken hash chain, gap, edited row)."""

    exit_code = 1


class StoredDataError(IntegrityError):
    """A stored row the ledger cannot have written (edited behind its back): exit 1, run verify."""


class SchemaVersionError(LedgerError):
    """The database schema is not the one this code reads: too old, too new, or not created."""

    exit_code = 2


class NotFoundError(ValidationError):
    """What was asked for by id or key (an event, an item, a party) is not in the ledger; the
    message says what was looked for and, where it can, what was meant. A kind of
    :class:`ValidationError` (exit 2): the question named something that is not there."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__([Problem(None, None, field, message)] if field else [], "not found")
        self.message = message

    def __str__(self) -> str:
        return self.message


class StorageError(LedgerError):
    """The database failed in a way that is not the caller's input (locked, unreachable, full)."""

    exit_code = 2
