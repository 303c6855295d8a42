"""Commands that write or check the ledger: init, append, verify, export, import, rebuild."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ledger.cli.common import AsOfOpt, DbOpt, FormatOpt, KnownOpt, app, db_url, error, guarded, note, opened, out, say
from ledger.errors import bad_argument


@app.command()
@guarded
def init(ctx: typer.Context, db: DbOpt = None) -> None:
    """Create or upgrade the schema (Alembic migrations); no event is lost. Safe to run several at once.

    Example:

    \b
        alliance-ledger --db alliances.db init
    """
    from ledger.api import Ledger, safe_url

    url = db_url(ctx, db)[0]
    before, after = Ledger.init(url)
    shown = safe_url(url)
    if before == after:
        note(f"{shown}: schema is up to date (revision {after})")
    else:
        note(f"{shown}: schema {'created' if before is None else 'upgraded from ' + before} at revision {after}")


@app.command()
@guarded
def append(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar="FILE", help="JSON array or JSON Lines; - for standard input")] = "-",
    expected_version: Annotated[int | None, typer.Option("--expected-version", metavar="N", help="fail with exit 3 "
                                                         "unless the stream is at version N")] = None,
    stream: Annotated[str | None, typer.Option("--stream", metavar="STREAM", help="stream of events that name "
                                               "none")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check everything; write nothing")] = False,
    positions: Annotated[bool, typer.Option("--positions", help="list each event's position (JSON: ids and "
                                            "positions)")] = False,
    fmt: FormatOpt = None, db: DbOpt = None,
) -> None:
    """Validate every event, then append them atomically (all or nothing).

    Example:

    \b
        alliance-ledger --db alliances.db append events.jsonl
        cat more.json | alliance-ledger --db alliances.db append - --stream microsoft-openai --expected-version 2
    """
    from ledger.cli.inputs import InputEvents, progress_bar
    from ledger.cli.output import choose

    word = choose(fmt, ("table", "json"))
    items = InputEvents(file)  # streamed: the file is read chunk by chunk as it is appended
    try:
        with opened(ctx, db) as lg, progress_bar("appending" if not dry_run else "checking", None,
                                                 source=items) as tick:
            result = lg.append(items, expected_version=expected_version, stream=stream, dry_run=dry_run, progress=tick)
    finally:
        items.close()
    if items.missing:  # said once the batch is in: a refused batch has only its errors to report
        note(f"warning: {items.missing} event(s) have no source (first: event {items.first_missing}); a ledger "
             "people cite should say where each fact comes from")
    if word == "json":
        import orjson

        sys.stdout.write(orjson.dumps(result.to_dict(positions), option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    verb = "would append" if dry_run else "appended"
    span = (f" at positions {result.first_position}–{result.last_position}" if result.first_position is not None
            and not dry_run else "")
    say(f"{verb} {result.appended} event(s), {result.existing} already present{span}; head position "
                f"{result.head}, last hash {result.last_hash[:16]}…")
    if positions:
        for eid, pos in zip(result.ids, result.positions, strict=True):
            say(f"  {pos if pos is not None else '-':>8}  {eid}")


@app.command()
@guarded
def verify(
    ctx: typer.Context,
    print_head: Annotated[bool, typer.Option("--print-head", help="print POSITION:HASH of the head, to publish")] = False,
    anchor: Annotated[str | None, typer.Option("--anchor", metavar="POSITION:HASH", help="a head published earlier: "
                                               "fail if it is gone or differs")] = None,
    fmt: FormatOpt = None, db: DbOpt = None,
) -> None:
    """Recompute the hash chain, positions, stream versions and derived data; exit 1 naming the first bad event.

    Example:

    \b
        alliance-ledger --db alliance-ledger-demo.db verify
        alliance-ledger --db alliance-ledger-demo.db verify --print-head > head.txt
        alliance-ledger --db alliance-ledger-demo.db verify --anchor "$(cat head.txt)"
    """
    import re

    from ledger.cli.inputs import progress_bar
    from ledger.cli.output import choose

    word = choose(fmt)
    pin = None
    if anchor:
        match = re.fullmatch(r"([0-9]{1,30}):([0-9a-f]{64})", anchor.strip(), re.ASCII)
        if not match:
            raise bad_argument("anchor", "--anchor takes POSITION:HASH as printed by `verify --print-head`")
        pin = (int(match[1]), match[2])
    with opened(ctx, db) as lg, progress_bar("verifying", lg.count()) as tick:
        report = lg.verify(pin, progress=tick)
    doc = report.to_dict()
    if print_head and report.ok:
        sys.stdout.write(f"{report.head_position}:{report.head_hash}\n")
    elif word in ("json", "jsonl", "csv"):
        _records(doc, word)
    elif report.ok:
        say(f"ok: {report.events} events in {report.streams} streams; head {report.head_position} "
                    f"hash {report.head_hash}")
    else:
        from ledger.cli.event_tables import verify_table

        out().print(verify_table(doc))
    if not report.ok:
        first = report.problems[0]
        error(f"at position {first['position']} (id {first['id']!r}): {first['problem']}"
              + (f" (+{len(report.problems) - 1} more)" if len(report.problems) > 1 else ""), "integrity failure")
        raise typer.Exit(1)


def _records(doc: dict, word: str) -> None:
    """verify's report as JSON, or its problems as jsonl or csv records."""
    from ledger.cli import output
    from ledger.read.documents import Document

    report = Document(doc)
    output.emit(report, word, table=lambda d: None, records=output.list_records(doc, "problems"))


