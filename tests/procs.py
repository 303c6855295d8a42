"""Helpers of the integrity tests: worker processes and raw database connections.

Workers are real OS processes with their own interpreter and connections.

Run as ``python -m tests.procs COMMAND ARGS...`` (use :func:`spawn`). Workers that must start
together wait for a "go" file, so that they really contend for the writers' lock. Every worker
prints one JSON line with its result on stdout; any unexpected exception is a traceback on stderr
and exit code 1, so the parent can tell "lost the race" (exit 3) from "broke" (exit 1).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
SRC = {"url": "https://example.org/news", "title": "A report"}


# -- helpers for the parent (the test process) ------------------------------------------------
def child_answers(monkeypatch: Any, threshold: tuple[Any, str], reader: tuple[Any, str]) -> list[Any]:
    """Make a read start its child process (``ledger.read.children``) whatever the ledger's size
    and the machine's cores (``threshold``: the module and name of its size threshold, set to 0),
    and record the answers: each value the function ``reader`` (its owner and name) returns for
    what the child sent is appended to the list returned (None when it failed and the work was
    done in the parent)."""
    import ledger.read.children as children

    monkeypatch.setattr(*threshold, 0)
    monkeypatch.setattr(children.os, "cpu_count", lambda: 2)
    answers: list[Any] = []
    owner, name = reader
    real = getattr(owner, name)

    def spy(*args: Any) -> Any:
        answers.append(real(*args))
        return answers[-1]

    monkeypatch.setattr(owner, name, spy)
    return answers


def verify_child_answers(monkeypatch: Any) -> list[Any]:
    """:func:`child_answers` of ``verify``: the problems its child's checkpoint re-fold found."""
    import ledger.read.verify as verifying

    return child_answers(monkeypatch, (verifying, "PARALLEL_FROM"), (verifying._Side, "result"))


def is_sqlite(db_url: str) -> bool:
    return make_url(db_url).get_backend_name() == "sqlite"


@contextmanager
def raw_connection(db_url: str) -> Iterator[Any]:
    """A DB-API connection opened by the driver itself, as any other program would."""
    url = make_url(db_url)
    if is_sqlite(db_url):
        with closing(sqlite3.connect(url.database, isolation_level=None)) as conn:
            yield conn
    else:
        import psycopg

        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            yield conn


def execute_raw(db_url: str, statement: str) -> None:
    """One statement through the raw driver as its own transaction (SQLite autocommits it;
    PostgreSQL runs it in a transaction, so a statement a trigger refuses is rolled back)."""
    with raw_connection(db_url) as conn:
        if is_sqlite(db_url):
            conn.execute(statement)
        else:
            with conn.transaction():
                conn.execute(statement)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("ALLIANCE_LEDGER_DB", None)
    return env


def spawn(*args: str, **kwargs: Any) -> subprocess.Popen[str]:
    """Start ``python -m tests.procs ARGS`` with stdout/stderr piped (text)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.procs", *args], cwd=ROOT, env=child_env(), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs,
    )


def cli_command() -> list[str]:
    """The installed console script next to this interpreter, else ``python -m ledger``."""
    script = Path(sys.executable).parent / "alliance-ledger"
    return [str(script)] if script.exists() else [sys.executable, "-m", "ledger"]


def run_cli(db_url: str, *args: str, stdin: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``alliance-ledger --db URL ARGS`` as a separate process; stdin is given as raw bytes,
    output comes back as text (piped, so read commands default to JSON)."""
    done = subprocess.run([*cli_command(), "--db", db_url, *args], cwd=ROOT, env=child_env(), input=stdin,
                          stdin=subprocess.DEVNULL if stdin is None else None, capture_output=True, timeout=timeout)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(errors="replace"),
                                       done.stderr.decode(errors="replace"))


def result_of(proc: subprocess.Popen[str], timeout: float = 120) -> tuple[int, dict[str, Any] | None, str]:
    """Wait for a worker; (exit code, its JSON result or None, stderr)."""
    out, err = proc.communicate(timeout=timeout)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return proc.returncode, (json.loads(lines[-1]) if lines else None), err


def investments(prefix: str, n: int, stream: str = "main", amount: str = "1") -> list[dict[str, Any]]:
    """``n`` valid InvestmentMade events (microsoft -> openai, which must be registered)."""
    return [{"id": f"{prefix}{i}", "type": "InvestmentMade", "effective_date": "2020-01-01", "stream": stream,
             "source": SRC, "data": {"investor": "microsoft", "investee": "openai",
                                     "money": {"amount": amount, "currency": "USD"}}} for i in range(n)]


def parties() -> list[dict[str, Any]]:
    return [{"id": f"reg-{p}", "type": "PartyRegistered", "effective_date": "2015", "source": SRC,
             "data": {"party": p, "name": p.title(), "kind": "company"}} for p in ("microsoft", "openai")]


