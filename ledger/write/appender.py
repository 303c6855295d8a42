"""The write side of the ledger: checking a batch against the catalog and recording it.

One :class:`Appender` per open ledger keeps the catalog (what the ledger defines, see
:mod:`ledger.core.rules`) and brings it up to date inside each locked write transaction, so the
rules are checked against exactly what is committed before this batch, whoever wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any

from events import date_sort_key, iter_refs, withdrawn_id
from events.upcast import CURRENT_SCHEMA_VERSION
from ledger.core.envelope import ENVELOPE_FIELDS, format_ts, parse_ts, seal
from ledger.core.rules import Definitions, Key
from ledger.errors import Problem
from ledger.store.port import EventStore, WriteTransaction
from ledger.store.rows import BUCKET, row_values
from ledger.write.batch import VALIDATION, BatchAppend, chunks
from ledger.write.columns import Positions
from ledger.write.result import AppendResult, Chain


class _DryRun(Exception):
    """Raised inside the transaction of a dry run, so what it inserted is rolled back."""


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
            if self._catalog.open:
                self._catalog.rollback()
            raise
        self._catalog.commit()

    @property
    def catalog(self) -> Definitions:
        return self._catalog

    def _chain(self, w: WriteTransaction, head: int, last_hash: str, last_ts: str | None) -> Chain:
        now = datetime.now(UTC)
        if last_ts is not None:
            now = max(now, parse_ts(last_ts))  # recorded_at never goes back along positions
        recorded_at = format_ts(now)
        return Chain(head, last_hash, recorded_at, {recorded_at: w.db_timestamp(recorded_at)})

    def append(
        self, events: Iterable[Any], expected: int | None, dry_run: bool, progress: Callable[[int], None] | None,
        default_stream: str | None = None, chunk: int | None = None,
    ) -> AppendResult:
        """Validate, check and insert ``events`` chunk by chunk in one transaction (see
        :mod:`ledger.write.batch`); the first chunk is validated before the writers' lock is taken."""
        from ledger.core.intake import no_events

        parts = chunks(events, chunk)
        run = BatchAppend(self, expected, progress)
        first = run.validated(next(parts, []), default_stream)
        if not run.seen:
            raise no_events()
        if run.refusals.before(VALIDATION + 1):  # broken events: no database work
            for part in parts:
                run.validated(part, default_stream)
            run.result(dry_run, 0, "")
        try:
            with self._transaction() as w:
                head, last_hash, last_ts = w.head()
                self._catch_up(w, head)
                self._catalog.begin()
                run.attach(w, self._chain(w, head, last_hash, last_ts))
                run.write(first, 0)
                for part in parts:
                    offset = run.seen
                    run.write(run.validated(part, default_stream), offset)
                result = run.result(dry_run, head, last_hash)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            return result
        self._catalog.head = result.head
        return result

    def transaction(self) -> AbstractContextManager[WriteTransaction]:
        """A locked write transaction whose failure also undoes the catalog's tentative changes."""
        return self._transaction()

    def begin(self, w: WriteTransaction, head: int) -> None:
        """Bring the catalog to ``head`` and open its undo journal (once per transaction)."""
        self._catch_up(w, head)
        self._catalog.begin()

    def check_and_build(
        self, w: WriteTransaction, new: list[tuple[int, dict[str, Any]]], chain: Chain,
        positions: Positions, given: list[dict[str, Any]] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[list[tuple[Any, ...]], list[tuple[int, str, int]], list[Problem]]:
        """Check new events against the rules (applying them to the catalog, whose journal the
        caller began) and build their rows, chaining hashes from ``chain``, which moves on.

        ``given`` (import) holds the stored envelopes being restored, one per ``new`` event: their
        recording fields must equal the ones computed here, and their ``recorded_at`` is kept.
        """
        catalog = self._catalog
        batch = {d["id"]: d for _, d in new}
        wanted = {t for _, d in new if (t := withdrawn_id(d)) is not None and t not in batch}
        older = {e["id"]: e for e in w.by_ids(wanted)} if wanted else {}
        stamps, prev, head = chain.stamps, chain.prev, chain.head
        rows: list[tuple[Any, ...]] = []
        party_rows: list[tuple[int, str, int]] = []
        problems: list[Problem] = []
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
            env = {**doc, "position": position, "recorded_at": given[n]["recorded_at"] if given else chain.recorded_at,
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
        chain.head, chain.prev = head + len(applied), prev
        return rows, party_rows, problems

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
