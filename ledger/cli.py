"""The ``alliance-ledger`` command line: a thin shell over :class:`ledger.Ledger`.

Exit codes (SPEC §7): 0 ok, 1 integrity failure, 2 usage or validation error, 3 conflict.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console

from ledger import render
from ledger.api import Ledger
from ledger.errors import LedgerError
from ledger.intake import parse_text
from ledger.sqlstore import safe_url

DEFAULT_DB = "sqlite:///alliance-ledger.db"
app = typer.Typer(
    help="An event-sourced, bitemporal ledger of corporate alliances.\n\n"
    "Example:\n\n    alliance-ledger demo\n\n    alliance-ledger --db sqlite:///my.db init",
    no_args_is_help=True, rich_markup_mode=None, add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
out = Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False)


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
        sys.stdout.write(doc.to_json() + "\n")
    else:
        table(doc.to_dict())


def emit_json(doc: Any) -> None:
    sys.stdout.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n")


def guarded(fn: Callable[..., None]) -> Callable[..., None]:
    """Turn our typed errors into a message on stderr and the documented exit code."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
        except LedgerError as exc:
            err.print(f"[red]error:[/red] {exc}", markup=True, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:
            err.print(f"[red]error:[/red] {exc}", soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper


def read_input(file: str) -> list[Any]:
    if file == "-":
        return parse_text(sys.stdin.buffer.read(), "standard input")
    path = Path(file)
    if path.is_dir() or not path.exists():
        raise LedgerError(f"{file}: no such file")
    return parse_text(path.read_bytes(), file)


@app.command()
@guarded
def init(ctx: typer.Context) -> None:
    """Create or upgrade the schema (Alembic migrations); no event is lost.

    Example:

        alliance-ledger --db sqlite:///alliances.db init
    """
    before, after = Ledger.init(ctx.obj["db"])
    shown = safe_url(ctx.obj["db"])
    if before == after:
        err.print(f"{shown}: schema is up to date (revision {after})")
    else:
        err.print(f"{shown}: schema {'created' if before is None else 'upgraded from ' + before} "
                  f"at revision {after}")


@app.command()
@guarded
def append(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="JSON array or JSON Lines file; - for standard input")] = "-",
    expected_version: Annotated[int | None, typer.Option("--expected-version", help="fail with exit 3 unless the "
                                                         "stream is at this version")] = None,
    stream: Annotated[str | None, typer.Option("--stream", help="stream for events that name none")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="validate only; write nothing")] = False,
    fmt: FormatOpt = None,
) -> None:
    """Validate all events, then append them atomically (all or nothing); print their positions.

    Example:

        alliance-ledger append events.jsonl

        cat events.json | alliance-ledger append - --stream microsoft-openai --expected-version 3
    """
    items = read_input(file)
    missing = [i for i, e in enumerate(items) if isinstance(e, dict) and not e.get("source")]
    if missing:
        err.print(f"warning: {len(missing)} event(s) have no source (first: event {missing[0]}); "
                  "a ledger people cite should say where each fact comes from")
    with opened(ctx) as lg, err.status(f"appending {len(items)} events…") if sys.stderr.isatty() else _null():
        result = lg.append(items, expected_version=expected_version, stream=stream, dry_run=dry_run)
    if fmt_of(fmt) is Format.json:
        emit_json(result.to_dict())
        return
    verb = "would append" if dry_run else "appended"
    out.print(f"{verb} {result.appended} event(s), {result.existing} already present; head position "
              f"{result.head}, last hash {result.last_hash[:16]}…")
    pairs = list(zip(result.ids, result.positions, strict=True))
    for eid, pos in pairs[:10] if len(pairs) > 20 else pairs:
        out.print(f"  {pos if pos is not None else '-':>8}  {eid}")
    if len(pairs) > 20:
        out.print(f"  … and {len(pairs) - 10} more (--format json lists them all)")


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


@app.command()
@guarded
def state(
    ctx: typer.Context, as_of: AsOfOpt = None, known_at: KnownOpt = None, party: PartyOpt = None,
    min_certainty: CertOpt = "rumored",
    active: Annotated[bool, typer.Option("--active", help="only items still in their initial status or restricted")] = False,
    fmt: FormatOpt = None,
) -> None:
    """The state of the alliances as of a date, as the ledger knew it at a moment.

    Example:

        alliance-ledger state --as-of 2024-06-01 --party microsoft

        alliance-ledger state --as-of 2024-06-01 --known-at 40 --format json
    """
    with opened(ctx) as lg:
        doc = lg.state(as_of, known_at, min_certainty, party, active)
    emit(doc, fmt, lambda d: render.state_tables(out, d))


