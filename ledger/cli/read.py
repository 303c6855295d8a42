"""Commands that read the ledger: state, diff, history, streams, explain, schema.

Each takes ``--format table|json|jsonl|csv`` and ``--db`` (also after the command name); each
``--help`` ends with examples that run on the demo ledger (``alliance-ledger demo`` builds it).
"""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import (
    AsOfOpt,
    CertOpt,
    DbOpt,
    FormatOpt,
    KnownOpt,
    PartyOpt,
    SectionOpt,
    app,
    guarded,
    note_empty_belief,
    opened,
    out,
)
from ledger.errors import bad_argument

DEMO = "--db alliance-ledger-demo.db"

SECTIONS = ("parties", "stakes", "rights", "partnerships", "agreements", "conditions", "negotiations", "roles",
            "legal_actions", "metrics")  # projections.SECTIONS (a test checks): not imported for --help's sake


@app.command()
@guarded
def state(
    ctx: typer.Context, as_of: AsOfOpt = None, known_at: KnownOpt = None, party: PartyOpt = None,
    min_certainty: CertOpt = "rumored",
    active: Annotated[bool, typer.Option("--active", help="only items in their initial status, or restricted")] = False,
    fmt: FormatOpt = None, section: SectionOpt = None, db: DbOpt = None,
) -> None:
    """The state of the alliances as of a date, as the ledger knew it at a moment.

    Example:

    \b
        alliance-ledger --db alliance-ledger-demo.db state --as-of 2024-06 --party microsoft --active
        alliance-ledger --db alliance-ledger-demo.db state --as-of 2023-01-15 --known-at 22 --format json
        alliance-ledger --db alliance-ledger-demo.db state --format csv --section stakes
    """
    from ledger.cli import output

    if party is None and output.choose(fmt) in ("json", "jsonl"):  # the whole state: written as it is read
        if section is not None:
            output.check_section(section, SECTIONS)
        with opened(ctx, db) as lg:
            stream = lg.stream_state(as_of, known_at, min_certainty, active)
            note_empty_belief(lg, known_at, stream)
        output.emit(stream, fmt, table=lambda d: None, records=stream.records, sections=SECTIONS, section=section)
        return
    with opened(ctx, db) as lg:
        doc = lg.state(as_of, known_at, min_certainty, party, active)
        note_empty_belief(lg, known_at, doc)

    def table(d: dict) -> None:
        from ledger.cli.tables import state_tables

        state_tables(out(), d)

    output.emit(doc, fmt, table=table, records=output.section_records(doc.to_dict(), SECTIONS), sections=SECTIONS,
                section=section)


@app.command()
@guarded
def diff(
    ctx: typer.Context,
    dates: Annotated[list[str] | None, typer.Argument(metavar="[FROM TO]", help="two effective dates",
                                                      show_default=False)] = None,
    as_of: AsOfOpt = None,
    known_at: Annotated[list[str] | None, typer.Option("--known-at", metavar="POSITION|TIME", show_default=False,
                                                       help="once with FROM TO; twice with --as-of")] = None,
    party: PartyOpt = None, min_certainty: CertOpt = "rumored", fmt: FormatOpt = None, section: SectionOpt = None,
    db: DbOpt = None,
) -> None:
    """What changed between two dates, or between two beliefs about one date, with the events responsible.

    Example:

    \b
        alliance-ledger --db alliance-ledger-demo.db diff 2023-01-01 2025-11-01 --party microsoft
        alliance-ledger --db alliance-ledger-demo.db diff --as-of 2023-01-15 --known-at 22 --known-at 25
    """
    from ledger.cli import output

    known = known_at or []
    with opened(ctx, db) as lg:
        if dates and len(dates) == 2 and as_of is None and len(known) <= 1:
            doc = lg.diff(dates[0], dates[1], known[0] if known else None, min_certainty=min_certainty, party=party)
        elif not dates and as_of is not None and len(known) == 2:
            doc = lg.diff_beliefs(as_of, known[0], known[1], min_certainty=min_certainty, party=party)
        else:
            raise bad_argument("dates", "give FROM TO dates (and at most one --known-at), or --as-of D with two "
                               "--known-at")

    def records(chosen: str | None) -> tuple[str | None, list]:
        rows = []
        for name, change in doc.to_dict()["changes"].items():
            if chosen is not None and name != chosen:
                continue
            rows += [{"section": name, "change": "added", **item} for item in change["added"]]
            rows += [{"section": name, "change": "removed", **item} for item in change["removed"]]
            rows += [{"section": name, "change": "changed", **item} for item in change["changed"]]
        return chosen, rows

    def table(d: dict) -> None:
        from ledger.cli.tables import diff_tables

        diff_tables(out(), d)

    from projections.sections import KEY_FIELDS

    output.emit(doc, fmt, table=table, records=records, sections=SECTIONS, section=section,
                csv_records=output.change_rows(doc.to_dict()["changes"], KEY_FIELDS))


