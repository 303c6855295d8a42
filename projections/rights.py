"""Handlers for rights, conditions and partnerships: the items with a lifecycle and an end date.

Two kinds of ending happen here. Events end things on their own date (RightEnded,
PartnershipEnded, ConditionMet for ``ends_when``). ``until`` ends things by the calendar, which
depends on the query date, so it is settled only when the result is produced
(:func:`settle_until`), comparing dates so that whichever ending comes first wins.

A right can name a condition (``ends_when``/``restricted_when``) that is met later, or that
was met already; ``_watch`` indexes rights by condition so a ConditionMet only visits the
rights that name it, and ``_met`` remembers met conditions for rights granted afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from events import date_sort_key, period_end
from projections._items import Accumulator, Item, amend, define, new_item, touch
from projections.entities import Handler

_RIGHT_AMENDABLE = ("kind", "scope", "until", "ends_when", "restricted_when", "terms")
_PARTNERSHIP_AMENDABLE = ("kind", "money", "until", "terms", "summary")


def right_granted(st: Accumulator, e: Mapping[str, Any]) -> None:
    d = e["data"]
    item = {
        "right": d["right"], "holder": d["holder"], "grantor": d["grantor"], "kind": d["kind"],
        "scope": d["scope"], "status": "active", "until": d.get("until"), "ends_when": d.get("ends_when"),
        "restricted_when": d.get("restricted_when"), "terms": dict(d.get("terms") or {}),
        "reason": None, "ended_by": None, "ended_on": None,
    }
    define(st["rights"], d["right"], new_item(e, item))
    _watch_conditions(st, item, d, e)


def right_amended(st: Accumulator, e: Mapping[str, Any]) -> None:
    """Present keys set (``None`` clears), absent keys stay; an ended right keeps its status."""
    d = e["data"]
    item = st["rights"].get(d["right"])
    if item is None:
        return
    amend(item, d, _RIGHT_AMENDABLE)
    touch(item, e)
    _watch_conditions(st, item, d, e)


def _watch_conditions(st: Accumulator, item: Item, d: Mapping[str, Any], e: Mapping[str, Any]) -> None:
    """Index the conditions this event makes the right depend on; apply those already met, as of now."""
    met = st["_met"]
    watch = st["_watch"]
    for field in ("ends_when", "restricted_when"):
        condition = d.get(field)
        if condition is None:
            continue
        watch.setdefault(condition, {})[item["right"]] = None
        if condition in met:
            _on_condition(item, condition, e["effective_date"])


def _on_condition(item: Item, condition: str, date: str) -> bool:
    """End or restrict a right because ``condition`` is met on ``date``; True when the status changed."""
    status = item["status"]
    if status == "ended":
        return False
    if item["ends_when"] == condition:
        item["status"] = "ended"
        item["ended_by"] = "condition"
        item["ended_on"] = date
        return True
    if item["restricted_when"] == condition and status == "active":
        item["status"] = "restricted"
        return True
    return False


def right_restricted(st: Accumulator, e: Mapping[str, Any]) -> None:
    """Restriction applies to an active or restricted right; an ended right stays ended."""
    d = e["data"]
    item = st["rights"].get(d["right"])
    if item is None:
        return
    if item["status"] != "ended":
        item["status"] = "restricted"
        item["reason"] = d["reason"]
    touch(item, e)


def right_ended(st: Accumulator, e: Mapping[str, Any]) -> None:
    _end(st["rights"].get(e["data"]["right"]), e)


def _end(item: Item | None, e: Mapping[str, Any]) -> None:
    """End an item by event; the first ending wins (a later one is evidence, not a new end date)."""
    if item is None:
        return
    if item["status"] != "ended":
        item["status"] = "ended"
        item["reason"] = e["data"]["reason"]
        item["ended_by"] = "event"
        item["ended_on"] = e["effective_date"]
    touch(item, e)


def condition_defined(st: Accumulator, e: Mapping[str, Any]) -> None:
    d = e["data"]
    item = {
        "condition": d["condition"], "description": d["description"], "verified_by": d.get("verified_by"),
        "status": "defined", "met_on": None,
    }
    define(st["conditions"], d["condition"], new_item(e, item))


def condition_met(st: Accumulator, e: Mapping[str, Any]) -> None:
    """Mark the condition met (first date wins) and end/restrict the rights that name it."""
    name = e["data"]["condition"]
    item = st["conditions"].get(name)
    if item is None:
        return
    date = e["effective_date"]
    if item["status"] != "met":
        item["status"] = "met"
        item["met_on"] = date
        st["_met"][name] = date
    touch(item, e)
    rights = st["rights"]
    for right in st["_watch"].get(name, ()):
        target = rights.get(right)
        if target is not None and _on_condition(target, name, date):
            touch(target, e)


def partnership_formed(st: Accumulator, e: Mapping[str, Any]) -> None:
    d = e["data"]
    item = {
        "partnership": d["partnership"], "parties": list(d["parties"]), "kind": d["kind"],
        "money": d.get("money"), "until": d.get("until"), "terms": dict(d.get("terms") or {}),
        "summary": d.get("summary"), "status": "active", "reason": None, "ended_by": None, "ended_on": None,
    }
    define(st["partnerships"], d["partnership"], new_item(e, item))


def partnership_amended(st: Accumulator, e: Mapping[str, Any]) -> None:
    item = st["partnerships"].get(e["data"]["partnership"])
    if item is None:
        return
    amend(item, e["data"], _PARTNERSHIP_AMENDABLE)
    touch(item, e)


def partnership_ended(st: Accumulator, e: Mapping[str, Any]) -> None:
    _end(st["partnerships"].get(e["data"]["partnership"]), e)


def settle_until(item: Item, as_of: str) -> None:
    """End an item whose ``until`` (inclusive, end of its period) lies before ``as_of``.

    An earlier ending (by event or condition, on or before the until date) is kept: whichever
    comes first wins. The accumulator is never changed here, only the copy being output, so
    the same accumulator can answer several query dates.
    """
    until = item["until"]
    if until is None:
        return
    end = until if len(until) == 10 else period_end(until)
    if end >= as_of:
        return
    if item["status"] == "ended" and date_sort_key(item["ended_on"]) <= end:
        return
    item["status"] = "ended"
    item["ended_by"] = "until"
    item["ended_on"] = end


HANDLERS: dict[str, Handler] = {
    "RightGranted": right_granted,
    "RightAmended": right_amended,
    "RightRestricted": right_restricted,
    "RightEnded": right_ended,
    "ConditionDefined": condition_defined,
    "ConditionMet": condition_met,
    "PartnershipFormed": partnership_formed,
    "PartnershipAmended": partnership_amended,
    "PartnershipEnded": partnership_ended,
}