@app.command()
@guarded
def diff(
    ctx: typer.Context,
    dates: Annotated[list[str] | None, typer.Argument(help="FROM TO effective dates")] = None,
    as_of: AsOfOpt = None,
    known_at: Annotated[list[str] | None, typer.Option("--known-at", help="once with FROM TO; twice with --as-of")] = None,
    party: PartyOpt = None, min_certainty: CertOpt = "rumored", fmt: FormatOpt = None,
) -> None:
    """What changed between two dates, or between two beliefs about one date, with the events responsible.

    Example:

        alliance-ledger diff 2023-01-01 2025-11-01 --party microsoft

        alliance-ledger diff --as-of 2025-01-01 --known-at 10 --known-at 60
    """
    known = known_at or []
    with opened(ctx) as lg:
        if dates and len(dates) == 2 and as_of is None and len(known) <= 1:
            doc = lg.diff(dates[0], dates[1], known[0] if known else None, min_certainty=min_certainty, party=party)
        elif not dates and as_of is not None and len(known) == 2:
            doc = lg.diff_beliefs(as_of, known[0], known[1], min_certainty=min_certainty, party=party)
        else:
            raise LedgerError("give FROM TO dates (optionally one --known-at), or --as-of D with two --known-at")
    emit(doc, fmt, lambda d: render.diff_tables(out, d))


@app.command()
@guarded
def history(
    ctx: typer.Context, party: PartyOpt = None,
    stream: Annotated[str | None, typer.Option("--stream", help="only this stream")] = None,
    event_type: Annotated[str | None, typer.Option("--type", help="only this event type")] = None,
    since: Annotated[int, typer.Option("--since", help="from this position on")] = 1,
    fmt: FormatOpt = None,
) -> None:
    """Events in recording order, with corrections and retractions marked.

    Example:

        alliance-ledger history --party openai --type RoleChanged
    """
    with opened(ctx) as lg:
        doc = lg.history(party=party, stream=stream, type=event_type, since=since)
    emit(doc, fmt, lambda d: out.print(render.events_table(f"history ({len(d['events'])} events)", d["events"])))


@app.command()
@guarded
def explain(
    ctx: typer.Context,
    item: Annotated[str, typer.Argument(help="SECTION:KEY, e.g. rights:msft-azure-exclusive, stakes:microsoft/openai")],
    as_of: AsOfOpt = None, known_at: KnownOpt = None, min_certainty: CertOpt = "rumored", fmt: FormatOpt = None,
) -> None:
    """The events that produced one item of the state, with their sources, in fold order.

    Example:

        alliance-ledger explain stakes:microsoft/openai --as-of 2025-11-01
    """
    with opened(ctx) as lg:
        doc = lg.explain(item, as_of, known_at, min_certainty)
    emit(doc, fmt, lambda d: render.explain_tables(out, d))


@app.command()
@guarded
def verify(
    ctx: typer.Context,
    print_head: Annotated[bool, typer.Option("--print-head", help="print 'POSITION:HASH' of the head to publish")] = False,
    anchor: Annotated[str | None, typer.Option("--anchor", help="POSITION:HASH published earlier; fail if it differs")] = None,
    fmt: FormatOpt = None,
) -> None:
    """Recompute the hash chain, positions and stream versions; exit 1 naming the first bad event.

    Example:

        alliance-ledger verify

        alliance-ledger verify --anchor "$(cat published-head.txt)"
    """
    pin = None
    if anchor:
        pos, _, digest = anchor.partition(":")
        if not pos.isdigit() or len(digest) != 64:
            raise LedgerError("--anchor takes POSITION:HASH as printed by `verify --print-head`")
        pin = (int(pos), digest)
    with opened(ctx) as lg:
        tty = sys.stderr.isatty()
        with err.status("verifying…") if tty else _null() as status:
            report = lg.verify(pin, progress=(lambda n: status.update(f"verified {n} events…")) if status else None)
    if print_head and report.ok:
        sys.stdout.write(f"{report.head_position}:{report.head_hash}\n")
    elif fmt_of(fmt) is Format.json:
        emit_json(report.to_dict())
    elif report.ok:
        out.print(f"ok: {report.events} events in {report.streams} streams; head {report.head_position} "
                  f"hash {report.head_hash}")
    if not report.ok:
        first = report.problems[0]
        err.print(f"[red]integrity failure[/red] at position {first['position']} (id {first['id']!r}): "
                  f"{first['problem']}" + (f" (+{len(report.problems) - 1} more)" if len(report.problems) > 1 else ""))
        raise typer.Exit(1)