@app.command()
@guarded
def history(
    ctx: typer.Context, party: PartyOpt = None,
    stream: Annotated[str | None, typer.Option("--stream", metavar="STREAM", help="only this stream")] = None,
    event_type: Annotated[list[str] | None, typer.Option("--type", metavar="TYPE", show_default=False,
                                                         help="only this event type (repeatable; any case)")] = None,
    since: Annotated[int, typer.Option("--since", metavar="POSITION", help="only events after this position (the "
                                       "last one you saw, as git log A..B)")] = 0,
    date_from: Annotated[str | None, typer.Option("--from", metavar="DATE",
                                                  help="effective dates from DATE (YYYY[-MM[-DD]])")] = None,
    date_to: Annotated[str | None, typer.Option("--to", metavar="DATE", help="effective dates up to DATE, "
                                                "inclusive (to the end of its period)")] = None,
    limit: Annotated[int | None, typer.Option("--limit", metavar="N", help="at most N events")] = None,
    fmt: FormatOpt = None, db: DbOpt = None,
) -> None:
    """Events in recording order, when each was recorded, with corrections and retractions marked.

    Example:

    \b
        alliance-ledger --db alliance-ledger-demo.db history --party openai --type RoleChanged
        alliance-ledger --db alliance-ledger-demo.db history --from 2023-11 --to 2023-11 --limit 20
    """
    from ledger.cli import output

    with opened(ctx, db) as lg:
        doc = lg.history(party=party, stream=stream, type=event_type or None, since=since, date_from=date_from,
                         date_to=date_to, limit=limit)

    def table(d: dict) -> None:
        from ledger.cli.event_tables import history_tables

        history_tables(out(), d)

    output.emit(doc, fmt, table=table, records=output.list_records(doc.to_dict(), "events"))


@app.command()
@guarded
def streams(ctx: typer.Context, fmt: FormatOpt = None, db: DbOpt = None) -> None:
    """Each stream with its version (for --expected-version), its event count and last position.

    Example:

    \b
        alliance-ledger --db alliance-ledger-demo.db streams
    """
    from ledger.cli import output

    with opened(ctx, db) as lg:
        doc = lg.streams()

    def table(d: dict) -> None:
        from ledger.cli.tables import streams_table

        out().print(streams_table(d["streams"]))

    output.emit(doc, fmt, table=table, records=output.list_records(doc.to_dict(), "streams"))


@app.command()
@guarded
def explain(
    ctx: typer.Context,
    item: Annotated[str, typer.Argument(metavar="ITEM", help="SECTION:KEY (stakes:microsoft/openai), or a bare key "
                                        "when one section has it (stargate)")],
    as_of: AsOfOpt = None, known_at: KnownOpt = None, min_certainty: CertOpt = "rumored", fmt: FormatOpt = None,
    section: Annotated[str | None, typer.Option("--section", metavar="PART", help="what jsonl and csv write: "
                                                "events (default), superseded or fields")] = None,
    db: DbOpt = None,
) -> None:
    """The events behind one item of the state, with their sources, and which event set each field.

    Example:

    \b
        alliance-ledger --db alliance-ledger-demo.db explain stakes:microsoft/openai --as-of 2026-01-01
        alliance-ledger --db alliance-ledger-demo.db explain stargate --format json
    """
    from ledger.cli import output

    with opened(ctx, db) as lg:
        doc = lg.explain(item, as_of, known_at, min_certainty)
        note_empty_belief(lg, known_at, doc)

    def records(chosen: str | None) -> tuple[str | None, list]:
        d = doc.to_dict()
        if chosen == "fields":
            return chosen, [{"field": name, **entry} for name, entry in (d["fields"] or {}).items()]
        return chosen or "events", d[chosen or "events"]

    def table(d: dict) -> None:
        from ledger.cli.event_tables import explain_tables

        explain_tables(out(), d)

    output.emit(doc, fmt, table=table, records=records, sections=("events", "superseded", "fields"),
                section=section or ("events" if fmt and fmt.lower() == "csv" else None))


@app.command()
@guarded
def schema(
    which: Annotated[str, typer.Argument(metavar="WHICH", help="events, state, or all")] = "all",
) -> None:
    """Print the JSON Schema of events and of the state document (JSON only).

    Example:

    \b
        alliance-ledger schema events > event.schema.json
    """
    import sys

    import orjson

    from ledger.core.json_schemas import json_schemas

    schemas = json_schemas()
    if which.lower() not in ("all", *schemas):
        raise bad_argument("which", f"{which!r}: choose events, state or all")
    chosen = schemas if which.lower() == "all" else schemas[which.lower()]
    sys.stdout.write(orjson.dumps(chosen, option=orjson.OPT_INDENT_2).decode() + "\n")
