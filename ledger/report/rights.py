"""The rights chart of the HTML report: each right as bars by status (active, restricted, ended).

Drawn by :func:`ledger.report.lanes.lane_figure`; user text goes through ``chartkit.esc``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from events import add_days
from ledger.report.chartkit import esc, ids_text, shorten
from ledger.report.lanes import Bar, lane_figure
from projections import STATUSES

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from ledger.report.model import ReportData, RightBars


def _right_label(bars: RightBars) -> str:
    return (f"<b>{esc(shorten(bars.right, 40))}</b><br><span style='font-size:10px'>{esc(bars.holder)} ← "
            f"{esc(bars.grantor)} · {esc(bars.kind.replace('_', ' '))}</span>")


def _segment_hover(bars: RightBars, status: str, start: str, end: str, last_day: str, item: dict[str, Any]) -> str:
    to = "the window's end" if end > last_day else add_days(end, -1)
    lines = [f"<b>{esc(bars.right)}</b>: <b>{esc(status)}</b> from {start} to {to}",
             f"{esc(bars.holder)} holds, {esc(bars.grantor)} grants · {esc(bars.kind.replace('_', ' '))}",
             f"scope: {esc(item.get('scope'), 90)}"]
    conds = [f"{k.replace('_', ' ')} {esc(item[k])}" for k in ("until", "ends_when", "restricted_when") if item.get(k)]
    if conds:
        lines.append(" · ".join(conds))
    if status != "active" and item.get("reason"):
        lines.append(f"reason: {esc(item['reason'], 90)}")
    if status == "ended" and item.get("ended_by"):
        lines.append(f"ended by {esc(item['ended_by'])} on {esc(item.get('ended_on'))}")
    lines.append(f"certainty: {esc(item.get('certainty'))}{ids_text(item.get('evidence') or [])}")
    return "<br>".join(lines)


def rights_figure(data: ReportData) -> go.Figure:
    labels = [_right_label(b) for b in data.rights]
    bars = []
    for rb, label in zip(data.rights, labels, strict=True):
        for seg in rb.segments:
            if seg.end <= seg.start:
                continue
            evidence = seg.item.get("evidence") or []
            bars.append(Bar(label, seg.status, seg.start, seg.end,
                            _segment_hover(rb, seg.status, seg.start, seg.end, data.end, seg.item),
                            evidence[-1] if evidence else "", seg.item.get("certainty", "")))
    return lane_figure(data, labels, bars, STATUSES["rights"])
