"""Unit tests run without a database: any attempt to open one here is a failure, so a test that
needs storage belongs in ``tests/contract`` (both engines) instead."""

from __future__ import annotations

import sqlite3

import pytest


@pytest.fixture(autouse=True)
def no_database(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a unit test opened a database; move it to tests/contract")

    monkeypatch.setattr(sqlite3, "connect", refuse)
    try:
        import sqlalchemy
    except ImportError:  # pragma: no cover
        return
    monkeypatch.setattr(sqlalchemy, "create_engine", refuse)
