"""Upcasters: how a stored envelope of an older ``schema_version`` becomes the current shape.

Stored events are never rewritten (the hash covers what was stored), so a change of an event's
shape is a new :data:`CURRENT_SCHEMA_VERSION` plus an upcaster from the version before it. The
store's readers apply them: the row mapper (:func:`ledger.store.rows.envelope_from_row`) and the
fold reads (:mod:`ledger.store.foldreads`), so every query, the append rules' lookups and the
checkpoints see current shapes; ``verify`` and ``export`` read the rows as stored.

Version 1 is the first released shape, so there is nothing to upcast yet;
``tests/contract/test_upcast.py`` registers a hypothetical version 2 to show the wiring.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

CURRENT_SCHEMA_VERSION = 1
"""The schema_version new events are stored with (what the catalog's models describe)."""

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
UPCASTERS: dict[int, Upcaster] = {}
"""``UPCASTERS[n]`` turns a version-n document into a version n+1 document."""


class SchemaTooNew(ValueError):
    """A stored event was written by a newer version of alliance-ledger."""


def upcast(document: dict[str, Any], version: int) -> dict[str, Any]:
    """Bring a stored document of ``version`` up to :data:`CURRENT_SCHEMA_VERSION`.

    ``document`` is a stored envelope or the part of it a fold reads (type, dates, ``corrects``,
    ``data``); it is returned as is when current, else a new document (upcasters get a copy, so
    a cached row is never changed), with ``schema_version`` updated when it carries one.
    """
    if version == CURRENT_SCHEMA_VERSION:
        return document
    if version > CURRENT_SCHEMA_VERSION:
        raise SchemaTooNew(
            f"event {document.get('id')!r} has schema_version {version}; this alliance-ledger reads up to "
            f"{CURRENT_SCHEMA_VERSION}: upgrade alliance-ledger"
        )
    if version < 1:
        raise ValueError(f"event {document.get('id')!r} has schema_version {version}; versions start at 1")
    document = copy.deepcopy(document)
    while version < CURRENT_SCHEMA_VERSION:
        document = UPCASTERS[version](document)
        version += 1
    if "schema_version" in document:
        document["schema_version"] = version
    return document