@app.command()
@guarded
def export(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="jsonl (every event, lossless), ftm "
                                     "(the state as FollowTheMoney entities) or bods (the state as BODS 0.4)")] = "jsonl",
    output: Annotated[str, typer.Option("--output", "-o", metavar="FILE", help="file to write; - for standard "
                                        "output")] = "-",
    as_of: AsOfOpt = None, known_at: KnownOpt = None, db: DbOpt = None,
) -> None:
    """Write the whole ledger (jsonl), or the state as of a date as FollowTheMoney or BODS 0.4.

    Example:

    \b
        alliance-ledger --db alliance-ledger-demo.db export -o ledger.jsonl
        alliance-ledger --db alliance-ledger-demo.db export --format ftm --as-of 2025-11 -o alliances.ftm.jsonl
        alliance-ledger --db alliance-ledger-demo.db export --format bods -o alliances.bods.json
    """
    from contextlib import nullcontext

    from ledger.cli.output import choose

    word = choose(fmt, ("jsonl", "ftm", "bods"))
    if word == "jsonl" and (as_of is not None or known_at is not None):
        raise bad_argument("as_of", "--as-of and --known-at apply to --format ftm and bods; jsonl exports every event")
    with opened(ctx, db) as lg, (nullcontext(sys.stdout.buffer) if output == "-" else lg.output_file(output)) as fh:
        if word == "jsonl":
            count = lg.export(fh)
            what = "events"
        elif word == "ftm":
            from ledger.interop import export_ftm

            count = export_ftm(lg, fh, as_of=as_of, known_at=known_at)
            what = "FollowTheMoney entities"
        else:
            from ledger.interop import export_bods

            for warning in export_bods(lg, fh, as_of=as_of, known_at=known_at):
                note(f"warning: {warning}")
            count, what = -1, ""
        fh.flush()
    if count >= 0 and sys.stderr.isatty():
        note(f"exported {count} {what}")


