"""What every chart of the HTML report shares: the font, the layout, the date window, and how
user text is made safe for plotly.

Every piece of user text that reaches a chart goes through :func:`esc` (HTML escaping: plotly
interprets a few tags in labels and hover text, and turns entities back into literal characters
when it draws them as SVG text). The figure modules (:mod:`~ledger.report.charts`,
:mod:`~ledger.report.timeline`, :mod:`~ledger.report.lanes` and the lane charts) import these
helpers from here, and :mod:`ledger.report.charts` imports the figure modules: one direction,
no cycle.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from events import add_days

if TYPE_CHECKING:
    from ledger.report.model import ReportData

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
PLOT_WIDTH_PX = 1150
"""Roughly how wide the plot area is on a desktop screen: used to pack marks into rows."""


def esc(value: Any, width: int = 0) -> str:
    """User text for a chart: escaped, optionally wrapped with ``<br>`` at ``width`` characters."""
    text = "" if value is None else str(value)
    if width and len(text) > width:
        lines = textwrap.wrap(text, width, max_lines=4, placeholder=" …")
        return "<br>".join(html.escape(line, quote=False) for line in lines)
    return html.escape(text, quote=False)  # plotly decodes &lt; &gt; &amp; but shows &quot; as is


def shorten(value: Any, limit: int) -> str:
    """At most ``limit`` characters, with an ellipsis when cut (lane labels must fit the margin)."""
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def x_range(data: ReportData) -> list[str]:
    """The window with a little room on both sides, so marks on its edges are not cut in half."""
    span = (date.fromisoformat(data.end) - date.fromisoformat(data.start)).days
    pad = max(3, round(span * 0.012))
    return [add_days(data.start, -pad), add_days(data.end, 1 + pad)]


def layout(height: int, **extra: Any) -> dict[str, Any]:
    """The layout every chart starts from (same font, margins and legend place), plus ``extra``."""
    return {
        "template": "plotly_white", "height": height, "font": {"family": FONT, "size": 12},
        "margin": {"l": 10, "r": 20, "t": 40, "b": 40}, "hoverlabel": {"align": "left", "font": {"family": FONT}},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "xanchor": "left"},
        **extra,
    }


def ids_text(ids: Sequence[str]) -> str:
    """The ids of a hover's events, the first four (a hover must stay readable), escaped."""
    if not ids:
        return ""
    shown = ", ".join(esc(i) for i in ids[:4])
    return f"<br>events: {shown}{' …' if len(ids) > 4 else ''}"
