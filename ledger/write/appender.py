"""The write side of the ledger: checking a batch against the catalog and recording it.

One :class:`Appender` per open ledger keeps the catalog (what the ledger defines, see
:mod:`ledger.core.rules`) and brings it up to date inside each locked write transaction, so the
rules are checked against exactly what is committed before this batch, whoever wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from events import date_sort_key, iter_refs, withdrawn_id
from events.upcast import CURRENT_SCHEMA_VERSION
from ledger.core.envelope import ENVELOPE_FIELDS, INPUT_FIELDS, format_ts, parse_ts, seal
from ledger.core.rules import Definitions, Key
from ledger.errors import ConflictError, Problem, ValidationError
from ledger.store.port import EventStore, WriteTransaction
from ledger.store.rows import BUCKET, row_values


@dataclass(frozen=True)
class AppendResult:
    """Where the batch's events now stand.

    ``positions`` and ``ids`` follow the batch (a no-op retry reports the existing positions);
    ``first_position``/``last_position`` are the batch's own (None for a dry run of new events);
    ``head`` and ``last_hash`` are the ledger's after the append; ``appended`` new events and
    ``existing`` idempotent no-ops; ``streams`` the versions of the streams written to.
    """

    positions: list[int | None]
    ids: list[str]
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
            doc["ids"], doc["positions"] = self.ids, self.positions
        return doc


class Appender:
    """Checks batches against the catalog and writes them, all or nothing."""

    def __init__(self, store: EventStore) -> None:
        self._store = store
        self._catalog = Definitions()

    @contextmanager
    def _transaction(self) -> Iterator[WriteTransaction]:
        """A locked write transaction; the catalog's tentative changes are undone if it fails."""
        try:
            with self._store.transaction() as w:
                yield w
        except BaseException:
            if self._catalog._journal is not None:
                self._catalog.rollback()
            raise
        self._catalog.commit()

    def append(
        self, docs: list[dict[str, Any]], expected: int | None, dry_run: bool,
        progress: Callable[[int], None] | None,
    ) -> AppendResult:
        with self._transaction() as w:
            result = self._append_locked(w, docs, expected, dry_run, progress)
        if not dry_run:
            self._catalog.head = result.head
        return result

    def restore(
        self, given: list[dict[str, Any]], docs: list[dict[str, Any]], progress: Callable[[int], None] | None,
    ) -> AppendResult:
        """Write an export's envelopes into an empty ledger, their recording checked and kept."""
        with self._transaction() as w:
            head, last_hash, _ = w.head()
            if head:
                raise ConflictError(f"import needs an empty ledger; this one holds {head} events")
            self._catch_up(w, head)
            positions: list[int | None] = [None] * len(docs)
            rows, party_rows = self._check_and_build(w, list(enumerate(docs)), 0, last_hash, None,
                                                     positions, given, progress)
            w.insert(rows, party_rows)
        self._catalog.head = len(rows)
        return AppendResult(positions, [d["id"] for d in docs], len(rows), 0, len(rows),
                            rows[-1][-1] if rows else last_hash)

    def _append_locked(
        self, w: WriteTransaction, docs: list[dict[str, Any]], expected: int | None, dry_run: bool,
        progress: Callable[[int], None] | None,
    ) -> AppendResult:
        head, last_hash, last_ts = w.head()
        self._catch_up(w, head)
        positions, new = self._split_existing(w, docs)
        if expected is not None and new:
            stream = new[0][1]["stream"]
            current = self._catalog.streams.get(stream, 0)
            if current != expected:
                raise ConflictError(stream=stream, expected=expected, actual=current, message=
                                    f"stream {stream!r} is at version {current}, not the expected {expected}; "
                                    "nothing was written: re-read the stream and retry")
        rows, party_rows = self._check_and_build(w, new, head, last_hash, last_ts, positions, progress=progress)
        if dry_run:
            self._catalog.rollback()
            return AppendResult(positions, [d["id"] for d in docs], len(rows), len(docs) - len(new), head,
                                last_hash, True)
        if rows:
            w.insert(rows, party_rows)
        new_head, new_hash = (rows[-1][0], rows[-1][-1]) if rows else (head, last_hash)
        versions = self._catalog.streams
        streams = {name: versions[name] for name in {d["stream"] for _, d in new}}
        return AppendResult(positions, [d["id"] for d in docs], len(rows), len(docs) - len(new), new_head, new_hash,
                            False, streams)

    def _split_existing(self, w: WriteTransaction, docs: list[dict[str, Any]]) -> tuple[list[int | None], list[tuple[int, dict[str, Any]]]]:
        stored = {e["id"]: e for e in w.by_ids([d["id"] for d in docs])}
        positions: list[int | None] = [None] * len(docs)
        new = []
        problems = []
        first: dict[str, Any] | None = None
        for i, doc in enumerate(docs):
            old = stored.get(doc["id"])
            if old is None:
                new.append((i, doc))
            elif {k: old[k] for k in INPUT_FIELDS} == doc:
                positions[i] = old["position"]
            else:
                first = first or old
                problems.append(f"event {i + 1}: id {doc['id']!r} already exists at position {old['position']} "
                                "with different content")
        if problems:
            assert first is not None
            raise ConflictError("; ".join(problems[:10]) + "; nothing was written (use a new id, or append a "
                                "correction with `corrects` to change a recorded fact)",
                                event_id=first["id"], position=first["position"], stream=first["stream"])
        return positions, new

    def _check_and_build(
        self, w: WriteTransaction, new: list[tuple[int, dict[str, Any]]], head: int, prev: str, last_ts: str | None,
        positions: list[int | None], given: list[dict[str, Any]] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[list[tuple[Any, ...]], list[tuple[int, str, int]]]:
        """Check every new event against the rules and build its row, chaining hashes.

        ``given`` (import) holds the stored envelopes being restored: their recording fields
        must equal the ones computed here, and their ``recorded_at`` is kept.
        """
        catalog = self._catalog
        batch = {d["id"]: d for _, d in new}
        wanted = {t for _, d in new if (t := withdrawn_id(d)) is not None and t not in batch}
        older = {e["id"]: e for e in w.by_ids(wanted)} if wanted else {}
        now = datetime.now(UTC)
        if last_ts is not None:
            now = max(now, parse_ts(last_ts))  # recorded_at never goes back along positions
        recorded_at = format_ts(now)
        stamps = {recorded_at: w.db_timestamp(recorded_at)}
        rows: list[tuple[Any, ...]] = []
        party_rows: list[tuple[int, str, int]] = []
        problems: list[Problem] = []
        catalog.begin()
        applied_ids: set[str] = set()
        applied: list[dict[str, Any]] = []
        for n, (i, doc) in enumerate(new):
            if progress is not None and n % 10_000 == 0 and n:
                progress(n)
            tid = withdrawn_id(doc)
            target = (batch[tid] if tid in applied_ids else older.get(tid)) if tid else None
            refs = list(iter_refs(doc["type"], doc["data"]))
            found = catalog.check(i, doc, target, lambda key: self._uses(w, key, applied), refs)
            if found:
                problems.extend(found)
                continue
            catalog.apply(doc, target, refs)
            applied.append(doc)
            applied_ids.add(doc["id"])
            position = head + len(applied)
            env = {**doc, "position": position, "recorded_at": given[n]["recorded_at"] if given else recorded_at,
                   "stream_version": catalog.streams[doc["stream"]], "schema_version": CURRENT_SCHEMA_VERSION,
                   "prev_hash": prev}
            env["hash"], data_text, source_text = seal(env)
            prev = env["hash"]
            if given is not None and given[n] != env:
                problems.append(_mismatch(i, given[n], env))
            stamp = stamps.get(env["recorded_at"])
            if stamp is None:
                stamp = stamps[env["recorded_at"]] = w.db_timestamp(env["recorded_at"])
            rows.append(row_values(env, stamp, data_text, source_text))
            part = position // BUCKET
            party_rows.extend((part, key, position) for key in catalog.index_keys(doc, target, refs))
            positions[i] = position
        if problems:
            raise ValidationError(problems)
        return rows, party_rows

    def _uses(self, w: WriteTransaction, key: Key, batch: list[dict[str, Any]]) -> list[tuple[str, str]]:
        """Live events that refer to ``key``, as (id, date sort key): read through the party index
        (every reference is indexed under its key), plus this batch's events so far."""
        index_key = key[1] if key[0] == "party" else f"{key[0]}:{key[1]}"
        found = []
        for env in [*w.keyed(index_key), *batch]:
            if env["id"] in self._catalog.superseded:
                continue
            if any((r.namespace, v) == key and not r.defines for r, _, v in iter_refs(env["type"], env["data"])):
                found.append((env["id"], date_sort_key(env["effective_date"])))
        return found

    def _catch_up(self, w: WriteTransaction, head: int) -> None:
        """Bring the in-memory catalog to ``head`` by applying events other writers recorded."""
        catalog = self._catalog
        if catalog.head > head:  # the database was replaced under us: start over
            self._catalog = catalog = Definitions()
        if catalog.head == head:
            return
        delta = list(w.after(catalog.head))
        by_id = {e["id"]: e for e in delta}
        wanted = {t for e in delta if (t := withdrawn_id(e)) is not None and t not in by_id}
        older = {e["id"]: e for e in w.by_ids(wanted)} if wanted else {}
        for env in delta:
            tid = withdrawn_id(env)
            catalog.apply(env, (by_id.get(tid) or older.get(tid)) if tid else None)
        catalog.head = head


def _mismatch(index: int, given: dict[str, Any], computed: dict[str, Any]) -> Problem:
    fields = [k for k in ENVELOPE_FIELDS if given.get(k) != computed.get(k)]
    return Problem(index, given.get("id"), fields[0], "the export's recording does not match the chain rebuilt from it "
                   f"(differs in {', '.join(fields)}): the file was edited or is not a complete export")
