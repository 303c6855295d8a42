"""The rights chart of the HTML report: each right as bars by status (active, restricted, ended).

Split from :mod:`ledger.report.charts`, whose helpers it uses (user text goes through ``_t``).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from events import CERTAINTY_RANK
from ledger.report.charts import STATUS_COLORS, _ids_text, _layout, _plus_days, _short, _t, _x_range

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from ledger.report.model import ReportData, RightBars


def _right_label(bars: RightBars) -> str:
    return (f"<b>{_t(_short(bars.right, 40))}</b><br><span style='font-size:10px'>{_t(bars.holder)} ← "
            f"{_t(bars.grantor)} · {_t(bars.kind.replace('_', ' '))}</span>")


def _segment_hover(bars: RightBars, status: str, start: str, end: str, last_day: str, item: dict[str, Any]) -> str:
    to = "the window's end" if end > last_day else _plus_days(end, -1)
    lines = [f"<b>{_t(bars.right)}</b>: <b>{_t(status)}</b> from {start} to {to}",
             f"{_t(bars.holder)} holds, {_t(bars.grantor)} grants · {_t(bars.kind.replace('_', ' '))}",
             f"scope: {_t(item.get('scope'), 90)}"]
    conds = [f"{k.replace('_', ' ')} {_t(item[k])}" for k in ("until", "ends_when", "restricted_when") if item.get(k)]
    if conds:
        lines.append(" · ".join(conds))
    if status != "active" and item.get("reason"):
        lines.append(f"reason: {_t(item['reason'], 90)}")
    if status == "ended" and item.get("ended_by"):
        lines.append(f"ended by {_t(item['ended_by'])} on {_t(item.get('ended_on'))}")
    lines.append(f"certainty: {_t(item.get('certainty'))}{_ids_text(item.get('evidence') or [])}")
    return "<br>".join(lines)


def rights_figure(data: ReportData) -> go.Figure:
    import plotly.graph_objects as go

    fig = go.Figure()
    labels = [_right_label(b) for b in data.rights]
    start_ms = date.fromisoformat(data.start)
    for status, color in STATUS_COLORS.items():
        base, width, ys, hover, custom, pattern = [], [], [], [], [], []
        for bars, label in zip(data.rights, labels, strict=True):
            for seg in bars.segments:
                if seg.status != status or seg.end <= seg.start:
                    continue
                first = max(seg.start, data.start)
                days = (date.fromisoformat(seg.end) - max(date.fromisoformat(seg.start), start_ms)).days
                if days <= 0:
                    continue
                base.append(first)
                width.append(days * 86_400_000)
                ys.append(label)
                hover.append(_segment_hover(bars, status, seg.start, seg.end, data.end, seg.item))
                evidence = seg.item.get("evidence") or []
                custom.append([evidence[-1] if evidence else "", ""])
                weak = CERTAINTY_RANK.get(seg.item.get("certainty", ""), 3) < CERTAINTY_RANK["announced"]
                pattern.append("/" if weak else "")
        if not base:
            continue
        fig.add_trace(go.Bar(
            base=base, x=width, y=ys, orientation="h", name=status, marker={"color": color, "pattern": {
                "shape": pattern, "fgcolor": "rgba(255,255,255,0.7)", "size": 7}},
            text=[status] * len(base), textposition="inside", insidetextanchor="middle",
            textfont={"color": "white" if status != "ended" else "#444"},
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>", customdata=custom,
        ))
    fig.update_layout(**_layout(
        int(110 + 42 * len(data.rights)), barmode="overlay", bargap=0.35, hovermode="closest",
        uniformtext={"minsize": 9, "mode": "hide"},
        xaxis={"type": "date", "range": _x_range(data), "showgrid": True},
        yaxis={"categoryorder": "array", "categoryarray": labels, "autorange": "reversed", "automargin": True,
               "fixedrange": True},
    ))
    return fig
