"""The plotly figures of the HTML report (see :mod:`ledger.report.build` for why plotly).

Each builder takes the computed :class:`ledger.report.build.ReportData` and returns a
``plotly.graph_objects.Figure``; :func:`build_charts` turns them into JSON safe to embed in a
``<script type="application/json">`` element. This module draws the money chart and gathers the
others (timeline, rights and the lane charts); what they all share, user text made safe for
plotly included, is :mod:`ledger.report.chartkit`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from events import add_days
from ledger.report.cases import cases_figure
from ledger.report.chartkit import esc, ids_text, layout, x_range
from ledger.report.deals import agreements_figure, partnerships_figure
from ledger.report.palette import SeriesStyle, series_style
from ledger.report.people import roles_figure
from ledger.report.rights import rights_figure
from ledger.report.timeline import timeline_figure

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from ledger.report.model import InvestmentPoint, ReportData, StakePoint

def plotly_js() -> str:
    """plotly.js as shipped inside the Python package (no network)."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def plotly_version() -> str:
    import plotly

    return str(plotly.__version__)


def _to_json(fig: go.Figure) -> str:
    """Figure JSON that cannot end the ``<script>`` element it is embedded in."""
    import plotly.io as pio

    text = pio.to_json(fig, validate=False, pretty=False, remove_uids=True)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def build_charts(data: ReportData) -> dict[str, tuple[str, int]]:
    """Chart name -> (embeddable JSON, height in pixels); a chart with nothing to show is left out.

    The page gives each chart's element that height: plotly's responsive resizing sizes a
    chart to its element, so an element without a height would collapse on a window resize.
    """
    figures = {}
    if data.events:
        figures["timeline"] = timeline_figure(data)
    if data.investments or data.stakes:
        figures["money"] = money_figure(data)
    if data.rights:
        figures["rights"] = rights_figure(data)
    for name, section, draw in (("partnerships", "partnerships", partnerships_figure),
                                ("agreements", "agreements", agreements_figure),
                                ("cases", "legal_actions", cases_figure), ("roles", "roles", roles_figure)):
        if data.lifelines.get(section):
            figures[name] = draw(data)
    return {name: (_to_json(fig), int(fig.layout.height)) for name, fig in figures.items()}


def _scale(values: Iterable[Decimal]) -> tuple[Decimal, str]:
    top = max(values, default=Decimal(0))
    for divisor, unit in ((Decimal(10) ** 9, "billions"), (Decimal(10) ** 6, "millions"), (Decimal(1000), "thousands")):
        if top >= divisor:
            return divisor, unit
    return Decimal(1), "units"


def _steps(dates: Sequence[str], values: Sequence[float | None], stop: str) -> tuple[list[str | None], list[float | None]]:
    """Explicit step-line vertices: each value holds until the next date; ``None`` is a gap."""
    xs: list[str | None] = []
    ys: list[float | None] = []
    for n, (day, value) in enumerate(zip(dates, values, strict=True)):
        until = dates[n + 1] if n + 1 < len(dates) else stop
        if value is None:
            continue
        if xs and xs[-1] != day:
            xs.append(None)
            ys.append(None)
        xs += [day, until]
        ys += [value, value]
    return xs, ys


def _click(data: ReportData, ids: Sequence[str]) -> list[str]:
    first = ids[0] if ids else ""
    ev = data.event_index.get(first)
    return [first, ev.href or "" if ev else ""]


def money_figure(data: ReportData) -> go.Figure:
    from plotly.subplots import make_subplots

    rows = [name for name, present in (("investment", data.investments), ("stakes", data.stakes)) if present]
    titles = {"investment": "Cumulative investment (step line, per investor → investee and currency)",
              "stakes": "Stake held, % (a line when exact, a band when reported as a range)"}
    fig = make_subplots(rows=len(rows), cols=1, shared_xaxes=True, vertical_spacing=0.16,
                        subplot_titles=[titles[r] for r in rows])
    stop = add_days(data.end, 1)
    # one look per legend entry (palette.series_style): no two series alike, however many
    series = [("investment", key) for key in sorted(data.investments)] + [("stake", key) for key in sorted(data.stakes)]
    styles = {s: series_style(n) for n, s in enumerate(series)}
    if "investment" in rows:
        _investment_traces(fig, data, rows.index("investment") + 1, stop, styles)
    if "stakes" in rows:
        _stake_traces(fig, data, rows.index("stakes") + 1, stop, styles)
    fig.update_layout(**layout(150 + 250 * len(rows), hovermode="closest"))
    fig.update_layout(margin={"t": 40, "b": 20}, legend={"yanchor": "top", "y": -0.06 * (3 - len(rows))})
    fig.update_xaxes(type="date", range=x_range(data), showticklabels=True)
    for ann in fig.layout.annotations:
        ann.update(x=0, xanchor="left", font={"size": 13})
    return fig


