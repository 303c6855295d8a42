"""Per-field provenance (SPEC §12): for each field of an item, its value and the event that set it last.

Answers for any ``(as_of, known_at, min_certainty)``, because it is the fold of exactly that
query stopped at each event that sets the item (:mod:`projections.steps`): bitemporal by
construction, and equal to the state's item by construction (a property test checks both).

Some values are not an event's own data, and say so in ``rule``:

* ``"until"``: the calendar ended a right or partnership (its ``until`` lies before ``as_of``):
  ``status``, ``ended_by`` and ``ended_on`` name the event that set ``until``.
* ``"condition"``: a met condition ended or restricted a right, through the ConditionMet event,
  or through the grant or amendment naming a condition that was already met.
* ``"supersedes"``: an agreement was superseded by another agreement's AgreementSigned.

``set_by`` is null only for a field that still holds the empty value (null, ``[]``, ``{}``) an
item starts with and that no event gave a value. ``invested`` lists every contributing investment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from projections.about import is_direct
from projections.fold import finish_item
from projections.steps import BODY_FIELDS, Step

_EMPTY: tuple[Any, ...] = (None, [], {})
_LIFECYCLE = ("status", "ended_by", "ended_on")


def event_ref(e: Mapping[str, Any]) -> dict[str, Any]:
    """What a field's provenance says of the event that set it."""
    return {"id": e["id"], "type": e["type"], "effective_date": e["effective_date"], "position": e["position"],
            "certainty": e["certainty"], "source": e.get("source")}


def _rule(section: str, name: str, step: Step, parts: tuple[str, ...]) -> str | None:
    """Why a field has the value an event gave it, when that is not the event's own data."""
    e, after = step.event, step.after
    if not is_direct(e, section, parts):
        return "condition" if e["type"] == "ConditionMet" else "supersedes"
    if section == "rights" and e["type"] in ("RightGranted", "RightAmended") and name in _LIFECYCLE:
        if name == "status" and after["status"] != "active":
            return "condition"
        if after["ended_by"] == "condition":
            return "condition"
    return None


def _given(step: Step, name: str) -> bool:
    """Whether the step gave ``name`` a value: any value it set, except an empty start value the
    creating event does not carry in its data."""
    if step.before is not None:
        return True
    return step.after[name] not in _EMPTY or step.event["data"].get(name) is not None


def blame_fields(steps: list[Step], section: str, parts: tuple[str, ...], as_of: str) -> dict[str, Any] | None:
    """The ``fields`` object of ``explain`` for the item whose steps (up to ``as_of``) are given;
    None when the item does not exist (no steps)."""
    if not steps:
        return None
    final = finish_item(section, steps[-1].after, as_of)
    last: dict[str, Step | None] = {}
    for step in steps:
        for name in step.set_fields():
            last[name] = step if _given(step, name) else None
    fields: dict[str, Any] = {}
    for name in BODY_FIELDS[section]:
        if name == "invested":
            fields[name] = {"value": final[name], "set_by": [
                {**event_ref(s.event), "money": s.event["data"]["money"]}
                for s in steps if s.event["type"] == "InvestmentMade"]}
            continue
        setter = last.get(name)
        fields[name] = {"value": final[name], "set_by": event_ref(setter.event) if setter else None,
                        "rule": _rule(section, name, setter, parts) if setter else None}
    if final.get("ended_by") == "until":
        for name in _LIFECYCLE:
            fields[name] = {**fields["until"], "value": final[name], "rule": "until"}
    return fields
