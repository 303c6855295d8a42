"""What the HTML report shows, as plain data: timeline events, right bars, investment and
stake points, and the one-line summaries of events. Built by :func:`ledger.report.build.collect`,
drawn by :mod:`ledger.report.charts` and the page template."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from events import CERTAINTY_RANK, check_date, date_sort_key, period_end, withdrawal
from ledger.core.display import money as money_text
from ledger.core.display import stake as stake_text
from ledger.errors import bad_argument

_SAFE_URL = re.compile(r"^https?://", re.IGNORECASE)

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
    read_at: str | None = None
    """The source's ``retrieved_from`` (the copy actually read) when it is http(s): linked as
    "original URL (read at retrieved_from)"; other schemes stay text."""
    data: dict[str, Any] = field(default_factory=dict, repr=False)
    """The event's payload (what the lifeline charts read a mark's kind from)."""

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
    lifelines: dict[str, list[Any]] = field(default_factory=dict)
    """Section -> its :class:`ledger.report.lifelines.Lifeline` s (partnerships, agreements,
    legal actions, roles), each with its status periods and sourced events."""

    @property
    def counts(self) -> dict[str, int]:
        out = {"shown": len(self.events), "corrected": 0, "retracted": 0}
        for e in self.events:
            if e.status != "live":
                out[e.status] += 1
        return out


# -- building the data ------------------------------------------------------------------------

def check_window_date(name: str, value: str | date | None) -> str | None:
    """A window bound in the date grammar of the catalog (one grammar: :func:`events.check_date`)."""
    if value is None:
        return None
    try:
        return check_date(value)
    except ValueError:
        raise bad_argument(name, f"{str(value)[:40]!r} is not a date YYYY, YYYY-MM or YYYY-MM-DD") from None


def supersession_marks(envs: Iterable[Mapping[str, Any]]) -> dict[str, tuple[str, str]]:
    """Event id -> (``corrected``/``retracted``, id of the event that did it), as of the head."""
    marks: dict[str, tuple[str, str]] = {}
    for e in envs:
        found = withdrawal(e)
        if found is not None:
            marks[found.target] = (found.action, e["id"])
    return marks


def _fields(d: Mapping[str, Any], skip: tuple[str, ...]) -> str:
    parts = []
    for k, v in d.items():
        if k in skip:
            continue
        if isinstance(v, Mapping) and "amount" in v:
            v = money_text(v)
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
        valuation = f", post-money {money_text(d['post_money_valuation'])}" if d.get("post_money_valuation") else ""
        return f"{d['investor']} → {d['investee']}: {money_text(d['money'])}{' (' + extra + ')' if extra else ''}{valuation}"
    if t == "StakeChanged":
        return f"{d['holder']} holds {stake_text(d['stake'])} of {d['issuer']}"
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
        paid = f", {money_text(d['money'])}" if d.get("money") else ""
        return f"{d['partnership']}: {' + '.join(d['parties'])} ({d['kind'].replace('_', ' ')}{paid}) — {d['summary']}"
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


def safe_url(url: Any) -> str | None:
    """``url`` when it may become a link (http or https), else None."""
    return url if isinstance(url, str) and _SAFE_URL.match(url) else None


def timeline_event(env: Mapping[str, Any], marks: Mapping[str, tuple[str, str]]) -> TimelineEvent:
    source = dict(env.get("source") or {})
    url = source.get("url")
    status, by = marks.get(env["id"], ("live", None))
    effective = env["effective_date"]
    return TimelineEvent(
        id=env["id"], position=env["position"], type=env["type"], stream=env["stream"], certainty=env["certainty"],
        effective=effective, start=date_sort_key(effective), end=period_end(effective), summary=summarize(env),
        source=source, href=safe_url(url), read_at=safe_url(source.get("retrieved_from")),
        status=status, superseded_by=by, corrects=env.get("corrects"), data=dict(env.get("data") or {}),
    )


def default_window(envs: Sequence[Mapping[str, Any]], today: str) -> tuple[str, str]:
    """From the first event that is not a party registration (a company founded decades before
    the alliance would stretch the axis; its registration still counts in the fold), to today
    or the last effective period, whichever is later."""
    if not envs:
        return today, today
    starts = [date_sort_key(e["effective_date"]) for e in envs if e["type"] != "PartyRegistered"]
    start = min(starts) if starts else min(date_sort_key(e["effective_date"]) for e in envs)
    end = max([today, *(period_end(e["effective_date"]) for e in envs)])
    return start, end


