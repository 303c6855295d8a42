"""A self-contained HTML report of a ledger: events by stream, stakes and investment, rights,
partnerships, agreements, legal actions and roles by status over time.

``build_report(lg, out)`` writes one HTML file that needs no network to view: every style,
script and chart is inline. It has

- a header with the ledger head (position, hash), the window of effective dates the charts
  cover (the "as-of range") and the filter;
- a timeline: one lane per stream, each event a mark at its effective date, shaped and coloured
  by certainty; corrected and retracted events faded and struck through with a cross; an event
  known only to a month or a year sits on the first day of its period (the fold order, SPEC §2)
  with a thin bar over the whole period, and its label keeps the original text;
- cumulative investment per investor/investee and currency as a step line, and stakes in
  percent (an exact stake as a line, a reported range as a band);
- rights by status over time (active / restricted / ended segments per right);
- partnerships (active / ended, with ``until``), agreements (signed / superseded, and by what),
  legal actions (open / closed, each filing and update a mark with its summary) and roles (who
  held which role when: appointed / removed) as lanes of status periods with event marks, each
  with a plain HTML table of the items, their periods and their events' sources
  (:mod:`ledger.report.lifelines`, drawn by ``deals``, ``cases`` and ``people``);
- a table of every event drawn, with its source (link, title, publisher, and the copy read
  when ``retrieved_from`` says so) and what superseded it.

No two legend entries look alike: see :mod:`ledger.report.palette`.

Charts use **plotly** (the ``plotly`` package from PyPI). Why plotly rather than matplotlib SVG
or Vega: a ledger's timeline is dense (many events on the same days, decades wide), so the
reader needs hover details, zoom and click-through to sources, which plotly gives without any
hand-written drawing code; plotly's Python side is pure Python (its only dependencies are
``narwhals`` and ``packaging``: no numpy), and ``plotly.offline.get_plotlyjs()`` ships the
JavaScript inside the package, so the page inlines it once and works offline. The cost is the
page size: plotly.js is about 4.8 MB, inlined once whatever the ledger size. The event table is
plain HTML, so every source stays readable and linked even with JavaScript off.

Everything here reads the ledger through the public API (``lg.events()``, ``lg.head()``)
and derives the series with the pure fold (:class:`projections.Folder`, fed in fold order and
asked for the state at every date where something can change: each event's effective date and
the day after each ``until``), i.e. exactly what ``lg.state(as_of=D)`` would say at each date D
(tests/report/test_report_sections.py reads the page back and checks it against ``lg.state``).

All user text is escaped: the page template runs with Jinja2 autoescape, chart text is
HTML-escaped before plotly sees it, and chart JSON is embedded with ``<``, ``>`` and ``&``
written as ``\\u`` escapes, so event data can never close a ``<script>`` element. Only
``http(s)`` source URLs become links.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from events import date_sort_key, next_day, period_end
from ledger.core.outputs import refuse_database
from ledger.errors import LedgerError, bad_argument
from ledger.report.lifelines import UNTIL_TYPES, LifelineSampler, early_dates
from ledger.report.model import (  # noqa: F401  (re-exported: the report's data model)
    CERTAINTIES,
    InvestmentPoint,
    ReportData,
    RightBars,
    Segment,
    StakePoint,
    TimelineEvent,
    check_window_date,
    default_window,
    supersession_marks,
    timeline_event,
)
from projections import Folder, filter_party, select_events

if TYPE_CHECKING:
    from ledger.api import Ledger

__all__ = ["ReportData", "build_report", "collect"]


def collect(
    lg: Ledger, *, party: str | None = None, date_from: str | date | None = None, date_to: str | date | None = None,
    title: str | None = None, today: str | None = None,
) -> ReportData:
    """Read the ledger at its head and compute what the report shows (no HTML here).

    ``date_from``/``date_to`` take ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a partial ``date_to``
    means the end of its period). Events before the window still count in the charts' state;
    the timeline and table show the events whose effective period overlaps the window.
    """
    date_from = check_window_date("date_from", date_from)
    date_to = check_window_date("date_to", date_to)
    today = today or datetime.now(UTC).date().isoformat()
    head_position, head_hash, head_recorded_at = lg.head()
    envs = list(lg.events())
    shown_ids = {e["id"] for e in lg.events(party=party)} if party is not None else None
    shown = envs if shown_ids is None else [e for e in envs if e["id"] in shown_ids]

    default_start, default_end = default_window(shown or envs, today)
    start = date_sort_key(date_from) if date_from else default_start
    end = period_end(date_to) if date_to else default_end
    if end < start:
        raise bad_argument("date_to", f"the window ends ({end}) before it starts ({start})")

    marks = supersession_marks(envs)
    drawn, before, after = [], 0, 0
    for env in shown:
        ev = timeline_event(env, marks)
        if ev.end < start:
            before += 1
        elif ev.start > end:
            after += 1
        else:
            drawn.append(ev)
    drawn.sort(key=lambda e: (e.start, e.position))
    streams = sorted({e.stream for e in drawn})

    lifelines = LifelineSampler()
    rights, investments, stakes = _series(envs, start, end, party, lifelines)
    return ReportData(
        title=title or ("Alliance ledger report" + (f": {party}" if party else "")),
        head_position=head_position, head_hash=head_hash, head_recorded_at=head_recorded_at,
        start=start, end=end, date_from=date_from, date_to=date_to, party=party, ledger_events=len(envs),
        events=drawn, streams=streams, before_window=before, after_window=after,
        rights=rights, investments=investments, stakes=stakes, event_index={e.id: e for e in drawn},
        lifelines=lifelines.finish(envs, marks, next_day(end)),
    )


def _change_dates(selected: list[Mapping[str, Any]], start: str, end: str) -> list[str]:
    """Dates in (start, end] where the state can change, plus ``start`` itself."""
    dates = {start}
    for e in selected:
        key = date_sort_key(e["effective_date"])
        if start < key <= end:
            dates.add(key)
        if e["type"] in UNTIL_TYPES and e["data"].get("until"):
            after_until = next_day(period_end(e["data"]["until"]))
            if start < after_until <= end:
                dates.add(after_until)
    return sorted(dates)


def _series(
    envs: Sequence[Mapping[str, Any]], start: str, end: str, party: str | None, lifelines: LifelineSampler,
) -> tuple[list[RightBars], dict[tuple[str, str, str], list[InvestmentPoint]], dict[tuple[str, str, str], list[StakePoint]]]:
    """Fold once, in fold order, and sample the state at every change date (see the module doc).

    Lifelines are sampled from the first event on (their periods keep their true first day);
    the other series from the window's start."""
    selected = select_events(envs, as_of=end)
    types = {e["id"]: e["type"] for e in selected}
    folder = Folder()
    rights: dict[str, RightBars] = {}
    investments: dict[tuple[str, str, str], list[InvestmentPoint]] = {}
    stakes: dict[tuple[str, str, str], list[StakePoint]] = {}
    seen_evidence: dict[tuple[str, str], set[str]] = {}
    i = 0
    for day in early_dates(selected, start) + _change_dates(selected, start, end):
        batch = []
        while i < len(selected) and date_sort_key(selected[i]["effective_date"]) <= day:
            batch.append(selected[i])
            i += 1
        folder.apply(batch)
        state: Mapping[str, Any] = folder.result(day)
        if party is not None:
            state = filter_party(state, party)
        lifelines.sample(state, day)
        if day < start:
            continue
        for item in state["rights"]:
            _sample_right(rights, item, day)
        for item in state["stakes"]:
            pair = (item["holder"], item["issuer"])
            seen = seen_evidence.setdefault(pair, set())
            new = [x for x in item["evidence"] if x not in seen]
            seen.update(new)
            _sample_investment(investments, item, day, tuple(x for x in new if types.get(x) == "InvestmentMade"))
            _sample_stake(stakes, item, day, tuple(x for x in new if types.get(x) == "StakeChanged"))
    stop = next_day(end)
    for bars in rights.values():
        last = bars.segments[-1]
        bars.segments[-1] = Segment(last.status, last.start, stop, last.item)
    ordered = sorted(rights.values(), key=lambda b: (b.segments[0].start, b.right))
    return ordered, investments, stakes


