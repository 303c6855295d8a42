"""The legal actions section of the HTML report: each case open or closed over time.

A case is open from its filing; a dismissal, withdrawal, settlement or ruling closes it and an
appeal or refiling reopens it (the fold's rule, :mod:`projections.entities`). Every event of the
case (the filing and each update) is a mark on its lane whose hover gives the update's summary
and its source. User text goes through ``chartkit.esc`` (escaped).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ledger.report.chartkit import esc
from ledger.report.lifecharts import joined, lane_label, lifeline_figure, lines_of, words, wrap

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from ledger.report.lifelines import Lifeline, Period
    from ledger.report.model import ReportData


def sides(item: Mapping[str, Any]) -> str:
    """``plaintiffs v. defendants`` (plain text)."""
    return f"{joined(item.get('plaintiffs'))} v. {joined(item.get('defendants'))}"


def case_label(line: Lifeline) -> str:
    return lane_label(line.key, sides(line.item))


def case_details(line: Lifeline, period: Period) -> list[str]:
    item = period.item
    last = ""
    if item.get("last_update"):
        last = f"last update: <b>{esc(item['last_update'])}</b> — {esc(item.get('summary'), 90)}"
    return lines_of(
        esc(sides(item), 90), f"{esc(words(item.get('kind')))}" + (f" · {esc(item['court'], 90)}" if item.get("court") else ""),
        wrap("claim", item.get("claim")), last,
    )


def cases_figure(data: ReportData) -> go.Figure:
    return lifeline_figure(data, "legal_actions", data.lifelines["legal_actions"], case_label, case_details)
