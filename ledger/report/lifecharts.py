"""Lifelines as lane charts: what the partnerships, agreements, legal-actions and roles charts share.

Each section module (:mod:`~ledger.report.deals`, :mod:`~ledger.report.cases`,
:mod:`~ledger.report.people`) says how to label a lane, what a period's hover adds to the
common header, and which mark an event gets; :func:`lifeline_figure` does the rest with
:func:`ledger.report.lanes.lane_figure`. All text from the ledger goes through ``chartkit.esc``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from events import add_days
from ledger.report.chartkit import esc, ids_text, shorten
from ledger.report.lanes import Bar, Mark, lane_figure
from projections import STATUSES

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from ledger.report.lifelines import Lifeline, Period
    from ledger.report.model import ReportData, TimelineEvent

Label = Callable[["Lifeline"], str]
Details = Callable[["Lifeline", "Period"], list[str]]
MarkKind = Callable[["TimelineEvent"], str]


def words(value: Any) -> str:
    """A slug-like value for reading: ``cloud_compute`` -> ``cloud compute`` (plain text)."""
    return "" if value is None else str(value).replace("_", " ")


def joined(values: Sequence[Any] | None, sep: str = ", ") -> str:
    return sep.join(str(v) for v in values or ())


def lane_label(title: str, subtitle: str) -> str:
    """A lane's label: the item's key in bold, a line of context under it (escaped here)."""
    return f"<b>{esc(shorten(title, 40))}</b><br><span style='font-size:10px'>{esc(shorten(subtitle, 60))}</span>"


def terms_text(terms: Mapping[str, Any] | None) -> str:
    return "; ".join(f"{words(k)}: {v}" for k, v in (terms or {}).items())


def period_hover(line: Lifeline, period: Period, last_day: str, details: list[str]) -> str:
    to = "the window's end" if period.end > last_day else add_days(period.end, -1)
    item = period.item
    head = f"<b>{esc(line.key)}</b>: <b>{esc(period.status)}</b> from {esc(period.since)} to {to}"
    tail = f"certainty: {esc(item.get('certainty'))}{ids_text(item.get('evidence') or [])}"
    return "<br>".join([head, *details, tail])


def lifeline_figure(data: ReportData, section: str, lines: Sequence[Lifeline], label: Label, details: Details,
                    mark_kind: MarkKind | None = None) -> go.Figure:
    """One lane per lifeline: its periods as bars, its events inside the window as marks."""
    labels = [label(line) for line in lines]
    bars: list[Bar] = []
    marks: list[Mark] = []
    for line, text in zip(lines, labels, strict=True):
        for period in line.periods:
            evidence = period.item.get("evidence") or []
            hover = period_hover(line, period, data.end, details(line, period))
            bars.append(Bar(text, period.status, period.start, period.end, hover,
                            evidence[-1] if evidence else "", period.item.get("certainty", "")))
        for ev in line.marks(data.start, data.end):
            marks.append(Mark(text, mark_kind(ev) if mark_kind else "event", ev))
    return lane_figure(data, labels, bars, STATUSES[section], marks)


def wrap(label: str, value: Any, width: int = 90) -> str:
    """A hover line ``label: value`` with the value escaped and wrapped (empty when no value)."""
    if value in (None, "", [], {}):
        return ""
    return f"{label}: {esc(value, width)}"


def lines_of(*parts: str) -> list[str]:
    return [p for p in parts if p]
