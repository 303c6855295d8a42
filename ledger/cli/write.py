"""Commands that write or check the ledger: init, append, verify, export, import, rebuild."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from typing import Annotated

import orjson
import typer

from ledger.api import Ledger, safe_url
from ledger.cli.common import (
    AsOfOpt,
    Format,
    FormatOpt,
    KnownOpt,
    _null,
    app,
    emit_json,
    err,
    error,
    fmt_of,
    guarded,
    opened,
    out,
    progress_bar,
    read_input,
)
from ledger.errors import LedgerError


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
        error(f"at position {first['position']} (id {first['id']!r}): {first['problem']}"
              + (f" (+{len(report.problems) - 1} more)" if len(report.problems) > 1 else ""), "integrity failure")
        raise typer.Exit(1)


@app.command()
@guarded
def export(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="jsonl (the whole ledger, lossless), ftm (the state as "
                                     "FollowTheMoney entities) or bods (the state as BODS 0.4 statements)")] = "jsonl",
    output: Annotated[str, typer.Option("--output", "-o", help="file to write; - for standard output")] = "-",
    as_of: AsOfOpt = None, known_at: KnownOpt = None,
) -> None:
    """Write the whole ledger (jsonl), or the state as of a date as FollowTheMoney or BODS 0.4.

    Example:

        alliance-ledger export > ledger.jsonl

        alliance-ledger export --format ftm --as-of 2025-11-01 -o alliances.ftm.jsonl

        alliance-ledger export --format bods -o alliances.bods.json
    """
    fmt = fmt.lower()
    if fmt not in ("jsonl", "ftm", "bods"):
        raise LedgerError(f"--format {fmt!r}: choose jsonl, ftm or bods")
    if fmt == "jsonl" and (as_of is not None or known_at is not None):
        raise LedgerError("--as-of and --known-at apply to --format ftm and bods; jsonl exports every event")
    with opened(ctx) as lg, (nullcontext(sys.stdout.buffer) if output == "-" else lg.output_file(output)) as fh:
        if fmt == "jsonl":
            count = lg.export(fh)
            err.print(f"exported {count} events") if sys.stderr.isatty() else None
        elif fmt == "ftm":
            from ledger.interop import export_ftm

            count = export_ftm(lg, fh, as_of=as_of, known_at=known_at)
            err.print(f"exported {count} FollowTheMoney entities") if sys.stderr.isatty() else None
        else:
            from ledger.interop import export_bods

            for warning in export_bods(lg, fh, as_of=as_of, known_at=known_at):
                err.print(f"warning: {warning}", soft_wrap=True)
        fh.flush()


@app.command("import")
@guarded
def import_(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(help="a file written by export (- for standard input); with --format "
                                               "bods, BODS files (JSON array or JSON Lines), read as one series")],
    fmt: Annotated[str, typer.Option("--format", help="jsonl (an export, into an empty ledger) or bods")] = "jsonl",
    stream: Annotated[str, typer.Option("--stream", help="stream of the events a BODS import appends")] = "bods",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="bods: validate and print the events; write nothing")] = False,
) -> None:
    """Restore an export into an empty ledger, or append BODS 0.4 statements as events.

    Example:

        alliance-ledger --db sqlite:///copy.db import ledger.jsonl

        alliance-ledger import --format bods register-2019.json register-2021.json
    """
    fmt = fmt.lower()
    if fmt == "bods":
        _import_bods(ctx, files, stream, dry_run)
        return
    if fmt != "jsonl":
        raise LedgerError(f"--format {fmt!r}: choose jsonl or bods")
    if len(files) != 1 or dry_run:
        raise LedgerError("--format jsonl restores one export file (no --dry-run)")
    items = read_input(files[0])
    with opened(ctx, init=True) as lg, progress_bar("importing", len(items)) as tick:
        result = lg.import_envelopes(items, progress=tick)
    err.print(f"imported {result.appended} events; head {result.head} hash {result.last_hash}")


def _import_bods(ctx: typer.Context, files: list[str], stream: str, dry_run: bool) -> None:
    from pathlib import Path

    from ledger.interop import import_bods

    blobs = []
    for name in files:
        if name == "-":
            blobs.append(("standard input", sys.stdin.buffer.read()))
        elif not Path(name).is_file():
            raise LedgerError(f"{name}: no such file")
        else:
            blobs.append((name, Path(name).read_bytes()))
    with opened(ctx, init=True) as lg:
        done = import_bods(lg, blobs, stream=stream, dry_run=dry_run)
    for warning in done.warnings:
        err.print(f"warning: {warning}", soft_wrap=True)
    if dry_run:
        for event in done.events:
            sys.stdout.write(orjson.dumps(event).decode() + "\n")
    verb = "would append" if dry_run else "appended"
    err.print(f"{verb} {done.result.appended} event(s) from {len(blobs)} BODS file(s), {done.result.existing} "
              f"already present; head {done.result.head}")


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
