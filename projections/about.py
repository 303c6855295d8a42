"""Which events are about one item of the state, and which of those were withdrawn.

``explain``, per-field provenance (:mod:`projections.blame`) and trails (:mod:`projections.trail`)
all ask the same question of the stored events: could this event change that item if it were
live? This module answers it once, as a superset of what the fold's handlers touch (an event
about the item directly; an AgreementSigned superseding it; a ConditionMet of a condition the
right was ever made to depend on), so that no audit view can miss an event the fold used.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from events import CERTAINTY_RANK, date_sort_key, withdrawal
from events.stored import StoredEnvelope

DIRECT: dict[str, tuple[str, tuple[str, ...]]] = {
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
"""StoredEnvelope type -> (section, data fields giving the item key) of the item the event is about."""


def is_direct(e: StoredEnvelope, section: str, key: tuple[str, ...]) -> bool:
    """Whether ``e`` names the item itself (not another item that changes it)."""
    target = DIRECT.get(e["type"])
    if target is None or target[0] != section:
        return False
    data = e["data"]
    return tuple(data[name] for name in target[1]) == key


def is_about(e: StoredEnvelope, section: str, key: tuple[str, ...], conditions: set[str]) -> bool:
    """Whether ``e`` would touch the item if it were live (directly, by supersession, or by a condition)."""
    if is_direct(e, section, key):
        return True
    if section == "agreements" and e["type"] == "AgreementSigned":
        return key[0] in (e["data"].get("supersedes") or ())
    return section == "rights" and e["type"] == "ConditionMet" and e["data"]["condition"] in conditions


def right_conditions(events: Iterable[StoredEnvelope], right: str) -> set[str]:
    """Every condition the right was ever made to depend on, by live or withdrawn events."""
    names: set[str] = set()
    for e in events:
        if e["type"] in ("RightGranted", "RightAmended") and e["data"]["right"] == right:
            for field in ("ends_when", "restricted_when"):
                if e["data"].get(field) is not None:
                    names.add(e["data"][field])
    return names


def conditions_of(events: Iterable[StoredEnvelope], section: str, key: tuple[str, ...]) -> set[str]:
    """The conditions :func:`is_about` needs for this item (none unless it is a right)."""
    return right_conditions(events, key[0]) if section == "rights" else set()


def withdrawers(events: Iterable[StoredEnvelope]) -> dict[str, list[dict[str, str]]]:
    """Removed event id -> the events that corrected or retracted it, in recording order."""
    by: dict[str, list[dict[str, str]]] = {}
    for e in sorted(events, key=lambda event: event["position"]):
        found = withdrawal(e)
        if found is not None:
            by.setdefault(found.target, []).append({"id": e["id"], "action": found.action})
    return by


def withdrawn_about(
    known: list[StoredEnvelope], section: str, key: tuple[str, ...], as_of: str, min_certainty: str
) -> list[dict[str, Any]]:
    """Withdrawn events about the item that would otherwise have been folded for this query,
    as ``{"event": stored event, "by": [{"id", "action"}]}`` in recording order."""
    by = withdrawers(known)
    conditions = conditions_of(known, section, key)
    floor = CERTAINTY_RANK[min_certainty]
    out = []
    for e in sorted(known, key=lambda event: event["position"]):
        if e["id"] not in by or date_sort_key(e["effective_date"]) > as_of:
            continue
        if CERTAINTY_RANK[e["certainty"]] >= floor and is_about(e, section, key, conditions):
            out.append({"event": dict(e), "by": by[e["id"]]})
    return out
