"""alliance-ledger: an event-sourced, bitemporal ledger of corporate alliances.

    from ledger import Ledger
    with Ledger.open("alliances.db", init=True) as lg: ...

Names load on first use, so ``import ledger`` (and every CLI command) pays only for what it
uses; no database is touched at import time.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledger.api import AppendResult, Ledger
    from ledger.errors import (
        ConflictError,
        IntegrityError,
        LedgerError,
        NotFoundError,
        SchemaVersionError,
        StorageError,
        ValidationError,
    )

_LAZY = {"AppendResult": "ledger.api", "Ledger": "ledger.api", "ConflictError": "ledger.errors",
         "IntegrityError": "ledger.errors", "LedgerError": "ledger.errors", "NotFoundError": "ledger.errors",
         "SchemaVersionError": "ledger.errors", "StorageError": "ledger.errors", "ValidationError": "ledger.errors"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ledger' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "AppendResult", "ConflictError", "IntegrityError", "Ledger", "LedgerError", "NotFoundError", "SchemaVersionError",
    "StorageError", "ValidationError",
]
