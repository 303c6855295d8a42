"""Helpers of the server tests: demo ledgers, token files, and real uvicorn processes.

A server under test is a separate OS process (``alliance-ledger --db URL serve --port P``),
started on a free port and stopped by its own pid, so what is tested is what a user runs.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console

from ledger import Ledger
from ledger.cli.demo import dataset, load
from tests.conftest import pg_schema_url
from tests.procs import ROOT, child_env, cli_command

WRITE_TOKEN = "w-" + "a" * 30
READ_TOKEN = "r-" + "b" * 30
OTHER_WRITE_TOKEN = "w-" + "c" * 30


def token_file(path: Path) -> Path:
    path.write_text(f"# token role name\n{WRITE_TOKEN} write alice (newsroom)\n{READ_TOKEN} read reader\n"
                    f"{OTHER_WRITE_TOKEN} write bob\n")
    return path


@contextlib.contextmanager
def engine_url(kind: str, directory: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{directory}/ledger.db"
    else:
        with pg_schema_url() as url:
            yield url


def load_demo(url: str) -> None:
    with Ledger.open(url, init=True) as lg:
        load(lg, dataset(), Console(quiet=True))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A running ``serve`` process: ``url`` to talk to, ``log()`` for what it printed."""

    def __init__(self, db_url: str, *args: str, log_dir: Path, command: list[str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._log_path = log_dir / f"serve-{self.port}.log"
        self._log = self._log_path.open("wb")
        env = {**child_env(), "ALLIANCE_LEDGER_DB": db_url}
        self.proc = subprocess.Popen([*(command or cli_command()), "serve", "--port", str(self.port), *args], cwd=ROOT, env=env,
                                     stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def wait_ready(self, timeout: float = 30) -> Server:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"serve did not listen on {self.port}:\n{self.log()}")

    def log(self) -> str:
        self._log.flush()
        return self._log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # this process only, by its pid
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


@contextlib.contextmanager
def serving(db_url: str, *args: str, log_dir: Path, command: list[str] | None = None) -> Iterator[Server]:
    server = Server(db_url, *args, log_dir=log_dir, command=command)
    try:
        yield server.wait_ready()
    finally:
        server.stop()


def head(url: str) -> int:
    with Ledger.open(url) as lg:
        return lg.resolve_known_at(None)[0]


def assert_clean(body: str | bytes) -> None:
    """No traceback, file path or SQL in a response body."""
    textual = body.decode(errors="replace") if isinstance(body, bytes) else body
    lowered = textual.lower()
    for marker in ("traceback", 'file "', ".py", "/work/", "/tmp/", "site-packages", "select ", "insert into",
                   "sqlalchemy", "psycopg", "sqlite3", " from events", "\\n  file"):
        assert marker not in lowered, f"{marker!r} leaked in: {textual[:500]}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def jsonl(events: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(e) + "\n" for e in events).encode()
