"""The library API (SPEC §6), the facade that wires the layers: arguments are checked and made
exact here (:mod:`ledger.read.args`), then the write side (:mod:`ledger.write`) or the read
side (:mod:`ledger.read`) does the work over the store (:mod:`ledger.store`).

    from ledger import Ledger
    with Ledger.open("alliances.db", init=True) as lg:
        lg.append(events)
        s = lg.state(as_of="2024-06", party="microsoft")
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime
from typing import IO, Any

import orjson

from ledger.core.defaults import DEFAULT_URL
from ledger.core.outputs import output_file
from ledger.core.verify import VerifyReport
from ledger.errors import IntegrityError, SchemaVersionError, bad_argument
from ledger.read import args, audit, checkpoints, party_checkpoints, queries, streamed
from ledger.read.documents import Diff, Document, History, State, Streams, Trail
from ledger.read.streamed import StateStream
from ledger.read.verify import verify as verify_store
from ledger.store import EventStore, init_store, open_store, safe_url, sqlite_file
from ledger.write.appender import Appender
from ledger.write.result import AppendResult
from projections import FoldError, gc_paused

__all__ = ["DEFAULT_URL", "AppendResult", "Diff", "Document", "History", "Ledger", "State", "Streams", "Trail",
           "VerifyReport", "safe_url", "sqlite_file"]

Moment = int | str | datetime | None
"""``known_at``: a position, a UTC timestamp (ISO text or datetime), or None for now."""
Day = str | date | None
"""A date: ``YYYY-MM-DD``, or ``YYYY-MM`` / ``YYYY`` for the end of that period, or a ``date``."""


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


class Ledger:
    """One ledger database. Open with :meth:`open`; use as a context manager to close it."""

    def __init__(self, store: EventStore, url: str) -> None:
        self._store = store
        self.url = url
        self._appender = Appender(store)
        self.checkpoint_cache = checkpoints.CheckpointCache()

    @classmethod
    def open(cls, url: str | os.PathLike[str] = DEFAULT_URL, *, init: bool = False) -> Ledger:
        """Open a ledger.

        :param url: a SQLite file path (``"alliances.db"``), a ``sqlite:///`` URL, or a
            ``postgresql://`` URL.
        :param init: create or upgrade the schema first. Otherwise a database that is not at this
            code's schema is refused with the command to run, and a missing SQLite file is not
            created.
        :returns: the open :class:`Ledger` (close it, or use ``with``).
        :raises SchemaVersionError, StorageError: the database is missing, not a ledger, or unreachable.
        """
        if not isinstance(url, (str, os.PathLike)) or not os.fspath(url):
            raise bad_argument("url", f"a ledger is a SQLite file path or a URL, got {url!r}")
        url = os.fspath(url)
        path = sqlite_file(url)
        if path is not None and not init and not os.path.exists(path):
            shown = safe_url(url)
            raise SchemaVersionError(f"no ledger at {shown} (the file does not exist): run "
                                     f"`alliance-ledger --db {path} init` to create one")
        return cls(open_store(url, init=init), url)

    @staticmethod
    def init(url: str | os.PathLike[str]) -> tuple[str | None, str]:
        """Create or upgrade the schema at ``url``. Several at once are safe.

        :returns: (the revision before, or None for a new database; the revision after).
        """
        return init_store(os.fspath(url))

    def close(self) -> None:
        """Release the database connections. :returns: None."""
        self._store.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def store(self) -> EventStore:
        """The store port (tests and tools; the CLI and the report use this class's methods)."""
        return self._store

    def head(self) -> tuple[int, str, str | None]:
        """:returns: (last position, its hash, its recorded_at); (0, the genesis hash, None) when empty."""
        return self._store.head()

    def count(self) -> int:
        """:returns: how many events the ledger holds (its head position: positions are gap-free)."""
        return self._store.count()

    @property
    def database_file(self) -> str | None:
        """The SQLite file holding this ledger (None on PostgreSQL or in memory)."""
        return self._store.database_file

    def output_file(self, out: str | os.PathLike[str], mode: str = "wb") -> AbstractContextManager[IO[Any]]:
        """A file to write an export or a report to, written atomically (a failure leaves the old
        file whole); the ledger's own database file is refused, under any spelling.

        :param out: the path; ``mode``: ``"wb"`` or ``"w"``. :returns: a context manager giving the file."""
        return output_file(out, self.database_file, mode)

    # -- writing ------------------------------------------------------------------------------
    def append(
        self, events: Iterable[Any], expected_version: int | None = None, *,
        stream: str | None = None, dry_run: bool = False, progress: Callable[[int], None] | None = None,
    ) -> AppendResult:
        """Validate a batch, then write it in one transaction, or write nothing.

        :param events: event documents (dicts) or event models (``events.InvestmentMade(...)``).
        :param expected_version: the version the batch's stream must be at (optimistic
            concurrency); the batch must then hold events of one stream.
        :param stream: the stream of events that name none.
        :param dry_run: check everything, write nothing.
        :param progress: called with the number of events checked so far (every 10,000).
        :returns: an :class:`AppendResult` (positions of the batch's events, counts, the head).
        :raises ValidationError: with every problem's event index, id and field.
        :raises ConflictError: an id with other content, or the stream not at ``expected_version``.
        """
        if expected_version is not None:
            args.whole_number(expected_version, "expected_version", 0)
        from ledger.core.intake import check_batch  # the validation models: loaded by writes only

        check_batch(events)
        with gc_paused():
            return self._appender.append(events, expected_version, dry_run, progress, stream)

    def import_envelopes(self, envelopes: Iterable[Any], progress: Callable[[int], None] | None = None) -> AppendResult:
        """Restore an export (stored envelopes) into an empty ledger, checking every rule and the
        whole hash chain; the recording (positions, times, hashes) is kept.

        :param envelopes: the exported envelopes, in position order; ``progress``: called with the
            number of events restored so far.
        :returns: an :class:`AppendResult`. :raises ValidationError, ConflictError: nothing written.
        """
        from ledger.write.restore import restore  # the validation models: loaded by writes only

        with gc_paused():
            return restore(self._appender, envelopes, progress)

    # -- reading ------------------------------------------------------------------------------
    def events(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Stored envelopes in recording order, read lazily.

        :param filters: ``after``, ``upto`` (positions), ``stream``, ``types``, ``party`` (events
            indexed under it), ``ids``. :returns: an iterator of envelope dicts."""
        return self._store.read(**filters)

    def resolve_known_at(self, known_at: Moment) -> tuple[int, str | None]:
        """:param known_at: a position or a UTC timestamp. :returns: (position, its recorded_at)."""
        return args.known_at(self._store, known_at)

    def state(self, as_of: Day = None, known_at: Moment = None, min_certainty: str = "rumored",
              party: str | None = None, active: bool = False) -> State:
        """The alliances as of a date, as the ledger knew them at a moment (SPEC §5).

        :param as_of: the effective date (default today, UTC); ``YYYY``/``YYYY-MM`` mean the end of it.
        :param known_at: a position or UTC timestamp (default: now, the head); a bare date
            ``YYYY-MM-DD`` is the end of that day, UTC.
        :param min_certainty: rumored, reported, announced or confirmed (any case).
        :param party: only the items involving this party (its id, any case, or an alias).
        :param active: only items in their initial status (or restricted).
        :returns: a :class:`State` (``s.as_of``, ``s.known_at``, ``s.rights``, ... ``.to_json()``).
        """
        day, level, active = args.as_of(as_of), args.certainty(min_certainty), args.flag(active, "active")
        position, recorded_at = args.known_at(self._store, known_at)
        who = args.party(self._store, party)
        with _reading():
            return queries.state(self._store, self.checkpoint_cache, day=day, position=position,
                                 recorded_at=recorded_at, min_certainty=level, party=who, active=active)

    def stream_state(self, as_of: Day = None, known_at: Moment = None, min_certainty: str = "rumored",
                     active: bool = False) -> StateStream:
        """The whole state, as :meth:`state` answers it, to be written once a piece at a time: read
        straight from the latest valid checkpoint (with the items that the events dated after it
        touch folded on), so memory holds a piece and those items, not the state; else (no valid
        checkpoint, a certainty filter) folded whole, then written.

        :param as_of: the effective date, as for :meth:`state`; ``known_at``, ``min_certainty``
            and ``active`` too (a certainty filter is never read from a checkpoint).
        :returns: a :class:`StateStream`: ``.write_json(binary_file)`` (the bytes of
            ``state(...).write_json``) or ``.records(section)``; ``.streamed`` says which way it went.
        """
        day, level, active = args.as_of(as_of), args.certainty(min_certainty), args.flag(active, "active")
        position, recorded_at = args.known_at(self._store, known_at)
        with _reading():
            return streamed.stream_state(self._store, self.checkpoint_cache, day=day, position=position,
                                         recorded_at=recorded_at, min_certainty=level, active=active)

    def diff(self, from_date: Day, to_date: Day, known_at: Moment = None, *, min_certainty: str = "rumored",
             party: str | None = None) -> Diff:
        """What changed between two effective dates (one belief), with the events responsible.

        :param from_date, to_date: the two effective dates; ``known_at``: the belief (default now).
        :param min_certainty, party: as for :meth:`state`.
        :returns: a :class:`Diff` (``d.changes``: per section, added / removed / changed items)."""
        return queries.diff(self.state(from_date, known_at, min_certainty, party),
                            self.state(to_date, known_at, min_certainty, party))

    def diff_beliefs(self, as_of: Day, known_at_a: Moment, known_at_b: Moment, *, min_certainty: str = "rumored",
                     party: str | None = None) -> Diff:
        """How the ledger's belief about one date changed between two recordings.

        :param as_of: the effective date; ``known_at_a``, ``known_at_b``: the two beliefs.
        :param min_certainty, party: as for :meth:`state`.
        :returns: a :class:`Diff` from the belief at ``known_at_a`` to the one at ``known_at_b``."""
        return queries.diff(self.state(as_of, known_at_a, min_certainty, party),
                            self.state(as_of, known_at_b, min_certainty, party))

    def explain(self, item: str, as_of: Day = None, known_at: Moment = None, min_certainty: str = "rumored") -> Document:
        """The events behind one item, in fold order, with their sources; its withdrawn events;
        and in ``fields`` each field's value and the event that set it (SPEC §12).

        :param item: ``SECTION:KEY`` (``stakes:microsoft/openai``) or a bare key when one section has it.
        :param as_of, known_at, min_certainty: as for :meth:`state`.
        :returns: a document with ``item``, ``events``, ``superseded`` and ``fields``.
        """
        section, key, parts = args.item(item, self._store)
        day, level = args.as_of(as_of), args.certainty(min_certainty)
        position, recorded_at = args.known_at(self._store, known_at)
        query = f"{section}:{key}"
        with _reading():
            doc = queries.explain(self._store, query, section, key, args.index_key(section, parts), day=day,
                                  position=position, recorded_at=recorded_at, min_certainty=level)
            if doc["item"] is None and not doc["superseded"] and not doc["events"]:
                audit.trail(self._store, self.checkpoint_cache, query, section, key, parts, field=None, first=None,
                            last=None, position=position, recorded_at=recorded_at, min_certainty=level)
        return doc

    def trail(self, item: str, field: str | None = None, date_from: Day = None, date_to: Day = None,
              known_at: Moment = None, min_certainty: str = "rumored") -> Trail:
        """One item's successive values over effective time, as known at ``known_at`` (SPEC §12).

        :param item: ``SECTION:KEY`` or a bare key; ``field``: narrow to one field.
        :param known_at, min_certainty: as for :meth:`state`.
        :param date_from, date_to: bound the changes listed (``date_to`` up to the end of its period);
            ``value`` is the item (or field) as of ``date_to`` (none: after every known change).
        :returns: a :class:`Trail`: ``changes`` (each with ``effective_date``, ``fields`` {name:
            {before, after}}, ``event`` (null for a calendar ``until`` ending) and ``withdrawn``
            ({by, action} for a corrected or retracted event, listed and not folded)) and ``value``.
        :raises ValidationError: an unknown item or field (with what was meant).
        """
        section, key, parts = args.item(item, self._store)
        level = args.certainty(min_certainty)
        first, last = args.window(date_from, date_to, "the trail")
        position, recorded_at = args.known_at(self._store, known_at)
        with _reading():
            return audit.trail(self._store, self.checkpoint_cache, f"{section}:{key}", section, key, parts,
                               field=field, first=first, last=last, position=position, recorded_at=recorded_at,
                               min_certainty=level)

    def history(self, party: str | None = None, stream: str | None = None, type: str | Sequence[str] | None = None,
                since: int = 0, date_from: Day = None, date_to: Day = None, limit: int | None = None) -> History:
        """Events in recording order, each marked with the event that corrected or retracted it.

        :param party: the events that can shape the party's items; ``stream``: one stream.
        :param type: one event type or several (any case). ``since``: only positions after it (the last one already seen; 0: all).
        :param date_from, date_to: bound the effective dates (inclusive; a partial bound covers its period).
        :param limit: keep the first N matches.
        :returns: a :class:`History` (``h.events``; ``len(h)``, ``for e in h``).
        """
        types = args.event_types(type)
        start = args.whole_number(since, "since", 0)
        count = args.whole_number(limit, "limit", 1) if limit is not None else None
        low, high = args.window(date_from, date_to, "the history")
        who, which = args.party(self._store, party), args.stream(self._store, stream)
        with _reading():
            return queries.history(self._store, party=who, stream=which, types=types, since=start, low=low,
                                   high=high, limit=count)

    def event(self, event_id: str) -> Document:
        """One stored envelope by id, with ``corrected_by`` / ``retracted_by`` (ids or null).

        :param event_id: the event's id. :returns: a :class:`Document`.
        :raises NotFoundError: no event has that id."""
        with _reading():
            return queries.event(self._store, event_id)

    def streams(self) -> Streams:
        """:returns: :class:`Streams`, each stream's ``name``, ``version`` (for ``expected_version``),
        ``events`` and ``last_position``."""
        return queries.streams(self._store)

    def verify(self, anchor: tuple[int, str] | None = None, progress: Callable[[int], None] | None = None) -> VerifyReport:
        """Recompute the hash chain, positions, stream versions and derived data; never raises for a
        bad ledger. ``anchor``: (position, hash) published earlier, which must still be there;
        ``progress``: called with the number of events checked so far.

        :returns: a ``VerifyReport`` (``ok``, ``problems`` with position, id and what is wrong)."""
        with gc_paused():
            return verify_store(self._store, anchor, progress)

    def rebuild(self, count: int = 8, *, latest: bool = False, parties: bool = False) -> list[tuple[str, int]]:
        """Recreate the fold checkpoints at the head (derived data that speeds up ``state``): the
        whole ledger's and the busiest parties' (:meth:`party_checkpoints`).

        :param count: how many of the whole ledger's, spread over the effective dates.
        :param latest: instead, only add one at the latest date, folded on from the best valid
            checkpoint (the events since it, not the ledger): after appends, what lets the current
            whole state stream again (:meth:`stream_state`).
        :param parties: instead, only recreate the busiest parties' (one party's events in memory
            at a time, where the whole ledger's fold holds the whole state).
        :returns: (date, position) of each checkpoint of the whole ledger made."""
        args.whole_number(count, "count", 1, 1000)
        latest, parties = args.flag(latest, "latest"), args.flag(parties, "parties")
        if latest and parties:
            raise bad_argument("parties", "give latest or parties, not both")
        self.checkpoint_cache.clear()
        with _reading():
            if latest:
                return checkpoints.refresh_latest(self._store)
            if parties:
                party_checkpoints.rebuild(self._store, self._store.head()[0], clear=True)
                return []
            made = checkpoints.rebuild(self._store, count)
            if made:
                party_checkpoints.rebuild(self._store, made[0][1])
            return made

    def party_checkpoints(self) -> list[tuple[str, str, int]]:
        """The busiest parties' fold checkpoints that ``rebuild`` made (a party with 5,000 indexed
        events or more gets them; one-party queries start from them when that is exact).

        :returns: (party, date, position) of each, by party, position, then date."""
        return [(party, day, position) for _, party, day, position in self._store.party_checkpoints()]

    def export(self, out: IO[bytes]) -> int:
        """Write every stored envelope, one JSON object a line, in position order (lossless: what
        ``import`` restores; as stored, never upcast, since the hash covers what was stored).
        :param out: a binary stream. :returns: the number of events written."""
        count = 0
        with _reading():
            for env in self._store.read(raw=True):
                out.write(orjson.dumps(env) + b"\n")
                count += 1
        return count