@app.command("import")
@guarded
def import_(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(metavar="FILE...", help="an export (- for standard input); with "
                                               "--format bods, BODS files read as one series")],
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="jsonl (an export, into an empty "
                                     "ledger) or bods")] = "jsonl",
    stream: Annotated[str, typer.Option("--stream", metavar="STREAM", help="stream of the events a BODS import "
                                        "appends")] = "bods",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="bods: check and print the events; write nothing")] = False,
    db: DbOpt = None,
) -> None:
    """Restore an export into an empty ledger, or append BODS 0.4 statements as events.

    Example:

    \b
        alliance-ledger --db alliance-ledger-demo.db export -o ledger.jsonl
        alliance-ledger --db copy.db import ledger.jsonl
        alliance-ledger --db register.db import --format bods tecido.json
    """
    from ledger.cli.output import choose

    word = choose(fmt, ("jsonl", "bods"))
    if word == "bods":
        _import_bods(ctx, db, files, stream, dry_run)
        return
    if len(files) != 1 or dry_run:
        raise bad_argument("file", "--format jsonl restores one export file (and has no --dry-run)")
    from ledger.cli.inputs import InputEvents, progress_bar

    items = InputEvents(files[0])  # streamed, as append
    try:
        with opened(ctx, db, init=True) as lg, progress_bar("importing", None, source=items) as tick:
            result = lg.import_envelopes(items, progress=tick)
    finally:
        items.close()
    note(f"imported {result.appended} events; head {result.head} hash {result.last_hash}")


def _import_bods(ctx: typer.Context, db: str | None, files: list[str], stream: str, dry_run: bool) -> None:
    from pathlib import Path

    import orjson

    from ledger.errors import LedgerError
    from ledger.interop import import_bods

    blobs = []
    for name in files:
        if name == "-":
            blobs.append(("standard input", sys.stdin.buffer.read()))
        elif not Path(name).is_file():
            raise LedgerError(f"{name}: no such file")
        else:
            blobs.append((name, Path(name).read_bytes()))
    import os
    import tempfile

    from ledger.api import sqlite_file

    url = db_url(ctx, db)[0]
    path = sqlite_file(url)
    with tempfile.TemporaryDirectory() as scratch:
        if dry_run and path is not None and not os.path.exists(path):
            url = os.path.join(scratch, "dry-run.db")  # nothing to check against: leave no file behind
        with opened(ctx, url, init=True) as lg:
            done = import_bods(lg, blobs, stream=stream, dry_run=dry_run)
    for warning in done.warnings:
        note(f"warning: {warning}")
    if dry_run:
        for event in done.events:
            sys.stdout.write(orjson.dumps(event).decode() + "\n")
    verb = "would append" if dry_run else "appended"
    note(f"{verb} {done.result.appended} event(s) from {len(blobs)} BODS file(s), {done.result.existing} "
         f"already present; head {done.result.head}")


@app.command()
@guarded
def rebuild(
    ctx: typer.Context,
    count: Annotated[int, typer.Option("--count", metavar="N", help="how many checkpoints, spread over the "
                                       "effective dates (1 to 1000)")] = 8,
    latest: Annotated[bool, typer.Option("--latest", help="only add one at the latest date, folded on from the "
                                         "last valid one (after appends: seconds, not a full fold)")] = False,
    parties: Annotated[bool, typer.Option("--parties", help="only recreate the busiest parties' checkpoints "
                                          "(one party in memory at a time)")] = False,
    db: DbOpt = None,
) -> None:
    """Recreate the fold checkpoints that make `state --as-of` fast (derived data; safe to rerun).

    The whole ledger's last one is at the latest date, so the whole current state streams from
    it; each party with 5,000 events or more gets checkpoints of its own, so its one-party state
    folds a few thousand events, not its whole story.

    Example:

    \b
        alliance-ledger --db alliance-ledger-demo.db rebuild --count 12
        alliance-ledger --db alliance-ledger-demo.db rebuild --latest
        alliance-ledger --db alliance-ledger-demo.db rebuild --parties
    """
    with opened(ctx, db) as lg:
        made = lg.rebuild(count, latest=latest, parties=parties)
        busy = {party for party, _, _ in lg.party_checkpoints()} if not latest else set()
    listed = ("" if parties else f"{len(made)} checkpoint(s) at position {made[0][1] if made else 0}: "
              + ", ".join(day for day, _ in made))
    if not latest:
        from ledger.read.party_checkpoints import BUSY

        kept = f"checkpoints of the {len(busy)} busiest part{'y' if len(busy) == 1 else 'ies'}" if busy else \
            f"no party has {BUSY:,} events: no party checkpoints"
        listed = f"{listed}; {kept}" if listed else kept
    note(listed)