def _sample_right(rights: dict[str, RightBars], item: dict[str, Any], day: str) -> None:
    bars = rights.get(item["right"])
    if bars is None:
        bars = rights[item["right"]] = RightBars(item["right"], item["holder"], item["grantor"], item["kind"])
    bars.holder, bars.grantor, bars.kind = item["holder"], item["grantor"], item["kind"]
    if bars.segments and bars.segments[-1].status == item["status"]:
        last = bars.segments[-1]
        bars.segments[-1] = Segment(last.status, last.start, day, item)  # keep the latest details
        return
    if bars.segments:
        last = bars.segments[-1]
        bars.segments[-1] = Segment(last.status, last.start, day, last.item)
    bars.segments.append(Segment(item["status"], day, day, item))


def _sample_investment(out: dict[tuple[str, str, str], list[InvestmentPoint]], item: Mapping[str, Any], day: str,
                       new: tuple[str, ...]) -> None:
    for money in item["invested"]:
        key = (item["holder"], item["issuer"], money["currency"])
        total = Decimal(money["amount"])
        points = out.setdefault(key, [])
        if points and points[-1].total == total:
            continue
        points.append(InvestmentPoint(day, total, bool(money.get("approximate")), new))


def _sample_stake(out: dict[tuple[str, str, str], list[StakePoint]], item: Mapping[str, Any], day: str,
                  new: tuple[str, ...]) -> None:
    stake = item["stake"]
    basis = (stake or {}).get("basis") or "equity"
    pair = (item["holder"], item["issuer"])
    for key, points in out.items():  # a change of basis ends the other basis's line
        if key[:2] == pair and key[2] != basis and points and points[-1].low is not None:
            points.append(StakePoint(day, None, None, False, item["certainty"], ()))
    if stake is None:
        return
    exact = stake.get("exact") is not None
    low = Decimal(stake["exact"] if exact else stake["min"])
    high = Decimal(stake["exact"] if exact else stake["max"])
    points = out.setdefault((*pair, basis), [])
    if points and (points[-1].low, points[-1].high, points[-1].exact) == (low, high, exact):
        return
    points.append(StakePoint(day, low, high, exact, item["certainty"], new))


