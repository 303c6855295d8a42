"""The library API (SPEC §6): ``Ledger.open(url)``, append, state, diff, history, explain, verify."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime
from typing import IO, Any

import orjson

from ledger.core.envelope import ENVELOPE_FIELDS, INPUT_FIELDS, StoredDataError, parse_ts
from ledger.core.intake import prepare
from ledger.core.outputs import output_file
from ledger.core.verify import PartyIndexCheck, VerifyReport, check_export, verify_chain
from ledger.errors import IntegrityError, Problem, SchemaVersionError, ValidationError, bad_argument
from ledger.read import checkpoints, queries
from ledger.store import migrate
from ledger.store.sql import SqlStore, make_engine, safe_url, sqlite_file, translate
from ledger.write.appender import Appender, AppendResult
from projections import FoldError, gc_paused

_POSITION = re.compile(r"[0-9]{1,30}", re.ASCII)


@contextmanager
def _reading() -> Iterator[None]:
    """Reads and folds: no cycle hunts (they allocate many objects that all survive), and stored
    data the ledger cannot have written becomes an :class:`IntegrityError` (exit 1), not a crash."""
    with gc_paused():
        try:
            yield
        except FoldError as exc:
            raise IntegrityError(f"integrity: {exc}: the stored events are not what alliance-ledger wrote (edited "
                                 "outside it?); run `alliance-ledger verify`") from exc
        except StoredDataError as exc:
            raise IntegrityError(str(exc)) from exc


class Ledger:
    """One ledger database. Open with :meth:`open`; use as a context manager to close it."""

    def __init__(self, store: SqlStore, url: str) -> None:
        self._store = store
        self.url = url
        self._appender = Appender(store)
        self.checkpoint_cache = checkpoints.CheckpointCache()

    @classmethod
    def open(cls, url: str = "sqlite:///alliance-ledger.db", *, init: bool = False) -> Ledger:
        """Open ``url`` (any SQLAlchemy URL). ``init=True`` creates or upgrades the schema first;
        otherwise a database that is not at this code's schema is refused with the command to run
        (and a missing SQLite file is not created)."""
        path = sqlite_file(url)
        if path is not None and not init and not os.path.exists(path):
            shown = safe_url(url)
            raise SchemaVersionError(f"no ledger at {shown} (the file does not exist): run "
                                     f"`alliance-ledger --db {shown} init` to create one")
        engine = make_engine(url)
        try:
            with translate():
                if init:
                    migrate.upgrade(engine)
                migrate.check(engine, safe_url(url))
        except Exception:
            engine.dispose()
            raise
        return cls(SqlStore(engine), url)

    @staticmethod
    def init(url: str) -> tuple[str | None, str]:
        """Create or upgrade the schema of ``url``; returns (revision before, revision after)."""
        engine = make_engine(url)
        try:
            with translate():
                return migrate.upgrade(engine)
        finally:
            engine.dispose()

    def close(self) -> None:
        self._store.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def store(self) -> SqlStore:
        return self._store

    def head(self) -> tuple[int, str, str | None]:
        """(last position, its hash, its recorded_at) of the ledger; (0, the genesis hash, None) when empty."""
        return self._store.head()

    def count(self) -> int:
        """How many events the ledger holds (its head position, as positions are gap-free)."""
        return self._store.count()

    @property
    def database_file(self) -> str | None:
        """The SQLite file holding this ledger (None on a server engine or in memory)."""
        return sqlite_file(self.url)

    def output_file(self, out: str | os.PathLike[str], mode: str = "wb") -> AbstractContextManager[IO[Any]]:
        """A file to write an export or report to, written atomically; refuses the ledger's own file."""
        return output_file(out, self.database_file, mode)

    # -- append -------------------------------------------------------------------------------
    def append(
        self, events: Iterable[Any], expected_version: int | None = None, *,
        stream: str | None = None, dry_run: bool = False, progress: Callable[[int], None] | None = None,
    ) -> AppendResult:
        """Validate the whole batch, then write it in one transaction, or write nothing.

        Same id with the same content is a no-op reporting the existing position; same id with
        other content, or a stream not at ``expected_version``, is a :class:`ConflictError`.
        ``progress`` is called with the number of events checked so far (every 10,000).
        """
        if expected_version is not None and (isinstance(expected_version, bool) or not isinstance(expected_version, int)
                                             or expected_version < 0):
            raise ValidationError([Problem(None, None, "expected_version", "a stream version is a whole number, 0 or more")])
        with gc_paused():
            docs = prepare(events, default_stream=stream)
            if expected_version is not None:
                streams = {d["stream"] for d in docs}
                if len(streams) > 1:
                    raise ValidationError([Problem(None, None, "stream", "a batch appended with an expected version "
                                                   f"must hold events of one stream, got {sorted(streams)}")])
            return self._appender.append(docs, expected_version, dry_run, progress)

    def import_envelopes(
        self, envelopes: Iterable[dict[str, Any]], progress: Callable[[int], None] | None = None,
    ) -> AppendResult:
        """Restore an export into an empty ledger, checking every rule and the whole hash chain."""
        given = list(envelopes)
        problems = [Problem(i, e.get("id") if isinstance(e, dict) else None, None,
                            "not a stored envelope (export line) with exactly the fields " + ", ".join(ENVELOPE_FIELDS))
                    for i, e in enumerate(given) if not isinstance(e, dict) or list(e) != list(ENVELOPE_FIELDS)]
        problems = problems or check_export(given)
        if problems:
            raise ValidationError(problems)
        with gc_paused():
            docs = prepare([{k: e[k] for k in INPUT_FIELDS if e[k] is not None} for e in given])
            problems = [Problem(i, e["id"], "data", "not in canonical form (was this file written by export?)")
                        for i, (e, d) in enumerate(zip(given, docs, strict=True)) if {k: e[k] for k in INPUT_FIELDS} != d]
            if problems:
                raise ValidationError(problems)
            return self._appender.restore(given, docs, progress)

    # -- reading ------------------------------------------------------------------------------
    def events(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Stored envelopes in recording order (filters: after, upto, stream, types, party, ids)."""
        return self._store.read(**filters)

    def resolve_known_at(self, known_at: int | str | datetime | None) -> tuple[int, str | None]:
        """A position or a UTC timestamp (ISO text) -> (position, its recorded_at)."""
        head, _, head_ts = self._store.head()
        if known_at is None:
            return head, head_ts
        if isinstance(known_at, bool) or not isinstance(known_at, int | str | datetime):
            raise bad_argument("known_at", f"expected a position or a timestamp, got "
                                           f"{type(known_at).__name__}")
        if isinstance(known_at, int) or (isinstance(known_at, str) and _POSITION.fullmatch(known_at)):
            position = int(known_at)
            if position < 0:
                raise bad_argument("known_at", "a position is 0 or more")
            position = min(position, head)
        else:
            try:
                ts = known_at if isinstance(known_at, datetime) else parse_ts(known_at)
                if ts.tzinfo is None:
                    ts = ts.replace(tzinfo=UTC)
            except OverflowError:
                raise bad_argument("known_at", f"{known_at!r} lies outside the years 0001-9999 once converted to "
                                   "UTC") from None
            except ValueError:
                raise bad_argument("known_at", f"{known_at!r} is neither a position nor an "
                                               "ISO timestamp like 2025-06-01T12:00:00Z") from None
            position = self._store.position_at(ts)
        return position, self._store.recorded_at(position) if position else None


    def state(
        self, as_of: str | date | None = None, known_at: int | str | datetime | None = None,
        min_certainty: str = "rumored", party: str | None = None, active: bool = False,
    ) -> queries.State:
        """The alliances as of a date (default today, UTC), as the ledger knew them at ``known_at``."""
        with _reading():
            return queries.build_state(self, as_of=as_of, known_at=known_at, min_certainty=min_certainty,
                                       party=party, active=active)

    def diff(
        self, from_date: str | date, to_date: str | date, known_at: int | str | datetime | None = None, *,
        min_certainty: str = "rumored", party: str | None = None,
    ) -> queries.Document:
        """What changed between two effective dates (one belief), with the events responsible."""
        before = self.state(from_date, known_at, min_certainty, party)
        after = self.state(to_date, known_at, min_certainty, party)
        return queries.build_diff(before, after)

    def diff_beliefs(
        self, as_of: str | date, known_at_a: int | str | datetime, known_at_b: int | str | datetime, *,
        min_certainty: str = "rumored", party: str | None = None,
    ) -> queries.Document:
        """How the ledger's belief about one date changed between two recordings."""
        before = self.state(as_of, known_at_a, min_certainty, party)
        after = self.state(as_of, known_at_b, min_certainty, party)
        return queries.build_diff(before, after)

    def explain(
        self, item: str, as_of: str | date | None = None, known_at: int | str | datetime | None = None,
        min_certainty: str = "rumored",
    ) -> queries.Document:
        """The events behind one item (``SECTION:KEY``), in fold order, with their sources, and in
        ``fields`` each field's value and the event that set it (SPEC §12; see projections.blame)."""
        with _reading():
            return queries.build_explain(self, item, as_of=as_of, known_at=known_at, min_certainty=min_certainty)

    def trail(
        self, item: str, field: str | None = None, date_from: str | date | None = None,
        date_to: str | date | None = None, known_at: int | str | datetime | None = None,
        min_certainty: str = "rumored",
    ) -> queries.Document:
        """One item's successive values over effective time, as known at ``known_at`` (SPEC §12).

        ``item`` is ``SECTION:KEY``; ``field`` narrows to one field; ``date_from``/``date_to``
        (``YYYY[-MM[-DD]]``, ``date_to`` up to the end of its period) bound the listed changes, and
        ``value`` is the item (or the field) as of ``date_to`` (none: after every known change).
        Returns ``{query, section, key, field, from, to, known_at, min_certainty, changes, value}``;
        each change has ``effective_date``, ``fields`` ({name: {before, after}}), ``event`` (null
        for a calendar ``until`` ending) and ``withdrawn`` ({by, action} for a corrected or
        retracted event, listed and not folded). An unknown item or field is a ValidationError.
        """
        from ledger.read.audit import build_trail

        with _reading():
            return build_trail(self, item, field=field, date_from=date_from, date_to=date_to, known_at=known_at,
                               min_certainty=min_certainty)

    def snapshot(
        self, path: str | os.PathLike[str], as_of: str | date | None = None,
        known_at: int | str | datetime | None = None, min_certainty: str = "rumored", *, force: bool = False,
    ) -> queries.Document:
        """Write the state as of ``as_of`` (as known at ``known_at``) as a new SQLite database at
        ``path`` (SPEC §11): a table per section, flattened columns, a ``meta`` table. Refuses the
        ledger's own file, and an existing file unless ``force``. Returns ``{path, meta, tables}``
        (rows per table)."""
        from ledger.interop.snapshot import write_snapshot

        with _reading():
            return write_snapshot(self, path, as_of=as_of, known_at=known_at, min_certainty=min_certainty,
                                  force=force)

    def history(
        self, party: str | None = None, stream: str | None = None, type: str | Sequence[str] | None = None,
        since: int = 1, date_from: str | date | None = None, date_to: str | date | None = None,
        limit: int | None = None,
    ) -> queries.Document:
        """Events in recording order, each marked with the event that corrected or retracted it.

        ``type`` is one event type or several; ``since`` the first position; ``date_from`` /
        ``date_to`` bound the effective dates (inclusive; a partial bound covers its period);
        ``limit`` keeps the first N matches. Returns a document with the filters and ``events``.
        """
        with _reading():
            return queries.build_history(self, party=party, stream=stream, event_type=type, since=since,
                                         date_from=date_from, date_to=date_to, limit=limit)

    def event(self, event_id: str) -> queries.Document:
        """One stored envelope by id, with ``corrected_by`` / ``retracted_by`` (ids or null).

        Raises :class:`~ledger.errors.NotFoundError` when no event has that id."""
        return queries.build_event(self, event_id)

    def streams(self) -> queries.Document:
        """Each stream: ``name``, ``version`` (for ``expected_version``), ``events``, ``last_position``."""
        return queries.build_streams(self)

    def verify(self, anchor: tuple[int, str] | None = None,
               progress: Callable[[int], None] | None = None) -> VerifyReport:
        """Recompute the hash chain, positions and stream versions; never raises for a bad ledger."""
        head = self._store.head()[0]  # one consistent prefix, whatever writers do meanwhile
        with gc_paused():
            index_check = PartyIndexCheck(self._store.party_index(head),
                                          lambda ids: {e["id"]: e for e in self._store.read(ids=ids, tolerant=True)})
            report = verify_chain(self._store.read_for_verify(head), anchor=anchor, progress=progress,
                                  on_event=index_check)
            if not report.problems:  # derived data is only comparable with an intact chain
                report.problems += index_check.finish()
            if not report.problems:
                report.problems += checkpoints.verify(self._store)
            report.ok = not report.problems
            return report

    def rebuild(self, count: int = 8) -> list[tuple[str, int]]:
        """Recreate the fold checkpoints at the current head (derived data; speeds up ``state``)."""
        self.checkpoint_cache.clear()
        with _reading():
            return checkpoints.rebuild(self._store, count)

    def export(self, out: IO[bytes]) -> int:
        """Write stored envelopes, one JSON object a line, in position order; returns the count."""
        count = 0
        with _reading():
            for env in self._store.read():
                out.write(orjson.dumps(env) + b"\n")
                count += 1
        return count
