"""One append of a batch of any size: validated, checked and inserted chunk by chunk inside one
locked transaction, so memory holds a chunk, not the batch, and the append stays all or nothing.

The rules that span the batch hold across chunks: an id used twice is found among the events
already inserted by this transaction (their positions say they are the batch's own); an event
may name a definition or correct an event of an earlier chunk (read back from the transaction).
Problems are kept by the order in which a one-shot append reports them (validation, then ids,
then the stream of an ``expected_version`` batch, then ids recorded with other content, then the
expected version, then the rules), and the first kind found is what the append raises.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from ledger.core.envelope import INPUT_FIELDS
from ledger.errors import ConflictError, LedgerError, Problem, ValidationError, bad_argument
from ledger.store.port import WriteTransaction
from ledger.write.columns import Ids, Positions, plain
from ledger.write.result import AppendResult, Chain

if TYPE_CHECKING:
    from ledger.core.rules import Definitions
    from ledger.write.columns import Positions


class Checker(Protocol):
    """What a batch needs of the appender (``ledger.write.appender.Appender``): its definitions
    and the per-event rule check that builds the rows. A Protocol, so the two modules do not
    import each other."""

    @property
    def catalog(self) -> Definitions: ...

    def check_and_build(
        self, w: WriteTransaction, new: list[tuple[int, dict[str, Any]]], chain: Chain, positions: Positions,
        given: list[dict[str, Any]] | None = None, progress: Callable[[int], None] | None = None,
    ) -> tuple[list[tuple[Any, ...]], list[tuple[int, str, int]], list[Problem]]: ...

CHUNK = 5_000
"""Events validated and inserted at a time (tests set it small)."""
VALIDATION, IDS, STREAMS, EXISTING, EXPECTED, RULES = range(6)


def _intake() -> Any:
    """The validation models load on the first append, not when the library is imported: a read
    needs none of them (start-up, SPEC §9)."""
    from ledger.core import intake

    return intake


def chunks(events: Iterable[Any], size: int | None = None) -> Iterator[list[Any]]:
    """The events in lists of ``size`` (default :data:`CHUNK`); a list is sliced, not copied whole."""
    size = size or CHUNK
    if isinstance(events, list):
        for start in range(0, len(events), size):
            yield events[start:start + size]
        return
    chunk: list[Any] = []
    for event in events:
        chunk.append(event)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Refusals:
    """What the batch breaks, by kind; :meth:`raise_first` raises the first kind found."""

    def __init__(self) -> None:
        self.problems: dict[int, list[Problem]] = {}
        self.errors: dict[int, LedgerError] = {}

    def add(self, kind: int, problems: list[Problem], seen: int) -> None:
        if not problems:
            return
        kept = self.problems.setdefault(kind, [])
        kept.extend(problems)
        if kind in (VALIDATION, RULES) and len(kept) >= _intake().MAX_PROBLEMS and not self.before(kind):
            raise _intake().too_many(kept, seen)

    def error(self, kind: int, exc: LedgerError) -> None:
        self.errors.setdefault(kind, exc)

    def before(self, kind: int) -> bool:
        """Whether a kind a one-shot append reports before ``kind`` was found."""
        return any(k < kind for k in (*self.problems, *self.errors))

    def raise_first(self) -> None:
        kinds = sorted({*self.problems, *self.errors})
        if not kinds:
            return
        kind = kinds[0]
        if kind in self.errors:
            raise self.errors[kind]
        raise ValidationError(self.problems[kind])


class BatchAppend:
    """The state of one append across its chunks (inside one transaction)."""

    w: WriteTransaction
    chain: Chain

    def __init__(self, appender: Checker, expected: int | None, progress: Callable[[int], None] | None) -> None:
        self.appender = appender
        self.expected, self.progress = expected, progress
        self.refusals = Refusals()
        self.positions = Positions()
        self.ids = Ids()
        self.seen = 0  # events read
        self.existing = 0
        self.index_of = array("q")  # batch index of each position this batch writes (from start + 1)
        self.matched: dict[str, int] = {}  # ids already recorded before the batch -> first batch index
        self.failed: dict[str, int] = {}  # ids of events refused by the rules -> batch index
        self.streams: set[str] = set()
        self.first_new = True
        self.conflicts: list[str] = []
        self.first_conflict: dict[str, Any] | None = None
        self.written_streams: set[str] = set()

    def attach(self, w: WriteTransaction, chain: Chain) -> None:
        """Start writing in ``w`` (the locked transaction) after ``chain``."""
        self.w, self.chain, self.start = w, chain, chain.head

    def validated(self, chunk: list[Any], default_stream: str | None) -> list[dict[str, Any]]:
        intake = _intake()
        docs, problems = intake.validate(intake.plain(chunk, default_stream), self.seen)
        return self.taken(self.seen, len(chunk), docs, problems)

    def taken(self, offset: int, size: int, docs: list[dict[str, Any]], problems: list[Problem]) -> list[dict[str, Any]]:
        """Account for a validated chunk (its problems kept by kind, in the one-shot order)."""
        self.seen = offset + size
        self.refusals.add(VALIDATION, problems, self.seen)
        return docs

    def write(self, docs: list[dict[str, Any]], offset: int) -> None:
        """Check and insert one validated chunk whose first event is batch event ``offset``."""
        self.ids.extend(d["id"] for d in docs)
        self.positions.add_unknown(len(docs))
        if self.refusals.before(IDS) or not docs:
            return
        new = self._split(docs, offset)
        if self.expected is not None:
            self._one_stream(docs, new)
        rows, party_rows, problems = self.appender.check_and_build(self.w, new, self.chain, self.positions)
        for i, doc in new:
            if self.positions[i] is None:
                self.failed.setdefault(doc["id"], i)
        self.refusals.add(RULES, problems, self.seen)
        if rows:
            self.w.insert(rows, party_rows)
            self.index_of.extend(i for i, _ in new if self.positions[i] is not None)
            self.written_streams.update(d["stream"] for i, d in new if self.positions[i] is not None)
        if self.progress is not None:
            self.progress(offset + len(docs))

    def _split(self, docs: list[dict[str, Any]], offset: int) -> list[tuple[int, dict[str, Any]]]:
        """The chunk's events not recorded yet; ids used twice and ids recorded with other content
        are refused here (an id this transaction inserted is the batch's own: used twice)."""
        stored = {e["id"]: e for e in self.w.by_ids([d["id"] for d in docs])}
        local: dict[str, int] = {}
        twice, conflicts, new = [], [], []
        first: dict[str, Any] | None = None
        for n, doc in enumerate(docs):
            i, eid = offset + n, doc["id"]
            old = stored.get(eid)
            earlier = local.get(eid, self.failed.get(eid, self.matched.get(eid)))
            if earlier is None and old is not None and old["position"] > self.start:
                earlier = self.index_of[old["position"] - self.start - 1]
            local.setdefault(eid, i)
            if earlier is not None:
                twice.append(Problem(i, eid, "id", f"the same id is used by event {earlier + 1} of this batch"))
            nul = doc["recorded_by"] is not None and "\x00" in doc["recorded_by"]
            if nul:  # a text column of its own, which PostgreSQL refuses NUL in: refused on every engine
                twice.append(Problem(i, eid, "recorded_by", "must not contain NUL characters"))
            if earlier is not None or nul:
                continue
            if old is None:
                new.append((i, doc))
            elif {k: old[k] for k in INPUT_FIELDS} == doc:
                self.positions[i] = old["position"]
                self.matched[eid] = i
                self.existing += 1
            else:
                first = first or old
                conflicts.append(f"event {i + 1}: id {eid!r} already exists at position {old['position']} with "
                                 "different content")
        self.refusals.add(IDS, twice, self.seen)
        if conflicts:
            self.conflicts.extend(conflicts)
            self.first_conflict = self.first_conflict or first
            head = self.first_conflict
            assert head is not None
            self.refusals.errors[EXISTING] = ConflictError(
                "; ".join(self.conflicts[:10]) + "; nothing was written (use a new id, or append a correction "
                "with `corrects` to change a recorded fact)", event_id=head["id"], position=head["position"],
                stream=head["stream"])
        return [(i, d) for i, d in new if d["id"] not in self.failed]

    def _one_stream(self, docs: list[dict[str, Any]], new: list[tuple[int, dict[str, Any]]]) -> None:
        self.streams.update(d["stream"] for d in docs)
        if len(self.streams) > 1:
            self.refusals.errors[STREAMS] = bad_argument(
                "stream", "a batch appended with an expected version must hold events of one stream, got "
                f"{sorted(self.streams)}")
        if new and self.first_new:
            self.first_new = False
            stream = new[0][1]["stream"]
            current = self.appender.catalog.streams.get(stream, 0)
            if current != self.expected:
                self.refusals.error(EXPECTED, ConflictError(
                    stream=stream, expected=self.expected, actual=current, message=f"stream {stream!r} is at version "
                    f"{current}, not the expected {self.expected}; nothing was written: re-read the stream and retry"))

    def result(self, dry_run: bool, head: int, last_hash: str) -> AppendResult:

        self.refusals.raise_first()
        appended = self.chain.head - self.start
        if dry_run:
            return AppendResult(plain(self.positions), plain(self.ids), appended, self.existing, head, last_hash, True)
        versions = self.appender.catalog.streams
        return AppendResult(plain(self.positions), plain(self.ids), appended, self.existing, self.chain.head,
                            self.chain.prev,
                            False, {name: versions[name] for name in self.written_streams})
