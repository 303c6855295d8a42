"""Views over folded sections: one party's items, the live items, and what changed between two states.

These work on the output of :func:`projections.fold` (or a dict with some of its sections),
never on events, so they compose with any fold and stay cheap. Keys that are not sections
(e.g. ``as_of`` added by the caller) pass through the filters unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from projections.sections import FIELDS, KEY_FIELDS, PARTY_FIELDS, SECTIONS, STATUSES, key_tuple, sorted_keys

Item = Mapping[str, Any]
Sections = Mapping[str, Any]

_PARTY_FIELDS_OF = {name: tuple(f for f in FIELDS[name] if f in PARTY_FIELDS) for name in SECTIONS}
_LIVE = {name: frozenset((values[0], "restricted")) for name, values in STATUSES.items()}


def _involves(item: Item, fields: tuple[str, ...], party: str) -> bool:
    for name in fields:
        value = item[name]
        if value == party or (type(value) is list and party in value):
            return True
    return False


def filter_party(sections: Sections, party: str) -> dict[str, Any]:
    """Keep the items that name ``party`` in any party field, plus the conditions their rights use.

    Conditions have no party field; without the ones a kept right ends or is restricted by,
    a one-party view could not explain why that right's status is what it is.
    """
    out: dict[str, Any] = dict(sections)
    for name in SECTIONS:
        if name in sections and name != "conditions":
            fields = _PARTY_FIELDS_OF[name]
            out[name] = [item for item in sections[name] if _involves(item, fields, party)]
    if "conditions" in sections:
        used = set()
        for right in out.get("rights", ()):
            used.add(right["ends_when"])
            used.add(right["restricted_when"])
        out["conditions"] = [item for item in sections["conditions"] if item["condition"] in used]
    return out


def filter_active(sections: Sections) -> dict[str, Any]:
    """Keep items in their initial status or ``restricted``; sections without status stay whole."""
    out: dict[str, Any] = dict(sections)
    for name, live in _LIVE.items():
        if name in sections:
            out[name] = [item for item in sections[name] if item["status"] in live]
    return out


def _changes(before: Item, after: Item) -> dict[str, dict[str, Any]]:
    """Field -> {before, after} for every differing field except ``evidence`` (reported as events)."""
    changes = {}
    for name, value in after.items():
        if name != "evidence" and before.get(name) != value:
            changes[name] = {"before": before.get(name), "after": value}
    return changes


def _diff_section(name: str, before: list[Item], after: list[Item]) -> dict[str, list[Any]]:
    old = {key_tuple(name, item): item for item in before}
    new = {key_tuple(name, item): item for item in after}
    added = [new[key] for key in sorted_keys(new.keys() - old.keys())]
    removed = [old[key] for key in sorted_keys(old.keys() - new.keys())]
    changed = []
    for key in sorted_keys(new.keys() & old.keys()):
        was, now = old[key], new[key]
        if was == now:
            continue
        seen = set(was["evidence"])
        changed.append({
            "key": dict(zip(KEY_FIELDS[name], key, strict=True)),
            "changes": _changes(was, now),
            "events": [event_id for event_id in now["evidence"] if event_id not in seen],
        })
    return {"added": added, "removed": removed, "changed": changed}


def diff_states(before: Sections, after: Sections) -> dict[str, dict[str, list[Any]]]:
    """What changed between two states, section by section, in section and key order.

    Every section is present, with empty lists when nothing changed, so the shape is fixed.
    An item counts as changed when any field differs, evidence included: an item whose only
    difference is its evidence (e.g. a correction restating the same facts) is listed with an
    empty ``changes`` and the new event ids in ``events``.
    """
    return {
        name: _diff_section(name, list(before.get(name, ())), list(after.get(name, ())))
        for name in SECTIONS
    }