def release(go: Path, workers: int, timeout: float = 60) -> None:
    """Parent side of the start barrier: wait until ``workers`` workers are ready, then let them go."""
    deadline = time.monotonic() + timeout
    while len(list(go.parent.glob(go.name + ".*.ready"))) < workers:
        if time.monotonic() > deadline:
            raise TimeoutError("workers did not get ready")
        time.sleep(0.01)
    go.touch()


# -- the workers ------------------------------------------------------------------------------
def _ready_then_wait(go: str, tag: str) -> None:
    Path(f"{go}.{tag}.ready").touch()
    _wait_for(go)


def _wait_for(path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} never appeared")
        time.sleep(0.002)


def _emit(doc: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(doc) + "\n")
    sys.stdout.flush()


def append_worker(url: str, worker: str, batches: str, size: str, go: str) -> int:
    """Append ``batches`` batches of ``size`` investments; report every id with its position."""
    from ledger import Ledger

    placed: dict[str, int] = {}
    with Ledger.open(url) as lg:
        _ready_then_wait(go, worker)
        for b in range(int(batches)):
            result = lg.append(investments(f"w{worker}-b{b}-", int(size), stream="race"))
            placed.update(zip(result.ids, result.positions, strict=True))
    _emit({"placed": placed})
    return 0


def expected_worker(url: str, tag: str, expected: str, go: str) -> int:
    """Append 3 events to stream ``contested`` at ``expected`` version: exit 0 if won, 3 on conflict."""
    from ledger import ConflictError, Ledger

    with Ledger.open(url) as lg:
        lg.store.head()  # connected before the start
        _ready_then_wait(go, tag)
        try:
            result = lg.append(investments(f"{tag}-", 3, stream="contested"), expected_version=int(expected))
        except ConflictError as exc:
            _emit({"conflict": str(exc)})
            return 3
    _emit({"won": result.positions, "streams": result.streams})
    return 0


def reader(url: str, stop: str, ready: str) -> int:
    """Read state, history and verify in a loop until ``stop`` exists; every read must be a
    consistent prefix of the ledger (state sums exactly the investments up to its known_at)."""
    from ledger import Ledger

    rounds = last_head = 0
    heads = []
    with Ledger.open(url) as lg:
        Path(ready).touch()
        while True:
            last_round = os.path.exists(stop)  # a round that starts after stop sees the final ledger
            state = lg.state(as_of="2030-01-01", party="openai")
            pos = state["known_at"]["position"]
            assert pos >= last_head, f"head went back from {last_head} to {pos}"
            invested = [s for s in state.stakes if (s["holder"], s["issuer"]) == ("microsoft", "openai")]
            expected = sum(1 for e in lg.events(upto=pos, types=["InvestmentMade"]))
            total = int(invested[0]["invested"][0]["amount"]) if invested else 0
            assert total == expected, f"state at {pos} sums {total} investments, the ledger holds {expected}"
            history = lg.history()
            positions = [e["position"] for e in history["events"]]
            assert positions == list(range(1, len(positions) + 1)), "history has a gap or is out of order"
            assert len(positions) >= pos
            report = lg.verify()
            assert report.ok, report.problems
            last_head = report.head_position
            heads.append(last_head)
            rounds += 1
            if last_round and rounds >= 3:
                break
    _emit({"rounds": rounds, "heads": heads})
    return 0


def crash_worker(url: str, n: str, prefix: str) -> int:
    """Append one batch of ``n`` events, announcing each phase on stdout (to be SIGKILLed)."""
    from ledger import Ledger
    from ledger.store.sql import Transaction as Writer

    def say(what: str) -> None:
        sys.stdout.write(f"{what}\t{time.monotonic():.3f}\n")
        sys.stdout.flush()

    original = Writer.insert

    def insert(self: Writer, rows: Any, party_rows: Any) -> None:
        say("insert-start")
        real = self.conn

        class Spy:
            """The writer's connection, announcing each statement it has executed."""

            statements = 0

            def _done(self, result: Any) -> Any:
                Spy.statements += 1
                say(f"statement {Spy.statements}")
                return result

            def execute(self, *args: Any, **kwargs: Any) -> Any:
                return self._done(real.execute(*args, **kwargs))

            def executemany(self, *args: Any, **kwargs: Any) -> Any:
                return self._done(real.executemany(*args, **kwargs))

            def bulk_insert(self, *args: Any, **kwargs: Any) -> Any:  # executemany, or COPY on PostgreSQL
                return self._done(real.bulk_insert(*args, **kwargs))

            def __getattr__(self, name: str) -> Any:
                return getattr(real, name)

        self.conn = Spy()  # type: ignore[assignment]
        try:
            original(self, rows, party_rows)
        finally:
            self.conn = real
        say("insert-end")

    Writer.insert = insert  # type: ignore[method-assign]
    events = investments(prefix, int(n), stream="crash")
    with Ledger.open(url) as lg:
        say("built")
        lg.append(events)
    say("committed")
    return 0


COMMANDS = {"append": append_worker, "expected": expected_worker, "reader": reader, "crash": crash_worker}


def main(argv: list[str]) -> int:
    return COMMANDS[argv[0]](*argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
