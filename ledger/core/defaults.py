"""Defaults the library and the command line share, in a module that imports nothing: the CLI
reads them at start-up, before (and often instead of) loading the library behind them."""

DEFAULT_URL = "sqlite:///alliance-ledger.db"
"""The ledger a bare ``Ledger.open()`` or ``alliance-ledger`` (no ``--db``) uses (SPEC §7)."""
