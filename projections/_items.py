"""Helpers shared by the per-section handlers: creating an item and recording a contribution.

Items are plain dicts built in their final key order (``sections.FIELDS``) so that producing
the output is a cheap copy, not a re-layout. The provenance fields are maintained here only,
so every handler records ``updated``/``certainty``/``evidence`` the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from events import CERTAINTY_RANK

Item = dict[str, Any]
Accumulator = dict[str, Any]
"""The fold accumulator: one ``{key: item}`` dict per section plus private indexes (``_``-prefixed)."""

RANK = CERTAINTY_RANK


def new_item(event: Mapping[str, Any], body: Item) -> Item:
    """Finish ``body`` with the provenance of its defining event (since, updated, certainty, evidence)."""
    date = event["effective_date"]
    body["since"] = date
    body["updated"] = date
    body["certainty"] = event["certainty"]
    body["evidence"] = [event["id"]]
    return body


def touch(item: Item, event: Mapping[str, Any]) -> None:
    """Record that ``event`` contributed to ``item``: latest date, weakest certainty, evidence."""
    item["updated"] = event["effective_date"]
    item["evidence"].append(event["id"])
    certainty = event["certainty"]
    if RANK[certainty] < RANK[item["certainty"]]:
        item["certainty"] = certainty


def define(items: dict[Any, Item], key: Any, item: Item) -> None:
    """Store a newly defined item.

    A second definition of a live key cannot pass validation (corrections remove the first
    one before the fold), but the fold must not crash on it: the new definition wins while
    the provenance of the old one is kept, so ``explain`` still shows everything.
    """
    old = items.get(key)
    if old is not None:
        item["since"] = old["since"]
        item["evidence"][:0] = old["evidence"]
        if RANK[old["certainty"]] < RANK[item["certainty"]]:
            item["certainty"] = old["certainty"]
    items[key] = item


def amend(item: Item, data: Mapping[str, Any], fields: tuple[str, ...]) -> None:
    """Apply an *Amended payload: a present key sets the field (``None`` clears it), absent is unchanged.

    ``terms`` is a collection, so clearing it leaves ``{}`` (the state never shows ``null`` terms).
    """
    for name in fields:
        if name in data:
            value = data[name]
            if name == "terms":
                value = dict(value) if value else {}
            item[name] = value
