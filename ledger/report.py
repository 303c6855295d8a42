"""A self-contained HTML report of a ledger: events by stream, stakes and investment, rights by status.

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
- a table of every event drawn, with its source (link, title, publisher) and what superseded it.

Charts use **plotly** (the ``plotly`` package from PyPI). Why plotly rather than matplotlib SVG
or Vega: a ledger's timeline is dense (many events on the same days, decades wide), so the
reader needs hover details, zoom and click-through to sources, which plotly gives without any
hand-written drawing code; plotly's Python side is pure Python (its only dependencies are
``narwhals`` and ``packaging``: no numpy), and ``plotly.offline.get_plotlyjs()`` ships the
JavaScript inside the package, so the page inlines it once and works offline. The cost is the
page size: plotly.js is about 4.8 MB, inlined once whatever the ledger size. The event table is
plain HTML, so every source stays readable and linked even with JavaScript off.

Everything here reads the ledger through the public API (``lg.events()``, ``lg.store.head()``)
and derives the series with the pure fold (:class:`projections.Folder`, fed in fold order and
asked for the state at every date where something can change: each event's effective date and
the day after each ``until``), i.e. exactly what ``lg.state(as_of=D)`` would say at each date D.

All user text is escaped: the page template runs with Jinja2 autoescape, chart text is
HTML-escaped before plotly sees it, and chart JSON is embedded with ``<``, ``>`` and ``&``
written as ``\\u`` escapes, so event data can never close a ``<script>`` element. Only
``http(s)`` source URLs become links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from events import CERTAINTY_RANK, date_sort_key, period_end
from ledger.errors import LedgerError, Problem, ValidationError
from projections import Folder, filter_party, select_events

if TYPE_CHECKING:
    from ledger.api import Ledger

__all__ = ["ReportData", "build_report", "collect"]

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_SAFE_URL = re.compile(r"^https?://", re.IGNORECASE)
_UNTIL_TYPES = frozenset({"RightGranted", "RightAmended", "PartnershipFormed", "PartnershipAmended"})

CERTAINTIES: tuple[str, ...] = tuple(CERTAINTY_RANK)


# -- the data the page shows ------------------------------------------------------------------

@dataclass(frozen=True)
class TimelineEvent:
    """One stored event as drawn: where it sits (``start``), the period it covers, its status."""

    id: str
    position: int
    type: str
    stream: str
    certainty: str
    effective: str
    """The effective date as recorded: ``2021``, ``2021-05`` or ``2021-05-14``."""
    start: str
    """First day of the effective period: where the mark is placed (the fold order)."""
    end: str
    """Last day of the effective period (equal to ``start`` for a full date)."""
    summary: str
    source: dict[str, Any]
    href: str | None
    """The source URL when it is http(s); other schemes are shown as text, never linked."""
    status: str
    """``live``, ``corrected`` or ``retracted``."""
    superseded_by: str | None
    corrects: str | None

    @property
    def precision(self) -> str:
        return {4: "year", 7: "month"}.get(len(self.effective), "day")


@dataclass(frozen=True)
class Segment:
    """A right in one status from ``start`` (inclusive) to ``end`` (exclusive)."""

    status: str
    start: str
    end: str
    item: dict[str, Any]


@dataclass
class RightBars:
    right: str
    holder: str
    grantor: str
    kind: str
    segments: list[Segment] = field(default_factory=list)


@dataclass(frozen=True)
class InvestmentPoint:
    date: str
    total: Decimal
    approximate: bool
    events: tuple[str, ...]
    """Ids of the investments that made the total change on this date."""


@dataclass(frozen=True)
class StakePoint:
    date: str
    low: Decimal | None
    """``None`` while no stake (or a stake of another basis) is known."""
    high: Decimal | None
    exact: bool
    certainty: str
    events: tuple[str, ...]


@dataclass
class ReportData:
    """Everything the page shows, computed from the ledger; the template only lays it out."""

    title: str
    head_position: int
    head_hash: str
    head_recorded_at: str | None
    start: str
    end: str
    date_from: str | None
    date_to: str | None
    party: str | None
    ledger_events: int
    events: list[TimelineEvent]
    streams: list[str]
    before_window: int
    after_window: int
    rights: list[RightBars]
    investments: dict[tuple[str, str, str], list[InvestmentPoint]]
    """(investor, investee, currency) -> the cumulative total at each date it changed."""
    stakes: dict[tuple[str, str, str], list[StakePoint]]
    """(holder, issuer, basis) -> the stake at each date it changed (gaps as ``None``)."""
    event_index: dict[str, TimelineEvent]

    @property
    def counts(self) -> dict[str, int]:
        out = {"shown": len(self.events), "corrected": 0, "retracted": 0}
        for e in self.events:
            if e.status != "live":
                out[e.status] += 1
        return out


# -- building the data ------------------------------------------------------------------------

def _check_date(name: str, value: str | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    match = _DATE_RE.match(value) if isinstance(value, str) else None
    if match:
        try:
            date(int(match[1]), int(match[2] or 1), int(match[3] or 1))
            return value
        except ValueError:
            pass
    raise ValidationError([Problem(None, None, name, f"{value!r} is not a date YYYY, YYYY-MM or YYYY-MM-DD")])


def _next_day(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def _supersessions(envs: Iterable[Mapping[str, Any]]) -> dict[str, tuple[str, str]]:
    """Event id -> (``corrected``/``retracted``, id of the event that did it), as of the head."""
    marks: dict[str, tuple[str, str]] = {}
    for e in envs:
        if e.get("corrects") is not None:
            marks[e["corrects"]] = ("corrected", e["id"])
        if e["type"] == "EventRetracted":
            marks[e["data"]["target"]] = ("retracted", e["id"])
    return marks


def _money(m: Mapping[str, Any] | None) -> str:
    if not m:
        return ""
    amount = Decimal(str(m["amount"]))
    return f"{'~' if m.get('approximate') else ''}{amount:,} {m['currency']}"


def _stake(s: Mapping[str, Any] | None) -> str:
    if not s:
        return "no stake"
    pct = f"{s['exact']}%" if s.get("exact") is not None else f"{s.get('min')}–{s.get('max')}%"
    basis = s.get("basis") or "equity"
    return pct if basis == "equity" else f"{pct} ({basis.replace('_', ' ')})"


def _fields(d: Mapping[str, Any], skip: tuple[str, ...]) -> str:
    parts = []
    for k, v in d.items():
        if k in skip:
            continue
        if isinstance(v, Mapping) and "amount" in v:
            v = _money(v)
        elif isinstance(v, list):
            v = ", ".join(map(str, v))
        elif isinstance(v, Mapping):
            v = ", ".join(f"{a}={b}" for a, b in v.items())
        parts.append(f"{k.replace('_', ' ')}: {'cleared' if v is None else v}")
    return "; ".join(parts)


def summarize(env: Mapping[str, Any]) -> str:
    """One line a person can read for an event (plain text: the caller escapes it)."""
    try:
        return _summary(env["type"], env["data"])
    except (KeyError, TypeError, AttributeError):  # a shape this code does not know: list its fields
        return _fields(env["data"], ())


def _summary(t: str, d: Mapping[str, Any]) -> str:
    if t == "PartyRegistered":
        return f"{d['party']} registered: {d['name']} ({d['kind'].replace('_', ' ')})"
    if t == "PartyRestructured":
        extra = _fields(d, ("party", "summary"))
        return f"{d['party']} restructured{' (' + extra + ')' if extra else ''}: {d['summary']}"
    if t == "InvestmentMade":
        extra = ", ".join(x for x in (d.get("instrument"), d.get("round")) if x)
        valuation = f", post-money {_money(d['post_money_valuation'])}" if d.get("post_money_valuation") else ""
        return f"{d['investor']} → {d['investee']}: {_money(d['money'])}{' (' + extra + ')' if extra else ''}{valuation}"
    if t == "StakeChanged":
        return f"{d['holder']} holds {_stake(d['stake'])} of {d['issuer']}"
    if t == "RightGranted":
        ends = "".join(f"; {k.replace('_', ' ')} {d[k]}" for k in ("until", "ends_when", "restricted_when") if d.get(k))
        return f"{d['right']}: {d['grantor']} grants {d['holder']} {d['kind'].replace('_', ' ')} — {d['scope']}{ends}"
    if t in ("RightAmended", "PartnershipAmended"):
        key = "right" if t == "RightAmended" else "partnership"
        return f"{d[key]} amended: {_fields(d, (key,))}"
    if t in ("RightRestricted", "RightEnded", "PartnershipEnded"):
        key = "partnership" if t == "PartnershipEnded" else "right"
        verb = "restricted" if t == "RightRestricted" else "ended"
        return f"{d[key]} {verb}: {d['reason']}"
    if t == "ConditionDefined":
        return f"condition {d['condition']}: {d['description']}"
    if t == "ConditionMet":
        return f"condition {d['condition']} met"
    if t == "PartnershipFormed":
        money = f", {_money(d['money'])}" if d.get("money") else ""
        return f"{d['partnership']}: {' + '.join(d['parties'])} ({d['kind'].replace('_', ' ')}{money}) — {d['summary']}"
    if t == "AgreementSigned":
        sup = f"; supersedes {', '.join(d['supersedes'])}" if d.get("supersedes") else ""
        return f"{d['agreement']}: {d['title']} ({', '.join(d['parties'])}; {'binding' if d['binding'] else 'non-binding'}{sup})"
    if t == "NegotiationOpened":
        return f"{d['negotiation']} opened ({', '.join(d['parties'])}): {d['topic']}"
    if t == "NegotiationConcluded":
        return f"{d['negotiation']} {d['outcome']}" + (f" → {d['agreement']}" if d.get("agreement") else "")
    if t == "RoleChanged":
        return f"{d['person']} {d['change']} as {d['role']} of {d['organization']}"
    if t == "LegalActionFiled":
        return f"{d['case']}: {', '.join(d['plaintiffs'])} v. {', '.join(d['defendants'])} — {d['claim']}"
    if t == "LegalActionUpdated":
        return f"{d['case']} {d['status']}: {d['summary']}"
    if t == "MetricReported":
        return f"{d['party']} {d['metric']} {d['period']}: {d['value']} {d['unit']}"
    if t == "EventRetracted":
        return f"retracts {d['target']}: {d['reason']}"
    return _fields(d, ())


def _timeline_event(env: Mapping[str, Any], marks: Mapping[str, tuple[str, str]]) -> TimelineEvent:
    source = dict(env.get("source") or {})
    url = source.get("url")
    status, by = marks.get(env["id"], ("live", None))
    effective = env["effective_date"]
    return TimelineEvent(
        id=env["id"], position=env["position"], type=env["type"], stream=env["stream"], certainty=env["certainty"],
        effective=effective, start=date_sort_key(effective), end=period_end(effective), summary=summarize(env),
        source=source, href=url if isinstance(url, str) and _SAFE_URL.match(url) else None,
        status=status, superseded_by=by, corrects=env.get("corrects"),
    )


def _default_window(envs: Sequence[Mapping[str, Any]], today: str) -> tuple[str, str]:
    """From the first event that is not a party registration (a company founded decades before
    the alliance would stretch the axis; its registration still counts in the fold), to today
    or the last effective period, whichever is later."""
    if not envs:
        return today, today
    starts = [date_sort_key(e["effective_date"]) for e in envs if e["type"] != "PartyRegistered"]
    start = min(starts) if starts else min(date_sort_key(e["effective_date"]) for e in envs)
    end = max([today, *(period_end(e["effective_date"]) for e in envs)])
    return start, end


def collect(
    lg: Ledger, *, party: str | None = None, date_from: str | date | None = None, date_to: str | date | None = None,
    title: str | None = None, today: str | None = None,
) -> ReportData:
    """Read the ledger at its head and compute what the report shows (no HTML here).

    ``date_from``/``date_to`` take ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a partial ``date_to``
    means the end of its period). Events before the window still count in the charts' state;
    the timeline and table show the events whose effective period overlaps the window.
    """
    date_from = _check_date("date_from", date_from)
    date_to = _check_date("date_to", date_to)
    today = today or datetime.now(UTC).date().isoformat()
    head_position, head_hash, head_recorded_at = lg.store.head()
    envs = list(lg.events())
    shown_ids = {e["id"] for e in lg.events(party=party)} if party is not None else None
    shown = envs if shown_ids is None else [e for e in envs if e["id"] in shown_ids]

    default_start, default_end = _default_window(shown or envs, today)
    start = date_sort_key(date_from) if date_from else default_start
    end = period_end(date_to) if date_to else default_end
    if end < start:
        raise ValidationError([Problem(None, None, "date_to", f"the window ends ({end}) before it starts ({start})")])

    marks = _supersessions(envs)
    drawn, before, after = [], 0, 0
    for env in shown:
        ev = _timeline_event(env, marks)
        if ev.end < start:
            before += 1
        elif ev.start > end:
            after += 1
        else:
            drawn.append(ev)
    drawn.sort(key=lambda e: (e.start, e.position))
    streams = sorted({e.stream for e in drawn})

    rights, investments, stakes = _series(envs, start, end, party)
    return ReportData(
        title=title or ("Alliance ledger report" + (f": {party}" if party else "")),
        head_position=head_position, head_hash=head_hash, head_recorded_at=head_recorded_at,
        start=start, end=end, date_from=date_from, date_to=date_to, party=party, ledger_events=len(envs),
        events=drawn, streams=streams, before_window=before, after_window=after,
        rights=rights, investments=investments, stakes=stakes, event_index={e.id: e for e in drawn},
    )


def _change_dates(selected: list[Mapping[str, Any]], start: str, end: str) -> list[str]:
    """Dates in (start, end] where the state can change, plus ``start`` itself."""
    dates = {start}
    for e in selected:
        key = date_sort_key(e["effective_date"])
        if start < key <= end:
            dates.add(key)
        if e["type"] in _UNTIL_TYPES and e["data"].get("until"):
            after_until = _next_day(period_end(e["data"]["until"]))
            if start < after_until <= end:
                dates.add(after_until)
    return sorted(dates)


def _series(
    envs: Sequence[Mapping[str, Any]], start: str, end: str, party: str | None,
) -> tuple[list[RightBars], dict[tuple[str, str, str], list[InvestmentPoint]], dict[tuple[str, str, str], list[StakePoint]]]:
    """Fold once, in fold order, and sample the state at every change date (see the module doc)."""
    selected = select_events(envs, as_of=end)
    types = {e["id"]: e["type"] for e in selected}
    folder = Folder()
    rights: dict[str, RightBars] = {}
    investments: dict[tuple[str, str, str], list[InvestmentPoint]] = {}
    stakes: dict[tuple[str, str, str], list[StakePoint]] = {}
    seen_evidence: dict[tuple[str, str], set[str]] = {}
    i = 0
    for day in _change_dates(selected, start, end):
        batch = []
        while i < len(selected) and date_sort_key(selected[i]["effective_date"]) <= day:
            batch.append(selected[i])
            i += 1
        folder.apply(batch)
        state: Mapping[str, Any] = folder.result(day)
        if party is not None:
            state = filter_party(state, party)
        for item in state["rights"]:
            _sample_right(rights, item, day)
        for item in state["stakes"]:
            pair = (item["holder"], item["issuer"])
            seen = seen_evidence.setdefault(pair, set())
            new = [x for x in item["evidence"] if x not in seen]
            seen.update(new)
            _sample_investment(investments, item, day, tuple(x for x in new if types.get(x) == "InvestmentMade"))
            _sample_stake(stakes, item, day, tuple(x for x in new if types.get(x) == "StakeChanged"))
    stop = _next_day(end)
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

    env = Environment(loader=PackageLoader("ledger", "templates"), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    return env


def render(data: ReportData) -> str:
    """The report page for ``data`` as one HTML string."""
    from markupsafe import Markup

    from ledger import report_charts

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
        status_colors=report_charts.STATUS_COLORS,
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
    data = collect(lg, party=party, date_from=date_from, date_to=date_to, title=title)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(data), encoding="utf-8")
    return out
