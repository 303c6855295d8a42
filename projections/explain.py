"""Explain one item of the state: the events that produced it, those that no longer count, and
which event set each of its fields.

An analyst asking "why does the state say this?" needs the live events behind the value (in
the order they were folded), the corrected or retracted ones that once said otherwise, with
the event that withdrew each, and for every field the event that set it (SPEC §12), so an
audit never has to guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from events.stored import StoredEnvelope
from projections.about import withdrawn_about
from projections.blame import blame_fields
from projections.fold import fold
from projections.sections import key_tuple, parse_key
from projections.select import check_query
from projections.steps import item_steps


def explain_item(
    events: Iterable[StoredEnvelope],
    *,
    section: str,
    key: str,
    as_of: str,
    known_at: int | None = None,
    min_certainty: str = "rumored",
) -> dict[str, Any]:
    """The item ``key`` of ``section`` (or None), its events in fold order, its withdrawn events,
    and the provenance of each of its fields.

    ``events`` are the full stored events behind the item's ``evidence``; ``superseded`` lists
    ``{"event": stored event, "by": [{"id", "action": "corrected"|"retracted"}]}`` in recording
    order, for withdrawn events dated up to ``as_of`` and at least ``min_certainty``; ``fields``
    is :func:`projections.blame.blame_fields` (None when there is no item).
    """
    check_query(as_of, known_at, min_certainty)
    parts = parse_key(section, key)
    known = [e for e in events if known_at is None or e["position"] <= known_at]
    state = fold(known, as_of=as_of, min_certainty=min_certainty)
    item = next((it for it in state[section] if key_tuple(section, it) == parts), None)
    by_id = {e["id"]: e for e in known}
    used = [dict(by_id[event_id]) for event_id in item["evidence"]] if item is not None else []
    steps = item_steps(known, section, parts, as_of, min_certainty) if item is not None else []
    return {
        "section": section,
        "key": key,
        "item": item,
        "events": used,
        "superseded": withdrawn_about(known, section, parts, as_of, min_certainty),
        "fields": blame_fields(steps, section, parts, as_of),
    }
