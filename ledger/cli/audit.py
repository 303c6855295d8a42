"""Audit commands: ``trail`` (one item's values over time) and ``snapshot`` (the state as SQLite)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.common import AsOfOpt, CertOpt, FormatOpt, KnownOpt, app, emit, err, guarded, opened, out
from ledger.interop.snapshot import write_snapshot


@app.command()
@guarded
def trail(
    ctx: typer.Context,
    item: Annotated[str, typer.Argument(help="SECTION:KEY, e.g. stakes:microsoft/openai, rights:msft-openai-ip-rights")],
    field: Annotated[str | None, typer.Option("--field", help="only this field (e.g. stake, status, scope)")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="first effective date listed (YYYY[-MM[-DD]])")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="last effective date listed (YYYY[-MM[-DD]]); "
                                                "the value shown is the one as of it")] = None,
    known_at: KnownOpt = None, min_certainty: CertOpt = "rumored", fmt: FormatOpt = None,
) -> None:
    """One item's successive values over effective time: each change with before → after, its
    event and source; corrected or retracted events listed as withdrawn; `until` endings as
    calendar changes.

    Example:

    \b
        alliance-ledger --db sqlite:///alliance-ledger-demo.db trail stakes:microsoft/openai
        alliance-ledger --db sqlite:///alliance-ledger-demo.db trail stakes:microsoft/openai --field stake --known-at 60
        alliance-ledger --db sqlite:///alliance-ledger-demo.db trail rights:msft-openai-ip-rights --from 2023 --to 2025
    """
    from ledger.cli.trail_tables import trail_tables

    with opened(ctx) as lg:
        doc = lg.trail(item, field, date_from, date_to, known_at, min_certainty.lower())
    emit(doc, fmt, lambda d: trail_tables(out, d))


@app.command()
@guarded
def snapshot(
    ctx: typer.Context,
    out_file: Annotated[Path, typer.Option("--out", "-o", help="the SQLite file to write (a new file)")],
    as_of: AsOfOpt = None, known_at: KnownOpt = None, min_certainty: CertOpt = "rumored",
    force: Annotated[bool, typer.Option("--force", help="replace the file if it exists")] = False,
) -> None:
    """Write the state as a SQLite database: a table per section (flattened `a.b` columns,
    lists as JSON text) and a `meta` table, for Datasette, sqlite-utils, pandas or DuckDB.

    Example:

    \b
        alliance-ledger --db sqlite:///alliance-ledger-demo.db snapshot --as-of 2025-11-01 --out alliance-2025-11.db
        sqlite3 alliance-2025-11.db 'SELECT holder, issuer, "stake.exact" FROM stakes'
    """
    with opened(ctx) as lg:
        doc = write_snapshot(lg, out_file, as_of=as_of, known_at=known_at, min_certainty=min_certainty, force=force)
    rows = sum(doc["tables"].values())
    meta = doc["meta"]
    err.print(f"wrote {doc['path']}: {rows} items in {len(doc['tables'])} tables and meta "
              f"(as of {meta['as_of']}, known at position {meta['known_at_position']})", soft_wrap=True)
