"""The timeline figure of the HTML report: one lane per stream, each event a mark at its
effective date, shaped and coloured by certainty (see :mod:`ledger.report.charts`)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from events import add_days
from ledger.report.chartkit import PLOT_WIDTH_PX, esc, layout, shorten, x_range
from ledger.report.palette import CERTAINTY_STYLE, STRUCK_COLOR

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from ledger.report.model import ReportData, TimelineEvent

# -- timeline ---------------------------------------------------------------------------------

def event_hover(ev: TimelineEvent) -> str:
    when = esc(ev.effective)
    if ev.precision != "day":
        when += f" (known to the {ev.precision}; placed at {ev.start})"
    status = ""
    if ev.status != "live":
        status = f"<br><b>{ev.status.upper()}</b> by {esc(ev.superseded_by)}"
    if ev.corrects:
        status += f"<br>corrects {esc(ev.corrects)}"
    src = ev.source
    origin = ", ".join(esc(src[k]) for k in ("publisher", "published_at") if src.get(k))
    lines = [
        f"<b>{esc(ev.type)}</b> · {esc(ev.id)}",
        f"{when} · stream {esc(ev.stream)} · #{ev.position}",
        f"certainty: {esc(ev.certainty)}{status}",
        esc(ev.summary, 90),
        f"source: {esc(shorten(src.get('title') or '(untitled)', 160), 90)}" + (f"<br>{origin}" if origin else ""),
    ]
    if src.get("quote"):
        lines.append(f"“{esc(shorten(src['quote'], 240), 90)}”")
    if src.get("url"):
        lines.append(f"<i>{esc(shorten(src['url'], 90))}</i>")
    if src.get("retrieved_from"):  # "original URL (read at retrieved_from)"
        when = f" on {esc(src['retrieved_at'])}" if src.get("retrieved_at") else ""
        lines.append(f"(read at <i>{esc(shorten(src['retrieved_from'], 90))}</i>{when})")
    if ev.href:
        lines.append("click to open the source")
    return "<br>".join(lines)


def _lanes(data: ReportData) -> tuple[dict[str, float], list[float], list[str], list[tuple[float, float]]]:
    """Place events in rows inside their stream's lane so that marks do not hide each other.

    Returns y per event id, lane tick positions, tick labels, and the y extent of each lane.
    """
    span = max(1, (date.fromisoformat(data.end) - date.fromisoformat(data.start)).days)
    gap = span * 16 / PLOT_WIDTH_PX  # about one mark's width, in days
    ys: dict[str, float] = {}
    ticks, labels, extents = [], [], []
    base = 0.0
    for stream in data.streams:
        rows: list[float] = []
        for ev in (e for e in data.events if e.stream == stream):
            first = date.fromisoformat(ev.start).toordinal()
            last = date.fromisoformat(ev.end).toordinal()
            row = next((r for r, free in enumerate(rows) if first >= free), None)
            if row is None:
                if len(rows) < 8:
                    rows.append(0.0)
                    row = len(rows) - 1
                else:
                    row = min(range(len(rows)), key=lambda r: rows[r])
            rows[row] = max(first + gap, last + 1)
            ys[ev.id] = base + row
        height = max(1, len(rows))
        ticks.append(base + (height - 1) / 2)
        labels.append(esc(stream))
        extents.append((base - 0.5, base + height - 0.5))
        base += height + 0.8
    return ys, ticks, labels, extents


def timeline_figure(data: ReportData) -> go.Figure:
    import plotly.graph_objects as go

    ys, ticks, labels, extents = _lanes(data)
    fig = go.Figure()
    partial = [e for e in data.events if e.precision != "day"]
    if partial:
        xs: list[str | None] = []
        yp: list[float | None] = []
        for ev in partial:
            xs += [ev.start, add_days(ev.end, 1), None]
            yp += [ys[ev.id], ys[ev.id], None]
        fig.add_trace(go.Scatter(x=xs, y=yp, mode="lines", line={"width": 6, "color": "rgba(60,60,60,0.18)"},
                                 hoverinfo="skip", name="period of a YYYY / YYYY-MM date"))
    for certainty, style in CERTAINTY_STYLE.items():
        evs = [e for e in data.events if e.certainty == certainty and e.status == "live"]
        if not evs:
            continue
        open_symbol = style["symbol"].endswith("-open")
        fig.add_trace(go.Scatter(
            x=[e.start for e in evs], y=[ys[e.id] for e in evs], mode="markers", name=certainty,
            marker={"symbol": style["symbol"], "size": 12, "color": style["color"],
                    "line": {"width": 2 if open_symbol else 1, "color": style["color"] if open_symbol else "white"}},
            hovertext=[event_hover(e) for e in evs], hovertemplate="%{hovertext}<extra></extra>",
            customdata=[[e.id, e.href or ""] for e in evs],
        ))
    struck = [e for e in data.events if e.status != "live"]
    if struck:
        common = {"x": [e.start for e in struck], "y": [ys[e.id] for e in struck], "mode": "markers",
                  "hovertext": [event_hover(e) for e in struck], "hovertemplate": "%{hovertext}<extra></extra>",
                  "customdata": [[e.id, e.href or ""] for e in struck], "legendgroup": "struck"}
        fig.add_trace(go.Scatter(
            **common, showlegend=False, opacity=0.35, name="superseded",
            marker={"symbol": [CERTAINTY_STYLE[e.certainty]["symbol"] for e in struck], "size": 12,
                    "color": [CERTAINTY_STYLE[e.certainty]["color"] for e in struck]},
        ))
        fig.add_trace(go.Scatter(
            **common, name="corrected or retracted",
            marker={"symbol": "x-thin-open", "size": 15, "color": STRUCK_COLOR, "line": {"width": 2, "color": STRUCK_COLOR}},
        ))
    shapes = [
        {"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": lo - 0.4, "y1": hi + 0.4,
         "fillcolor": "rgba(0,0,0,0.04)" if n % 2 == 0 else "rgba(0,0,0,0.012)", "layer": "below",
         "line": {"width": 0}}
        for n, (lo, hi) in enumerate(extents)
    ]
    top, bottom = (extents[0][0] - 0.4, extents[-1][1] + 0.4) if extents else (-0.5, 0.5)
    fig.update_layout(**layout(
        int(110 + 22 * (bottom - top)), shapes=shapes, hovermode="closest",
        xaxis={"type": "date", "range": x_range(data), "showgrid": True},
        yaxis={"tickvals": ticks, "ticktext": labels, "range": [bottom, top], "zeroline": False, "showgrid": False,
               "fixedrange": True, "automargin": True},
    ))
    return fig


# -- stakes and investment --------------------------------------------------------------------

