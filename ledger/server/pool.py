"""Ledger handles for request threads.

A :class:`~ledger.Ledger` keeps per-instance caches (checkpoints, the writer's catalog) that are
not meant to be shared between threads, so each concurrent read borrows a Ledger of its own and
all writes of this process go through one Ledger behind a lock. Writers of *different*
processes are serialized by the store's database lock, exactly as several CLI processes are.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ledger.api import Ledger


class LedgerPool:
    """Up to ``readers`` Ledgers for reads, opened on demand, plus one writer."""

    def __init__(self, url: str, readers: int = 4) -> None:
        self.url = url
        self._free: list[Ledger] = [Ledger.open(url)]  # opened now: a bad URL or schema fails at start-up
        self._opened = 1
        self._size = max(1, readers)
        self._slots = threading.Semaphore(self._size)
        self._lock = threading.Lock()
        self._writer: Ledger | None = None
        self._write_lock = threading.Lock()

    @contextmanager
    def reader(self) -> Iterator[Ledger]:
        with self._slots:
            with self._lock:
                lg = self._free.pop() if self._free else None
            if lg is None:
                lg = Ledger.open(self.url)
                with self._lock:
                    self._opened += 1
            try:
                yield lg
            finally:
                with self._lock:
                    self._free.append(lg)

    @contextmanager
    def writer(self) -> Iterator[Ledger]:
        with self._write_lock:
            if self._writer is None:
                self._writer = Ledger.open(self.url)
            yield self._writer

    def close(self) -> None:
        with self._lock:
            for lg in self._free:
                lg.close()
            self._free.clear()
        if self._writer is not None:
            self._writer.close()
