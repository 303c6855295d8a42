"""The SQLAlchemy adapter of the store port: SQLite (file, WAL) and PostgreSQL.

Writers serialize on one lock (SQLite ``BEGIN IMMEDIATE``, PostgreSQL a transaction advisory
lock), so positions are assigned as ``last + 1`` inside the transaction: gap-free and in commit
order even with several processes appending. Storage errors become typed errors here.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, bindparam, create_engine, event, func, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from ledger.core.envelope import GENESIS_HASH, INSERT_COLUMNS, ROW_COLUMNS, envelope_from_row, format_ts, parse_ts
from ledger.errors import ConflictError, SchemaVersionError, StorageError
from ledger.store.tables import BUCKET, EVENT_PARTIES, EVENTS, bucket

PG_LOCK_KEY = 0x616C6C79  # "ally": one advisory lock for all writers of a database
_COLS = [EVENTS.c[name] for name in ROW_COLUMNS]
_RECORDED_AT = select(EVENTS.c.recorded_at).where(EVENTS.c.position == bindparam("p"))
"""Built once: a comparison built per call leaves a small reference cycle behind (see
projections.select.gc_paused for why the library makes no cyclic garbage)."""


def param_mark(dialect: Any) -> str:
    """The driver's placeholder for statements we write ourselves: sqlite3 ``?``, psycopg ``%s``."""
    return "?" if dialect.paramstyle == "qmark" else "%s"


