"""Commands that present the ledger to people: ``report`` (one HTML page to mail) and ``demo``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.common import DEMO_DB, DbOpt, PartyOpt, app, guarded, note, opened, out


@app.command()
@guarded
def report(
    ctx: typer.Context,
    out_file: Annotated[Path, typer.Option("--out", "-o", metavar="FILE", help="the HTML file to write")],
    party: PartyOpt = None,
    date_from: Annotated[str | None, typer.Option("--from", metavar="DATE", help="first effective date drawn "
                                                  "(YYYY[-MM[-DD]])")] = None,
    date_to: Annotated[str | None, typer.Option("--to", metavar="DATE", help="last effective date drawn")] = None,
    title: Annotated[str | None, typer.Option("--title", metavar="TEXT", help="page title")] = None,
    db: DbOpt = None,
) -> None:
    """Write a self-contained HTML report: timeline, stakes and investment, rights, partnerships,
    agreements, legal actions and roles over time, and every event with its source.

    Example:

    \b
        alliance-ledger --db alliance-ledger-demo.db report --out alliance.html --party microsoft
    """
    from ledger.report import build_report

    with opened(ctx, db) as lg:
        path = build_report(lg, out_file, party=party, date_from=date_from, date_to=date_to, title=title)
    note(f"wrote {path} ({path.stat().st_size // 1024} KiB); open it in a browser, no network needed")


@app.command()
@guarded
def demo(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", metavar="PATH", help=f"where to build the demo ledger (default {DEMO_DB})")] = None,
) -> None:
    """Load the bundled Microsoft–OpenAI dataset (sourced, fact-checked) and show the alliance at several dates.

    Example:

    \b
        alliance-ledger demo
        alliance-ledger demo --db postgresql://user:pw@localhost/ledger
    """
    from ledger.cli.demo import run_demo

    run_demo(db or (ctx.obj or {}).get("db") or DEMO_DB, out())
