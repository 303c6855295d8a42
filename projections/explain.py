"""Explain one item of the state: the events that produced it, and those that no longer count.

An analyst asking "why does the state say this?" needs the live events behind the value (in
the order they were folded) and the corrected or retracted ones that once said otherwise,
with the event that withdrew each, so an audit never has to guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from events import CERTAINTY_RANK, date_sort_key
from projections.fold import fold
from projections.sections import key_tuple, parse_key
from projections.select import check_query

Event = Mapping[str, Any]

_DIRECT: dict[str, tuple[str, tuple[str, ...]]] = {
    "PartyRegistered": ("parties", ("party",)),
    "PartyRestructured": ("parties", ("party",)),
    "InvestmentMade": ("stakes", ("investor", "investee")),
    "StakeChanged": ("stakes", ("holder", "issuer")),
    "RightGranted": ("rights", ("right",)),
    "RightAmended": ("rights", ("right",)),
    "RightRestricted": ("rights", ("right",)),
    "RightEnded": ("rights", ("right",)),
    "ConditionDefined": ("conditions", ("condition",)),
    "ConditionMet": ("conditions", ("condition",)),
    "PartnershipFormed": ("partnerships", ("partnership",)),
    "PartnershipAmended": ("partnerships", ("partnership",)),
    "PartnershipEnded": ("partnerships", ("partnership",)),
    "AgreementSigned": ("agreements", ("agreement",)),
    "NegotiationOpened": ("negotiations", ("negotiation",)),
    "NegotiationConcluded": ("negotiations", ("negotiation",)),
    "RoleChanged": ("roles", ("person", "organization", "role")),
    "LegalActionFiled": ("legal_actions", ("case",)),
    "LegalActionUpdated": ("legal_actions", ("case",)),
    "MetricReported": ("metrics", ("party", "metric", "period")),
}
"""Event type -> (section, data fields giving the item key) of the item the event is about."""


def _is_about(e: Event, section: str, key: tuple[str, ...], conditions: set[str]) -> bool:
    """Whether ``e`` would touch the item if it were live (directly, by supersession, or by a condition)."""
    target = _DIRECT.get(e["type"])
    if target is None:
        return False
    data = e["data"]
    if target[0] == section and tuple(data[name] for name in target[1]) == key:
        return True
    if section == "agreements" and e["type"] == "AgreementSigned":
        return key[0] in (data.get("supersedes") or ())
    return section == "rights" and e["type"] == "ConditionMet" and data["condition"] in conditions


def _right_conditions(events: list[Event], right: str) -> set[str]:
    """Every condition the right was ever made to depend on, by live or withdrawn events."""
    names: set[str] = set()
    for e in events:
        if e["type"] in ("RightGranted", "RightAmended") and e["data"]["right"] == right:
            for field in ("ends_when", "restricted_when"):
                if e["data"].get(field) is not None:
                    names.add(e["data"][field])
    return names


def _withdrawers(events: list[Event]) -> dict[str, list[dict[str, str]]]:
    """Removed event id -> the events that corrected or retracted it, in recording order."""
    by: dict[str, list[dict[str, str]]] = {}
    for e in sorted(events, key=lambda event: event["position"]):
        if e.get("corrects") is not None:
            by.setdefault(e["corrects"], []).append({"id": e["id"], "action": "corrected"})
        if e["type"] == "EventRetracted":
            by.setdefault(e["data"]["target"], []).append({"id": e["id"], "action": "retracted"})
    return by


def _superseded(
    known: list[Event], section: str, key: tuple[str, ...], as_of: str, min_certainty: str
) -> list[dict[str, Any]]:
    """Withdrawn events about the item that would otherwise have been folded for this query."""
    by = _withdrawers(known)
    conditions = _right_conditions(known, key[0]) if section == "rights" else set()
    floor = CERTAINTY_RANK[min_certainty]
    out = []
    for e in sorted(known, key=lambda event: event["position"]):
        if e["id"] not in by or date_sort_key(e["effective_date"]) > as_of:
            continue
        if CERTAINTY_RANK[e["certainty"]] >= floor and _is_about(e, section, key, conditions):
            out.append({"event": dict(e), "by": by[e["id"]]})
    return out


def explain_item(
    events: Iterable[Event],
    *,
    section: str,
    key: str,
    as_of: str,
    known_at: int | None = None,
    min_certainty: str = "rumored",
) -> dict[str, Any]:
    """The item ``key`` of ``section`` (or None), its events in fold order, and its withdrawn events.

    ``events`` are the full stored events behind the item's ``evidence``; ``superseded`` lists
    ``{"event": stored event, "by": [{"id", "action": "corrected"|"retracted"}]}`` in recording
    order, for withdrawn events dated up to ``as_of`` and at least ``min_certainty``.
    """
    check_query(as_of, known_at, min_certainty)
    parts = parse_key(section, key)
    known = [e for e in events if known_at is None or e["position"] <= known_at]
    state = fold(known, as_of=as_of, min_certainty=min_certainty)
    item = next((it for it in state[section] if key_tuple(section, it) == parts), None)
    by_id = {e["id"]: e for e in known}
    used = [dict(by_id[event_id]) for event_id in item["evidence"]] if item is not None else []
    return {
        "section": section,
        "key": key,
        "item": item,
        "events": used,
        "superseded": _superseded(known, section, parts, as_of, min_certainty),
    }
