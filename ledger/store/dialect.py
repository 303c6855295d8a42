"""Where SQLite and PostgreSQL differ, and nowhere else: naming and opening a database, the
writers' lock, placeholders, timestamps, how a large read streams, and how each driver's
errors become the ledger's typed errors (the storage boundary).

All SQL of the store is text written for both engines (``{m}`` marks a parameter); a
:class:`Database` runs it on a DB-API connection. SQLite is driven through the standard
library's ``sqlite3`` directly: every statement the store runs is already written at the driver
level (for speed), and importing SQLAlchemy costs a command 0.3-0.4 s of start-up, more than
the whole answer of a one-party query (SPEC §9). PostgreSQL goes through a SQLAlchemy engine
(psycopg 3), imported only when a PostgreSQL URL is opened. Schema changes on either engine go
through SQLAlchemy and Alembic (:mod:`ledger.store.migrate`).
"""

from __future__ import annotations

import os
import queue
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import parse_qsl, quote

from ledger.errors import ConflictError, SchemaVersionError, StorageError

PG_LOCK_KEY = 0x616C6C79  # "ally": one advisory lock for all writers of a database
DEFAULT_TIMEOUT = 60.0


class Cursor(Protocol):
    def fetchone(self) -> Any: ...
    def fetchmany(self, size: int = ...) -> Sequence[Any]: ...
    def fetchall(self) -> Sequence[Any]: ...


class Conn(Protocol):
    """What the store needs of a connection: run a statement, or one statement for many rows."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...
    def bulk_insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None: ...


# -- naming a database ----------------------------------------------------------------------
class SqliteName:
    """A SQLite URL or a plain file path, parsed without SQLAlchemy."""

    def __init__(self, path: str | None, options: dict[str, str]) -> None:
        self.path = path  # None: in memory
        self.options = options

    @property
    def shown(self) -> str:
        return f"sqlite:///{self.path}" if self.path is not None else "sqlite://"


def sqlite_name(url: str) -> SqliteName | None:
    """``sqlite:///relative.db``, ``sqlite:////abs.db``, ``sqlite://`` (memory), or a plain path
    (``demo.db``, ``./data/x.sqlite``: SPEC §7); None for any other engine's URL."""
    if not isinstance(url, str) or not url:
        raise StorageError(f"{url!r} is not a database URL or a file path")
    scheme, sep, rest = url.partition("://")
    if not sep:
        if url.partition(":")[0] in ("postgresql", "postgres", "sqlite"):
            raise StorageError(f"{url!r} is not a database URL: use sqlite:///PATH, a file path, or "
                               "postgresql://USER@HOST/DB")
        return SqliteName(url, {})
    if scheme not in ("sqlite", "sqlite+pysqlite"):
        return None
    path, _, query = rest.partition("?")
    options = dict(parse_qsl(query))
    if path in ("", "/", "/:memory:"):
        return SqliteName(None, options)
    if not path.startswith("/"):
        raise StorageError(f"{url!r}: a SQLite URL is sqlite:///relative/path.db or sqlite:////absolute/path.db")
    return SqliteName(path[1:], options)


def sqlite_file(url: str) -> str | None:
    """The file path of a SQLite ledger (None for PostgreSQL, memory, or what names nothing)."""
    try:
        name = sqlite_name(url)
    except StorageError:
        return None
    return name.path if name is not None else None


def safe_url(url: str) -> str:
    """The URL as it may be shown in a message: the password hidden."""
    try:
        name = sqlite_name(url)
        if name is not None:
            return name.shown
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL anything parses: show it without anything up to an '@'
        return str(url).split("@")[-1]


def _timeout(options: dict[str, str]) -> float:
    try:
        return float(options.get("timeout", DEFAULT_TIMEOUT))
    except ValueError:
        raise StorageError(f"timeout={options.get('timeout')!r} in the URL is not a number of seconds") from None


# -- the engines ----------------------------------------------------------------------------
class Database:
    """One database: read connections, the locked write transaction, and the dialect's details."""

    dialect: str
    mark: str
    shown: str
    file: str | None = None

    def reading(self, *, stream: bool = False) -> Any:  # a context manager of Conn
        raise NotImplementedError

    def writing(self) -> Any:  # a context manager of Conn, in the writers' lock
        raise NotImplementedError

    def timestamp(self, text: str) -> Any:
        """A recorded_at as this engine binds it (one conversion per batch, not per row)."""
        raise NotImplementedError

    def keyed(self, positions_sql: str) -> str:
        """SQL for "the event's position is one of ``positions_sql``" (a subquery)."""
        return f"e.position IN ({positions_sql})"

    @property
    def address(self) -> str | None:
        """A URL another process can open this same database at (None: only this process can,
        e.g. SQLite in memory). It holds the password: never show it."""
        return None

    def dispose(self) -> None:
        pass


