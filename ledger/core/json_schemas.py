"""JSON Schemas of the input event (from the pydantic catalog) and of the state document.

The state schema is generated from the same table the fold uses for its output layout
(``projections.FIELDS``), so the documented shape and the produced shape cannot drift apart;
a test validates real state documents against it.
"""

from __future__ import annotations

from typing import Any

from events import CERTAINTY_RANK, EVENT_ADAPTER
from projections import FIELDS, SECTIONS, STATUSES

_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
_SLUGS = {"type": "array", "items": _STR}
_MONEY = {"type": "object", "required": ["amount", "currency"], "properties": {
    "amount": {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}, "currency": {"type": "string"},
    "approximate": {"type": "boolean"}}, "additionalProperties": False}
_TERMS = {"type": "object", "additionalProperties": {"type": "string"}}
_FIELD_TYPES: dict[str, Any] = {
    "aliases": {"type": ["array", "null"], "items": _STR},
    "parties": _SLUGS, "plaintiffs": _SLUGS, "defendants": _SLUGS,
    "supersedes": {"type": ["array", "null"], "items": _STR},
    "evidence": {"type": "array", "items": _STR, "description": "ids of the live contributing events, fold order"},
    "certainty": {"enum": list(CERTAINTY_RANK), "description": "the weakest among the contributing events"},
    "since": {**_STR, "description": "effective date of the defining event, precision kept"},
    "updated": {**_STR, "description": "effective date of the latest contributing event"},
    "binding": {"type": "boolean"},
    "money": {"oneOf": [_MONEY, {"type": "null"}]},
    "invested": {"type": "array", "items": _MONEY, "description": "one entry per currency, summed exactly"},
    "stake": {"oneOf": [{"type": "null"}, {"type": "object", "properties": {
        "exact": _STR, "min": _STR, "max": _STR, "basis": {"enum": ["equity", "profit_share", "voting"]}},
        "additionalProperties": False}]},
    "terms": {"oneOf": [_TERMS, {"type": "null"}]},
}


def _item_schema(section: str) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for name in FIELDS[section]:
        if name == "status":
            props[name] = {"enum": list(STATUSES[section])}
        else:
            props[name] = _FIELD_TYPES.get(name, _NSTR)
    return {"type": "object", "required": list(FIELDS[section]), "properties": props, "additionalProperties": False}


def state_schema() -> dict[str, Any]:
    header = {
        "as_of": {"type": "string", "format": "date"},
        "known_at": {"type": "object", "required": ["position", "recorded_at"], "properties": {
            "position": {"type": "integer", "minimum": 0}, "recorded_at": _NSTR}, "additionalProperties": False},
        "min_certainty": {"enum": list(CERTAINTY_RANK)},
        "party": _NSTR,
        "active": {"type": "boolean"},
    }
    sections = {name: {"type": "array", "items": _item_schema(name)} for name in SECTIONS}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "alliance-ledger state document",
        "type": "object",
        "required": [*header, *SECTIONS],
        "properties": {**header, **sections},
        "additionalProperties": False,
    }


def json_schemas() -> dict[str, Any]:
    events = EVENT_ADAPTER.json_schema()
    events["title"] = "alliance-ledger input event"
    return {"events": events, "state": state_schema()}
