"""The shell of trails (SPEC §12): resolve the query, read the events, wrap the pure trail.

The trail itself is :func:`projections.trail.trail_item`, the same fold as ``state``; here the
clock-free inputs are checked (item, field, dates, known_at, certainty) and a mistyped item key
gets the keys it may have meant, never an empty answer.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from events import date_sort_key, period_end
from ledger.errors import Problem, ValidationError
from ledger.read.queries import Document, check_certainty
from ledger.report.model import check_window_date
from ledger.store.foldreads import read_for_fold
from projections import SECTIONS, item_key, parse_key
from projections.steps import BODY_FIELDS
from projections.trail import LAST_DAY, trail_item

if TYPE_CHECKING:
    from ledger.api import Ledger


def _problem(field: str, message: str) -> ValidationError:
    return ValidationError([Problem(None, None, field, message)], "cannot answer this trail query")


def split_item(item: str) -> tuple[str, str, tuple[str, ...]]:
    """``SECTION:KEY`` -> (section, key, key parts); a clear error naming the item otherwise."""
    section, _, key = item.partition(":")
    if section not in SECTIONS or not key:
        raise _problem("item", f"{item!r}: name an item as SECTION:KEY, e.g. rights:msft-exclusive-gpt or "
                       "stakes:microsoft/openai; sections: " + ", ".join(SECTIONS))
    try:
        return section, key, parse_key(section, key)
    except ValueError as exc:
        raise _problem("item", f"{item!r}: {exc}") from None


_INDEX_KEY: dict[str, str] = {
    "rights": "right:", "partnerships": "partnership:", "agreements": "agreement:", "conditions": "condition:",
    "negotiations": "negotiation:", "legal_actions": "case:",
}
"""Sections whose items are indexed under ``namespace:id``; the others under their first key
field, a party (a party, a stake's holder, a role's person, a metric's party)."""


def item_events(lg: Ledger, section: str, parts: tuple[str, ...], position: int) -> list[Mapping[str, Any]]:
    """The stored envelopes that can shape one item, up to ``position``, in position order.

    Read through the party index as ``state --party`` reads a party (ledger.store.foldreads): the
    events indexed under the item (or its party), with their corrections and retractions, and
    those of the conditions and cases they name. A 100,000-event ledger is not read whole for
    one item. Full envelopes, since blame and trails show sources and recording times.
    """
    key = _INDEX_KEY[section] + parts[0] if section in _INDEX_KEY else parts[0]
    ids = [e["id"] for e in read_for_fold(lg.store, position, key)]
    return list(lg.store.read(ids=ids)) if ids else []


def _unknown(lg: Ledger, item: str, section: str, key: str, position: int, min_certainty: str) -> ValidationError:
    keys = [item_key(section, it) for it in lg.state(LAST_DAY, position, min_certainty)[section]]
    close = difflib.get_close_matches(key, keys, n=3, cutoff=0.5)
    hint = (f"; did you mean {', '.join(f'{section}:{k}' for k in close)}?" if close
            else f"; {section} holds: {', '.join(keys[:10])}{' …' if len(keys) > 10 else ''}" if keys
            else f"; the ledger holds no {section} items")
    level = "" if min_certainty == "rumored" else f" at min_certainty {min_certainty}"
    return _problem("item", f"{item!r} is not in the ledger{level}{hint}")


def build_trail(
    lg: Ledger, item: str, *, field: str | None, date_from: str | date | None, date_to: str | date | None,
    known_at: Any, min_certainty: str,
) -> Document:
    """The trail document of ``item`` (shape in the docs of :meth:`ledger.api.Ledger.trail`)."""
    section, key, parts = split_item(item)
    check_certainty(min_certainty)
    if field is not None and field not in BODY_FIELDS[section]:
        raise _problem("field", f"{item}: {section} items have no field {field!r}; fields: "
                       + ", ".join(BODY_FIELDS[section]))
    start = check_window_date("from", date_from)
    end = check_window_date("to", date_to)
    first = date_sort_key(start) if start else None
    last = period_end(end) if end else None
    if first and last and last < first:
        raise _problem("to", f"the trail ends ({last}) before it starts ({first})")
    position, recorded_at = lg.resolve_known_at(known_at)
    known = item_events(lg, section, parts, position)
    result = trail_item(known, section=section, parts=parts, min_certainty=min_certainty, field=field,
                        date_from=first, date_to=last)
    if result is None:
        raise _unknown(lg, item, section, key, position, min_certainty)
    return Document({"query": item, "section": section, "key": key, "field": field, "from": first, "to": last,
                     "known_at": {"position": position, "recorded_at": recorded_at},
                     "min_certainty": min_certainty, **result})
