"""Trails (SPEC §12): one item's successive values over effective time, as known at one moment.

Each change is an event of the fold that set the item (:mod:`projections.steps`), the calendar
ending it (``until`` passed), or a withdrawn event about it (shown, not folded). Values are
compared in output form at each change's date (:func:`projections.fold.finish_item`), so
replaying the changes up to a date D gives the state's item as of D, field by field, and the
last value is the state's (property tests check both).

A calendar change is dated the first day the state shows it: the day after the ``until``
period ends (``until`` is inclusive); its ``ended_on`` field is the last day of that period.
"""

from __future__ import annotations

from typing import Any

from events import date_sort_key, next_day, period_end
from events.stored import StoredEnvelope
from projections.about import withdrawn_about
from projections.fold import finish_item
from projections.steps import BODY_FIELDS, Step, item_steps

LAST_DAY = "9999-12-31"
"""The as-of date of a trail without an end: every change the ledger knows, however far ahead."""


def _next_day(day: str) -> str | None:
    return None if day >= LAST_DAY else next_day(day)


def _calendar_day(section: str, item: dict[str, Any]) -> str | None:
    """The first day the item shows ended by its ``until``, if it has one."""
    if section not in ("rights", "partnerships") or item.get("until") is None:
        return None
    return _next_day(period_end(item["until"]))


def _diff(before: dict[str, Any] | None, after: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: {"before": None if before is None else before[name], "after": after[name]}
            for name in names if before is None and after[name] is not None
            or before is not None and before[name] != after[name]}


def _event(e: StoredEnvelope) -> dict[str, Any]:
    return {"id": e["id"], "type": e["type"], "position": e["position"], "recorded_at": e.get("recorded_at"),
            "certainty": e["certainty"], "source": e.get("source")}


def _changes(steps: list[Step], section: str, to_day: str, names: tuple[str, ...]) -> tuple[list[dict[str, Any]], Any]:
    """StoredEnvelope and calendar changes up to ``to_day`` in fold order, and the value at ``to_day``."""
    out: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    raw: dict[str, Any] | None = None
    day = ""

    def calendar(until_day: str) -> None:
        nonlocal current
        when = _calendar_day(section, raw) if raw is not None else None
        if when is None or not day < when <= until_day:
            return
        value = finish_item(section, raw, when)  # type: ignore[arg-type]
        if value != current:
            out.append({"effective_date": when, "fields": _diff(current, value, names), "event": None,
                        "withdrawn": None, "_key": (when, 0)})
            current = value

    for step in steps:
        step_day = date_sort_key(step.event["effective_date"])
        if step_day > to_day:
            break
        calendar(step_day)
        value = finish_item(section, step.after, step_day)
        fields = _diff(current, value, names)
        out.append({"effective_date": step.event["effective_date"], "fields": fields, "event": _event(step.event),
                    "withdrawn": None, "_key": (step_day, step.event["position"])})
        current, raw, day = value, step.after, step_day
    calendar(to_day)
    return out, (finish_item(section, raw, to_day) if raw is not None else None)


def _would_set(known: list[StoredEnvelope], w: dict[str, Any], section: str, parts: tuple[str, ...],
               min_certainty: str) -> set[str]:
    """The fields a withdrawn event set while it was live: in the fold as known just before
    the first event that withdrew it (the ledger's belief then, by the same stepping fold)."""
    ids = {by["id"] for by in w["by"]}
    cut = min(e["position"] for e in known if e["id"] in ids) - 1
    then = [e for e in known if e["position"] <= cut]
    step = next((s for s in item_steps(then, section, parts, LAST_DAY, min_certainty)
                 if s.event["id"] == w["event"]["id"]), None)
    return step.set_fields() if step is not None else set()


def trail_item(
    known: list[StoredEnvelope], *, section: str, parts: tuple[str, ...], min_certainty: str = "rumored",
    field: str | None = None, date_from: str | None = None, date_to: str | None = None,
) -> dict[str, Any] | None:
    """The trail of one item over the stored events ``known`` (cut at the query's known_at).

    With ``field``, a withdrawn event is listed when it set that field while it was live.

    ``date_from``/``date_to`` are full dates bounding the listed changes (``date_to`` is also the
    as-of date of ``value``; none: every change the ledger knows). ``field`` narrows the changes
    and ``value`` to one of :data:`projections.steps.BODY_FIELDS`. Returns None when no event,
    live or withdrawn, is about the item: the caller reports it as unknown.
    """
    if field is not None and field not in BODY_FIELDS[section]:
        raise ValueError(f"{section} items have no field {field!r}; fields: {', '.join(BODY_FIELDS[section])}")
    to_day = date_to or LAST_DAY
    steps = item_steps(known, section, parts, LAST_DAY, min_certainty)
    withdrawn = withdrawn_about(known, section, parts, LAST_DAY, min_certainty)
    if not steps and not withdrawn:
        return None
    names = (field,) if field is not None else BODY_FIELDS[section]
    changes, value = _changes(steps, section, to_day, names)
    if field is not None:
        changes = [c for c in changes if c["fields"]]
        value = value[field] if value is not None else None
    for w in withdrawn:
        e = w["event"]
        day = date_sort_key(e["effective_date"])
        if day <= to_day and (field is None or field in _would_set(known, w, section, parts, min_certainty)):
            by = w["by"][0]
            changes.append({"effective_date": e["effective_date"], "fields": {}, "event": _event(e),
                            "withdrawn": {"by": by["id"], "action": by["action"]}, "_key": (day, e["position"])})
    changes.sort(key=lambda c: c["_key"])
    listed = [{k: v for k, v in c.items() if k != "_key"} for c in changes
              if date_from is None or c["_key"][0] >= date_from]
    return {"changes": listed, "value": value}