class _SqliteConn:
    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.raw.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.raw.executemany(sql, rows)

    def bulk_insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        self.raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                             rows)


class SqliteDatabase(Database):
    """A SQLite file (WAL) or memory, through ``sqlite3``. Connections are pooled (one thread
    uses one at a time); a write transaction is ``BEGIN IMMEDIATE``, which takes the writers'
    lock at once and waits up to ``timeout`` seconds for it (``?timeout=N`` in the URL)."""

    dialect = "sqlite"
    mark = "?"

    def __init__(self, name: SqliteName) -> None:
        self.file = name.path
        self.shown = name.shown
        self.timeout = _timeout(name.options)
        self._idle: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._memory: sqlite3.Connection | None = None
        self._memory_lock = threading.RLock()

    def _connect(self) -> sqlite3.Connection:
        if self.file is None:
            if self._memory is None:
                self._memory = self._prepared(sqlite3.connect(":memory:", check_same_thread=False,
                                                              isolation_level=None))
            return self._memory
        with translate(self.shown):
            raw = sqlite3.connect(self.file, timeout=self.timeout, check_same_thread=False, isolation_level=None)
            try:
                raw.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError as exc:
                raw.close()
                if "unable to open" not in str(exc) and "readonly" not in str(exc):
                    raise
                # A WAL database needs its -shm file to be read; on a read-only medium (a published
                # copy, a container layer) it cannot be made: nobody can be writing there, so SQLite
                # may skip its locks. Writes then fail as they must ("readonly database").
                uri = f"file:{quote(os.path.abspath(self.file))}?immutable=1"
                raw = sqlite3.connect(uri, uri=True, timeout=self.timeout, check_same_thread=False,
                                      isolation_level=None)
            return self._prepared(raw)

    @property
    def address(self) -> str | None:
        return f"sqlite:///{os.path.abspath(self.file)}" if self.file is not None else None

    def raw_connection(self) -> sqlite3.Connection:
        """A connection for SQLAlchemy to run migrations on (in memory: the one database there is)."""
        return self._connect()

    @staticmethod
    def _prepared(raw: sqlite3.Connection) -> sqlite3.Connection:
        raw.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes in WAL mode
        raw.execute("PRAGMA cache_size=-65536")  # 64 MiB: index pages of a large ledger stay hot
        raw.execute("PRAGMA wal_autocheckpoint=16384")
        return raw

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        if self.file is None:
            with self._memory_lock:
                yield self._connect()
            return
        try:
            raw = self._idle.get_nowait()
        except queue.Empty:
            raw = self._connect()
        try:
            yield raw
        except BaseException:
            raw.close()  # in an unknown state: do not pool it
            raise
        self._idle.put(raw)

    @contextmanager
    def reading(self, *, stream: bool = False) -> Iterator[Conn]:
        """A read transaction: every statement in it sees one snapshot (WAL readers never wait)."""
        with translate(self.shown), self._connection() as raw:
            raw.execute("BEGIN")
            try:
                yield _SqliteConn(raw)
            finally:
                if raw.in_transaction:
                    raw.execute("COMMIT")

    @contextmanager
    def writing(self) -> Iterator[Conn]:
        started = time.monotonic()
        with translate(self.shown, started), self._connection() as raw:
            raw.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteConn(raw)
            except BaseException:
                if raw.in_transaction:
                    raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")

    def timestamp(self, text: str) -> str:
        from ledger.core.envelope import parse_ts

        return parse_ts(text).strftime("%Y-%m-%d %H:%M:%S.%f")  # the text SQLAlchemy's DateTime writes

    def dispose(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                break
        if self._memory is not None:
            self._memory.close()
            self._memory = None


class _EngineConn:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return self.conn.exec_driver_sql(sql, tuple(params))  # type: ignore[no-any-return]

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.conn.exec_driver_sql(sql, list(rows))

    def bulk_insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """``COPY ... FROM STDIN`` through psycopg 3 (its rows formatted in C, sent by a writer
        thread while this one goes on): row triggers fire as for INSERT, in this transaction."""
        raw = self.conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


class PostgresDatabase(Database):
    """A PostgreSQL database through a SQLAlchemy engine (psycopg 3). Writers take one
    transaction-scoped advisory lock, so positions are assigned in commit order."""

    dialect = "postgresql"
    mark = "%s"

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine, event
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        self.shown = parsed.render_as_string(hide_password=True)
        self.engine = create_engine(parsed, pool_pre_ping=True)

        @event.listens_for(self.engine, "handle_error")
        def _on_error(context: Any) -> None:
            if context.connection is None:  # failed while connecting, not in a statement
                raise StorageError(f"cannot open the database {self.shown}: {context.original_exception}".rstrip())

    @property
    def address(self) -> str | None:
        return str(self.engine.url.render_as_string(hide_password=False))

    @contextmanager
    def reading(self, *, stream: bool = False) -> Iterator[Conn]:
        """A read; ``stream``: a server-side cursor (a client-side one holds the whole result, and
        10M events would not fit). Not for small reads: PostgreSQL plans a cursor for its first
        rows, which made the busiest parties' one-party queries about twice as slow."""
        with translate(self.shown), self.engine.connect() as conn:
            yield _EngineConn(conn.execution_options(yield_per=10_000) if stream else conn)

    @contextmanager
    def writing(self) -> Iterator[Conn]:
        with translate(self.shown), self.engine.connect() as conn, conn.begin():
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_LOCK_KEY})")
            yield _EngineConn(conn)

    def timestamp(self, text: str) -> datetime:
        from ledger.core.envelope import parse_ts

        return parse_ts(text)

    def keyed(self, positions_sql: str) -> str:
        """Positions collected first (``= ANY(ARRAY(...))``), then events read by primary key. As
        ``IN (subquery)``, the planner guessed ~140,000 positions for 500 keys that listed 2,329,
        and scanned all 10M events: 1.5 s a query, 0.1 s this way. SQLite plans the IN well."""
        return f"e.position = ANY(ARRAY({positions_sql}))"

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str) -> Database:
    """The :class:`Database` a URL or file path names (nothing is connected yet)."""
    name = sqlite_name(url)
    if name is not None:
        return SqliteDatabase(name)
    scheme = url.partition("://")[0].partition("+")[0]
    if scheme in ("postgresql", "postgres"):
        try:
            return PostgresDatabase(url.replace("postgres://", "postgresql://", 1))
        except (ValueError, TypeError) as exc:
            raise StorageError(f"{safe_url(url)!r} is not a database URL ({exc})") from None
        except ImportError as exc:
            raise StorageError(f"PostgreSQL needs psycopg: pip install 'alliance-ledger[postgres]' ({exc})") from None
        except Exception as exc:  # SQLAlchemy's ArgumentError for a URL it cannot parse
            raise StorageError(f"{safe_url(url)!r} is not a database URL ({exc})") from None
    raise StorageError(f"unsupported database {scheme!r}: use sqlite:///PATH, a file path, or postgresql://")