@app.command()
@guarded
def export(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="jsonl (the only format)")] = "jsonl",
    output: Annotated[str, typer.Option("--output", "-o", help="file to write; - for standard output")] = "-",
) -> None:
    """Write the whole ledger as stored envelopes, one JSON object a line, in position order.

    Example:

        alliance-ledger export > ledger.jsonl
    """
    if fmt != "jsonl":
        raise LedgerError("export writes jsonl only")
    with opened(ctx) as lg:
        if output == "-":
            count = lg.export(sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            with open(output, "wb") as fh:
                count = lg.export(fh)
    err.print(f"exported {count} events") if sys.stderr.isatty() else None


@app.command("import")
@guarded
def import_(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="a file written by export; - for standard input")],
) -> None:
    """Restore an export into an empty ledger, checking every rule and the hash chain.

    Example:

        alliance-ledger --db sqlite:///copy.db import ledger.jsonl
    """
    items = read_input(file)
    with opened(ctx, init=True) as lg, progress_bar("importing", len(items)) as tick:
        result = lg.import_envelopes(items, progress=tick)
    err.print(f"imported {result.appended} events; head {result.head} hash {result.last_hash}")


@app.command()
@guarded
def rebuild(
    ctx: typer.Context,
    count: Annotated[int, typer.Option("--count", help="how many checkpoints, spread over the effective dates")] = 8,
) -> None:
    """Recreate the fold checkpoints that make `state --as-of` fast (derived data; safe to rerun).

    Example:

        alliance-ledger rebuild --count 12
    """
    with opened(ctx) as lg:
        made = lg.rebuild(count)
    err.print(f"{len(made)} checkpoint(s) at position {made[0][1] if made else 0}: "
              + ", ".join(day for day, _ in made))


@app.command()
@guarded
def schema(
    which: Annotated[str, typer.Argument(help="events, state, or all")] = "all",
) -> None:
    """Print the JSON Schema of events and of the state document.

    Example:

        alliance-ledger schema events > event.schema.json
    """
    from ledger.schemas import json_schemas

    schemas = json_schemas()
    if which not in ("all", *schemas):
        raise LedgerError(f"{which!r}: choose events, state or all")
    emit_json(schemas if which == "all" else schemas[which])


@app.command()
@guarded
def report(
    ctx: typer.Context,
    out_file: Annotated[Path, typer.Option("--out", "-o", help="the HTML file to write")],
    party: PartyOpt = None,
    date_from: Annotated[str | None, typer.Option("--from", help="first effective date drawn (YYYY[-MM[-DD]])")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="last effective date drawn (YYYY[-MM[-DD]])")] = None,
    title: Annotated[str | None, typer.Option("--title", help="page title")] = None,
) -> None:
    """Write a self-contained HTML report: timeline by stream, stakes and investment, rights over time.

    Example:

        alliance-ledger --db sqlite:///alliance-ledger-demo.db report --out alliance.html --party microsoft
    """
    from ledger.report import build_report

    with opened(ctx) as lg:
        path = build_report(lg, out_file, party=party, date_from=date_from, date_to=date_to, title=title)
    err.print(f"wrote {path} ({path.stat().st_size // 1024} KiB); open it in a browser, no network needed")


@app.command()
@guarded
def demo(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", help="where to build the demo ledger "
                                           "(default sqlite:///alliance-ledger-demo.db)")] = None,
) -> None:
    """Load the bundled Microsoft–OpenAI dataset and show the alliance at several dates.

    Example:

        alliance-ledger demo

        alliance-ledger demo --db postgresql://user:pw@localhost/ledger
    """
    from ledger.demo import run_demo

    url = db or (ctx.obj["db"] if ctx.obj["db_given"] else "sqlite:///alliance-ledger-demo.db")
    run_demo(url, out)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="alliance-ledger")