def _investment_traces(fig: go.Figure, data: ReportData, row: int, stop: str,
                       styles: dict[tuple[str, tuple[str, str, str]], SeriesStyle]) -> None:
    import plotly.graph_objects as go

    divisor, unit = _scale(p.total for points in data.investments.values() for p in points)
    for key, points in sorted(data.investments.items()):
        investor, investee, currency = key
        style = styles[("investment", key)]
        color, dash = style.color, style.dash
        values = [float(p.total / divisor) for p in points]
        xs, ys = _steps([p.date for p in points], values, stop)
        name = f"{esc(investor)} → {esc(investee)} ({esc(currency)})"
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": color, "width": 2.5, "dash": dash}, name=name,
                                 legendgroup=name, hoverinfo="skip"), row=row, col=1)
        fig.add_trace(go.Scatter(
            x=[p.date for p in points], y=values, mode="markers", name=name, legendgroup=name, showlegend=False,
            marker={"color": color, "size": 8},
            hovertext=[_investment_hover(key, p) for p in points], hovertemplate="%{hovertext}<extra></extra>",
            customdata=[_click(data, p.events) for p in points],
        ), row=row, col=1)
    fig.update_yaxes(title_text=f"{unit} (currency in legend)", rangemode="tozero", row=row, col=1)


def _investment_hover(key: tuple[str, str, str], p: InvestmentPoint) -> str:
    investor, investee, currency = key
    return (f"<b>{esc(investor)} → {esc(investee)}</b><br>cumulative {'~' if p.approximate else ''}"
            f"{p.total:,} {esc(currency)}<br>from {p.date}{ids_text(p.events)}")


def _stake_traces(fig: go.Figure, data: ReportData, row: int, stop: str,
                  styles: dict[tuple[str, tuple[str, str, str]], SeriesStyle]) -> None:
    import plotly.graph_objects as go

    for key, points in sorted(data.stakes.items()):
        holder, issuer, basis = key
        style = styles[("stake", key)]
        color, dash = style.color, style.dash
        name = f"{esc(holder)} in {esc(issuer)} (%{'' if basis == 'equity' else ', ' + esc(basis.replace('_', ' '))})"
        dates = [p.date for p in points]
        exact = [float(p.low) if p.exact and p.low is not None else None for p in points]
        xs, ys = _steps(dates, exact, stop)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": color, "width": 2.5, "dash": dash},
                                 name=name, legendgroup=name, hoverinfo="skip"), row=row, col=1)
        bx: list[str | None] = []
        by: list[float | None] = []
        for i, p in enumerate(points):
            if p.exact or p.low is None or p.high is None:
                continue
            until = dates[i + 1] if i + 1 < len(points) else stop
            lo, hi = float(p.low), float(p.high)
            bx += [p.date, until, until, p.date, p.date, None]
            by += [lo, lo, hi, hi, lo, None]
        if bx:
            fig.add_trace(go.Scatter(x=bx, y=by, mode="lines", fill="toself", fillcolor=_rgba(color, 0.25),
                                     line={"color": color, "width": 1, "dash": "dot"}, name=name, legendgroup=name,
                                     showlegend=False, hoverinfo="skip"), row=row, col=1)
        known = [p for p in points if p.low is not None and p.high is not None]
        fig.add_trace(go.Scatter(
            x=[p.date for p in known], y=[float((p.low + p.high) / 2) for p in known if p.low is not None and p.high is not None],
            mode="markers", name=name, legendgroup=name, showlegend=False,
            marker={"color": color, "size": 8, "symbol": ["circle" if p.exact else "diamond-wide" for p in known]},
            hovertext=[_stake_hover(key, p) for p in known], hovertemplate="%{hovertext}<extra></extra>",
            customdata=[_click(data, p.events) for p in known],
        ), row=row, col=1)
    fig.update_yaxes(title_text="percent", rangemode="tozero", ticksuffix="%", row=row, col=1)


def _stake_hover(key: tuple[str, str, str], p: StakePoint) -> str:
    holder, issuer, basis = key
    pct = f"{p.low}%" if p.exact else f"{p.low}–{p.high}% (range)"
    return (f"<b>{esc(holder)} in {esc(issuer)}</b><br>{pct}, {esc(basis.replace('_', ' '))}<br>from {p.date} · "
            f"certainty {esc(p.certainty)}{ids_text(p.events)}")


def _rgba(color: str, alpha: float) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
