"""The report's colours and line styles: one look per legend entry, never two alike.

Two families share the page and must not be confused with each other:

- *meanings* (a certainty, a status, a kind of event mark) have a fixed look everywhere on the
  page, so "active" is the same green in the rights, partnerships and roles charts, and a
  reader learns it once. Each status word has its own colour, shared by no other status;
- *series* (one investor → investee total, one holder's stake) get the next look from
  :func:`series_style`: a distinct colour while the palette lasts, then the colours again with
  another dash pattern, so no two legend entries look the same however many pairs there are.

The series palette is Paul Tol's "muted" scheme plus black (designed to stay distinguishable
with the common colour-vision deficiencies) and shares no colour with the meanings, so a line
can never be read as a status or a certainty. The meanings use Okabe–Ito colours; where a
status and a certainty share a hue they differ in shape (bars versus marker symbols).
"""

from __future__ import annotations

from dataclasses import dataclass

INK = "#1f2328"
"""Event marks on the lifeline charts (what the page's text is written in)."""

CERTAINTY_STYLE: dict[str, dict[str, str]] = {
    # Okabe–Ito colours (colour-blind safe); the shape says the same thing as the colour.
    "rumored": {"color": "#8c8c8c", "symbol": "circle-open"},
    "reported": {"color": "#e69f00", "symbol": "diamond"},
    "announced": {"color": "#0072b2", "symbol": "square"},
    "confirmed": {"color": "#009e73", "symbol": "circle"},
}

STATUS_COLORS: dict[str, str] = {
    # in force: saturated; over: pale or grey, so the eye finds what still holds
    "active": "#009e73",
    "restricted": "#e69f00",
    "ended": "#c9c9c9",
    "signed": "#0072b2",
    "superseded": "#a9cbe6",
    "open": "#d55e00",
    "closed": "#f2c4a8",
}
"""Every status word of the sections drawn as bars (``projections.sections.STATUSES``), one colour each."""

STATUS_TEXT: dict[str, str] = {"ended": "#444444", "superseded": "#23445e", "closed": "#6b2d0b"}
"""Text colour inside a bar where white would not read (default white)."""

MARKS: dict[str, dict[str, str | int]] = {
    "event": {"symbol": "line-ns-open", "size": 16},
    "appointed": {"symbol": "triangle-up", "size": 11},
    "removed or resigned": {"symbol": "x", "size": 11},
}
"""Event marks drawn over lifelines: name -> plotly marker symbol and size (all in :data:`INK`)."""

STRUCK_COLOR = "#b2182b"

SERIES_COLORS: tuple[str, ...] = ("#332288", "#cc6677", "#44aa99", "#882255", "#117733", "#88ccee",
                                  "#999933", "#aa4499", "#ddcc77", "#000000")
"""Tol's muted palette plus black: one colour per series until they run out (see :func:`series_style`)."""

DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


@dataclass(frozen=True)
class SeriesStyle:
    color: str
    dash: str


def _dash(n: int) -> str:
    """The n-th dash pattern: plotly's named ones, then generated ones (each n its own pattern)."""
    if n < len(DASHES):
        return DASHES[n]
    return f"{n - len(DASHES) + 2}px,3px,1px,3px"


def series_style(n: int) -> SeriesStyle:
    """The look of the n-th series (0-based): colour first, then the dash pattern once the colours
    are used up, so series n and m (n != m) never share both."""
    return SeriesStyle(SERIES_COLORS[n % len(SERIES_COLORS)], _dash(n // len(SERIES_COLORS)))

