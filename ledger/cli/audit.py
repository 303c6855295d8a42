"""Audit commands: ``trail`` (one item's values over time) and ``snapshot`` (the state as SQLite)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.common import (
    AsOfOpt,
    CertOpt,
    DbOpt,
    FormatOpt,
    KnownOpt,
    app,
    guarded,
    note,
    note_empty_belief,
    opened,
    out,
)


@app.command()
@guarded
def trail(
    ctx: typer.Context,
    item: Annotated[str, typer.Argument(metavar="ITEM", help="SECTION:KEY (stakes:microsoft/openai), or a bare key "
                                        "when one section has it")],
    field: Annotated[str | None, typer.Option("--field", metavar="FIELD", help="only this field (stake, status, "
                                              "scope...)")] = None,
    date_from: Annotated[str | None, typer.Option("--from", metavar="DATE", help="first effective date listed "
                                                  "(YYYY[-MM[-DD]])")] = None,
    date_to: Annotated[str | None, typer.Option("--to", metavar="DATE", help="last effective date listed; the "
                                                "value shown is the one as of it")] = None,
    known_at: KnownOpt = None, min_certainty: CertOpt = "rumored", fmt: FormatOpt = None, db: DbOpt = None,
) -> None:
    """One item's successive values over effective time: each change with before → after, its
    event and source; corrected or retracted events listed as withdrawn; `until` endings as
    calendar changes.

    Example:

    \b
        alliance-ledger --db alliance-ledger-demo.db trail stakes:microsoft/openai --field invested
        alliance-ledger --db alliance-ledger-demo.db trail rights:msft-openai-ip-rights --from 2023 --to 2025
    """
    from ledger.cli import output

    with opened(ctx, db) as lg:
        doc = lg.trail(item, field, date_from, date_to, known_at, min_certainty)
        note_empty_belief(lg, known_at, doc)

    def table(d: dict) -> None:
        from ledger.cli.event_tables import trail_tables

        trail_tables(out(), d)

    output.emit(doc, fmt, table=table, records=output.list_records(doc.to_dict(), "changes"))


@app.command()
@guarded
def snapshot(
    ctx: typer.Context,
    out_file: Annotated[Path, typer.Option("--out", "-o", metavar="FILE", help="the SQLite file to write (a new "
                                           "file)")],
    as_of: AsOfOpt = None, known_at: KnownOpt = None, min_certainty: CertOpt = "rumored",
    force: Annotated[bool, typer.Option("--force", help="replace the file if it exists")] = False, db: DbOpt = None,
) -> None:
    """Write the state as a SQLite database: a table per section (flattened `a.b` columns,
    lists as JSON text) and a `meta` table, for Datasette, sqlite-utils, pandas or DuckDB.

    Example:

    \b
        alliance-ledger --db alliance-ledger-demo.db snapshot --as-of 2025-11-01 --out alliance-2025-11.db
        sqlite-utils alliance-2025-11.db 'SELECT holder, issuer, "stake.exact" FROM stakes'
    """
    from ledger.interop.snapshot import write_snapshot

    with opened(ctx, db) as lg:
        doc = write_snapshot(lg, out_file, as_of=as_of, known_at=known_at, min_certainty=min_certainty, force=force)
    rows = sum(doc["tables"].values())
    meta = doc["meta"]
    note(f"wrote {doc['path']}: {rows} items in {len(doc['tables'])} tables and meta "
         f"(as of {meta['as_of']}, known at position {meta['known_at_position']})")
