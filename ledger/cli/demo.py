"""``alliance-ledger demo``: load the bundled Microsoft–OpenAI dataset and tell its story.

The dataset is appended in chapters (runs of consecutive events of one effective year), one
append each, as a newsroom would have recorded them, so ``known_at`` has earlier beliefs to show.
Appending is idempotent, so running the demo again on the same file adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any

from rich.console import Console
from rich.progress import Progress

from ledger.api import Ledger
from ledger.cli import tables as render
from ledger.core.jsontext import parse_text

DATASET = "microsoft_openai.jsonl"
DEMO_DATES = ("2019-08-01", "2023-11-20", "2025-02-01")


def dataset() -> list[dict[str, Any]]:
    """The bundled dataset, as a list of input events (package data: no network needed)."""
    text = resources.files("ledger").joinpath("data", DATASET).read_bytes()
    return parse_text(text, DATASET)


def chapters(events: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Consecutive runs of events that share an effective year, in file order."""
    run: list[dict[str, Any]] = []
    for event in events:
        if run and run[-1]["effective_date"][:4] != event["effective_date"][:4]:
            yield run
            run = []
        run.append(event)
    if run:
        yield run


def load(lg: Ledger, events: list[dict[str, Any]], console: Console) -> dict[str, int]:
    """Append the dataset chapter by chapter; returns the head position after each chapter's year."""
    heads: dict[str, int] = {}
    parts = list(chapters(events))
    with Progress(console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("loading the Microsoft–OpenAI dataset", total=len(events))
        for part in parts:
            result = lg.append(part)
            heads[part[0]["effective_date"][:4]] = result.head
            progress.advance(task, len(part))
    return heads


def run_demo(url: str, console: Console) -> None:
    events = dataset()
    with Ledger.open(url, init=True) as lg:
        before = lg.count()
        load(lg, events, console)
        head = lg.count()
        console.print(f"alliance-ledger demo: {url}\n"
                      f"{len(events)} sourced events of the Microsoft–OpenAI alliance; ledger now holds {head} "
                      f"events ({head - before} appended now" + (", the rest were already there" if before else "") + ")\n")
        today = datetime.now(UTC).date().isoformat()
        for day in (*DEMO_DATES, today):
            state = lg.state(as_of=day, party="microsoft").to_dict()
            console.print(render.overview_table(f"Microsoft's alliances as of {day}", state,
                                                ("stakes", "rights", "partnerships", "agreements", "negotiations")))
        openai_roles = lg.state(as_of="2023-11-20", party="openai").to_dict()["roles"]
        if openai_roles:
            console.print(render.overview_table("OpenAI's leadership on 2023-11-20 (Altman removed on 17 November)",
                                                {"roles": openai_roles}, ("roles",)))
        console.rule(f"What changed for Microsoft between {DEMO_DATES[1]} and {today}")
        render.diff_tables(console, lg.diff(DEMO_DATES[1], today, party="microsoft").to_dict())
        _belief_change(lg, events, today, console)
        _next_steps(url, console)


def _belief_change(lg: Ledger, events: list[dict[str, Any]], today: str, console: Console) -> None:
    """Show how a correction changed what the ledger believed, using ``known_at``: as of the day
    before the correcting report's date, before and after it was recorded."""
    from events import date_sort_key

    corrections = [e for e in events if e.get("corrects")]
    first = next((e for e in corrections if e["type"] == "InvestmentMade"), corrections[0] if corrections else None)
    if first is None:
        return
    stored = next(lg.events(ids=[first["id"]]))
    earlier = stored["position"] - 1
    day = date.fromisoformat(date_sort_key(stored["effective_date"])) - timedelta(days=1)
    console.rule(f"known_at: what the ledger believed about {day} before position {stored['position']}, and after")
    console.print(f"Event {first['id']!r} corrected {first['corrects']!r}: as of {day}, known at {earlier}, "
                  f"compared with known at {stored['position']}:")
    render.diff_tables(console, lg.diff_beliefs(day.isoformat(), earlier, stored["position"]).to_dict())


def _next_steps(url: str, console: Console) -> None:
    from ledger.api import safe_url

    db = f"--db {safe_url(url).removeprefix('sqlite:///')} "
    console.rule("Try next")
    for line in (
        f"alliance-ledger {db}state --as-of 2024-06 --party microsoft --active",
        f"alliance-ledger {db}explain stakes:microsoft/openai --as-of 2026-01-01",
        f"alliance-ledger {db}trail stakes:microsoft/openai --field invested",
        f"alliance-ledger {db}history --party openai --type RoleChanged",
        f"alliance-ledger {db}diff 2023-01-01 2025-11-01 --party microsoft",
        f"alliance-ledger {db}state --as-of 2025-11-01 --min-certainty confirmed --format json",
        f"alliance-ledger {db}report --out alliance.html",
        f"alliance-ledger {db}serve",
        f"alliance-ledger {db}verify",
    ):
        console.print(f"  {line}")
