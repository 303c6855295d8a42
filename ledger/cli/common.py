"""What every command shares: the app, ``--db`` and ``--version``, option types, opening the
ledger, and turning typed errors into messages and exit codes.

Exit codes (SPEC §7): 0 ok, 1 integrity failure, 2 usage or validation error, 3 conflict,
4 an unexpected failure (a bug: one line saying so, never a traceback).

Start-up is part of the interface (scripts call the CLI in loops): this module imports only
typer; Rich, orjson and the ledger itself load when a command needs them.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from ledger.core.defaults import DEFAULT_URL as DEFAULT_DB

if TYPE_CHECKING:
    from rich.console import Console

    from ledger.api import Ledger

DEMO_DB = "alliance-ledger-demo.db"  # where `alliance-ledger demo` builds its ledger
DB_HELP = "the ledger: a SQLite file path (demo.db), a sqlite:/// or postgresql:// URL [env ALLIANCE_LEDGER_DB; " \
          f"default {DEFAULT_DB}]"

def _no_python_types_in_help() -> None:
    """Typer prints a parameter's Python type after its metavar (``FILE <str>``, ``[FROM TO]
    <list[str]>``); the metavar already says what to give, and the reader is not writing Python."""
    from typer.core import TyperArgument

    TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign,assignment]


_no_python_types_in_help()

app = typer.Typer(
    help="An event-sourced, bitemporal ledger of corporate alliances: append sourced events, ask what held as of "
    "any date and as the ledger knew it at any moment, and audit every value.\n\n"
    "Example:\n\n\b\n    alliance-ledger demo\n    alliance-ledger --db alliances.db init\n"
    "    alliance-ledger --db alliance-ledger-demo.db state --as-of 2024-06 --party microsoft",
    no_args_is_help=True, rich_markup_mode=None, add_completion=False, pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            text = version("alliance-ledger")
        except PackageNotFoundError:  # a source tree that is not installed
            text = "(source tree)"
        sys.stdout.write(f"alliance-ledger {text}\n")
        raise typer.Exit(0)


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", envvar="ALLIANCE_LEDGER_DB", help=DB_HELP, metavar="URL|PATH",
                                           show_envvar=False)] = None,
    version: Annotated[bool, typer.Option("--version", help="print the version and exit", is_eager=True,
                                          callback=_version)] = False,
) -> None:
    ctx.obj = {"db": db}


DbOpt = Annotated[str | None, typer.Option("--db", metavar="URL|PATH", help="the ledger (also accepted before the command name)",
                                           show_default=False)]
FormatOpt = Annotated[str | None, typer.Option("--format", "-f", metavar="FORMAT",
                                               help="table, json, jsonl or csv (default: table on a terminal, "
                                               "json in a pipe)", show_default=False)]
SectionOpt = Annotated[str | None, typer.Option("--section", metavar="SECTION",
                                                help="the section jsonl and csv write (csv needs one when there "
                                                "are several)", show_default=False)]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", metavar="DATE", help="effective date: YYYY-MM-DD, or YYYY-MM "
                                             "/ YYYY for the end of that period (default: today, UTC)")]
KnownOpt = Annotated[str | None, typer.Option("--known-at", metavar="POSITION|TIME",
                                              help="as the ledger knew it at a position or a UTC timestamp; a "
                                              "date YYYY-MM-DD is the end of that day (default: now)")]
CertOpt = Annotated[str, typer.Option("--min-certainty", metavar="LEVEL",
                                      help="rumored, reported, announced or confirmed (any case)")]
PartyOpt = Annotated[str | None, typer.Option("--party", metavar="PARTY",
                                              help="only items involving this party (its id, any case, or an alias)")]


def db_url(ctx: typer.Context, db: str | None = None) -> tuple[str, bool]:
    """(the ledger to use, whether one was named): ``--db`` after the command wins over before it."""
    given = db if db is not None else (ctx.obj or {}).get("db")
    if given is not None and not given.strip():
        from ledger.errors import bad_argument

        raise bad_argument("db", "--db is empty: give a SQLite file path or a URL")
    return (given or DEFAULT_DB), given is not None


@contextmanager
def opened(ctx: typer.Context, db: str | None = None, init: bool = False) -> Iterator[Ledger]:
    from ledger.api import Ledger
    from ledger.errors import SchemaVersionError

    url, named = db_url(ctx, db)
    try:
        lg = Ledger.open(url, init=init)
    except SchemaVersionError as exc:
        if named or init or not os.path.exists(DEMO_DB):
            raise
        # `alliance-ledger demo` then `alliance-ledger state`: the new user's first two commands
        raise SchemaVersionError(f"{exc}; or, for the demo ledger built here, add --db {DEMO_DB}") from None
    lg.checkpoint_cache.size = 0  # one command, one process: a checkpoint is decoded for one query, not kept
    with lg:
        yield lg


def reader_gone() -> NoReturn:
    """The reader closed the pipe early (``| head``): it has what it wanted. Exit 0 quietly, as
    git and sqlite-utils do, whatever the format; stdout goes to /dev/null so the interpreter's
    final flush cannot fail. Rich's own handling (``Console.on_broken_pipe``) exits 1."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    raise SystemExit(0)