# -- rendering --------------------------------------------------------------------------------

def _environment() -> Any:
    from jinja2 import Environment, PackageLoader

    from ledger.core.display import money as money_text
    from ledger.report.lifecharts import words

    env = Environment(loader=PackageLoader("ledger.report", "templates"), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["money"] = money_text
    env.filters["words"] = words
    return env


def render(data: ReportData) -> str:
    """The report page for ``data`` as one HTML string."""
    from markupsafe import Markup

    from ledger.report import charts as report_charts
    from ledger.report.palette import STATUS_COLORS, STATUS_TEXT

    try:
        import plotly  # noqa: F401
    except ImportError:
        raise LedgerError("the HTML report needs plotly: pip install 'plotly>=5.20'") from None

    charts = report_charts.build_charts(data)
    template = _environment().get_template("report.html")
    return str(template.render(
        data=data, counts=data.counts, certainties=CERTAINTIES,
        charts={name: {"json": Markup(json), "height": height} for name, (json, height) in charts.items()},
        plotly_js=Markup(report_charts.plotly_js()), plotly_version=report_charts.plotly_version(),
        status_colors=STATUS_COLORS, status_text=STATUS_TEXT,
    ))


def build_report(
    lg: Ledger, out: Path, *, party: str | None = None, date_from: str | None = None, date_to: str | None = None,
    title: str | None = None,
) -> Path:
    """Write the HTML report of ``lg`` to ``out`` (a file path; parent folders are created).

    ``party`` keeps the events and items that involve that party; ``date_from``/``date_to``
    (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) set the window of effective dates drawn (default:
    from the first event that is not a party registration to today or the last event).
    Returns ``out``.
    """
    refuse_database(out, lg.database_file)  # before the work: the ledger's own file is never an output
    data = collect(lg, party=party, date_from=date_from, date_to=date_to, title=title)
    with lg.output_file(out, "w") as fh:
        fh.write(render(data))
    return Path(out)
