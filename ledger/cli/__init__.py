"""The ``alliance-ledger`` command line: a thin shell over :class:`ledger.Ledger`.

Exit codes (SPEC §7): 0 ok, 1 integrity failure, 2 usage or validation error, 3 conflict, 4 a bug.
"""

# importing them registers their commands, in this order in --help
from ledger.cli import read  # noqa: F401, I001  (state, diff, history, streams, explain, schema)
from ledger.cli import audit  # noqa: F401  (trail, snapshot)
from ledger.cli import write  # noqa: F401  (init, append, verify, export, import, rebuild)
from ledger.cli import present  # noqa: F401  (report, demo)
from ledger.cli import serve  # noqa: F401
from ledger.cli.common import app, reader_gone


def main() -> None:
    """Console-script entry point. Output still buffered when a command returns is flushed here,
    so a reader that closed the pipe early (``| head``) ends the command quietly with exit 0,
    whatever the size of the output, as inside a command (see ``common.guarded``)."""
    import sys

    if sys.stdout is None:  # started with stdout closed (`>&-`): no answer could reach anyone
        if sys.stderr is not None:
            sys.stderr.write("error: standard output is closed; nothing was done\n")
        raise SystemExit(2)
    try:
        try:
            app(prog_name="alliance-ledger", standalone_mode=True)
        finally:
            sys.stdout.flush()
    except BrokenPipeError:
        reader_gone()


__all__ = ["app", "main"]
