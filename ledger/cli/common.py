"""What every command shares: the app, the --db option, output formats, errors to exit codes.

Exit codes (SPEC §7): 0 ok, 1 integrity failure, 2 usage or validation error, 3 conflict.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.text import Text

from ledger.api import Ledger
from ledger.core.jsontext import parse_text
from ledger.errors import LedgerError

DEFAULT_DB = "sqlite:///alliance-ledger.db"
app = typer.Typer(
    help="An event-sourced, bitemporal ledger of corporate alliances.\n\n"
    "Example:\n\n    alliance-ledger demo\n\n    alliance-ledger --db sqlite:///my.db init",
    no_args_is_help=True, rich_markup_mode=None, add_completion=False, pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# markup and emoji codes off: every string printed is user text or stored data, shown verbatim
# (a party named "[/x]" crashed every table with MarkupError; "[bold red]" in data was rendered)
out = Console(highlight=False, markup=False, emoji=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False, markup=False, emoji=False)


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOpt = Annotated[Format | None, typer.Option("--format", "-f", help="table or json (default: table on a "
                                                   "terminal, json in a pipe)")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="effective date YYYY-MM-DD (default: today, UTC)")]
KnownOpt = Annotated[str | None, typer.Option("--known-at", help="as the ledger knew it at a position or a UTC "
                                              "timestamp (default: now)")]
CertOpt = Annotated[str, typer.Option("--min-certainty", help="rumored, reported, announced or confirmed")]
PartyOpt = Annotated[str | None, typer.Option("--party", help="only items involving this party")]


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", envvar="ALLIANCE_LEDGER_DB",
                                           help=f"database URL (default {DEFAULT_DB})")] = None,
) -> None:
    ctx.obj = {"db": db or DEFAULT_DB, "db_given": db is not None}


@contextmanager
def opened(ctx: typer.Context, init: bool = False) -> Iterator[Ledger]:
    with Ledger.open(ctx.obj["db"], init=init) as lg:
        yield lg


def fmt_of(fmt: Format | None) -> Format:
    if fmt is not None:
        return fmt
    return Format.table if sys.stdout.isatty() else Format.json


def emit(doc: Any, fmt: Format | None, table: Callable[[dict[str, Any]], None]) -> None:
    """A document as JSON (the documented form) or as tables, by --format and the terminal."""
    if fmt_of(fmt) is Format.json:
        sys.stdout.flush()
        doc.write_json(sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        table(doc.to_dict())


def emit_json(doc: Any) -> None:
    sys.stdout.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n")


def error(message: str, label: str = "error:") -> None:
    """``label message`` on stderr, the label in red on a terminal, the message verbatim."""
    err.print(Text.assemble((label, "red"), " ", message), soft_wrap=True)


def guarded(fn: Callable[..., None]) -> Callable[..., None]:
    """Turn our typed errors into a message on stderr and the documented exit code."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
        except LedgerError as exc:
            error(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:
            error(str(exc))
            raise typer.Exit(2) from None
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as exc:  # a bug of ours: one line, exit 4, never a traceback a user must read
            if os.environ.get("ALLIANCE_LEDGER_DEBUG"):
                raise
            error(f"unexpected {type(exc).__name__}: {str(exc)[:300]}. This is a bug in alliance-ledger: please report "
                  "it to its maintainers with the command you ran (ALLIANCE_LEDGER_DEBUG=1 shows the traceback)")
            raise typer.Exit(4) from None

    return wrapper


def read_input(file: str) -> list[Any]:
    if file == "-":
        return parse_text(sys.stdin.buffer.read(), "standard input")
    path = Path(file)
    if path.is_dir() or not path.exists():
        raise LedgerError(f"{file}: no such file")
    return parse_text(path.read_bytes(), file)


@contextmanager
def _null() -> Iterator[Any]:
    yield None


@contextmanager
def progress_bar(verb: str, total: int) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on a terminal (for batches big enough to wait for); nothing in a pipe."""
    if not sys.stderr.isatty() or total < 20_000:
        yield None
        return
    from rich.progress import Progress

    with Progress(console=err, transient=True) as bar:
        task = bar.add_task(f"{verb} {total} events", total=total)
        yield lambda done: bar.update(task, completed=done)