def _console(**options: Any) -> Console:
    """A Rich console for user text: markup and emoji codes off (a party named "[/x]" crashed
    every table with MarkupError; "[bold red]" in data was rendered), control characters shown
    (:func:`visible`), a closed pipe quiet (:func:`reader_gone`)."""
    from rich.console import Console

    class UserText(Console):
        def render_str(self, text: str, **kwargs: Any) -> Any:
            return super().render_str(visible(text), **kwargs)

        def on_broken_pipe(self) -> None:
            self.quiet = True
            reader_gone()

    return UserText(highlight=False, markup=False, emoji=False, **options)


@functools.cache
def out() -> Console:
    """The console of tables on stdout (80 columns in a pipe)."""
    return _console(soft_wrap=False, width=None if sys.stdout.isatty() else 80)


@functools.cache
def err() -> Console:
    return _console(stderr=True)


_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x09), *range(0x0b, 0x20), *range(0x7f, 0xa0))}


def visible(text: str) -> str:
    """Control characters of stored or typed text shown as ``\\x1b``, never sent to the terminal:
    an escape sequence in a party's name must not clear the screen or write to the clipboard."""
    return text.translate(_CONTROLS) if not text.isprintable() else text


def say(message: str) -> None:
    """A line of the answer on stdout, never re-wrapped (a hash or a path is copied whole)."""
    out().print(message, soft_wrap=True)


def note_empty_belief(lg: Ledger, known_at: object, *docs: Any) -> None:
    """``--known-at`` before the first recording is a true answer (the ledger knew nothing then),
    but rarely what was meant (the demo records every event on the day it is loaded): say so."""
    if known_at is None or any(d["known_at"]["position"] for d in docs) or not lg.count():
        return
    first = next(iter(lg.events(upto=1)))["recorded_at"]
    note(f"note: the ledger had recorded nothing by --known-at {known_at} (its first event was recorded at "
         f"{first}); --known-at is when the ledger learned a fact, --as-of when the fact held")


def note(message: str) -> None:
    """A line for the person at the terminal (on stderr, so pipes keep only the answer)."""
    err().print(message, soft_wrap=True)


def error(message: str, label: str = "error:") -> None:
    """``label message`` on stderr, the label in red on a terminal, the message verbatim."""
    from rich.text import Text

    err().print(Text.assemble((label, "red"), " ", message), soft_wrap=True)


def guarded(fn: Callable[..., None]) -> Callable[..., None]:
    """Turn our typed errors into a message on stderr and the documented exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        from ledger.errors import LedgerError

        try:
            fn(*args, **kwargs)
        except LedgerError as exc:
            error(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            reader_gone()
        except OSError as exc:
            error(f"{exc.filename + ': ' if getattr(exc, 'filename', None) else ''}{exc.strerror or exc}")
            raise typer.Exit(2) from None
        except (typer.Exit, typer.Abort, typer.TyperException, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug of ours: one line, exit 4, never a traceback a user must read
            if os.environ.get("ALLIANCE_LEDGER_DEBUG"):
                raise
            error(f"unexpected {type(exc).__name__}: {str(exc)[:300]}. This is a bug in alliance-ledger: please report "
                  "it to its maintainers with the command you ran (ALLIANCE_LEDGER_DEBUG=1 shows the traceback)")
            raise typer.Exit(4) from None

    return wrapper
