"""The shell of trails (SPEC §12): resolve the query, read the events, wrap the pure trail.

The trail itself is :func:`projections.trail.trail_item`, the same fold as ``state``; here the
clock-free inputs are checked (item, field, dates, known_at, certainty) and a mistyped item key
gets the keys it may have meant, never an empty answer.
"""

from __future__ import annotations

import difflib
from typing import Any

from ledger.errors import NotFoundError, Problem, ValidationError
from ledger.read import args
from ledger.read.documents import Trail
from ledger.read.queries import item_events, state
from ledger.store.port import EventStore
from projections import item_key
from projections.steps import BODY_FIELDS
from projections.trail import LAST_DAY, trail_item


def _problem(field: str, message: str) -> ValidationError:
    return ValidationError([Problem(None, None, field, message)], "cannot answer this trail query")


def _missing(message: str) -> NotFoundError:
    return NotFoundError(message, "item")


def check_field(query: str, section: str, field: str | None) -> None:
    if field is not None and field not in BODY_FIELDS[section]:
        raise _problem("field", f"{query}: {section} items have no field {field!r}; fields: "
                       + ", ".join(BODY_FIELDS[section]))


def _unknown(store: EventStore, cache: Any, query: str, section: str, key: str, position: int,
             min_certainty: str) -> NotFoundError:
    items = state(store, cache, day=LAST_DAY, position=position, recorded_at=None, min_certainty=min_certainty,
                  party=None, active=False)[section]
    keys = [item_key(section, it) for it in items]
    close = difflib.get_close_matches(key, keys, n=3, cutoff=0.5)
    hint = (f"; did you mean {', '.join(f'{section}:{k}' for k in close)}?" if close
            else f"; {section} holds: {', '.join(keys[:10])}{' …' if len(keys) > 10 else ''}" if keys
            else f"; the ledger holds no {section} items")
    level = "" if min_certainty == "rumored" else f" at min_certainty {min_certainty}"
    return _missing(f"{query!r} is not in the ledger{level}{hint}")


def trail(
    store: EventStore, cache: Any, query: str, section: str, key: str, parts: tuple[str, ...], *,
    field: str | None, first: str | None, last: str | None, position: int, recorded_at: str | None,
    min_certainty: str,
) -> Trail:
    """The trail document of one item (shape in the docs of :meth:`ledger.api.Ledger.trail`)."""
    check_field(query, section, field)
    known = item_events(store, args.index_key(section, parts), position)
    result = trail_item(known, section=section, parts=parts, min_certainty=min_certainty, field=field,
                        date_from=first, date_to=last)
    if result is None:
        raise _unknown(store, cache, query, section, key, position, min_certainty)
    return Trail({"query": query, "section": section, "key": key, "field": field, "from": first, "to": last,
                  "known_at": {"position": position, "recorded_at": recorded_at},
                  "min_certainty": min_certainty, **result})
