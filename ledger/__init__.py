"""alliance-ledger: an event-sourced, bitemporal ledger of corporate alliances.

Only this package imports SQLAlchemy; no engine is created at import time.
"""

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

__all__ = [
    "AppendResult", "ConflictError", "IntegrityError", "Ledger", "LedgerError", "NotFoundError", "SchemaVersionError",
    "StorageError", "ValidationError",
]
