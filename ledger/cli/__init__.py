"""The ``alliance-ledger`` command line: a thin shell over :class:`ledger.Ledger`.

Exit codes (SPEC §7): 0 ok, 1 integrity failure, 2 usage or validation error, 3 conflict.
"""

from ledger.cli import audit, read, serve, write  # noqa: F401  (importing them registers their commands)
from ledger.cli.common import app


def main() -> None:
    """Console-script entry point."""
    app(prog_name="alliance-ledger")


__all__ = ["app", "main"]
