"""Handlers for parties, stakes, roles, legal actions and metrics.

Each handler takes the accumulator and one stored event (a plain dict) and mutates the
accumulator in place: no per-event objects, no I/O, no clock, so a fold is fast and
reproducible. Stakes, roles and metrics are keyed by several ids and have no defining
event: their first event creates the item.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from projections._items import Accumulator, Item, define, new_item, touch

Handler = Callable[[Accumulator, Mapping[str, Any]], None]

_CLOSING = frozenset({"dismissed", "withdrawn", "settled", "ruled"})
_REOPENING = frozenset({"appealed", "refiled"})


def party_registered(st: Accumulator, e: Mapping[str, Any]) -> None:
    d = e["data"]
    item = {
        "party": d["party"], "name": d["name"], "kind": d["kind"], "jurisdiction": d.get("jurisdiction"),
        "aliases": list(d.get("aliases") or ()), "controlled_by": None, "summary": None,
    }
    define(st["parties"], d["party"], new_item(e, item))


def party_restructured(st: Accumulator, e: Mapping[str, Any]) -> None:
    """Kind, name and control change when given; ``summary`` keeps the latest restructuring's text."""
    d = e["data"]
    item = st["parties"].get(d["party"])
    if item is None:
        return
    for name in ("kind", "name", "controlled_by"):
        value = d.get(name)
        if value is not None:
            item[name] = value
    item["summary"] = d.get("summary")
    touch(item, e)


def _stake(st: Accumulator, e: Mapping[str, Any], holder: str, issuer: str) -> Item:
    """The stake item of (holder, issuer), created by the first event that names the pair."""
    stakes = st["stakes"]
    key = (holder, issuer)
    item = stakes.get(key)
    if item is None:
        # ``invested`` holds {currency: [Decimal total, approximate]} until the result renders it.
        item = stakes[key] = new_item(e, {"holder": holder, "issuer": issuer, "stake": None, "invested": {}})
    else:
        touch(item, e)
    return item


def investment_made(st: Accumulator, e: Mapping[str, Any]) -> None:
    """Sum the money per currency with exact decimals; an approximate figure marks its currency's total."""
    d = e["data"]
    money = d["money"]
    invested = _stake(st, e, d["investor"], d["investee"])["invested"]
    entry = invested.get(money["currency"])
    amount = Decimal(money["amount"])
    approximate = money.get("approximate") is True
    if entry is None:
        invested[money["currency"]] = [amount, approximate]
    else:
        entry[0] += amount
        entry[1] = entry[1] or approximate


def stake_changed(st: Accumulator, e: Mapping[str, Any]) -> None:
    """A stake is absolute: the latest one replaces the previous (``{"exact": "0"}`` disposes)."""
    d = e["data"]
    _stake(st, e, d["holder"], d["issuer"])["stake"] = dict(d["stake"])


def render_stake(item: Item, as_of: str) -> None:
    """Turn the internal per-currency totals into the documented ``invested`` list, sorted by currency."""
    item["invested"] = _invested(item["invested"], _decimal_text)


def _decimal_text(total: Any) -> str:
    return format(total, "f")


_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?", re.ASCII)
"""A total as ``Folder.to_data`` stores it: ``format(total, "f")`` of a finite Decimal."""


def render_stored_stake(item: Item) -> None:
    """:func:`render_stake` of a stake as a checkpoint stores it (totals as ``[text, approximate]``),
    without the Decimal round trip: ``format(Decimal(t), "f") == t`` for every text ``to_data``
    writes, and a stored total that is not one is a ``ValueError`` (an edited checkpoint)."""
    item["invested"] = _invested(item["invested"], _stored_text)


def _stored_text(total: Any) -> str:
    if type(total) is not str or not _AMOUNT.fullmatch(total):
        raise ValueError(f"a stored total {str(total)[:40]!r} is not a decimal")
    return total


def _invested(totals: dict[str, Any], amount: Callable[[Any], str]) -> list[dict[str, Any]]:
    """The documented ``invested`` list of per-currency ``(total, approximate)``, sorted by currency,
    each total written by ``amount``."""
    invested = []
    for currency, (total, approximate) in (totals.items() if len(totals) < 2 else sorted(totals.items())):
        entry: dict[str, Any] = {"amount": amount(total), "currency": currency}
        if approximate:
            entry["approximate"] = True
        invested.append(entry)
    return invested


def role_changed(st: Accumulator, e: Mapping[str, Any]) -> None:
    """Appointment activates the role, removal or resignation ends it (even if nobody held it before)."""
    d = e["data"]
    roles = st["roles"]
    change = d["change"]
    key = (d["person"], d["organization"], d["role"])
    status = "active" if change == "appointed" else "ended"
    item = roles.get(key)
    if item is None:
        body = {"person": key[0], "organization": key[1], "role": key[2], "status": status, "change": change}
        roles[key] = new_item(e, body)
        return
    item["status"] = status
    item["change"] = change
    touch(item, e)


def legal_action_filed(st: Accumulator, e: Mapping[str, Any]) -> None:
    d = e["data"]
    item = {
        "case": d["case"], "kind": d["kind"], "plaintiffs": list(d["plaintiffs"]),
        "defendants": list(d["defendants"]), "court": d.get("court"), "claim": d["claim"],
        "status": "open", "last_update": None, "summary": None,
    }
    define(st["legal_actions"], d["case"], new_item(e, item))


def legal_action_updated(st: Accumulator, e: Mapping[str, Any]) -> None:
    """Dismissal, withdrawal, settlement or ruling close a case; appeal or refiling reopen it."""
    d = e["data"]
    item = st["legal_actions"].get(d["case"])
    if item is None:
        return
    word = d["status"]
    _extend_unique(item["plaintiffs"], d.get("add_plaintiffs"))
    _extend_unique(item["defendants"], d.get("add_defendants"))
    if word in _CLOSING:
        item["status"] = "closed"
    elif word in _REOPENING:
        item["status"] = "open"
    item["last_update"] = word
    item["summary"] = d["summary"]
    touch(item, e)


def _extend_unique(target: list[str], extra: list[str] | None) -> None:
    for value in extra or ():
        if value not in target:
            target.append(value)


def metric_reported(st: Accumulator, e: Mapping[str, Any]) -> None:
    """The latest report (in fold order) for (party, metric, period) gives value and unit."""
    d = e["data"]
    metrics = st["metrics"]
    key = (d["party"], d["metric"], d["period"])
    item = metrics.get(key)
    if item is None:
        body = {"party": key[0], "metric": key[1], "period": key[2], "value": d["value"], "unit": d["unit"]}
        metrics[key] = new_item(e, body)
        return
    item["value"] = d["value"]
    item["unit"] = d["unit"]
    touch(item, e)


STAKE_TYPES: tuple[str, ...] = ("InvestmentMade", "StakeChanged")
"""The event types that write stakes: only they write that section, and it is all they write. So
the selected events of these types, folded alone, give the stakes section, and the other selected
events every other section, each as a fold of all of them gives it (a property test checks it):
a whole-ledger fold splits so across two processes (:mod:`ledger.read.split`)."""

HANDLERS: dict[str, Handler] = {
    "PartyRegistered": party_registered,
    "PartyRestructured": party_restructured,
    "InvestmentMade": investment_made,
    "StakeChanged": stake_changed,
    "RoleChanged": role_changed,
    "LegalActionFiled": legal_action_filed,
    "LegalActionUpdated": legal_action_updated,
    "MetricReported": metric_reported,
}