def aware(ts: Any) -> datetime:
    """A stored recorded_at (a datetime, or SQLite's text) as an aware UTC datetime."""
    if isinstance(ts, str):
        ts = datetime.fromisoformat(ts)
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts


# -- errors at the boundary -----------------------------------------------------------------
@contextmanager
def translate(shown: str = "the database", started: float | None = None) -> Iterator[None]:
    """Driver errors become the ledger's typed errors (``started``: when a writer began waiting
    for the lock, so a timeout can say how long it waited)."""
    try:
        yield
    except sqlite3.Error as exc:
        raise _typed(exc, str(exc), isinstance(exc, sqlite3.IntegrityError), shown, started) from exc
    except Exception as exc:
        if type(exc).__module__.startswith("psycopg"):  # a COPY runs on the driver's connection
            import psycopg

            if isinstance(exc, psycopg.Error):
                raise _typed(exc, str(exc), isinstance(exc, psycopg.IntegrityError), shown, started) from exc
        if type(exc).__module__.startswith("sqlalchemy"):
            from sqlalchemy import exc as sa_exc

            if isinstance(exc, sa_exc.DBAPIError):
                raise _typed(exc, str(exc.orig), isinstance(exc, sa_exc.IntegrityError), shown, started) from exc
        raise


def _typed(exc: BaseException, text: str, integrity: bool, shown: str, started: float | None) -> Exception:
    if integrity:
        return ConflictError(f"the database refused the write (a concurrent writer or a duplicate): {text}")
    if "no such table" in text or "does not exist" in text and "relation" in text:
        return SchemaVersionError(f"{shown} holds no alliance-ledger schema: run "
                                  f"`alliance-ledger --db {shown} init`")
    if "readonly database" in text:
        return StorageError("the ledger's file or medium is read-only: nothing was written")
    if "database is locked" in text:
        waited = f" (waited {time.monotonic() - started:.0f} s)" if started is not None else ""
        return StorageError(f"another process is writing to this ledger{waited}: nothing was written; try again "
                            "when it has finished")
    if "unable to open database" in text:
        return StorageError(f"cannot open the database {shown}: {text}")
    if "file is not a database" in text:
        return StorageError(f"{shown} is not a SQLite database (or it is damaged)")
    return StorageError(f"database error: {text}")