def safe_url(url: str) -> str:
    """The URL as it may be shown in a message: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy parses: show it without anything after '@'
        return url.split("@")[-1]


def sqlite_file(url: str) -> str | None:
    """The file path of a SQLite URL (None for other engines, memory, or what is not a URL)."""
    try:
        parsed = make_url(url)
    except (sa_exc.ArgumentError, ValueError, TypeError):
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return str(parsed.database)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and explicit BEGIN control."""
    try:
        parsed = make_url(url)
    except (sa_exc.ArgumentError, ValueError, TypeError):
        raise StorageError(f"{safe_url(str(url))!r} is not a database URL: use sqlite:///PATH or "
                           "postgresql://USER@HOST/DB") from None
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return _refuse_unreachable(create_engine(parsed, pool_pre_ping=True))
    if parsed.get_backend_name() != "sqlite":
        raise StorageError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite:/// or postgresql://")
    memory = parsed.database in (None, "", ":memory:")
    try:
        timeout = float(parsed.query.get("timeout", 60))  # type: ignore[arg-type]
    except ValueError:
        raise StorageError(f"timeout={parsed.query.get('timeout')!r} in the URL is not a number of seconds") from None
    connect_args: dict[str, Any] = {"timeout": timeout, "check_same_thread": False}
    engine = create_engine(
        parsed.difference_update_query(["timeout"]), poolclass=StaticPool if memory else None,
        **({"connect_args": connect_args} if memory else {"creator": _sqlite_creator(str(parsed.database), timeout)}),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        if (not memory and not getattr(dbapi_conn, "immutable", False)
                and cur.execute("PRAGMA journal_mode").fetchone()[0] != "wal"):
            cur.execute("PRAGMA journal_mode=WAL")  # persistent: set once, by the first writer
        cur.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes in WAL mode
        cur.execute("PRAGMA cache_size=-65536")  # 64 MiB: index pages of a large ledger stay hot
        cur.execute("PRAGMA wal_autocheckpoint=16384")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

    return _refuse_unreachable(engine)


class _ImmutableConnection(sqlite3.Connection):
    immutable = True


def _sqlite_creator(path: str, timeout: float) -> Callable[[], sqlite3.Connection]:
    """Connections to a SQLite file, also on a read-only medium.

    A WAL database needs its ``-shm`` file to be read; on a read-only mount (a published copy,
    a CD, a container layer) it cannot be created, and every query failed, even ``state``. Then
    the file is opened ``immutable``: nobody can be writing to a read-only medium, so SQLite may
    skip its locks. Writes there fail as they must (StorageError, "readonly database").
    """

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(path, timeout=timeout, check_same_thread=False)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            if "unable to open" not in str(exc) and "readonly" not in str(exc):
                raise
        uri = f"file:{quote(os.path.abspath(path))}?immutable=1"
        return sqlite3.connect(uri, uri=True, timeout=timeout, check_same_thread=False,
                               factory=_ImmutableConnection)

    return connect


def _refuse_unreachable(engine: Engine) -> Engine:
    """A database that cannot be opened at all (no server, bad path, wrong password) is a typed
    :class:`StorageError` naming the database, wherever the first connection happens."""

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> None:
        if context.connection is None:  # failed while connecting, not in a statement
            shown = engine.url.render_as_string(hide_password=True)
            raise StorageError(f"cannot open the database {shown}: {context.original_exception}".rstrip())

    return engine


@contextmanager
def translate(started: float | None = None) -> Iterator[None]:
    """Storage errors become our typed errors at this boundary (``started``: when a writer began
    waiting for the lock, so a timeout can say how long it waited)."""
    try:
        yield
    except sa_exc.IntegrityError as exc:
        raise ConflictError(f"the database refused the write (a concurrent writer or a duplicate): {exc.orig}") from exc
    except sa_exc.OperationalError as exc:
        text = str(exc.orig)
        if "no such table" in text or "does not exist" in text:
            raise SchemaVersionError("the database holds no alliance-ledger schema: run `alliance-ledger init`") from exc
        if "readonly database" in text:
            raise StorageError("the ledger's file or medium is read-only: nothing was written") from exc
        if "database is locked" in text:
            waited = f" (waited {time.monotonic() - started:.0f} s)" if started is not None else ""
            raise StorageError(f"another process is writing to this ledger{waited}: nothing was written; try again "
                               "when it has finished") from exc
        raise StorageError(f"database error: {text}") from exc
    except sa_exc.DBAPIError as exc:
        raise StorageError(f"database error: {exc.orig}") from exc


def _aware(ts: datetime) -> datetime:
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts


def _head(conn: Connection) -> tuple[int, str, str | None]:
    row = conn.execute(
        select(EVENTS.c.position, EVENTS.c.hash, EVENTS.c.recorded_at).order_by(EVENTS.c.position.desc()).limit(1)
    ).first()
    return (row[0], row[1], format_ts(row[2])) if row else (0, GENESIS_HASH, None)


class Writer:
    """One locked write transaction: read the head, look things up, insert rows."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def head(self) -> tuple[int, str, str | None]:
        return _head(self.conn)

    def db_timestamp(self, text: str) -> Any:
        """A recorded_at value as the bulk insert binds it for this engine."""
        ts = parse_ts(text)
        if self.conn.dialect.name == "sqlite":  # SQLAlchemy's DateTime storage format on SQLite
            return ts.strftime("%Y-%m-%d %H:%M:%S.%f")
        return ts

    def insert(self, rows: Sequence[tuple[Any, ...]], party_rows: Sequence[tuple[int, str, int]]) -> None:
        """Bulk insert at the driver level: the statement is fixed, so SQLAlchemy's per-row
        parameter processing (a fifth of an append's time) buys nothing here."""
        mark = param_mark(self.conn.dialect)
        events_sql = (f"INSERT INTO events ({', '.join(INSERT_COLUMNS)}) "
                      f"VALUES ({', '.join([mark] * len(INSERT_COLUMNS))})")
        parties_sql = f"INSERT INTO event_parties (bucket, party, position) VALUES ({mark}, {mark}, {mark})"
        if rows:
            self.conn.exec_driver_sql(events_sql, list(rows))
        if party_rows:  # in key order: each index page is visited once, not once per row
            self.conn.exec_driver_sql(parties_sql, _index_order(party_rows))


def _index_order(party_rows: Sequence[tuple[int, str, int]]) -> list[tuple[int, str, int]]:
    """``sorted(party_rows)``, in half the time: rows come in position order, so two stable
    sorts on single fields (key, then bucket) give (bucket, key, position) order without
    comparing tuples."""
    return sorted(sorted(party_rows, key=itemgetter(1)), key=itemgetter(0))


class SqlStore:
    """Append and read stored envelopes. All SQL of the project lives in this module."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    @contextmanager
    def writer(self) -> Iterator[Writer]:
        with translate(time.monotonic()), self.engine.connect().execution_options(write=True) as conn, conn.begin():
            if self.dialect == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_LOCK_KEY})")
            yield Writer(conn)

    def head(self) -> tuple[int, str, str | None]:
        """(last position, last hash, its recorded_at) — (0, genesis, None) when empty."""
        with translate(), self.engine.connect() as conn:
            return _head(conn)

    def position_at(self, ts: datetime) -> int:
        """The last position recorded at or before ``ts`` (0 if none).

        ``recorded_at`` never decreases along positions (the writer makes sure), so bisecting
        positions by primary key finds it in ~log2(n) point reads, with no timestamp index.
        """
        query = _RECORDED_AT
        with translate(), self.engine.connect() as conn:
            low, high = 0, _head(conn)[0]
            while low < high:
                mid = (low + high + 1) // 2
                value = conn.execute(query, {"p": mid}).scalar_one()
                if _aware(value) <= ts:
                    low = mid
                else:
                    high = mid - 1
        return low

    def recorded_at(self, position: int) -> str | None:
        with translate(), self.engine.connect() as conn:
            value = conn.execute(_RECORDED_AT, {"p": position}).scalar()
        return format_ts(value) if value is not None else None

    def read(
        self, *, after: int = 0, upto: int | None = None, stream: str | None = None,
        types: Iterable[str] | None = None, party: str | None = None, ids: Iterable[str] | None = None,
        conn: Connection | None = None, batch: int = 20_000, tolerant: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Stored envelopes in position order, filtered; streamed in batches to bound memory
        (``tolerant``: by ids only, for verify; see :func:`ledger.core.envelope.envelope_from_row`)."""
        if ids is not None and (after, upto, stream, types, party) == (0, None, None, None, None):
            yield from self._by_ids(list(ids), conn, tolerant)
            return
        query = select(*_COLS).order_by(EVENTS.c.position)
        keys = ([f"stream:{stream}"] if stream is not None else []) + ([party] if party is not None else [])
        if keys:
            last_bucket = bucket(upto if upto is not None else self.head_position(conn))
            for key in keys:
                query = query.where(EVENTS.c.position.in_(select(EVENT_PARTIES.c.position).where(
                    EVENT_PARTIES.c.bucket.in_(range(last_bucket + 1)), EVENT_PARTIES.c.party == key)))
        if stream is not None:
            query = query.where(EVENTS.c.stream == stream)
        if types is not None:
            query = query.where(EVENTS.c.type.in_(list(types)))
        if upto is not None:
            query = query.where(EVENTS.c.position <= upto)
        if ids is not None:
            id_list = list(ids)
            for start in range(0, len(id_list), 500):
                chunk = query.where(EVENTS.c.id.in_(id_list[start:start + 500]))
                yield from self._run(chunk, conn)
            return
        last = after
        while True:
            rows = list(self._run(query.where(EVENTS.c.position > last).limit(batch), conn))
            yield from rows
            if len(rows) < batch:
                return
            last = rows[-1]["position"]

    def read_for_verify(self, upto: int, batch: int = 20_000) -> Iterator[dict[str, Any]]:
        """Every stored envelope up to ``upto`` in position order, read as stored (at the driver
        level, tolerant of edited columns: see :func:`ledger.core.envelope.envelope_from_row`), each with
        the derived ``effective_on`` column as text, for ``verify`` to recompute and compare."""
        mark = param_mark(self.engine.dialect)
        sql = (f"SELECT {', '.join(ROW_COLUMNS)}, effective_on FROM events WHERE position > {mark} "
               f"AND position <= {mark} ORDER BY position LIMIT {int(batch)}")
        last = 0
        while True:
            with translate(), self.engine.connect() as conn:
                rows = conn.exec_driver_sql(sql, (last, upto)).all()
            for row in rows:
                values = tuple(row)
                on = values[15]
                yield envelope_from_row((*values[:15], on.isoformat() if hasattr(on, "isoformat") else on), True)
            if len(rows) < batch:
                return
            last = int(rows[-1][9])

    def read_positions(self, positions: Sequence[int]) -> Iterator[dict[str, Any]]:
        """Stored envelopes at ``positions`` (ascending), by primary key, 500 a query."""
        mark = param_mark(self.engine.dialect)
        with translate(), self.engine.connect() as conn:
            for start in range(0, len(positions), 500):
                chunk = tuple(positions[start:start + 500])
                rows = conn.exec_driver_sql(f"SELECT {', '.join(ROW_COLUMNS)} FROM events WHERE position IN "
                                            f"({', '.join([mark] * len(chunk))}) ORDER BY position", chunk).all()
                yield from (envelope_from_row(tuple(row)) for row in rows)

    def _by_ids(self, ids: list[str], conn: Connection | None, tolerant: bool = False) -> Iterator[dict[str, Any]]:
        """Envelopes by id at the driver level (every append looks its batch's ids up): an
        expanding ``IN`` construct per call left reference cycles that held each batch's ids."""
        mark = param_mark(self.engine.dialect)
        with translate(), (nullcontext(conn) if conn is not None else self.engine.connect()) as c:
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                rows = c.exec_driver_sql(f"SELECT {', '.join(ROW_COLUMNS)} FROM events WHERE id IN "
                                         f"({', '.join([mark] * len(chunk))}) ORDER BY position", tuple(chunk)).all()
                yield from (envelope_from_row(tuple(row), tolerant) for row in rows)

    def _run(self, query: Any, conn: Connection | None) -> Iterator[dict[str, Any]]:
        with translate():
            if conn is not None:
                result = conn.execute(query).all()
            else:
                with self.engine.connect() as own:
                    result = own.execute(query).all()
        for row in result:
            yield envelope_from_row(tuple(row))

    def party_index(self, upto: int) -> Iterator[tuple[int, str]]:
        """The stored party index as (position, party) up to ``upto``, in position order (read
        bucket by bucket, so the database sorts one bucket at a time), then any stray rows."""
        mark = param_mark(self.engine.dialect)
        sql = (f"SELECT position, party FROM event_parties WHERE bucket = {mark} AND position <= {mark} "
               "ORDER BY position, party")
        with translate(), self.engine.connect() as conn:
            for number in range(bucket(upto) + 1):
                yield from ((int(r[0]), str(r[1])) for r in conn.exec_driver_sql(sql, (number, upto)).all())
            yield from ((int(r[0]), str(r[1])) for r in conn.exec_driver_sql(
                f"SELECT position, party FROM event_parties WHERE bucket <> position / {BUCKET} AND position <= {mark} "
                "ORDER BY position, party", (upto,)).all())

    def head_position(self, conn: Connection | None = None) -> int:
        if conn is not None:
            return _head(conn)[0]
        with translate(), self.engine.connect() as own:
            return _head(own)[0]

    def streams(self) -> list[tuple[str, int, int, int]]:
        """(stream, version, event count, last position) of every stream, by name: one grouped
        scan of ``events`` (there is no stream index, see ledger.store.tables)."""
        query = (select(EVENTS.c.stream, func.max(EVENTS.c.stream_version), func.count(),
                        func.max(EVENTS.c.position)).group_by(EVENTS.c.stream).order_by(EVENTS.c.stream))
        with translate(), self.engine.connect() as conn:
            return [(str(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in conn.execute(query).all()]

    def count(self) -> int:
        with translate(), self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(EVENTS)).scalar() or 0)

    def dispose(self) -> None:
        self.engine.dispose()
