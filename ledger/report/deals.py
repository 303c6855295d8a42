"""The partnerships and agreements sections of the HTML report.

A partnership is active from its formation until an event ends it or its ``until`` passes
(whichever comes first, as the fold settles it); an agreement is signed until a later agreement
supersedes it. Lanes and hovers here, drawn by :mod:`ledger.report.lifecharts`; the tables are
in the page template. User text goes through ``chartkit.esc`` (escaped).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ledger.core.display import money as money_text
from ledger.report.chartkit import esc
from ledger.report.lifecharts import joined, lane_label, lifeline_figure, lines_of, terms_text, words, wrap

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from ledger.report.lifelines import Lifeline, Period
    from ledger.report.model import ReportData


def partnership_label(line: Lifeline) -> str:
    item = line.item
    return lane_label(line.key, f"{joined(item['parties'], ' + ')} · {words(item['kind'])}")


def partnership_details(line: Lifeline, period: Period) -> list[str]:
    item = period.item
    ended = ""
    if period.status == "ended" and item.get("ended_by"):
        ended = f"ended by {esc(item['ended_by'])} on {esc(item.get('ended_on'))}"
    return lines_of(
        f"{esc(joined(item['parties'], ' + '))} · {esc(words(item['kind']))}",
        wrap("money", money_text(item.get("money"))), wrap("until", item.get("until")),
        wrap("summary", item.get("summary")), wrap("terms", terms_text(item.get("terms"))),
        wrap("reason", item.get("reason")) if period.status == "ended" else "", ended,
    )


def agreement_label(line: Lifeline) -> str:
    item = line.item
    return lane_label(line.key, f"{joined(item['parties'], ' + ')} · {binding(item)}")


def binding(item: Mapping[str, Any]) -> str:
    return "binding" if item.get("binding") else "non-binding"


def agreement_details(line: Lifeline, period: Period) -> list[str]:
    item = period.item
    return lines_of(
        wrap("title", item.get("title")),
        f"{esc(joined(item['parties'], ' + '))} · {binding(item)}",
        wrap("supersedes", joined(item.get("supersedes"))),
        wrap("superseded by", item.get("superseded_by")) if period.status == "superseded" else "",
        wrap("summary", item.get("summary")),
    )


def partnerships_figure(data: ReportData) -> go.Figure:
    return lifeline_figure(data, "partnerships", data.lifelines["partnerships"], partnership_label,
                           partnership_details)


def agreements_figure(data: ReportData) -> go.Figure:
    return lifeline_figure(data, "agreements", data.lifelines["agreements"], agreement_label, agreement_details)
