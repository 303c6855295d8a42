"""Items with a status over time (partnerships, agreements, legal actions, roles) as lifelines.

A :class:`Lifeline` is one item of a state section seen through time: the periods in which it
had each status, the item as of the window's end, and the events that shaped it (its
``evidence``, each with its source). :class:`LifelineSampler` builds them from the states the
report's single fold produces at every date where something can change
(:func:`ledger.report.build.collect`), so the status a lifeline gives on a day D is, by
construction, the status ``lg.state(as_of=D)`` gives; the tests check exactly that.

Sampling starts at the first event, not at the window's start: a period that began before the
window keeps its true first day (the charts clip it, the tables say it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from events import date_sort_key, next_day, period_end
from ledger.report.model import TimelineEvent, timeline_event
from projections import item_key

LIFELINE_SECTIONS: tuple[str, ...] = ("partnerships", "agreements", "legal_actions", "roles")
"""The sections drawn as lifelines, in page order."""

UNTIL_TYPES = frozenset({"RightGranted", "RightAmended", "PartnershipFormed", "PartnershipAmended"})
"""Event types whose ``until`` ends an item by the calendar (the day after it is a change date)."""

LIFELINE_TYPES = frozenset({"PartnershipFormed", "PartnershipAmended", "PartnershipEnded", "AgreementSigned",
                            "LegalActionFiled", "LegalActionUpdated", "RoleChanged"})
"""The event types that change a lifeline: before the window only their dates are sampled (a
party registered in 1975 adds no fold result)."""


@dataclass(frozen=True)
class Period:
    """The item in one status from ``start`` (inclusive) to ``end`` (exclusive)."""

    status: str
    start: str
    end: str
    since: str
    """When the status took effect as the ledger gives it: the date of the event that set it,
    at that event's precision (``2019-03``), else ``start`` (an ``until`` that passed)."""
    item: dict[str, Any]
    """The item as last sampled within the period (its latest details)."""


@dataclass
class Lifeline:
    section: str
    key: str
    """The item's key as the state names it (``projections.item_key``: ``sam-altman/openai/ceo``)."""
    item: dict[str, Any]
    """The item as of the window's end."""
    periods: list[Period] = field(default_factory=list)
    events: tuple[TimelineEvent, ...] = ()
    """The events that shaped the item (its evidence) in fold order, each with its source."""

    def status_on(self, day: str) -> str | None:
        """The status on ``day`` (a full date), or None before the item existed."""
        found = None
        for p in self.periods:
            if p.start <= day:
                found = p.status
        return found

    def marks(self, start: str, end: str) -> list[TimelineEvent]:
        """The events effective inside the window [start, end]: drawn as marks on the lane."""
        return [e for e in self.events if start <= e.start <= end]


def early_dates(selected: Iterable[Mapping[str, Any]], start: str) -> list[str]:
    """Dates before ``start`` where a lifeline can change (its events, and the day after an ``until``)."""
    dates = set()
    for e in selected:
        if e["type"] not in LIFELINE_TYPES:
            continue
        key = date_sort_key(e["effective_date"])
        if key < start:
            dates.add(key)
        if e["type"] in UNTIL_TYPES and e["data"].get("until"):
            after = next_day(period_end(e["data"]["until"]))
            if after < start:
                dates.add(after)
    return sorted(dates)


class LifelineSampler:
    """Feed it the (party-filtered) state at each change date, in date order; then :meth:`finish`."""

    def __init__(self, sections: tuple[str, ...] = LIFELINE_SECTIONS) -> None:
        self._lines: dict[str, dict[str, Lifeline]] = {name: {} for name in sections}

    def sample(self, state: Mapping[str, Any], day: str) -> None:
        for section, lines in self._lines.items():
            for item in state[section]:
                key = item_key(section, item)
                line = lines.get(key)
                if line is None:
                    line = lines[key] = Lifeline(section, key, item)
                line.item = item
                _extend(line, item, day)

    def finish(self, envs: Iterable[Mapping[str, Any]], marks: Mapping[str, tuple[str, str]],
               stop: str) -> dict[str, list[Lifeline]]:
        """Close the last periods at ``stop`` (the day after the window), attach each item's
        events (with their sources) and order the lifelines for the page."""
        by_id = {e["id"]: e for e in envs}
        out: dict[str, list[Lifeline]] = {}
        for section, lines in self._lines.items():
            for line in lines.values():
                last = line.periods[-1]
                line.periods[-1] = Period(last.status, last.start, stop, last.since, last.item)
                line.events = tuple(timeline_event(by_id[i], marks) for i in line.item["evidence"] if i in by_id)
            out[section] = sorted(lines.values(), key=_order(section))
        return out


def _extend(line: Lifeline, item: dict[str, Any], day: str) -> None:
    status = item["status"]
    if line.periods and line.periods[-1].status == status:
        last = line.periods[-1]
        line.periods[-1] = Period(status, last.start, day, last.since, item)
        return
    if line.periods:
        last = line.periods[-1]
        line.periods[-1] = Period(last.status, last.start, day, last.since, last.item)
    since = item["updated"] if date_sort_key(item["updated"]) == day else day
    line.periods.append(Period(status, day, day, since, item))


def _order(section: str) -> Any:
    """Roles grouped by organization and role (who held it, in turn); others by first day."""
    if section == "roles":
        return lambda ln: (ln.item["organization"], ln.item["role"], ln.periods[0].start, ln.key)
    return lambda ln: (ln.periods[0].start, ln.key)
