"""Status over time as horizontal bars, one lane per item, with event marks on top.

The rights chart and the lifeline charts (partnerships, agreements, legal actions, roles) are
the same picture: an item's periods in each status as bars on a date axis, coloured by status
(:data:`ledger.report.palette.STATUS_COLORS`, one trace per status so the legend names each
once), hatched when they rest on evidence below "announced"; and, for lifelines, a mark at each
event that shaped the item, whose hover is that event with its source (as on the timeline) and
whose click opens the source and highlights the event's row in the table.

A period's bar is clipped to the window; one that ended before the window is not drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from events import CERTAINTY_RANK
from ledger.report.chartkit import layout, x_range
from ledger.report.palette import INK, MARKS, STATUS_COLORS, STATUS_TEXT
from ledger.report.timeline import event_hover

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from ledger.report.model import ReportData, TimelineEvent

_DAY_MS = 86_400_000


@dataclass(frozen=True)
class Bar:
    """One period of one lane. ``label`` is chart text (already escaped); ``end`` is exclusive."""

    label: str
    status: str
    start: str
    end: str
    hover: str
    event: str
    """The event id a click highlights in the event table (the period's latest evidence)."""
    certainty: str


@dataclass(frozen=True)
class Mark:
    label: str
    kind: str
    """A key of :data:`ledger.report.palette.MARKS`."""
    event: TimelineEvent


def weak(certainty: str | None) -> bool:
    """Evidence below "announced": the bar is hatched."""
    return CERTAINTY_RANK.get(certainty or "", 3) < CERTAINTY_RANK["announced"]


def lane_figure(data: ReportData, labels: Sequence[str], bars: Sequence[Bar], statuses: Sequence[str],
                marks: Sequence[Mark] = ()) -> go.Figure:
    import plotly.graph_objects as go


    fig = go.Figure()
    window_start = date.fromisoformat(data.start)
    for status in statuses:
        shown = []
        for bar in bars:
            if bar.status != status:
                continue
            days = (date.fromisoformat(bar.end) - max(date.fromisoformat(bar.start), window_start)).days
            if days > 0:
                shown.append((bar, days))
        if not shown:
            continue
        fig.add_trace(go.Bar(
            base=[max(b.start, data.start) for b, _ in shown], x=[days * _DAY_MS for _, days in shown],
            y=[b.label for b, _ in shown], orientation="h", name=status,
            marker={"color": STATUS_COLORS[status], "pattern": {
                "shape": ["/" if weak(b.certainty) else "" for b, _ in shown],
                "fgcolor": "rgba(255,255,255,0.7)", "size": 7}},
            text=[status] * len(shown), textposition="inside", insidetextanchor="middle", textangle=0,
            textfont={"color": STATUS_TEXT.get(status, "white")},
            hovertext=[b.hover for b, _ in shown], hovertemplate="%{hovertext}<extra></extra>",
            customdata=[[b.event, ""] for b, _ in shown],
        ))
    for kind, style in MARKS.items():
        these = [m for m in marks if m.kind == kind]
        if not these:
            continue
        fig.add_trace(go.Scatter(
            x=[m.event.start for m in these], y=[m.label for m in these], mode="markers", name=kind,
            marker={"symbol": style["symbol"], "size": style["size"], "color": INK, "line": {"width": 2, "color": INK}},
            hovertext=[event_hover(m.event) for m in these], hovertemplate="%{hovertext}<extra></extra>",
            customdata=[[m.event.id, m.event.href or ""] for m in these],
        ))
    fig.update_layout(**layout(
        int(110 + 42 * len(labels)), barmode="overlay", bargap=0.35, hovermode="closest",
        uniformtext={"minsize": 9, "mode": "hide"},
        xaxis={"type": "date", "range": x_range(data), "showgrid": True},
        yaxis={"categoryorder": "array", "categoryarray": list(labels), "autorange": "reversed", "automargin": True,
               "fixedrange": True, "type": "category"},
    ))
    return fig
