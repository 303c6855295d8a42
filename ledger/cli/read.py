"""Commands that read the ledger: state, diff, history, explain, schema, report, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledger.cli import tables as render
from ledger.cli.common import (
    AsOfOpt,
    CertOpt,
    FormatOpt,
    KnownOpt,
    PartyOpt,
    app,
    emit,
    emit_json,
    err,
    guarded,
    opened,
    out,
)
from ledger.errors import LedgerError


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
    event_type: Annotated[list[str] | None, typer.Option("--type", help="only this event type (repeatable)")] = None,
    since: Annotated[int, typer.Option("--since", help="from this position on")] = 1,
    date_from: Annotated[str | None, typer.Option("--from", help="effective dates from D (YYYY[-MM[-DD]])")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="effective dates up to D, inclusive")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="at most N events")] = None,
    fmt: FormatOpt = None,
) -> None:
    """Events in recording order, with corrections and retractions marked.

    Example:

        alliance-ledger history --party openai --type RoleChanged

        alliance-ledger history --from 2023-11 --to 2023-11 --limit 20
    """
    with opened(ctx) as lg:
        doc = lg.history(party=party, stream=stream, type=event_type or None, since=since, date_from=date_from,
                         date_to=date_to, limit=limit)
    emit(doc, fmt, lambda d: out.print(render.events_table(f"history ({len(d['events'])} events)", d["events"])))


@app.command()
@guarded
def streams(ctx: typer.Context, fmt: FormatOpt = None) -> None:
    """Each stream with its version (for --expected-version), its event count and last position.

    Example:

        alliance-ledger streams --format json
    """
    with opened(ctx) as lg:
        doc = lg.streams()
    emit(doc, fmt, lambda d: out.print(render.streams_table(d["streams"])))


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
def schema(
    which: Annotated[str, typer.Argument(help="events, state, or all")] = "all",
) -> None:
    """Print the JSON Schema of events and of the state document.

    Example:

        alliance-ledger schema events > event.schema.json
    """
    from ledger.core.schemas import json_schemas

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
    """Write a self-contained HTML report: timeline, stakes and investment, rights, partnerships,
    agreements, legal actions and roles over time, and every event with its source.

    Example:

        alliance-ledger --db sqlite:///alliance-ledger-demo.db report --out alliance.html --party microsoft
    """
    from ledger.report.build import build_report

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
    from ledger.cli.demo import run_demo

    url = db or (ctx.obj["db"] if ctx.obj["db_given"] else "sqlite:///alliance-ledger-demo.db")
    run_demo(url, out)
